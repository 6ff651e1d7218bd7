import { describe, expect, it } from 'vitest';
import type { BackendPool } from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';
import { exportedSlice, routeToImport, serviceImport } from '#test/support/mcs-objects.js';
import { gateway, gatewayClass, namespace } from '../../index/fixtures.js';

// GEP-1748: a backendRef to a multi-cluster ServiceImport resolves to the endpoints of every cluster
// of the clusterset, each marked with its cluster; ReferenceGrants apply as for Services.

const slice = (name: string, sourceCluster: string, address: string, ready = true) =>
  exportedSlice('apps', name, {
    service: 'shop',
    sourceCluster,
    port: 8080,
    endpoints: [{ address, ready }],
  });

const base = [
  namespace('apps'),
  namespace('web'),
  gatewayClass('portico'),
  gateway('web', 'gw', { listeners: [{ from: 'All' }] }),
];
const objects = [
  ...base,
  routeToImport('apps', 'shop', { gateway: 'gw', gatewayNamespace: 'web', service: 'shop' }),
  serviceImport('apps', 'shop'),
  slice('shop-a', 'a', '10.1.0.1'),
  slice('shop-b', 'b', '10.2.0.1', false),
  slice('shop-c', 'c', '10.3.0.1'),
];

function pools(result: ReturnType<typeof translate>): BackendPool[] {
  return result.loadBalancers.flatMap((lb) => lb.pools);
}

type Condition = { type: string; status: string; reason: string; message: string };

function routeCondition(result: ReturnType<typeof translate>, type: string): Condition | undefined {
  const s = result.statuses.find((x) => x.kind === 'HTTPRoute');
  const parents = (s?.status as { parents?: { conditions: Condition[] }[] } | undefined)?.parents ?? [];
  return parents[0]?.conditions.find((c) => c.type === type);
}

describe('ServiceImport backendRefs', () => {
  it('resolve to the endpoints of this cluster and the other members of its clusterset, each with its cluster', () => {
    const result = translate(objects, { cluster: 'a', clusterSet: ['b'] });
    const [pool] = pools(result);
    expect(pool).toMatchObject({
      id: 'apps/shop/80/http/clusterset',
      source: { kind: 'ServiceImport', namespace: 'apps', name: 'shop' },
      servicePort: 80,
    });
    expect(pool!.endpoints).toEqual([
      {
        address: '10.1.0.1',
        family: 'IPv4',
        port: 8080,
        ready: true,
        serving: true,
        terminating: false,
        cluster: 'a',
      },
      {
        address: '10.2.0.1',
        family: 'IPv4',
        port: 8080,
        ready: false,
        serving: true,
        terminating: false,
        cluster: 'b',
      },
    ]);
    expect(routeCondition(result, 'ResolvedRefs')).toMatchObject({ status: 'True' });
  });

  it('outside a clusterset only the cluster’s own exported endpoints count', () => {
    const [pool] = pools(translate(objects, { cluster: 'a' }));
    expect(pool!.endpoints.map((e) => e.cluster)).toEqual(['a']);
  });

  it('a Service of the same name is another pool', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop', namespace: 'apps' },
      spec: { ports: [{ port: 80 }] },
    };
    const both = routeToImport('apps', 'shop', { gateway: 'gw', gatewayNamespace: 'web', service: 'shop' });
    both.spec.rules.push({ backendRefs: [{ name: 'shop', port: 80 } as never] });
    const ids = pools(
      translate([...objects.filter((o) => o.kind !== 'HTTPRoute'), both, service], { cluster: 'a' }),
    )
      .map((p) => p.id)
      .sort();
    expect(ids).toEqual(['apps/shop/80/http', 'apps/shop/80/http/clusterset']);
  });

  it('is BackendNotFound without the ServiceImport or its port', () => {
    const noImport = objects.filter((o) => o.kind !== 'ServiceImport');
    expect(routeCondition(translate(noImport, { cluster: 'a' }), 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'BackendNotFound',
      message: expect.stringContaining('ServiceImport apps/shop not found'),
    });
    const otherPort = [...noImport, serviceImport('apps', 'shop', [{ port: 81 }])];
    expect(routeCondition(translate(otherPort, { cluster: 'a' }), 'ResolvedRefs')).toMatchObject({
      reason: 'BackendNotFound',
      message: expect.stringContaining('has no port 80'),
    });
  });

  it('needs a ReferenceGrant for ServiceImports to cross namespaces (one for Services does not do)', () => {
    const route = routeToImport('web', 'shop', { gateway: 'gw', service: 'shop', serviceNamespace: 'apps' });
    const grant = (kind: string, group: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: 'apps' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'web' }],
        to: [{ group, kind }],
      },
    });
    const rest = objects.filter((o) => o.kind !== 'HTTPRoute');
    expect(routeCondition(translate([...rest, route], { cluster: 'a' }), 'ResolvedRefs')).toMatchObject({
      reason: 'RefNotPermitted',
    });
    expect(
      routeCondition(translate([...rest, route, grant('Service', '')], { cluster: 'a' }), 'ResolvedRefs'),
    ).toMatchObject({ reason: 'RefNotPermitted' });
    const granted = translate([...rest, route, grant('ServiceImport', 'multicluster.x-k8s.io')], {
      cluster: 'a',
    });
    expect(routeCondition(granted, 'ResolvedRefs')).toMatchObject({ status: 'True' });
    expect(pools(granted)[0]!.endpoints).toHaveLength(1);
  });

  it('another kind is still InvalidKind', () => {
    const route = routeToImport('apps', 'shop', { gateway: 'gw', gatewayNamespace: 'web', service: 'shop' });
    (route.spec.rules[0]!.backendRefs[0] as { group: string }).group = 'example.com';
    expect(routeCondition(translate([...base, route], { cluster: 'a' }), 'ResolvedRefs')).toMatchObject({
      reason: 'InvalidKind',
      message: expect.stringContaining('is not a Service or a multicluster.x-k8s.io ServiceImport'),
    });
  });
});
