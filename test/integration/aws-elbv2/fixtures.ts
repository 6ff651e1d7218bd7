// A small Gateway (one HTTP listener, 3 routes, 2 Services) translated into IR for the ELBv2 adapter.

import type * as ir from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';

export const VPC = 'vpc-0123456789abcdef0';

/** ALB parameters with what AWS needs (VPC, two subnets, a security group). */
export const ALB_PARAMETERS = {
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'LoadBalancerParameters',
  metadata: { name: 'alb', namespace: 'portico-system' },
  spec: {
    provider: 'aws-elbv2',
    scheme: 'internet-facing',
    awsElbv2: {
      vpcId: VPC,
      subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      securityGroups: ['sg-0123456789abcdef0'],
    },
  },
};

export const AWS_GATEWAY_CLASS = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico-aws', generation: 1 },
  spec: {
    controllerName: 'portico.dev/gateway-controller',
    parametersRef: {
      group: 'portico.dev',
      kind: 'LoadBalancerParameters',
      name: 'alb',
      namespace: 'portico-system',
    },
  },
};

/** A Service with one port and the EndpointSlice holding its endpoints. */
export function serviceWithSlice(
  name: string,
  namespace: string,
  port: number,
  target: number,
  ips: string[],
): unknown[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { ports: [{ name: 'http', port, targetPort: target }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-abc`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: target, protocol: 'TCP' }],
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    },
  ];
}

export interface FixtureOptions {
  /** Endpoint IPs per Service. */
  endpoints?: { app: string[]; api: string[] };
  /** A fourth route (`/admin` → api). */
  extraRoute?: boolean;
  /** `/api` is rewritten to `/v2` on host api.internal (URLRewrite: ALB rule transforms). */
  rewrite?: boolean;
}

export function manifests(opts: FixtureOptions = {}): unknown[] {
  const endpoints = opts.endpoints ?? { app: ['10.0.1.1', '10.0.1.2'], api: ['10.0.2.1'] };
  const rules: unknown[] = [
    {
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      ...(opts.rewrite
        ? {
            filters: [
              {
                type: 'URLRewrite',
                urlRewrite: {
                  hostname: 'api.internal',
                  path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
                },
              },
            ],
          }
        : {}),
      backendRefs: [{ name: 'api', port: 8080 }],
    },
    { matches: [{ path: { type: 'Exact', value: '/health' } }], backendRefs: [{ name: 'app', port: 80 }] },
    { backendRefs: [{ name: 'app', port: 80 }] },
  ];
  if (opts.extraRoute)
    rules.unshift({
      matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
      backendRefs: [{ name: 'api', port: 8080 }],
    });
  return [
    ALB_PARAMETERS,
    AWS_GATEWAY_CLASS,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { gatewayClassName: 'portico-aws', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { parentRefs: [{ name: 'web' }], rules },
    },
    ...serviceWithSlice('app', 'shop', 80, 8080, endpoints.app),
    ...serviceWithSlice('api', 'shop', 8080, 9090, endpoints.api),
  ];
}

export function gatewayLb(opts: FixtureOptions = {}): ir.LoadBalancer {
  const result = translate(manifests(opts), { cluster: 'it' });
  const lb = result.loadBalancers.find((l) => l.provider === 'aws-elbv2');
  if (!lb) throw new Error(`no aws-elbv2 load balancer: ${JSON.stringify(result.notices)}`);
  return lb;
}
