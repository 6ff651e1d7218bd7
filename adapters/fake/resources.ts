// The fake provider's resource model: one resource per load balancer, listener, route and pool, so
// plans against it look like real ones. References between resources are addresses.

import type * as ir from '#core/ir/load-balancer.js';

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

export type FakeValue = FakeLoadBalancer | FakeListener | FakeRoute | FakePool;

/** Addresses a fake resource refers to (its parents in the dependency order). */
export function fakeReferences(kind: string, value: FakeValue): string[] {
  if (kind === 'listener') return [(value as FakeListener).loadBalancer];
  if (kind === 'route') return [(value as FakeRoute).listener, ...(value as FakeRoute).pools];
  return [];
}
