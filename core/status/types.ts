// The status the core computes for every input object. It has no timestamps (the writer stamps
// lastTransitionTime only when a condition really changes) and, for routes, holds only Portico's own
// parent entries: merge-route-parents.ts combines them with other controllers' entries.

import type { LbKey } from '#core/ir/load-balancer.js';
import type { ParentReference } from '#core/model/gateway-api.js';

export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface GatewayClassStatus {
  conditions: StatusCondition[];
  /** Gateway API features the class's provider supports (sorted by name); set once the class is accepted. */
  supportedFeatures?: { name: string }[];
}

export interface ListenerStatus {
  name: string;
  supportedKinds: { group: string; kind: string }[];
  attachedRoutes: number;
  conditions: StatusCondition[];
}

export interface GatewayStatus {
  addresses?: { type: string; value: string }[];
  conditions: StatusCondition[];
  listeners: ListenerStatus[];
  /** ListenerSets whose listeners the Gateway accepted (absent when the Gateway allows none). */
  attachedListenerSets?: number;
}

/** A ListenerSet: its own conditions, and one entry per listener, shaped like a Gateway's. */
export interface ListenerSetStatus {
  conditions: StatusCondition[];
  listeners: ListenerStatus[];
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: StatusCondition[];
}

export interface RouteStatus {
  parents: RouteParentStatus[];
}

/** One Gateway a policy takes effect through (Gateway API PolicyAncestorStatus). */
export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions: StatusCondition[];
}

/** A direct policy (BackendTLSPolicy): one entry per Gateway it takes effect through. */
export interface PolicyStatus {
  ancestors: PolicyAncestorStatus[];
}

/** Ingress and Service: `status.loadBalancer`, filled from the provider's addresses once programmed. */
export interface LoadBalancerObjectStatus {
  loadBalancer: {
    ingress?: {
      ip?: string;
      hostname?: string;
      ports?: { port: number; protocol: string; error?: string }[];
    }[];
  };
}

interface StatusOf<K extends string, S> {
  kind: K;
  namespace?: string;
  name: string;
  generation?: number;
  /** Load balancers this object's status depends on (addresses and Programmed come from them). */
  loadBalancers: LbKey[];
  status: S;
}

export type ObjectStatus =
  | StatusOf<'GatewayClass', GatewayClassStatus>
  | StatusOf<'Gateway', GatewayStatus>
  | StatusOf<'ListenerSet', ListenerSetStatus>
  | StatusOf<'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute', RouteStatus>
  | StatusOf<'BackendTLSPolicy', PolicyStatus>
  | StatusOf<'Ingress' | 'Service', LoadBalancerObjectStatus>;

/**
 * What Portico withdraws from an object it no longer programs (the Gateway moved to another
 * controller's class or is gone, the route left the Gateway, the Ingress changed class): only what
 * it wrote, never another writer's conditions or entries. Made by releaseOf (release.ts).
 */
export interface StatusRelease {
  kind: ObjectStatus['kind'];
  namespace?: string;
  name: string;
  /** Gateway, GatewayClass: Portico's conditions observed at this generation or before are removed. */
  generation?: number;
  /** Routes: Portico's parent entries for this Gateway are removed; policies: Portico's ancestor entries for it. */
  parent?: { namespace: string; name: string };
  /** Ingress, Service: these `status.loadBalancer.ingress` entries (the last Portico wrote) are removed. */
  ingress?: { ip?: string; hostname?: string }[];
}
