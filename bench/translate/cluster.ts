// The synthetic cluster the translate benchmarks use: G Gateways (one HTTP listener, one
// GatewayClass), R HTTPRoutes of 2 rules, R Services and R EndpointSlices of 3 endpoints, spread
// over N namespaces. Route i lives in the namespace of its Gateway (i % G) and uses Services i and
// i + N (same namespace).

export interface ClusterSize {
  gateways: number;
  routes: number;
  namespaces: number;
}

export interface SyntheticCluster {
  size: ClusterSize;
  /** Every object, stamped with a uid and resourceVersion "1". */
  objects: unknown[];
  /** Index of route i in `objects`. */
  routeIndex(i: number): number;
  /** Route i; `variant` changes its first path (and generation), `gatewayShift` moves it to another Gateway. */
  route(i: number, variant?: number, gatewayShift?: number): unknown;
}

export function syntheticCluster(size: ClusterSize): SyntheticCluster {
  const { gateways, routes, namespaces } = size;
  const services = routes;
  const ns = (i: number) => `ns-${i % namespaces}`;

  const namespaceObj = (i: number) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `ns-${i}`, labels: { index: String(i) } },
  });
  const gatewayClass = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico' },
    spec: { controllerName: 'portico.dev/gateway-controller' },
  };
  const gatewayObj = (g: number) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: `gw-${g}`, namespace: ns(g), creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  });
  const routeObj = (i: number, variant = 0, gatewayShift = 0) => {
    const g = (i + gatewayShift * namespaces) % gateways;
    const s1 = i % services;
    const s2 = (i + namespaces) % services;
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: `route-${i}`,
        namespace: ns(i),
        generation: 1 + variant,
        creationTimestamp: `2026-01-01T00:${String(Math.floor(i / 100) % 60).padStart(2, '0')}:00Z`,
      },
      spec: {
        parentRefs: [{ name: `gw-${g}` }],
        hostnames: [`host-${i}.example.com`],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: `/r${i}/a${variant ? `-v${variant}` : ''}` } }],
            backendRefs: [{ name: `svc-${s1}`, port: 80 }],
          },
          {
            matches: [
              {
                path: { type: 'Exact', value: `/r${i}/b` },
                headers: [{ name: 'x-route', value: String(i) }],
              },
            ],
            backendRefs: [
              { name: `svc-${s1}`, port: 80, weight: 3 },
              { name: `svc-${s2}`, port: 80, weight: 1 },
            ],
          },
        ],
      },
    };
  };
  const serviceObj = (j: number) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${j}`, namespace: ns(j) },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  });
  const sliceObj = (j: number) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `svc-${j}-abcde`,
      namespace: ns(j),
      labels: { 'kubernetes.io/service-name': `svc-${j}` },
    },
    addressType: 'IPv4',
    endpoints: [0, 1, 2].map((e) => ({
      addresses: [`10.${(j >> 8) & 255}.${j & 255}.${10 + e}`],
      conditions: { ready: true, serving: true, terminating: false },
      zone: `zone-${e}`,
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });

  const objects: unknown[] = [gatewayClass];
  for (let i = 0; i < namespaces; i++) objects.push(namespaceObj(i));
  for (let g = 0; g < gateways; g++) objects.push(gatewayObj(g));
  for (let i = 0; i < routes; i++) objects.push(routeObj(i));
  for (let j = 0; j < services; j++) objects.push(serviceObj(j), sliceObj(j));
  for (const o of objects) stamp(o as Stampable, '1');
  return {
    size,
    objects,
    routeIndex: (i) => 1 + namespaces + gateways + i,
    route: (i, variant = 0, gatewayShift = 0) => routeObj(i, variant, gatewayShift),
  };
}

type Stampable = { kind: string; metadata: Record<string, unknown> };

/** Every object the API server serves has a uid and a resourceVersion; a change bumps the version. */
export function stamp<T>(o: T, resourceVersion: string): T {
  const s = o as Stampable;
  s.metadata.uid = `${s.kind}/${s.metadata.namespace ?? ''}/${s.metadata.name}`;
  s.metadata.resourceVersion = resourceVersion;
  return o;
}
