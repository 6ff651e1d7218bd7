import type { ParentReference } from '#core/model/gateway-api.js';
import type { RouteParentStatus, StatusCondition } from './types.js';

/** A condition as stored on the object, with the time it last changed status. */
export type StoredCondition = StatusCondition & { lastTransitionTime?: string };

/**
 * Conditions to write: `lastTransitionTime` is kept where the status did not change and set to `now`
 * where it did (the core has no clock: the status writer passes it in).
 */
export function mergeConditions(
  existing: readonly StoredCondition[],
  desired: readonly StatusCondition[],
  now: string,
): StoredCondition[] {
  return desired.map((d) => {
    const old = existing.find((e) => e.type === d.type);
    return {
      ...d,
      lastTransitionTime:
        old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  });
}

export interface MergeRouteParentsInput {
  /** `status.parents` as the cluster has it (other controllers' entries included). */
  existing: readonly (Omit<RouteParentStatus, 'conditions'> & { conditions: StoredCondition[] })[];
  /** Portico's entries from a translation, possibly of only some of the route's Gateways. */
  ours: readonly RouteParentStatus[];
  /** `spec.parentRefs` of the route now. */
  specParentRefs: readonly ParentReference[];
  controllerName: string;
  now: string;
}

/**
 * Route `status.parents` after writing Portico's entries. Entries of other controllers are never
 * touched. Portico's entries are replaced by the new ones for the same parentRef, kept when this
 * translation did not cover their Gateway (it may belong to another load balancer), and dropped once
 * their parentRef is no longer in the spec.
 */
export function mergeRouteParents(
  input: MergeRouteParentsInput,
): MergeRouteParentsInput['existing'][number][] {
  const inSpec = (ref: ParentReference) => input.specParentRefs.some((s) => sameParent(s, ref));
  const out: MergeRouteParentsInput['existing'][number][] = [];
  for (const e of input.existing) {
    if (e.controllerName !== input.controllerName) out.push(e);
    else if (inSpec(e.parentRef) && !input.ours.some((o) => sameParent(o.parentRef, e.parentRef)))
      out.push(e);
  }
  for (const o of input.ours) {
    const old = input.existing.find(
      (e) => e.controllerName === input.controllerName && sameParent(e.parentRef, o.parentRef),
    );
    out.push({ ...o, conditions: mergeConditions(old?.conditions ?? [], o.conditions, input.now) });
  }
  return out;
}

/** parentRefs are equal when every field is, with the API's defaults applied (namespace excepted: callers pass it as written). */
export function sameParent(a: ParentReference, b: ParentReference): boolean {
  return (
    (a.group ?? 'gateway.networking.k8s.io') === (b.group ?? 'gateway.networking.k8s.io') &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.sectionName === b.sectionName &&
    a.port === b.port
  );
}
