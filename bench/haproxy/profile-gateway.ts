// The Gateway both profiles measure: namespace `namespace`, Gateway `prop` with one HTTP listener,
// Service backend-a with one endpoint, and route i (host `<i>-route.example.com`, prefix `/<i>`).

export const PROP_GATEWAY = 'prop';

export function propGateway(opts: {
  namespace: string;
  listenerPort: number;
  backendPort: number;
  backendAddress: string;
}): unknown[] {
  const { namespace, listenerPort, backendPort, backendAddress } = opts;
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'portico' },
      spec: { controllerName: 'portico.dev/gateway-controller' },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: PROP_GATEWAY, namespace },
      spec: {
        gatewayClassName: 'portico',
        listeners: [{ name: 'http', port: listenerPort, protocol: 'HTTP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'backend-a', namespace },
      spec: { ports: [{ name: 'http', port: 80, targetPort: backendPort }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'a-slice', namespace, labels: { 'kubernetes.io/service-name': 'backend-a' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: backendPort }],
      endpoints: [{ addresses: [backendAddress], conditions: { ready: true } }],
    },
  ];
}

export const propRoute = (namespace: string, i: number) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: `route-${i}`, namespace },
  spec: {
    parentRefs: [{ name: PROP_GATEWAY }],
    hostnames: [`${i}-route.example.com`],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/${i}` } }],
        backendRefs: [{ name: 'backend-a', port: 80 }],
      },
    ],
  },
});

/** Service `svc-<i>` with one endpoint (127.0.0.1:8081): the "services" shape gives route i its own. */
export const propService = (namespace: string, i: number): unknown[] => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8081 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}`, namespace, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8081 }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  },
];
