import { describe, expect, it } from 'vitest';
import { affectedKeys, DependencyGraph, selectBundle } from '#core/index/index.js';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { translate } from '#core/translate/translate.js';
import { CLUSTER, gateway, gatewayClass, httpRoute, namespace, service } from './fixtures.js';

// A Pod declares no edge: the Services of its namespace whose selectors match its labels depend on
// it (their health check may come from its readiness probe), and through them the load balancers
// using those Services.

const selecting = (
  ns: string,
  name: string,
  selector: Record<string, string> | undefined,
  type?: 'LoadBalancer',
) => {
  const s = service(ns, name, type ? { type } : {});
  return { ...s, spec: { ...s.spec, ...(selector ? { selector } : {}) } };
};

const pod = (ns: string, name: string, labels: Record<string, string>, path = '/healthz') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: {
    containers: [
      { name: 'app', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path, port: 8080 } } },
    ],
  },
});

const world = () => [
  namespace('a'),
  namespace('b'),
  gatewayClass('gc'),
  gateway('a', 'gw', { className: 'gc' }),
  httpRoute('a', 'r', { parents: [{ name: 'gw' }], backends: [{ name: 'web' }] }),
  selecting('a', 'web', { app: 'web' }),
  selecting('a', 'lb', { app: 'web', tier: 'edge' }, 'LoadBalancer'),
  selecting('a', 'unused', { app: 'web' }),
  selecting('a', 'manual', undefined, 'LoadBalancer'),
  selecting('b', 'web', { app: 'web' }, 'LoadBalancer'),
  pod('a', 'web-1', { app: 'web' }),
  pod('a', 'edge-1', { app: 'web', tier: 'edge' }),
  pod('a', 'other-1', { app: 'other' }),
];

describe('index: Pods', () => {
  it('a Pod affects the load balancers of the Services selecting it, before or after the change', () => {
    const g = DependencyGraph.of(world());
    expect(affectedKeys({ new: pod('a', 'web-2', { app: 'web' }) }, g, CLUSTER)).toEqual([
      `${CLUSTER}/Gateway/a/gw`,
    ]);
    expect(affectedKeys({ new: pod('a', 'edge-2', { app: 'web', tier: 'edge' }) }, g, CLUSTER)).toEqual([
      `${CLUSTER}/Gateway/a/gw`,
      `${CLUSTER}/Service/a/lb`,
    ]);
    // Relabelled away from the Services: still affects them (their check may have come from it).
    expect(
      affectedKeys(
        { old: pod('a', 'web-1', { app: 'web' }), new: pod('a', 'web-1', { app: 'x' }) },
        g,
        CLUSTER,
      ),
    ).toEqual([`${CLUSTER}/Gateway/a/gw`]);
    expect(affectedKeys({ new: pod('a', 'other-2', { app: 'other' }) }, g, CLUSTER)).toEqual([]);
    // Same labels in another namespace: only that namespace's Services.
    expect(affectedKeys({ new: pod('b', 'web-1', { app: 'web' }) }, g, CLUSTER)).toEqual([
      `${CLUSTER}/Service/b/web`,
    ]);
  });

  it("a key's bundle holds the Pods its Services select, and no other", () => {
    const g = DependencyGraph.of(world());
    const pods = (key: string) =>
      selectBundle(key as never, g)
        .filter((o) => (o as { kind: string }).kind === 'Pod')
        .map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(pods(`${CLUSTER}/Gateway/a/gw`)).toEqual(['edge-1', 'web-1']);
    expect(pods(`${CLUSTER}/Service/a/lb`)).toEqual(['edge-1']);
    expect(pods(`${CLUSTER}/Service/a/manual`)).toEqual([]);
    expect(pods(`${CLUSTER}/Service/b/web`)).toEqual([]);
  });

  it('incremental translation follows a probe change as a full translation does', () => {
    const options = { cluster: CLUSTER, defaultServiceProvider: 'haproxy' as const };
    const incremental = new IncrementalTranslate(options);
    incremental.apply(world().map((o) => ({ new: o })));
    const paths = (lbs: readonly LoadBalancer[]) =>
      lbs.flatMap((lb) =>
        lb.pools.map((p) => `${lb.key} ${p.id} ${p.healthCheck.path} ${p.healthCheck.origin}`),
      );
    expect(paths(incremental.result.loadBalancers)).toEqual([
      `${CLUSTER}/Gateway/a/gw a/web/80/http /healthz readiness-probe`,
      `${CLUSTER}/Service/a/lb a/lb/80/tcp /healthz readiness-probe`,
      `${CLUSTER}/Service/a/manual a/manual/80/tcp undefined default`,
      `${CLUSTER}/Service/b/web b/web/80/tcp undefined default`,
    ]);
    // The edge pod changes its probe: the LB Service now agrees on /edge, the Gateway's pool disagrees.
    const changed = pod('a', 'edge-1', { app: 'web', tier: 'edge' }, '/edge');
    const objects = world();
    const keys = incremental.apply([{ old: objects[11], new: changed }]);
    expect(keys).toEqual([`${CLUSTER}/Gateway/a/gw`, `${CLUSTER}/Service/a/lb`]);
    const all = objects.map((o, i) => (i === 11 ? changed : o));
    const after = paths(incremental.result.loadBalancers);
    expect(after.slice(0, 2)).toEqual([
      `${CLUSTER}/Gateway/a/gw a/web/80/http / default`,
      `${CLUSTER}/Service/a/lb a/lb/80/tcp /edge readiness-probe`,
    ]);
    expect(after).toEqual(paths(translate(all, options).loadBalancers));
    expect(incremental.result.notices).toEqual(translate(all, options).notices);
  });
});
