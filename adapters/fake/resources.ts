// The fake provider's resource model: one resource per load balancer, listener, route and pool, so
// plans against it look like real ones. References between resources are addresses.

import type * as ir from '#core/ir/load-balancer.js';
import type { Kinds, Resource } from '#core/plan/types.js';

export type FakeKind = 'load-balancer' | 'listener' | 'route' | 'pool';

export interface FakeLoadBalancer {
  scheme: ir.LoadBalancer['scheme'];
  sourceRanges: string[];
}

export interface FakeListener {
  loadBalancer: string;
  port: number;
  protocol: ir.ListenerProtocol;
  tls?: { mode: ir.ListenerTls['mode']; certificates: string[] };
}

export interface FakeRoute {
  listener: string;
  /** Position in the listener's precedence order, 1 first. */
  priority: number;
  hostname?: string;
  match: ir.Match;
  filters: ir.Filter[];
  /** Forward backends and mirror filters name pools by address. */
  action: ir.Action;
  /** Every pool address the route uses, sorted. */
  pools: string[];
}

export interface FakePool {
  protocol: ir.PoolProtocol;
  port: number;
  healthCheck: Omit<ir.HealthCheck, 'origin'>;
  /** `address:port` of the ready endpoints, sorted. */
  targets: string[];
}

/** Each fake resource kind and the type of its value. */
export type FakeValues = {
  'load-balancer': FakeLoadBalancer;
  listener: FakeListener;
  route: FakeRoute;
  pool: FakePool;
};

export type FakeValue = FakeValues[FakeKind];

/** The kind/value pairs the adapter's resources, changes and conflicts are typed by. */
export type FakeKinds = Kinds<FakeValues>;

/** Addresses a fake resource refers to (its parents in the dependency order). */
export function fakeReferences(r: Resource<FakeKinds>): string[] {
  if (r.kind === 'listener') return [r.value.loadBalancer];
  if (r.kind === 'route') return [r.value.listener, ...r.value.pools];
  return [];
}
