import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterMismatchError,
  DependencyGraph,
  type DependencyView,
  InvalidLbKeyError,
  type ObjectRef,
  referencesOf,
  refOf,
  selectBundle,
} from '#core/index/index.js';
import {
  CLUSTER,
  endpointSlice,
  gateway,
  gatewayClass,
  healthCheckPolicy,
  httpRoute,
  ingress,
  ingressClass,
  namespace,
  parameters,
  referenceGrant,
  secret,
  service,
} from './fixtures.js';

const ids = (objects: unknown[]) =>
  objects.map((o) => {
    const r = refOf(o) as ObjectRef;
    return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  });

describe('referencesOf', () => {
  it('reads every edge of a route, with the defaults of the Gateway API', () => {
    const route = httpRoute('a', 'r', {
      parents: [{ name: 'g' }, { name: 'h', namespace: 'b' }],
      backends: [{ name: 'web' }, { name: 'api', namespace: 'b' }],
      mirror: { name: 'shadow' },
    });
    (route.spec.rules[0]!.backendRefs[0] as Record<string, unknown>).filters = [
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'copy', port: 80 } } },
    ];
    expect(referencesOf(route)).toEqual([
      { type: 'backendRef', to: { kind: 'Service', namespace: 'a', name: 'copy' } },
      { type: 'backendRef', to: { kind: 'Service', namespace: 'a', name: 'shadow' } },
      { type: 'backendRef', to: { kind: 'Service', namespace: 'a', name: 'web' } },
      { type: 'backendRef', to: { kind: 'Service', namespace: 'b', name: 'api' } },
      { type: 'parentRef', to: { kind: 'Gateway', namespace: 'a', name: 'g' } },
      { type: 'parentRef', to: { kind: 'Gateway', namespace: 'b', name: 'h' } },
    ]);
  });

  it('reads Gateways, classes, Ingresses, slices, policies, grants and annotated Services', () => {
    const types = (o: unknown) =>
      referencesOf(o).map((e) => `${e.type}:${e.to.kind}/${e.to.namespace ?? ''}/${e.to.name}`);
    expect(
      types(
        gateway('a', 'g', {
          listeners: [
            { from: 'Selector', selector: { x: 'y' } },
            { certificateRefs: [{ name: 'c', namespace: 'b' }] },
          ],
          infraParams: 'p',
        }),
      ),
    ).toEqual([
      'allowedRoutes:@NamespaceSelector//-',
      'certificateRef:Secret/b/c',
      'gatewayClass:GatewayClass//portico',
      'parameters:LoadBalancerParameters/a/p',
    ]);
    expect(types(gatewayClass('gc', { params: { namespace: 'n', name: 'p' } }))).toEqual([
      'parameters:LoadBalancerParameters/n/p',
    ]);
    expect(types(ingressClass('ic', { params: { namespace: 'n', name: 'p' } }))).toEqual([
      'parameters:LoadBalancerParameters/n/p',
    ]);
    expect(
      types(ingress('a', 'i', { group: 'g', tls: ['t'], defaultBackend: 'd', backends: ['s'] })),
    ).toEqual([
      'defaultIngressClass:@DefaultIngressClass//-',
      'ingressBackend:Service/a/d',
      'ingressBackend:Service/a/s',
      'ingressGroup:@IngressGroup//g',
      'tlsSecret:Secret/a/t',
    ]);
    expect(types(ingress('a', 'i', { className: 'c', classAnnotation: ' legacy ' }))).toEqual([
      'ingressBackend:Service/a/svc',
      'ingressClass:IngressClass//c',
      'ingressClass:IngressClass//legacy',
    ]);
    expect(types(endpointSlice('a', 's', 'web'))).toEqual(['endpointSliceOf:Service/a/web']);
    expect(types(healthCheckPolicy('a', 'h', ['x', 'y']))).toEqual([
      'policyTarget:Service/a/x',
      'policyTarget:Service/a/y',
    ]);
    expect(
      types(referenceGrant('a', 'g', [{ kind: 'HTTPRoute', namespace: 'b' }], [{ kind: 'Service' }])),
    ).toEqual(['grantFrom:Namespace//b']);
    expect(types(service('a', 's', { params: 'p' }))).toEqual(['parameters:LoadBalancerParameters/a/p']);
    expect(types({ kind: 'Service', metadata: { name: 's' }, spec: {} })).toEqual([]);
  });

  it('never throws, whatever it is given', () => {
    const kinds = fc.constantFrom(
      'HTTPRoute',
      'Gateway',
      'Ingress',
      'EndpointSlice',
      'ReferenceGrant',
      'GatewayClass',
      'IngressClass',
      'HealthCheckPolicy',
      'Service',
    );
    fc.assert(
      fc.property(fc.anything(), kinds, fc.anything(), fc.anything(), (junk, kind, spec, meta) => {
        referencesOf(junk);
        referencesOf({
          kind,
          metadata: { name: 'x', namespace: 'y', annotations: meta, labels: meta },
          spec,
        });
        referencesOf({ kind, metadata: meta, spec });
      }),
      { numRuns: 500 },
    );
  });
});

