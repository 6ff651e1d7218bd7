import type { ParentReference } from '#core/model/gateway-api.js';
import { PORTICO_CONDITION_TYPES } from '#core/status/conditions.js';
import {
  mergeConditions,
  mergeRouteParents,
  type StoredCondition,
  withoutPorticoConditions,
  withoutPorticoParents,
} from '#core/status/merge.js';
import type { ObjectStatus, RouteParentStatus, StatusRelease } from '#core/status/types.js';
import type { ClusterObject } from './cluster-object.js';
import { applyMergePatch, sameJson } from './merge-patch.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface StatusPatchOptions {
  controllerName: string;
  /** RFC 3339: the lastTransitionTime of conditions whose status changes now. */
  now: string;
  /** `desired` comes from a whole translation: see MergeRouteParentsInput.complete. */
  complete?: boolean;
}

/**
 * The `status` to merge-patch onto `object` so that it says what `desired` says, or undefined when it
 * already does. Only the fields Portico owns are in the patch:
 *
 * - GatewayClass: `conditions`; Gateway: `addresses`, `conditions`, `listeners`. Conditions are
 *   merged by type (mergeConditions): other writers' types stay; lastTransitionTime stays where a
 *   condition's status did not change.
 * - Routes: `parents`, merged by mergeRouteParents: other controllers' entries are left as they are.
 *   Portico's parentRefs carry group and kind explicitly, so that the CRD's defaulting on the server
 *   cannot make the next comparison differ.
 * - BackendTLSPolicy: `ancestors`, merged as route parents are (by ancestorRef and controllerName).
 * - Ingress, Service: `loadBalancer.ingress`.
 */
export function planStatusPatch(
  object: ClusterObject,
  desired: ObjectStatus,
  options: StatusPatchOptions,
): Record<string, unknown> | undefined {
  const existing = isRecord(object.status) ? object.status : {};
  const { now } = options;
  let fields: Record<string, unknown>;
  switch (desired.kind) {
    case 'GatewayClass':
      fields = {
        conditions: mergeConditions(conditionsOf(existing.conditions), desired.status.conditions, now),
      };
      break;
    case 'Gateway':
    case 'ListenerSet': {
      const oldListeners = arrayOf(existing.listeners);
      fields = {
        ...(desired.kind === 'Gateway'
          ? {
              addresses: desired.status.addresses ?? null,
              attachedListenerSets: desired.status.attachedListenerSets ?? null,
            }
          : {}),
        conditions: mergeConditions(conditionsOf(existing.conditions), desired.status.conditions, now),
        listeners: desired.status.listeners.map((l) => ({
          ...l,
          conditions: mergeConditions(
            conditionsOf(oldListeners.find((o) => o.name === l.name)?.conditions),
            l.conditions,
            now,
          ),
        })),
      };
      break;
    }
    case 'HTTPRoute':
    case 'GRPCRoute':
    case 'TLSRoute':
    case 'TCPRoute':
    case 'UDPRoute': {
      const spec = isRecord(object.spec) ? object.spec : {};
      const parents = mergeRouteParents({
        existing: arrayOf(existing.parents) as unknown as RouteParentStatus[],
        ours: desired.status.parents.map((p) => ({ ...p, parentRef: withDefaults(p.parentRef) })),
        specParentRefs: arrayOf(spec.parentRefs) as unknown as ParentReference[],
        controllerName: options.controllerName,
        now,
        ...(options.complete ? { complete: true } : {}),
      });
      // `parents` is required once there is a status; an object with neither needs no write.
      if (parents.length === 0 && existing.parents === undefined) return undefined;
      fields = { parents };
      break;
    }
    case 'BackendTLSPolicy': {
      const existingAncestors = arrayOf(existing.ancestors).map(asParent);
      const merged = mergeRouteParents({
        existing: existingAncestors,
        ours: desired.status.ancestors.map((a) => ({
          parentRef: withDefaults(a.ancestorRef),
          controllerName: a.controllerName,
          conditions: a.conditions,
        })),
        // A policy has no parentRefs: every ancestor it has is "in the spec" until released.
        specParentRefs: existingAncestors.map((a) => a.parentRef),
        controllerName: options.controllerName,
        now,
        ...(options.complete ? { complete: true } : {}),
      });
      if (merged.length === 0 && existing.ancestors === undefined) return undefined;
      fields = { ancestors: merged.map(asAncestor) };
      break;
    }
    case 'Ingress':
    case 'Service':
      fields = { loadBalancer: { ingress: desired.status.loadBalancer.ingress ?? null } };
      break;
  }
  return sameJson(applyMergePatch(existing, fields), existing) ? undefined : fields;
}

