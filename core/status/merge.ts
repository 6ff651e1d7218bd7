import type { ParentReference } from '#core/model/gateway-api.js';
import { PORTICO_CONDITION_TYPES } from './conditions.js';
import type { RouteParentStatus, StatusCondition } from './types.js';

/** A condition as stored on the object, with the time it last changed status. */
export type StoredCondition = StatusCondition & { lastTransitionTime?: string };

/**
 * Conditions to write, merged by type: Portico's types are what `desired` says (a type of Portico's
 * that `desired` leaves out is removed), every other type is another writer's and stays as it is,
 * where it is. `lastTransitionTime` is kept where the status did not change and set to `now` where
 * it did (the core has no clock: the status writer passes it in).
 */
export function mergeConditions(
  existing: readonly StoredCondition[],
  desired: readonly StatusCondition[],
  now: string,
): StoredCondition[] {
  const stamp = (d: StatusCondition): StoredCondition => {
    const old = existing.find((e) => e.type === d.type);
    return {
      ...d,
      lastTransitionTime:
        old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  };
  const out: StoredCondition[] = [];
  const placed = new Set<string>();
  for (const e of existing) {
    const d = desired.find((x) => x.type === e.type);
    if (d) {
      if (!placed.has(d.type)) out.push(stamp(d));
      placed.add(d.type);
    } else if (!PORTICO_CONDITION_TYPES.has(e.type)) out.push(e);
  }
  for (const d of desired) if (!placed.has(d.type)) out.push(stamp(d));
  return out;
}

/**
 * Conditions after Portico withdraws its own: those of Portico's types observed at `generation` or
 * before (or without observedGeneration) are removed. A condition of Portico's type observed at a
 * later generation is another controller's (the Gateway moved to its class, which bumped the
 * generation), and any other type is another writer's: both stay.
 */
export function withoutPorticoConditions(
  existing: readonly StoredCondition[],
  generation: number | undefined,
): StoredCondition[] {
  return existing.filter(
    (c) =>
      !PORTICO_CONDITION_TYPES.has(c.type) ||
      (generation !== undefined && c.observedGeneration !== undefined && c.observedGeneration > generation),
  );
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
  /**
   * `ours` is a whole translation (every Gateway Portico programs): Portico's entries it does not
   * carry are dropped, even while their parentRef is in the spec (the Gateway moved to another
   * controller, or is gone). Otherwise they are kept, as another load balancer's reconcile may own them.
   */
  complete?: boolean;
}

/**
 * Route `status.parents` after writing Portico's entries. Entries of other controllers are never
 * touched. Portico's entries are replaced by the new ones for the same parentRef, kept when this
 * translation did not cover their Gateway (it may belong to another load balancer; not when
 * `complete`), and dropped once their parentRef is no longer in the spec.
 */
export function mergeRouteParents(
  input: MergeRouteParentsInput,
): MergeRouteParentsInput['existing'][number][] {
  const inSpec = (ref: ParentReference) => input.specParentRefs.some((s) => sameParent(s, ref));
  const out: MergeRouteParentsInput['existing'][number][] = [];
  for (const e of input.existing) {
    if (e.controllerName !== input.controllerName) out.push(e);
    else if (
      !input.complete &&
      inSpec(e.parentRef) &&
      !input.ours.some((o) => sameParent(o.parentRef, e.parentRef))
    )
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

/**
 * Route `status.parents` after Portico withdraws its entries for one Gateway (it no longer programs
 * it): Portico's entries whose parentRef names that Gateway (any section or port) are removed;
 * other controllers' entries, and Portico's for other Gateways, stay.
 */
export function withoutPorticoParents<P extends { parentRef: ParentReference; controllerName: string }>(
  existing: readonly P[],
  gateway: { namespace: string; name: string },
  routeNamespace: string | undefined,
  controllerName: string,
): P[] {
  return existing.filter(
    (p) =>
      p.controllerName !== controllerName ||
      (p.parentRef.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io' ||
      (p.parentRef.kind ?? 'Gateway') !== 'Gateway' ||
      (p.parentRef.namespace ?? routeNamespace) !== gateway.namespace ||
      p.parentRef.name !== gateway.name,
  );
}
