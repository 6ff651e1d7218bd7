import fc from 'fast-check';
import {
  backendTlsPolicy,
  configMap,
  endpointSlice,
  gateway,
  gatewayClass,
  healthCheckPolicy,
  httpRoute,
  ingress,
  ingressClass,
  type ListenerOpts,
  listenerSet,
  namespace,
  parameters,
  pod,
  referenceGrant,
  secret,
  service,
  storageBucket,
} from './fixtures.js';

// Random small clusters: a fixed set of object identities ("slots"), each present or not, each in one
// of a few variants chosen so that references often hit (and sometimes miss) each other.

const NS = ['a', 'b'] as const;
const other = (n: string) => (n === 'a' ? 'b' : 'a');
const some = <T>(xs: readonly T[]) => fc.subarray([...xs]);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const labels = fc.constantFrom<Record<string, string> | undefined>(undefined, { team: 'x' }, { team: 'y' });

function namespaceSlot(name: string) {
  return labels.map((l) => namespace(name, l));
}

function parametersSlot(n: string, name: string) {
  return fc
    .constantFrom('haproxy', 'aws-elbv2')
    .map((p) => parameters(n, name, p as 'haproxy' | 'aws-elbv2'));
}

const paramsRef = fc.constantFrom(undefined, { namespace: 'a', name: 'p1' }, { namespace: 'b', name: 'p2' });

function gatewayClassSlot(name: string) {
  return fc
    .record({
      controllerName: fc.constantFrom(
        'portico.dev/gateway-controller',
        'portico.dev/gateway-controller',
        'portico.dev/gateway-controller',
        'example.com/other',
      ),
      params: paramsRef,
    })
    .map((o) =>
      gatewayClass(name, { controllerName: o.controllerName, ...(o.params ? { params: o.params } : {}) }),
    );
}

function gatewaySlot(n: string, name: string) {
  const listenerArb: fc.Arbitrary<ListenerOpts> = fc.oneof(
    fc
      .record({
        from: fc.constantFrom(undefined, 'Same', 'All', 'Selector'),
        hostname: fc.constantFrom(undefined, 'a.example.com', '*.example.com'),
      })
      .map((o) => ({
        name: 'http',
        port: 80,
        protocol: 'HTTP',
        ...(o.hostname ? { hostname: o.hostname } : {}),
        ...(o.from ? { from: o.from as 'Same' } : {}),
        ...(o.from === 'Selector' ? { selector: { team: 'x' } } : {}),
      })),
    fc.constantFrom(n, other(n)).map((certNs) => ({
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      certificateRefs: [{ name: 's1', ...(certNs !== n ? { namespace: certNs } : {}) }],
    })),
  );
  return fc
    .record({
      className: fc.constantFrom('gc-portico', 'gc-portico', 'gc-other', 'missing'),
      listeners: fc.uniqueArray(listenerArb, { minLength: 1, maxLength: 2, selector: (l) => l.name }),
      infra: fc.constantFrom(undefined, 'p1', 'p2'),
      allowedListeners: fc.constantFrom(undefined, 'All', 'Same', 'Selector') as fc.Arbitrary<
        'All' | 'Same' | 'Selector' | undefined
      >,
      caBundle: fc.constantFrom(undefined, n, other(n)),
    })
    .map((o) =>
      gateway(n, name, {
        className: o.className,
        listeners: o.listeners,
        ...(o.infra ? { infraParams: o.infra } : {}),
        ...(o.allowedListeners ? { allowedListeners: o.allowedListeners } : {}),
        ...(o.caBundle
          ? { caBundles: [{ name: 'ca', ...(o.caBundle !== n ? { namespace: o.caBundle } : {}) }] }
          : {}),
      }),
    );
}

function listenerSetSlot(n: string, name: string) {
  const listenerArb: fc.Arbitrary<ListenerOpts> = fc.oneof(
    fc
      .record({
        port: fc.constantFrom(80, 8080),
        from: fc.constantFrom(undefined, 'All', 'Selector'),
        hostname: fc.constantFrom(undefined, 'a.example.com'),
      })
      .map((o) => ({
        name: 'extra',
        port: o.port,
        protocol: 'HTTP',
        ...(o.hostname ? { hostname: o.hostname } : {}),
        ...(o.from ? { from: o.from as 'All' } : {}),
        ...(o.from === 'Selector' ? { selector: { team: 'x' } } : {}),
      })),
    fc.constantFrom(n, other(n)).map((certNs) => ({
      name: 'extra-tls',
      port: 8443,
      protocol: 'HTTPS',
      certificateRefs: [{ name: 's1', ...(certNs !== n ? { namespace: certNs } : {}) }],
    })),
  );
  return fc
    .record({
      parent: fc.constantFrom({ name: 'g1', namespace: 'a' }, { name: 'g3', namespace: 'b' }),
      listeners: fc.uniqueArray(listenerArb, { minLength: 1, maxLength: 2, selector: (l) => l.name }),
    })
    .map((o) => listenerSet(n, name, o.parent, o.listeners));
}

