import { describe, expect, it } from 'vitest';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { translate } from '#core/translate/translate.js';

const OPTIONS = { cluster: 'test' };
const KEY = 'test/Gateway/a/g';

const gatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico' },
  spec: { controllerName: 'portico.dev/gateway-controller' },
};
const gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'g', namespace: 'a' },
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
};
const service = (port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', namespace: 'a' },
  spec: { ports: [{ name: 'http', port: 80, targetPort: port }] },
});
const route = (name: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'a' },
  spec: {
    parentRefs: [{ name: 'g' }],
    hostnames: [`${name}.example.com`],
    rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
  },
});
const routesOf = (t: IncrementalTranslate) => t.get(KEY)!.lb!.listeners[0]!.routes;

/** Service `other` in namespace a, with one endpoint: no route of the Gateway uses it yet. */
function otherService() {
  const other = { ...service(8080), metadata: { name: 'other', namespace: 'a' } };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'other-1', namespace: 'a', labels: { 'kubernetes.io/service-name': 'other' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: [{ addresses: ['10.0.0.7'], conditions: { ready: true } }],
  };
  return { other, slice };
}

describe('IncrementalTranslate', () => {
  it('keeps the IR routes of the routes that did not change, until another object of the key changes', () => {
    const t = new IncrementalTranslate(OPTIONS);
    const [r1, r2, r3] = [route('r1'), route('r2'), route('r3')];
    t.apply([{ new: gatewayClass }, { new: gateway }, { new: service(8080) }, { new: r1 }, { new: r2 }]);
    const before = routesOf(t);
    t.apply([{ new: r3 }]);
    const after = routesOf(t);
    expect(after.map((r) => r.hostname)).toEqual(['r1.example.com', 'r2.example.com', 'r3.example.com']);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    // A Service the routes use changes: every route is translated again, none is stale (their IR
    // routes come out equal: they name the pool, so they stay the same objects).
    const old = service(8080);
    t.apply([{ old, new: service(9090) }]);
    expect(routesOf(t)[0]).toBe(before[0]);
    expect(t.result.loadBalancers).toEqual(
      translate([gatewayClass, gateway, service(9090), r1, r2, r3], OPTIONS).loadBalancers,
    );
  });

  it('translates again, on an endpoint change, only the routes whose backend the endpoints are', () => {
    const t = new IncrementalTranslate(OPTIONS);
    const other = { ...service(8080), metadata: { name: 'other', namespace: 'a' } };
    const slice = (name: string, svc: string, address: string) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'a', labels: { 'kubernetes.io/service-name': svc } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
    });
    const toOther = (name: string) => {
      const r = route(name);
      return { ...r, spec: { ...r.spec, rules: [{ backendRefs: [{ name: 'other', port: 80 }] }] } };
    };
    const [r1, r2, r3, r4] = [route('r1'), route('r2'), toOther('r3'), toOther('r4')];
    const fixed = [
      gatewayClass,
      gateway,
      service(8080),
      other,
      slice('o', 'other', '10.0.0.9'),
      r1,
      r2,
      r3,
      r4,
    ];
    t.apply([...fixed, slice('s', 'svc', '10.0.0.1')].map((o) => ({ new: o })));
    const before = routesOf(t);
    const lbBefore = t.get(KEY)!.lb!;
    const statuses = t.result.statuses;
    t.apply([{ old: slice('s', 'svc', '10.0.0.1'), new: slice('s', 'svc', '10.0.0.2') }]);
    const after = routesOf(t);
    expect(after.map((r) => r.hostname)).toEqual([
      'r1.example.com',
      'r2.example.com',
      'r3.example.com',
      'r4.example.com',
    ]);
    // r1 and r2 use svc: translated again, into equal IR routes and statuses (kept as the same
    // objects); r3 and r4 use other: kept. Only svc's pool is new.
    expect(after.map((r, i) => r === before[i])).toEqual([true, true, true, true]);
    const kept = (name: string) => t.result.statuses.find((s) => s.name === name);
    for (const name of ['r1', 'r2', 'r3', 'r4'])
      expect(kept(name)).toBe(statuses.find((s) => s.name === name));
    const poolsBefore = new Map(lbBefore.pools.map((p) => [p.id, p]));
    expect(t.get(KEY)!.lb!.pools.map((p) => p === poolsBefore.get(p.id))).toEqual([true, false]);
    expect(t.result.loadBalancers).toEqual(
      translate([...fixed, slice('s', 'svc', '10.0.0.2')], OPTIONS).loadBalancers,
    );
  });

  it('keeps as the same objects what comes out equal after a change every route may read', () => {
    const t = new IncrementalTranslate(OPTIONS);
    const routes = [route('r1'), route('r2')];
    t.apply([gatewayClass, gateway, service(8080), ...routes].map((o) => ({ new: o })));
    const lb = t.get(KEY)!.lb!;
    const statuses = t.result.statuses;
    // A Gateway change drops every route's memo entry: every route is translated again...
    const labelled = { ...gateway, metadata: { ...gateway.metadata, labels: { x: 'y' } } };
    t.apply([{ old: gateway, new: labelled }]);
    const after = t.get(KEY)!.lb!;
    expect(after).not.toBe(lb);
    // ...and comes out equal: the same IR routes, pools and route statuses as before.
    expect(after.listeners[0]!.routes.map((r, i) => r === lb.listeners[0]!.routes[i])).toEqual([true, true]);
    expect(after.pools[0]).toBe(lb.pools[0]);
    for (const name of ['r1', 'r2'])
      expect(t.result.statuses.find((s) => s.name === name)).toBe(statuses.find((s) => s.name === name));
    // A listener that takes one route of two: the other's IR route is still the same object.
    const listener = { name: 'http', port: 80, protocol: 'HTTP', hostname: 'r2.example.com' };
    const moved = { ...labelled, spec: { ...labelled.spec, listeners: [listener] } };
    t.apply([{ old: labelled, new: moved }]);
    expect(t.get(KEY)!.lb!.listeners[0]!.routes).toEqual([lb.listeners[0]!.routes[1]]);
    expect(t.get(KEY)!.lb!.listeners[0]!.routes[0]).toBe(lb.listeners[0]!.routes[1]);
    expect(t.result.loadBalancers).toEqual(
      translate([gatewayClass, moved, service(8080), ...routes], OPTIONS).loadBalancers,
    );
  });

  it("applies a route change alone to the Gateway's last translation, without translating its bundle", () => {
    const t = new IncrementalTranslate(OPTIONS);
    const routes = Array.from({ length: 5 }, (_, i) => route(`r${i}`));
    t.apply([gatewayClass, gateway, service(8080), ...routes].map((o) => ({ new: o })));
    const before = t.get(KEY)!;
    const added = route('r5');
    const renamed = { ...route('r2'), spec: { ...route('r2').spec, hostnames: ['a.example.com'] } };
    t.apply([{ new: added }, { old: routes[2], new: renamed }]);
    const after = t.get(KEY)!;
    // A translation of the bundle sorts the load balancer anew (new pools and listener sources).
    expect(after.lb!.pools).toBe(before.lb!.pools);
    expect(after.lb!.listeners[0]!.sources).toBe(before.lb!.listeners[0]!.sources);
    expect(after.lb!.listeners[0]!.routes.map((r) => r.hostname)).toEqual([
      'r0.example.com',
      'r1.example.com',
      'r3.example.com',
      'r4.example.com',
      'r5.example.com',
      'a.example.com',
    ]);
    const kept = (name: string) => after.statuses.find((s) => s.name === name);
    expect(kept('r1')).toBe(before.statuses.find((s) => s.name === 'r1'));
    const objects = [
      gatewayClass,
      gateway,
      service(8080),
      ...routes.filter((r) => r !== routes[2]),
      added,
      renamed,
    ];
    const full = translate(objects, OPTIONS);
    expect(t.result.loadBalancers).toEqual(full.loadBalancers);
    expect(t.result.statuses).toEqual(full.statuses);
  });

  it('applies a route add that brings a new Service into the key to its last translation, and its delete', () => {
    const t = new IncrementalTranslate(OPTIONS);
    const routes = Array.from({ length: 4 }, (_, i) => route(`r${i}`));
    const { other, slice } = otherService();
    // `other` and its endpoints are stored, but no route of the Gateway uses them yet.
    t.apply([gatewayClass, gateway, service(8080), other, slice, ...routes].map((o) => ({ new: o })));
    const before = t.get(KEY)!;
    const added = {
      ...route('r4'),
      spec: { ...route('r4').spec, rules: [{ backendRefs: [{ name: 'other', port: 80 }] }] },
    };
    t.apply([{ new: added }]);
    const after = t.get(KEY)!;
    // Not a translation of the bundle (that sorts the load balancer anew: new listener sources)...
    expect(after.lb!.listeners[0]!.sources).toBe(before.lb!.listeners[0]!.sources);
    // ...the other routes and their pool are the very objects they were; `other`'s pool joins.
    expect(after.lb!.listeners[0]!.routes.slice(0, 4)).toEqual(before.lb!.listeners[0]!.routes);
    const kept = after.lb!.listeners[0]!.routes.slice(0, 4);
    expect(kept.map((r, i) => r === before.lb!.listeners[0]!.routes[i])).toEqual([true, true, true, true]);
    expect(after.lb!.pools.map((p) => p.id)).toEqual(['a/other/80/http', 'a/svc/80/http']);
    expect(after.lb!.pools[1]).toBe(before.lb!.pools[0]);
    const objects = [gatewayClass, gateway, service(8080), other, slice, ...routes];
    expect(t.result.loadBalancers).toEqual(translate([...objects, added], OPTIONS).loadBalancers);
    expect(t.result.statuses).toEqual(translate([...objects, added], OPTIONS).statuses);
    // The endpoints of `other` change while a route uses it: read, not the ones moved in before.
    const moved = { ...slice, endpoints: [{ addresses: ['10.0.0.8'], conditions: { ready: true } }] };
    t.apply([{ old: slice, new: moved }]);
    const now = [gatewayClass, gateway, service(8080), other, moved, ...routes];
    expect(t.result.loadBalancers).toEqual(translate([...now, added], OPTIONS).loadBalancers);
    // The route goes: so does `other`'s pool, again without a translation of the bundle.
    const last = t.get(KEY)!;
    t.apply([{ old: added }]);
    expect(t.get(KEY)!.lb!.listeners[0]!.sources).toBe(last.lb!.listeners[0]!.sources);
    expect(t.get(KEY)!.lb!.pools).toEqual([last.lb!.pools[1]]);
    expect(t.result.loadBalancers).toEqual(translate(now, OPTIONS).loadBalancers);
  });

  it('applies a route add and its new Service, in one batch, to the last translation', () => {
    const routes = Array.from({ length: 3 }, (_, i) => route(`r${i}`));
    const fixed = [gatewayClass, gateway, service(8080), ...routes];
    const { other, slice } = otherService();
    const added = {
      ...route('r3'),
      spec: { ...route('r3').spec, rules: [{ backendRefs: [{ name: 'other', port: 80 }] }] },
    };
    // The route first or last: either way the Service is not in the key's bundle before the batch.
    for (const batch of [
      [added, other, slice],
      [other, slice, added],
    ]) {
      const t = new IncrementalTranslate(OPTIONS);
      t.apply(fixed.map((o) => ({ new: o })));
      const before = t.get(KEY)!;
      t.apply(batch.map((o) => ({ new: o })));
      const after = t.get(KEY)!;
      expect(after.lb!.listeners[0]!.sources).toBe(before.lb!.listeners[0]!.sources);
      expect(after.lb!.listeners[0]!.routes.slice(0, 3)).toEqual(before.lb!.listeners[0]!.routes);
      const full = translate([...fixed, ...batch], OPTIONS);
      expect(t.result.loadBalancers).toEqual(full.loadBalancers);
      expect(t.result.statuses).toEqual(full.statuses);
      // The Service changes while a route of the key uses it: a translation of the bundle.
      const moved = { ...slice, endpoints: [{ addresses: ['10.0.0.8'], conditions: { ready: true } }] };
      t.apply([{ old: slice, new: moved }]);
      expect(t.get(KEY)!.lb!.listeners[0]!.sources).not.toBe(after.lb!.listeners[0]!.sources);
      expect(t.result.loadBalancers).toEqual(
        translate([...fixed, added, other, moved], OPTIONS).loadBalancers,
      );
    }
  });

  it('accepts again a TCPRoute that lost its listener once the older route is gone', () => {
    const tcpGateway = {
      ...gateway,
      spec: { gatewayClassName: 'portico', listeners: [{ name: 'tcp', port: 9000, protocol: 'TCP' }] },
    };
    const tcpRoute = (name: string, created: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TCPRoute',
      metadata: { name, namespace: 'a', creationTimestamp: created },
      spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
    });
    const older = tcpRoute('older', '2026-01-01T00:00:00Z');
    const newer = tcpRoute('newer', '2026-02-01T00:00:00Z');
    const t = new IncrementalTranslate(OPTIONS);
    t.apply([
      { new: gatewayClass },
      { new: tcpGateway },
      { new: service(8080) },
      { new: older },
      { new: newer },
    ]);
    const accepted = () => {
      const s = t.result.statuses.find((x) => x.name === 'newer')!.status as {
        parents: { conditions: { type: string; status: string }[] }[];
      };
      return s.parents[0]!.conditions.find((c) => c.type === 'Accepted')!.status;
    };
    expect(accepted()).toBe('False');
    t.apply([{ old: older }]);
    expect(accepted()).toBe('True');
    expect(t.result.statuses).toEqual(
      translate([gatewayClass, tcpGateway, service(8080), newer], OPTIONS).statuses,
    );
  });

  it('says what the class of an Ingress group says only when the group uses that class', () => {
    const ingressClass = (name: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name, ...extra },
      spec: { controller: 'portico.dev/ingress-controller' },
    });
    const ic2 = {
      ...ingressClass('ic2', { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }),
      spec: {
        controller: 'portico.dev/ingress-controller',
        parameters: {
          apiGroup: 'portico.dev',
          kind: 'LoadBalancerParameters',
          name: 'p1',
          namespace: 'a',
          scope: 'Namespace',
        },
      },
    };
    const ingress = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'a', annotations: { 'portico.dev/group': 'grp1' } },
      spec: {
        ...spec,
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: `/${name}`,
                  pathType: 'Prefix',
                  backend: { service: { name: 'svc', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    // i2 falls back on the default class ic2 (whose parameters do not exist), but its group is ic1's.
    const objects = [ingressClass('ic1'), ic2, ingress('i1', { ingressClassName: 'ic1' }), ingress('i2', {})];
    const t = new IncrementalTranslate(OPTIONS);
    t.apply(objects.map((o) => ({ new: o })));
    const full = translate(objects, OPTIONS).notices;
    expect(full.some((n) => n.source.kind === 'IngressClass' && n.code === 'InvalidParameters')).toBe(false);
    expect(t.result.notices).toEqual(full);
  });
});
