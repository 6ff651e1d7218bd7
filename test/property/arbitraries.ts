import fc from 'fast-check';

// Small random clusters for property tests: a few namespaces, Gateways, Services with slices, and
// HTTPRoutes whose values are sometimes hostile, so that every branch of translation is exercised.

const NAMESPACES = ['infra', 'shop', 'blog'];
const SERVICES = ['app', 'api', 'web'];
const GATEWAYS = ['gw-a', 'gw-b'];

const path = fc.oneof(
  fc.constantFrom('/', '/api', '/api/', '/api/v1', '/shop', '/a b', '/a#b', '/x/../y', 'relative'),
  fc.stringMatching(/^\/[a-z0-9/]{0,12}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom('1', 'a', 'ok\r\nX-Injected: 1', '%[env(HOME)]', '$HOME'),
  fc.string({ maxLength: 6 }),
);
const hostname = fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'example.org', '*.org');

const match = fc.record(
  {
    path: fc.record({ type: fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'), value: path }),
    headers: fc.array(fc.record({ name: fc.constantFrom('x-a', 'X-A', 'x-b'), value: headerValue }), {
      maxLength: 2,
    }),
    queryParams: fc.array(
      fc.record({ name: fc.constantFrom('q', 'debug', 'a=b'), value: fc.constantFrom('1', '2') }),
      { maxLength: 2 },
    ),
    method: fc.constantFrom('GET', 'POST'),
  },
  { requiredKeys: [] },
);

const backendRef = fc.record(
  {
    name: fc.constantFrom(...SERVICES, 'missing'),
    namespace: fc.constantFrom(...NAMESPACES),
    port: fc.constantFrom(80, 81),
    weight: fc.integer({ min: 0, max: 10 }),
  },
  { requiredKeys: ['name', 'port'] },
);

const filter = fc.oneof(
  fc.record({
    type: fc.constant('RequestHeaderModifier'),
    requestHeaderModifier: fc.record({
      set: fc.array(fc.record({ name: fc.constant('x-set'), value: headerValue }), { maxLength: 1 }),
    }),
  }),
  fc.record({
    type: fc.constant('RequestRedirect'),
    requestRedirect: fc.record({
      scheme: fc.constantFrom('http', 'https'),
      statusCode: fc.constantFrom(301, 302, 418),
    }),
  }),
  fc.record({
    type: fc.constant('ExtensionRef'),
    extensionRef: fc.record({
      group: fc.constant('example.com'),
      kind: fc.constant('X'),
      name: fc.constant('x'),
    }),
  }),
);

const rule = fc.record(
  {
    matches: fc.array(match, { maxLength: 3 }),
    filters: fc.array(filter, { maxLength: 1 }),
    backendRefs: fc.array(backendRef, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const httpRoute = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom('r1', 'r2', 'r3', 'r4'),
  created: fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', undefined),
  parents: fc.array(
    fc.record({
      name: fc.constantFrom(...GATEWAYS),
      namespace: fc.constant('infra'),
      sectionName: fc.constantFrom(undefined, 'http', 'api'),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  hostnames: fc.array(hostname, { maxLength: 2 }),
  rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
});

export type RouteSpec = typeof httpRoute extends fc.Arbitrary<infer T> ? T : never;

export function toHttpRoute(r: RouteSpec): Record<string, unknown> {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      ...(r.created ? { creationTimestamp: r.created } : {}),
    },
    spec: {
      parentRefs: r.parents.map((p) => ({
        name: p.name,
        namespace: p.namespace,
        ...(p.sectionName ? { sectionName: p.sectionName } : {}),
      })),
      hostnames: r.hostnames,
      rules: r.rules,
    },
  };
}

function staticObjects(): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'portico' },
      spec: { controllerName: 'portico.dev/gateway-controller' },
    },
  ];
  for (const name of GATEWAYS) {
    objects.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace: 'infra' },
      spec: {
        gatewayClassName: 'portico',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
          {
            name: 'api',
            port: 80,
            protocol: 'HTTP',
            hostname: 'a.example.com',
            allowedRoutes: { namespaces: { from: 'Same' } },
          },
        ],
      },
    });
  }
  for (const ns of NAMESPACES) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const [i, svc] of SERVICES.entries()) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: svc, namespace: ns },
        spec: { ports: [{ name: 'http', port: 80 }] },
      });
      objects.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${svc}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080 }],
        endpoints: [
          { addresses: [`10.${NAMESPACES.indexOf(ns)}.${i}.1`] },
          { addresses: [`10.${NAMESPACES.indexOf(ns)}.${i}.2`], conditions: { ready: false } },
        ],
      });
    }
  }
  objects.push({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'from-infra', namespace: 'shop' },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }],
      to: [{ group: '', kind: 'Service' }],
    },
  });
  return objects;
}

/** A random cluster: fixed Gateways, Services and slices, plus random HTTPRoutes (unique by namespace/name). */
export const cluster = fc
  .uniqueArray(httpRoute, { maxLength: 6, selector: (r) => `${r.namespace}/${r.name}` })
  .map((routes) => ({ routes, objects: [...staticObjects(), ...routes.map(toHttpRoute)] }));