describe('selectBundle', () => {
  const objects = [
    namespace('a'),
    namespace('b'),
    gatewayClass('portico', { params: { namespace: 'infra', name: 'gc-params' } }),
    gatewayClass('other', { controllerName: 'example.com/x' }),
    parameters('infra', 'gc-params'),
    parameters('infra', 'unused'),
    gateway('a', 'g', {
      listeners: [{}, { certificateRefs: [{ name: 'cert', namespace: 'b' }] }],
      infraParams: 'gp',
    }),
    parameters('a', 'gp'),
    gateway('a', 'other-gw'),
    secret('b', 'cert'),
    secret('b', 'unrelated'),
    referenceGrant('b', 'allow', [{ kind: 'Gateway', namespace: 'a' }], [{ kind: 'Secret' }]),
    httpRoute('a', 'r1', {
      parents: [{ name: 'g' }],
      backends: [{ name: 'web' }],
      mirror: { name: 'shadow' },
    }),
    httpRoute('c', 'r2', {
      parents: [{ name: 'g', namespace: 'a' }],
      backends: [{ name: 'api', namespace: 'd' }],
    }),
    httpRoute('a', 'r3', { parents: [{ name: 'other-gw' }], backends: [{ name: 'lonely' }] }),
    referenceGrant('d', 'allow-c', [{ kind: 'HTTPRoute', namespace: 'c' }], [{ kind: 'Service' }]),
    referenceGrant('e', 'elsewhere', [{ kind: 'HTTPRoute', namespace: 'c' }], [{ kind: 'Service' }]),
    service('a', 'web'),
    service('a', 'shadow'),
    service('d', 'api'),
    service('a', 'lonely'),
    endpointSlice('a', 'web-1', 'web'),
    endpointSlice('a', 'web-2', 'web'),
    endpointSlice('d', 'api-1', 'api'),
    endpointSlice('a', 'lonely-1', 'lonely'),
    healthCheckPolicy('a', 'hc', ['web']),
    healthCheckPolicy('a', 'hc-lonely', ['lonely']),
    ingressClass('ic', { isDefault: true, params: { namespace: 'infra', name: 'ic-params' } }),
    parameters('infra', 'ic-params'),
    ingress('a', 'i1', { group: 'team', backends: ['web'], tls: ['tls-a'] }),
    ingress('b', 'i2', { group: 'team', backends: ['svc-b'] }),
    ingress('b', 'i3', { backends: ['svc-b'] }),
    secret('a', 'tls-a'),
    service('b', 'svc-b', { type: 'LoadBalancer', params: 'lbp' }),
    endpointSlice('b', 'svc-b-1', 'svc-b'),
    parameters('b', 'lbp'),
  ];
  const graph = DependencyGraph.of(objects, CLUSTER);

  it("a Gateway's bundle: it, classes, parameters, certificates, grants, routes, their Services and what those need", () => {
    expect(ids(selectBundle(`${CLUSTER}/Gateway/a/g`, graph))).toEqual([
      'EndpointSlice/a/web-1',
      'EndpointSlice/a/web-2',
      'EndpointSlice/d/api-1',
      'Gateway/a/g',
      'GatewayClass//other',
      'GatewayClass//portico',
      'HTTPRoute/a/r1',
      'HTTPRoute/c/r2',
      'HealthCheckPolicy/a/hc',
      'LoadBalancerParameters/a/gp',
      'LoadBalancerParameters/infra/gc-params',
      'Namespace//a',
      'Namespace//b',
      'ReferenceGrant/b/allow',
      'ReferenceGrant/d/allow-c',
      'Secret/b/cert',
      'Service/a/shadow',
      'Service/a/web',
      'Service/d/api',
    ]);
  });

  it("an Ingress group's bundle holds every member, in any namespace", () => {
    expect(ids(selectBundle(`${CLUSTER}/IngressGroup/-/team`, graph))).toEqual([
      'EndpointSlice/a/web-1',
      'EndpointSlice/a/web-2',
      'EndpointSlice/b/svc-b-1',
      'HealthCheckPolicy/a/hc',
      'Ingress/a/i1',
      'Ingress/b/i2',
      'IngressClass//ic',
      'LoadBalancerParameters/infra/ic-params',
      'Namespace//a',
      'Namespace//b',
      'Secret/a/tls-a',
      'Service/a/web',
      'Service/b/svc-b',
    ]);
    expect(ids(selectBundle(`${CLUSTER}/Ingress/b/i3`, graph))).toEqual([
      'EndpointSlice/b/svc-b-1',
      'Ingress/b/i3',
      'IngressClass//ic',
      'LoadBalancerParameters/infra/ic-params',
      'Namespace//a',
      'Namespace//b',
      'Service/b/svc-b',
    ]);
  });

  it("a Service's bundle: it, its slices, policies and parameters", () => {
    expect(ids(selectBundle(`${CLUSTER}/Service/b/svc-b`, graph))).toEqual([
      'EndpointSlice/b/svc-b-1',
      'LoadBalancerParameters/b/lbp',
      'Namespace//a',
      'Namespace//b',
      'Service/b/svc-b',
    ]);
  });

  it('a key whose root is gone gets a bundle without it', () => {
    expect(ids(selectBundle(`${CLUSTER}/Service/a/nope`, graph))).toEqual(['Namespace//a', 'Namespace//b']);
  });

  it("reads a Service's referrers once, however many routes of the Gateway use it", () => {
    // Each read lists every route using the Service: one per route made a bundle quadratic.
    const routes = Array.from({ length: 50 }, (_, i) =>
      httpRoute('a', `r${i}`, { parents: [{ name: 'g' }], backends: [{ name: 'web' }] }),
    );
    const big = DependencyGraph.of(
      [namespace('a'), gateway('a', 'g'), service('a', 'web'), ...routes],
      CLUSTER,
    );
    let serviceReads = 0;
    const counting: DependencyView = {
      cluster: big.cluster,
      get: (r) => big.get(r),
      references: (r) => big.references(r),
      referrersInto: (ns) => big.referrersInto(ns),
      list: (kind, ns) => big.list(kind, ns),
      referrers: (to) => {
        if (to.kind === 'Service') serviceReads++;
        return big.referrers(to);
      },
    };
    expect(selectBundle(`${CLUSTER}/Gateway/a/g`, counting)).toHaveLength(53);
    expect(serviceReads).toBe(1);
  });

  it('refuses keys that are not keys, and keys of another cluster', () => {
    expect(() => selectBundle('nonsense', graph)).toThrow(InvalidLbKeyError);
    expect(() => selectBundle('prod/Gateway/a/g', graph)).toThrow(ClusterMismatchError);
  });
});
