import { condition } from '#core/status/conditions.js';
import type { ObjectStatus, StatusCondition } from '#core/status/types.js';

/** An object kept at its last valid version because its current one fails its schema. */
export interface KeptObject {
  kind: string;
  namespace?: string;
  name: string;
  /** The generation of the current, invalid version. */
  generation?: number;
  field: string;
  message: string;
}

/**
 * The statuses computed from the last valid versions of `kept` objects, saying that the current
 * version is invalid: `Accepted` becomes False (reason Invalid, for the current generation) on the
 * object or on each of its route parents; `Programmed` and the rest still describe what serves.
 * Ingress and Service have no conditions: their status stays as it is.
 */
export function markKeptObjects(
  statuses: readonly ObjectStatus[],
  kept: readonly KeptObject[],
): ObjectStatus[] {
  if (kept.length === 0) return [...statuses];
  const byId = new Map(kept.map((k) => [idOf(k), k]));
  return statuses.map((s) => {
    const k = byId.get(idOf(s));
    if (!k) return s;
    const accepted = condition(
      'Accepted',
      false,
      'Invalid',
      `The current version is invalid (${k.field}: ${k.message}); the last valid version stays programmed`,
      k.generation,
    );
    const status = s.status as {
      conditions?: StatusCondition[];
      parents?: { conditions: StatusCondition[] }[];
    };
    if (status.conditions)
      return {
        ...s,
        status: { ...status, conditions: replaceAccepted(status.conditions, accepted) },
      } as ObjectStatus;
    if (status.parents)
      return {
        ...s,
        status: {
          ...status,
          parents: status.parents.map((p) => ({ ...p, conditions: replaceAccepted(p.conditions, accepted) })),
        },
      } as ObjectStatus;
    return s;
  });
}

function replaceAccepted(
  conditions: readonly StatusCondition[],
  accepted: StatusCondition,
): StatusCondition[] {
  return conditions.some((c) => c.type === 'Accepted')
    ? conditions.map((c) => (c.type === 'Accepted' ? accepted : c))
    : [accepted, ...conditions];
}

function idOf(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`;
}