/**
 * The `status` to merge-patch onto `object` so that Portico's part of it is gone (`release`), or
 * undefined when nothing of Portico's is there:
 *
 * - GatewayClass, Gateway, ListenerSet: conditions of Portico's types observed at the release's generation or
 *   before (withoutPorticoConditions), on the object and its listeners; a listener left with no
 *   condition goes, and the Gateway's `addresses` go once no condition of Portico's types remains
 *   (no other controller has claimed the Gateway yet; one that has writes its own).
 * - Routes: Portico's parent entries for the released Gateway (withoutPorticoParents).
 * - BackendTLSPolicy: Portico's ancestor entries for the released Gateway, or all of them.
 * - Ingress, Service: the `loadBalancer.ingress` entries Portico last wrote.
 */
export function planReleasePatch(
  object: ClusterObject,
  release: StatusRelease,
  options: { controllerName: string },
): Record<string, unknown> | undefined {
  const existing = isRecord(object.status) ? object.status : {};
  let fields: Record<string, unknown>;
  switch (release.kind) {
    case 'GatewayClass':
      fields = {
        conditions: withoutPorticoConditions(conditionsOf(existing.conditions), release.generation),
      };
      break;
    case 'Gateway':
    case 'ListenerSet': {
      const conditions = withoutPorticoConditions(conditionsOf(existing.conditions), release.generation);
      const listeners = arrayOf(existing.listeners).flatMap((l) => {
        const before = conditionsOf(l.conditions);
        const after = withoutPorticoConditions(before, release.generation);
        if (after.length === before.length) return [l];
        return after.length > 0 ? [{ ...l, conditions: after }] : [];
      });
      const claimed = conditions.some((c) => PORTICO_CONDITION_TYPES.has(c.type));
      fields = {
        conditions,
        ...(existing.listeners !== undefined ? { listeners } : {}),
        ...(claimed || release.kind === 'ListenerSet' ? {} : { addresses: null }),
      };
      break;
    }
    case 'HTTPRoute':
    case 'GRPCRoute':
    case 'TLSRoute':
    case 'TCPRoute':
    case 'UDPRoute': {
      if (!release.parent || existing.parents === undefined) return undefined;
      fields = {
        parents: withoutPorticoParents(
          arrayOf(existing.parents) as unknown as RouteParentStatus[],
          release.parent,
          object.metadata.namespace,
          options.controllerName,
        ),
      };
      break;
    }
    case 'BackendTLSPolicy': {
      if (existing.ancestors === undefined) return undefined;
      const ancestors = arrayOf(existing.ancestors).map(asParent);
      const kept = release.parent
        ? withoutPorticoParents(ancestors, release.parent, object.metadata.namespace, options.controllerName)
        : ancestors.filter((a) => a.controllerName !== options.controllerName);
      fields = { ancestors: kept.map(asAncestor) };
      break;
    }
    case 'Ingress':
    case 'Service': {
      const lb = isRecord(existing.loadBalancer) ? existing.loadBalancer : {};
      const ours = release.ingress ?? [];
      const ingress = arrayOf(lb.ingress).filter(
        (i) => !ours.some((o) => o.ip === i.ip && o.hostname === i.hostname),
      );
      fields = { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } };
      break;
    }
  }
  return sameJson(applyMergePatch(existing, fields), existing) ? undefined : fields;
}

type StoredParent = Omit<RouteParentStatus, 'conditions'> & { conditions: StoredCondition[] };

/** A policy's ancestor entry seen as a route parent entry, so that both merge the same way. */
function asParent(a: Record<string, unknown>): StoredParent {
  const { ancestorRef, ...rest } = a;
  return { ...rest, parentRef: ancestorRef } as unknown as StoredParent;
}

function asAncestor(p: StoredParent): Record<string, unknown> {
  const { parentRef, ...rest } = p;
  return { ancestorRef: parentRef, ...rest };
}

function withDefaults(ref: ParentReference): ParentReference {
  return { ...ref, group: ref.group ?? GATEWAY_GROUP, kind: ref.kind ?? 'Gateway' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function conditionsOf(v: unknown): StoredCondition[] {
  return arrayOf(v) as unknown as StoredCondition[];
}