function configMapSlot(n: string) {
  return fc.boolean().map((pem) => configMap(n, 'ca', pem));
}

const backendChoices = [
  { name: 'svc1' },
  { name: 'svc2' },
  { name: 'svc1', namespace: 'a' },
  { name: 'svc1', namespace: 'b' },
  { name: 'bucket1', kind: 'StorageBucket' as const },
];

function routeSlot(n: string, name: string) {
  return fc
    .record({
      parents: some([
        { name: 'g1', namespace: 'a' },
        { name: 'g2', namespace: 'a' },
        { name: 'g3', namespace: 'b' },
        { name: 'g1' },
        { kind: 'ListenerSet' as const, name: 'ls1', namespace: 'a' },
        { kind: 'ListenerSet' as const, name: 'ls2', namespace: 'b' },
      ]),
      backends: some(backendChoices),
      mirror: fc.constantFrom(undefined, ...backendChoices),
      hostnames: fc.constantFrom(undefined, ['a.example.com'], ['b.example.com', 'a.example.com']),
      path: fc.constantFrom('/x', '/y'),
    })
    .map((o) =>
      httpRoute(n, name, {
        parents: o.parents,
        backends: o.backends,
        ...(o.mirror ? { mirror: o.mirror } : {}),
        ...(o.hostnames ? { hostnames: o.hostnames } : {}),
        path: o.path,
      }),
    );
}

function serviceSlot(n: string, name: string) {
  return fc
    .record({
      type: fc.constantFrom('ClusterIP', 'LoadBalancer') as fc.Arbitrary<'ClusterIP' | 'LoadBalancer'>,
      cls: fc.constantFrom(undefined, 'portico.dev/haproxy', 'example.com/lb'),
      params: fc.constantFrom(undefined, 'p1', 'p2'),
      port: fc.constantFrom(80, 8080),
      selector: fc.constantFrom(undefined, { app: 'web' }),
    })
    .map((o) =>
      service(n, name, {
        type: o.type,
        port: o.port,
        ...(o.selector ? { selector: o.selector } : {}),
        ...(o.cls ? { loadBalancerClass: o.cls } : {}),
        ...(o.params ? { params: o.params } : {}),
      }),
    );
}

