import { describe, expect, it } from 'vitest';
import type * as ir from '#core/ir/load-balancer.js';
import { isReadinessGateType, readinessGateType } from '#core/readiness/gate-condition.js';
import { podGatesOf, podsNotTargeted, type TargetHealthView } from '#core/readiness/pod-gates.js';
import { loadBalancer, pool } from '#test/unit/adapters/ir-fixture.js';

const KEY = 'prod/Gateway/shop/web';

/** A pool whose endpoints are pods `<name>` at 10.0.0.<n>. */
function podPool(id: string, pods: { name: string; n: number; ready?: boolean; terminating?: boolean }[]) {
  const p = pool(id);
  p.endpoints = pods.map(
    (x): ir.Endpoint => ({
      address: `10.0.0.${x.n}`,
      family: 'IPv4',
      port: 8080,
      ready: x.ready ?? false,
      serving: x.ready ?? false,
      terminating: x.terminating ?? false,
      pod: { namespace: 'shop', name: x.name },
    }),
  );
  return p;
}
const health = (pool: string, n: number, state: TargetHealthView['state']): TargetHealthView => ({
  pool,
  address: `10.0.0.${n}`,
  port: 8080,
  state,
});

describe('readinessGateType', () => {
  it('is portico.dev/lb-<16 base32>, stable, the same whatever the cluster is called, and distinct per key', () => {
    const t = readinessGateType(KEY);
    expect(t).toMatch(/^portico\.dev\/lb-[a-z2-7]{16}$/);
    expect(isReadinessGateType(t)).toBe(true);
    expect(readinessGateType('local/Gateway/shop/web')).toBe(t);
    expect(readinessGateType('prod/Gateway/shop/web2')).not.toBe(t);
    expect(readinessGateType('prod/Service/shop/web')).not.toBe(t);
    expect(isReadinessGateType('portico.dev/lb-x')).toBe(false);
  });

  it('refuses something that is not a load-balancer key', () => {
    expect(() => readinessGateType('not-a-key')).toThrow(/not a load-balancer key/);
  });
});

