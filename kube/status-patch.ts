import type { ParentReference } from '#core/model/gateway-api.js';
import { mergeConditions, mergeRouteParents, type StoredCondition } from '#core/status/merge.js';
import type { ObjectStatus, RouteParentStatus } from '#core/status/types.js';
import type { ClusterObject } from './cluster-object.js';
import { applyMergePatch, sameJson } from './merge-patch.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface StatusPatchOptions {
  controllerName: string;
  /** RFC 3339: the lastTransitionTime of conditions whose status changes now. */
  now: string;
}

/**
 * The `status` to merge-patch onto `object` so that it says what `desired` says, or undefined when it
 * already does. Only the fields Portico owns are in the patch:
 *
 * - GatewayClass: `conditions`; Gateway: `addresses`, `conditions`, `listeners`. lastTransitionTime
 *   stays where a condition's status did not change (mergeConditions).
 * - Routes: `parents`, merged by mergeRouteParents: other controllers' entries are left as they are.
 *   Portico's parentRefs carry group and kind explicitly, so that the CRD's defaulting on the server
 *   cannot make the next comparison differ.
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
      });
      // `parents` is required once there is a status; an object with neither needs no write.
      if (parents.length === 0 && existing.parents === undefined) return undefined;
      fields = { parents };
      break;
    }
    case 'Ingress':
    case 'Service':
      fields = { loadBalancer: { ingress: desired.status.loadBalancer.ingress ?? null } };
      break;
  }
  return sameJson(applyMergePatch(existing, fields), existing) ? undefined : fields;
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
