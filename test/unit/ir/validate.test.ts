import { describe, expect, it } from 'vitest';
import type { BackendPool, LoadBalancer, Route } from '#core/ir/load-balancer.js';
import { validateLoadBalancer } from '#core/ir/validate.js';

// validateLoadBalancer reads each route object once (a memo by identity): what depends on the load
// balancer (its pools and buckets, the other routes' ids) is still checked against each one.

const source = { kind: 'HTTPRoute', namespace: 'a', name: 'r' };
const route = (id: string, backends: { pool: string | null; bucket?: string; weight: number }[]): Route => ({
  id,
  source,
  wildcard: 'any-depth',
  match: { headers: [], queryParams: [] },
  filters: [{ type: 'RequestMirror', pool: 'a/mirror/80', percent: 100 }],
  action: { type: 'forward', backends: backends.map((b) => ({ ...b, filters: [] })) },
});
const pool = (id: string) =>
  ({ id, source: { kind: 'Service', namespace: 'a', name: id }, endpoints: [] }) as unknown as BackendPool;
const lb = (routes: Route[], pools: string[]): LoadBalancer =>
  ({
    key: 'test/Gateway/a/g',
    cluster: 'test',
    source: { kind: 'Gateway', namespace: 'a', name: 'g' },
    listeners: [{ id: 'http-80', sources: [], port: 80, protocol: 'HTTP', routes }],
    pools: pools.map(pool),
    buckets: [{ id: 'b1', source: { kind: 'StorageBucket', namespace: 'a', name: 'b1' } }],
  }) as unknown as LoadBalancer;

describe('validateLoadBalancer', () => {
  const good = route('r1', [{ pool: 'a/svc/80', weight: 1 }]);
  const odd = route('r2', [
    { pool: 'a/gone/80', weight: -1 },
    { pool: 'a/svc/80', bucket: 'b1', weight: 1 },
    { pool: null, bucket: 'b2', weight: 1 },
  ]);

  it('says what is wrong with each route, in order', () => {
    expect(
      validateLoadBalancer(lb([good, odd, good], ['a/svc/80', 'a/mirror/80'])).map((e) => e.message),
    ).toEqual([
      'route r2 references unknown pool a/gone/80',
      'route r2: a backend is a pool or a bucket, not both',
      'route r2 references unknown bucket b2',
      'route r2 has a negative or fractional weight',
      'duplicate route id r1 in listener http-80',
    ]);
  });

  it('checks the same route objects again against each load balancer', () => {
    expect(validateLoadBalancer(lb([good], ['a/svc/80', 'a/mirror/80']))).toEqual([]);
    expect(validateLoadBalancer(lb([good], ['a/svc/80'])).map((e) => e.message)).toEqual([
      'route r1 references unknown pool a/mirror/80',
    ]);
  });

  it('finds what a route that came in brings, when the others are those of the last check', () => {
    const pools = ['a/svc/80', 'a/mirror/80'];
    const many = Array.from({ length: 10 }, (_, i) => route(`m${i}`, [{ pool: 'a/svc/80', weight: 1 }]));
    expect(validateLoadBalancer(lb(many, pools))).toEqual([]);
    const unknown = route('m10', [{ pool: 'a/gone/80', weight: 1 }]);
    expect(validateLoadBalancer(lb([...many, unknown], pools)).map((e) => e.message)).toEqual([
      'route m10 references unknown pool a/gone/80',
    ]);
    const twin = route('m3', [{ pool: 'a/svc/80', weight: 1 }]);
    expect(validateLoadBalancer(lb([twin, ...many], pools)).map((e) => e.message)).toEqual([
      'duplicate route id m3 in listener http-80',
    ]);
    expect(validateLoadBalancer(lb(many.slice(1), pools))).toEqual([]);
    // A pool that goes: the routes still naming it are found.
    expect(validateLoadBalancer(lb(many.slice(1), ['a/mirror/80'])).map((e) => e.message)).toHaveLength(9);
  });
});