describe('podGatesOf', () => {
  const lb = loadBalancer({
    pools: [
      podPool('shop/api/80', [
        { name: 'a', n: 1 },
        { name: 'b', n: 2 },
        { name: 'old', n: 3, terminating: true },
      ]),
      podPool('shop/site/80', [{ name: 'a', n: 1 }]),
    ],
  });

  it('opens a pod only when every one of its targets, in every pool, is healthy', () => {
    const gates = podGatesOf(KEY, lb, [
      health('shop/api/80', 1, 'healthy'),
      health('shop/site/80', 1, 'initial'),
      health('shop/api/80', 2, 'healthy'),
    ]);
    expect(gates.conditionType).toBe(readinessGateType(KEY));
    expect(gates.services).toEqual(['shop/api', 'shop/site']);
    expect(gates.pods.map((g) => [g.pod.name, g.healthy])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(gates.pods[0]!.reason).toBe('10.0.0.1:8080 in pool shop/site/80 is initial');
  });

  it('on a provider that checks only ready endpoints, a not-ready pod it never saw opens unenforced (never waits forever)', () => {
    // Every provider declares the capability today; the options stand for an adapter that does not.
    const cloud = loadBalancer({
      provider: 'aws-elbv2',
      pools: [
        podPool('shop/api/80', [
          { name: 'gated', n: 1 },
          { name: 'ready', n: 2, ready: true },
        ]),
      ],
    });
    const only = { checksNotReadyEndpoints: false };
    const gates = podGatesOf(KEY, cloud, [health('shop/api/80', 2, 'initial')], only);
    expect(gates.pods.map((g) => [g.pod.name, g.healthy])).toEqual([
      ['gated', true],
      ['ready', false],
    ]);
    expect(gates.pods[0]!.unenforced).toMatch(/^provider aws-elbv2 registers only ready endpoints/);
    // A provider that checks not-ready endpoints (HAProxy's drained servers) is waited for.
    expect(podGatesOf(KEY, cloud, [], { checksNotReadyEndpoints: true }).pods.map((g) => g.healthy)).toEqual([
      false,
      false,
    ]);
  });

  it('opens unenforced the pods of a pool the provider checks node by node, and only there', () => {
    const passthrough = loadBalancer({
      provider: 'gcp-compute',
      pools: [
        podPool('shop/tcp/5432', [
          { name: 'db', n: 1 },
          { name: 'both', n: 2 },
        ]),
        podPool('shop/site/80', [{ name: 'both', n: 2 }]),
      ],
    });
    const options = {
      checksNotReadyEndpoints: true,
      uncheckedPools: [{ pool: 'shop/tcp/5432', reason: 'checks the nodes' }],
    };
    const gates = podGatesOf(KEY, passthrough, [health('shop/tcp/5432', 9, 'healthy')], options);
    expect(gates.pods.map((g) => [g.pod.name, g.healthy, g.unenforced])).toEqual([
      // A pod also in a pool checked pod by pod waits for that check.
      ['both', false, 'pool shop/tcp/5432: checks the nodes'],
      ['db', true, 'pool shop/tcp/5432: checks the nodes'],
    ]);
    const checked = podGatesOf(KEY, passthrough, [health('shop/site/80', 2, 'healthy')], options);
    expect(checked.pods.map((g) => g.healthy)).toEqual([true, true]);
    // Without the report's word, the pool is waited for like any other.
    expect(
      podGatesOf(KEY, passthrough, [], { checksNotReadyEndpoints: true }).pods.map((g) => g.healthy),
    ).toEqual([false, false]);
  });

  it('leaves terminating pods out, and a target missing from the report is not healthy', () => {
    const gates = podGatesOf(KEY, lb, [
      health('shop/api/80', 1, 'healthy'),
      health('shop/site/80', 1, 'healthy'),
    ]);
    expect(gates.pods.map((g) => g.pod.name)).toEqual(['a', 'b']);
    expect(gates.pods[1]).toMatchObject({
      healthy: false,
      reason: expect.stringContaining('not in the provider'),
    });
  });

  it('needs every report of a target healthy (one pool spoken by two HAProxy backends)', () => {
    const gates = podGatesOf(KEY, lb, [
      health('shop/api/80', 2, 'healthy'),
      { ...health('shop/api/80', 2, 'unhealthy'), reason: 'L7 status code not expected' },
    ]);
    expect(gates.pods.find((g) => g.pod.name === 'b')).toMatchObject({
      healthy: false,
      reason: '10.0.0.2:8080 in pool shop/api/80 is unhealthy (L7 status code not expected)',
    });
  });
});

describe('podsNotTargeted', () => {
  const lb = loadBalancer({ pools: [podPool('shop/api/80', [{ name: 'a', n: 1 }])] });
  const gates = podGatesOf(KEY, lb, []);
  const pod = (name: string, labels: Record<string, string>, namespace = 'shop') => ({
    namespace,
    name,
    labels,
  });

  it('releases gated pods no Service behind the load balancer selects, and only those', () => {
    const selectors = new Map([['shop/api', { app: 'api' }]]);
    const released = podsNotTargeted(
      gates,
      [
        pod('a', { app: 'other' }), // targeted: never released here
        pod('new', { app: 'api', tier: 'x' }), // selected, not in the slice yet: waits
        pod('moved', { app: 'web' }), // no longer selected
        pod('elsewhere', { app: 'api' }, 'other'), // another namespace's pod
      ],
      selectors,
    );
    expect(released.map((p) => p.name)).toEqual(['moved', 'elsewhere']);
  });

  it('does not release on a guess: a Service not known may select the pod; one without a selector selects none', () => {
    expect(podsNotTargeted(gates, [pod('x', { app: 'api' })], new Map())).toEqual([]);
    expect(
      podsNotTargeted(gates, [pod('x', { app: 'api' })], new Map([['shop/api', undefined]])),
    ).toHaveLength(1);
  });
});
