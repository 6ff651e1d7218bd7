import type * as ir from '#core/ir/load-balancer.js';

const gateway = { kind: 'Gateway', namespace: 'shop', name: 'web' };
const route = (name: string, rule = 0): ir.SourceRef => ({
  kind: 'HTTPRoute',
  namespace: 'shop',
  name,
  rule,
  match: 0,
});

export function pool(
  id: string,
  protocol: ir.PoolProtocol = 'HTTP',
  addresses = ['10.0.0.1'],
): ir.BackendPool {
  const [namespace, name, port] = id.split('/') as [string, string, string];
  return {
    id,
    source: { kind: 'Service', namespace, name },
    protocol,
    servicePort: Number(port),
    trafficPolicy: 'Cluster',
    endpoints: addresses.map((address) => ({
      address,
      family: 'IPv4',
      port: 8080,
      ready: true,
      serving: true,
      terminating: false,
    })),
    healthCheck: {
      protocol: 'HTTP',
      path: '/healthz',
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      origin: 'default',
    },
  };
}

export function forwardRoute(name: string, poolId: string, extra: Partial<ir.Route> = {}): ir.Route {
  return {
    id: `HTTPRoute/shop/${name}/rule/0/match/0`,
    source: route(name),
    wildcard: 'any-depth',
    match: { path: { type: 'Prefix', value: '/' }, headers: [], queryParams: [] },
    filters: [],
    action: { type: 'forward', backends: [{ pool: poolId, weight: 1, filters: [] }] },
    ...extra,
  };
}

/** A Gateway with an HTTP listener, two routes and two pools. */
export function loadBalancer(overrides: Partial<ir.LoadBalancer> = {}): ir.LoadBalancer {
  return {
    key: 'prod/Gateway/shop/web',
    cluster: 'prod',
    source: gateway,
    provider: 'haproxy',
    scheme: 'internet-facing',
    requestedAddresses: [],
    sourceRanges: [],
    listeners: [
      {
        id: 'HTTP-80',
        sources: [{ ...gateway, section: 'http' }],
        port: 80,
        protocol: 'HTTP',
        routes: [
          forwardRoute('api', 'shop/api/80', {
            match: { path: { type: 'Prefix', value: '/api' }, headers: [], queryParams: [] },
          }),
          forwardRoute('site', 'shop/site/80'),
        ],
      },
    ],
    pools: [pool('shop/api/80'), pool('shop/site/80')],
    providerParameters: {},
    ...overrides,
  };
}