function sliceSlot(n: string, name: string) {
  return fc
    .record({
      svc: fc.constantFrom('svc1', 'svc2'),
      addresses: fc.uniqueArray(fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'), { maxLength: 3 }),
    })
    .map((o) => endpointSlice(n, name, o.svc, o.addresses));
}

function podSlot(n: string, name: string) {
  return fc
    .record({ app: fc.constantFrom('web', 'other'), path: fc.constantFrom('/healthz', '/ready') })
    .map((o) => pod(n, name, { app: o.app }, o.path));
}

function policySlot(n: string, name: string) {
  return fc
    .record({
      targets: some(['svc1', 'svc2']),
      path: fc.constantFrom('/healthz', '/ready'),
      clamped: fc.boolean(),
    })
    .filter((o) => o.targets.length > 0)
    .map((o) => {
      const policy = healthCheckPolicy(n, name, o.targets, o.path);
      // A timeout not shorter than the interval: the translation of every route using it says so.
      return o.clamped
        ? { ...policy, spec: { ...policy.spec, intervalSeconds: 5, timeoutSeconds: 10 } }
        : policy;
    });
}

function storageBucketSlot(n: string, name: string) {
  return fc.constantFrom('assets-1', 'assets-2').map((bucket) => storageBucket(n, name, bucket));
}

function backendTlsPolicySlot(n: string, name: string) {
  return fc
    .record({
      services: some(['svc1', 'svc2']),
      ca: fc.constantFrom('ConfigMap', 'System') as fc.Arbitrary<'ConfigMap' | 'System'>,
      hostname: fc.constantFrom('svc.example.com', 'other.example.com'),
    })
    .filter((o) => o.services.length > 0)
    .map((o) => backendTlsPolicy(n, name, o));
}

function grantSlot(n: string, name: string) {
  return fc
    .record({
      from: some([
        { kind: 'HTTPRoute', namespace: other(n) },
        { kind: 'Gateway', namespace: other(n) },
        { kind: 'HTTPRoute', namespace: 'c' },
      ]),
      to: some([
        { kind: 'Service' },
        { kind: 'Secret' },
        { kind: 'ConfigMap' },
        { kind: 'Service', name: 'svc2' },
      ]),
    })
    .filter((o) => o.from.length > 0 && o.to.length > 0)
    .map((o) => referenceGrant(n, name, o.from, o.to));
}

function ingressClassSlot(name: string) {
  return fc
    .record({
      isDefault: fc.boolean(),
      controller: fc.constantFrom('portico.dev/ingress-controller', 'example.com/other'),
      params: paramsRef,
    })
    .map((o) =>
      ingressClass(name, {
        isDefault: o.isDefault,
        controller: o.controller,
        ...(o.params ? { params: o.params } : {}),
      }),
    );
}

function ingressSlot(n: string, name: string) {
  return fc
    .record({
      className: fc.constantFrom(undefined, 'ic1', 'ic2'),
      classAnnotation: fc.constantFrom(undefined, undefined, 'portico', 'other'),
      group: fc.constantFrom(undefined, undefined, 'grp1', 'grp2', 'Bad_Group'),
      backends: some(['svc1', 'svc2']).filter((b) => b.length > 0),
      defaultBackend: fc.constantFrom(undefined, 'svc1'),
      tls: fc.constantFrom(undefined, ['s1']),
    })
    .map((o) =>
      ingress(n, name, {
        backends: o.backends,
        ...(o.className ? { className: o.className } : {}),
        ...(o.classAnnotation ? { classAnnotation: o.classAnnotation } : {}),
        ...(o.group ? { group: o.group } : {}),
        ...(o.defaultBackend ? { defaultBackend: o.defaultBackend } : {}),
        ...(o.tls ? { tls: o.tls } : {}),
      }),
    );
}

/** Every slot: one object identity of the random cluster and the variants it may take. */
export const SLOTS: fc.Arbitrary<unknown>[] = [
  ...NS.map(namespaceSlot),
  namespaceSlot('c'),
  parametersSlot('a', 'p1'),
  parametersSlot('b', 'p2'),
  gatewayClassSlot('gc-portico'),
  gatewayClassSlot('gc-other'),
  gatewaySlot('a', 'g1'),
  gatewaySlot('a', 'g2'),
  gatewaySlot('b', 'g3'),
  ...NS.map((n) => fc.constant(secret(n, 's1'))),
  ...NS.map(configMapSlot),
  listenerSetSlot('a', 'ls1'),
  listenerSetSlot('b', 'ls2'),
  serviceSlot('a', 'svc1'),
  serviceSlot('a', 'svc2'),
  serviceSlot('b', 'svc1'),
  sliceSlot('a', 'es1'),
  sliceSlot('a', 'es2'),
  sliceSlot('b', 'es1'),
  podSlot('a', 'pod1'),
  podSlot('a', 'pod2'),
  podSlot('b', 'pod1'),
  policySlot('a', 'hc1'),
  policySlot('b', 'hc1'),
  storageBucketSlot('a', 'bucket1'),
  storageBucketSlot('b', 'bucket1'),
  backendTlsPolicySlot('a', 'bt1'),
  backendTlsPolicySlot('b', 'bt1'),
  routeSlot('a', 'r1'),
  routeSlot('a', 'r2'),
  routeSlot('b', 'r3'),
  routeSlot('c', 'r4'),
  grantSlot('a', 'rg'),
  grantSlot('b', 'rg'),
  ingressClassSlot('ic1'),
  ingressClassSlot('ic2'),
  ingressSlot('a', 'i1'),
  ingressSlot('a', 'i2'),
  ingressSlot('b', 'i3'),
];

/** A random small cluster (one entry per slot, undefined = absent). */
export const clusterArb: fc.Arbitrary<unknown[]> = fc.tuple(
  ...SLOTS.map((s) => fc.option(s, { nil: undefined, freq: 4 })),
) as fc.Arbitrary<unknown[]>;

export interface Scenario {
  before: unknown[];
  after: unknown[];
  change: { old?: unknown; new?: unknown };
}

/** A random cluster and a random change of one of its objects (add, update or delete). */
export const scenarioArb: fc.Arbitrary<Scenario> = clusterArb.chain((slots) =>
  fc
    .integer({ min: 0, max: SLOTS.length - 1 })
    .chain((i) => maybe(SLOTS[i]!).map((v) => ({ slots, i, v })))
    .filter(({ slots: s, i, v }) => s[i] !== undefined || v !== undefined)
    .map(({ slots: s, i, v }) => {
      const after = [...s];
      after[i] = v;
      const old = s[i];
      return {
        before: s.filter((o) => o !== undefined),
        after: after.filter((o) => o !== undefined),
        change: { ...(old !== undefined ? { old } : {}), ...(v !== undefined ? { new: v } : {}) },
      };
    }),
);
