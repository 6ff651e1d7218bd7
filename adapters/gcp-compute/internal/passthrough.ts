// TCP and UDP listeners (Service `type: LoadBalancer`, Gateway TCPRoute/UDPRoute) as a backend
// service-based passthrough Network Load Balancer: per listener a regional forwarding rule straight
// to a regional backend service (EXTERNAL, or INTERNAL for `scheme: internal`), whose backends are
// zonal GCE_VM_IP NEGs (passthrough LBs take no GCE_VM_IP_PORT NEGs). A GCE_VM_IP endpoint is a VM,
// not a pod: the NEGs hold the nodes that run a ready endpoint, and packets reach them with the
// forwarding rule's IP and port unchanged (kube-proxy takes them from there). Nothing terminates or
// proxies, so there is no SNI routing and one backend service per forwarding rule: TLS passthrough by
// hostname cannot be expressed (TLS listeners stay unsupported), and a route may not split traffic
// between Services.

import type * as ir from '#core/ir/load-balancer.js';
import { ownershipLabels } from '#core/naming/index.js';
import type { DesiredResource } from '#core/plan/types.js';
import type { AdapterNotice } from '../../types.js';
import type { GcpLimits } from '../capabilities.js';
import {
  type BackendServiceValue,
  type GcpKinds,
  gcpAddress,
  type HealthCheckValue,
  type LoadBalancingScheme,
  resourcePath,
} from '../model.js';
import {
  backendServiceName,
  healthCheckName,
  type NameScope,
  negName,
  ownerDescription,
  passthroughForwardingRuleName,
} from '../naming.js';
import type { GcpComputeParameters } from '../parameters.js';
import { zonalNegs } from './zonal-negs.js';

type Desired = DesiredResource<GcpKinds>;

export interface PassthroughInput {
  lb: ir.LoadBalancer;
  /** The TCP and UDP listeners left after the capability checks. */
  listeners: readonly ir.Listener[];
  pools: ReadonlyMap<string, ir.BackendPool>;
  params: GcpComputeParameters;
  /** The requested IP, if any. */
  address: string | undefined;
  limits: GcpLimits;
}

/** The passthrough scheme that goes with the Application LB scheme of the parameters. */
export function passthroughScheme(params: GcpComputeParameters): LoadBalancingScheme {
  return params.loadBalancingScheme === 'INTERNAL_MANAGED' ? 'INTERNAL' : 'EXTERNAL';
}

export function renderPassthrough(input: PassthroughInput): {
  resources: Desired[];
  notices: AdapterNotice[];
} {
  const { lb, listeners, params } = input;
  const resources: Desired[] = [];
  const notices: AdapterNotice[] = [];
  const onListener = (l: ir.Listener, n: Omit<AdapterNotice, 'source' | 'listener'>) => {
    for (const source of l.sources.length > 0 ? l.sources : [lb.source])
      notices.push({ ...n, source, listener: l.id });
  };
  if (listeners.length === 0) return { resources, notices };
  if (params.location === 'global') {
    for (const l of listeners)
      onListener(l, {
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'listener/passthrough-location',
        message: `listener ${l.id}: a passthrough Network Load Balancer is regional; set gcpCompute.location to a region (global serves Application Load Balancers only)`,
      });
    return { resources, notices };
  }
  const region = params.location;
  const scheme = passthroughScheme(params);
  const scope: NameScope = { location: region, scheme };
  const internal = scheme === 'INTERNAL';
  const planned = new Map<string, string>();

  for (const l of listeners) {
    const protocol = l.protocol === 'UDP' ? 'UDP' : 'TCP';
    const route = l.routes[0];
    if (!route) continue;
    const onRoute = (severity: 'error' | 'warning', feature: string, message: string) =>
      notices.push({
        severity,
        code: 'UnsupportedValue',
        feature,
        source: route.source,
        listener: l.id,
        route: route.id,
        message: `route ${route.id}: ${message}`,
      });
    if (route.action.type !== 'forward') {
      onRoute('error', `action/${route.action.type}`, 'a passthrough Network Load Balancer only forwards');
      continue;
    }
    const live = [
      ...new Set(route.action.backends.flatMap((b) => (b.weight > 0 && b.pool !== null ? [b.pool] : []))),
    ];
    if (live.length > 1) {
      onRoute(
        'error',
        'action/weighted-backends',
        `a passthrough forwarding rule sends to one backend service, not a split between ${live.length} Services`,
      );
      continue;
    }
    const pool = live[0] !== undefined ? input.pools.get(live[0]) : undefined;
    if (!pool) {
      onRoute('warning', 'action/backends', 'no resolved backend: nothing is programmed for this listener');
      continue;
    }
    let service = planned.get(pool.id);
    if (service === undefined) {
      const plan = planPassthroughPool(input, pool, protocol, scope, region, notices);
      resources.push(...plan.resources);
      service = resourcePath('backend-service', plan.service, { region });
      planned.set(pool.id, service);
    }
    const name = passthroughForwardingRuleName(lb, scope, protocol, l.port, input.address);
    resources.push({
      address: gcpAddress('forwarding-rule', name),
      kind: 'forwarding-rule',
      value: {
        name,
        description: ownerDescription(lb, 'forwarding-rule'),
        region,
        loadBalancingScheme: scheme,
        IPProtocol: protocol,
        // Internal passthrough rules list ports; external ones take a range.
        ...(internal ? { ports: [String(l.port)] } : { portRange: `${l.port}-${l.port}` }),
        ...(input.address !== undefined ? { IPAddress: input.address } : {}),
        backendService: service,
        ...(internal && params.network ? { network: params.network } : {}),
        ...(internal && params.subnetwork ? { subnetwork: params.subnetwork } : {}),
        labels: {
          ...params.labels,
          ...ownershipLabels({ cluster: lb.cluster, lbKey: lb.key, role: 'forwarding-rule' }),
        },
      },
    });
  }
  return { resources, notices };
}

const HEALTH_CHECK_KEY = {
  HTTP: 'httpHealthCheck',
  HTTPS: 'httpsHealthCheck',
  TCP: 'tcpHealthCheck',
} as const;

/** The backend service (first), its regional health check, and one GCE_VM_IP NEG per zone with its nodes. */
function planPassthroughPool(
  input: PassthroughInput,
  pool: ir.BackendPool,
  protocol: 'TCP' | 'UDP',
  scope: NameScope,
  region: string,
  notices: AdapterNotice[],
): { service: string; resources: Desired[] } {
  const { lb, params, limits } = input;
  const warn = (feature: string, message: string, code: AdapterNotice['code'] = 'UnsupportedValue') =>
    notices.push({
      severity: 'warning',
      code,
      feature,
      source: pool.source,
      pool: pool.id,
      message: `pool ${pool.id}: ${message}`,
    });

  // GCE_VM_IP endpoints have no port, so the probe needs a fixed one: the check's, else the Service port
  // (addressed to the forwarding rule's IP, as the load-balanced packets are). Passthrough LBs have no gRPC checks.
  if (pool.topology === 'PreferClose')
    warn(
      'pool/topology/PreferClose',
      'traffic cannot be kept in the zone (PreferClose): a passthrough Network LB takes no service load balancing policy; every node with an endpoint gets traffic',
    );
  const hc = pool.healthCheck;
  const type = hc.protocol === 'GRPC' ? 'TCP' : hc.protocol;
  if (hc.protocol === 'GRPC')
    warn('health-check/protocol', 'passthrough load balancers have no gRPC health checks; TCP is used');
  if (protocol === 'UDP' && type === 'TCP' && hc.port === undefined)
    warn(
      'health-check/udp',
      'a TCP health check on a UDP port fails; give the Service a HealthCheckPolicy with a TCP or HTTP port',
    );
  const hcName = healthCheckName(lb, scope, pool, type);
  const healthCheck: HealthCheckValue = {
    name: hcName,
    description: ownerDescription(lb, 'health-check'),
    region,
    type,
    [HEALTH_CHECK_KEY[type]]: {
      portSpecification: 'USE_FIXED_PORT',
      port: hc.port ?? pool.servicePort,
      ...(type === 'HTTP' || type === 'HTTPS' ? { requestPath: hc.path ?? '/' } : {}),
    },
    checkIntervalSec: clamp(hc.intervalSeconds, 1, 300),
    timeoutSec: clamp(hc.timeoutSeconds, 1, clamp(hc.intervalSeconds, 1, 300)),
    healthyThreshold: clamp(hc.healthyThreshold, 1, 10),
    unhealthyThreshold: clamp(hc.unhealthyThreshold, 1, 10),
  };

  // The nodes that run a ready endpoint, per zone.
  const zones = params.negZones;
  const byZone = new Map<string, Set<string>>(zones.map((z) => [z, new Set()]));
  let nameless = 0;
  let elsewhere = 0;
  let dropped = 0;
  for (const e of pool.endpoints) {
    if (!e.ready) continue;
    if (e.nodeName === undefined) {
      nameless++;
      continue;
    }
    const zone = e.zone !== undefined && byZone.has(e.zone) ? e.zone : zones[0]!;
    if (zone !== e.zone) elsewhere++;
    const nodes = byZone.get(zone)!;
    if (nodes.has(e.nodeName)) continue;
    if (nodes.size >= limits.endpointsPerNeg) {
      dropped++;
      continue;
    }
    nodes.add(e.nodeName);
  }
  if (nameless > 0)
    warn(
      'neg/instance',
      `${nameless} endpoint(s) name no node; a GCE_VM_IP NEG holds VMs, so they are left out`,
    );
  if (elsewhere > 0)
    warn(
      'neg/zone',
      `${elsewhere} endpoint(s) have no zone among negZones; their nodes go to the NEG of ${zones[0]}`,
    );
  if (dropped > 0)
    warn(
      'neg/endpoints',
      `${dropped} node(s) left out: at most ${limits.endpointsPerNeg} per NEG`,
      'LimitExceeded',
    );

  const network = params.network ?? 'global/networks/default';
  const neg = negName(lb, scope, pool, network, 'GCE_VM_IP');
  const { negs, endpoints } = zonalNegs(
    lb,
    {
      name: neg,
      type: 'GCE_VM_IP',
      network,
      ...(params.subnetwork ? { subnetwork: params.subnetwork } : {}),
    },
    zones,
    (zone) => [...byZone.get(zone)!].sort().map((instance) => ({ instance })),
  );
  const service: BackendServiceValue = {
    name: backendServiceName(lb, scope, pool, protocol),
    description: ownerDescription(lb, 'backend-service'),
    region,
    loadBalancingScheme: scope.scheme,
    protocol,
    timeoutSec: 30,
    healthChecks: [resourcePath('health-check', hcName, { region })],
    backends: zones.map((zone) => ({
      group: resourcePath('network-endpoint-group', neg, { zone }),
      balancingMode: 'CONNECTION',
      capacityScaler: 1,
    })),
    enableCDN: false,
    pool: pool.id,
  };
  const resources: Desired[] = [
    { address: gcpAddress('backend-service', service.name), kind: 'backend-service', value: service },
    { address: gcpAddress('health-check', hcName), kind: 'health-check', value: healthCheck },
    ...negs.map(
      (n): Desired => ({
        address: gcpAddress('network-endpoint-group', n.name, n.zone),
        kind: 'network-endpoint-group',
        value: n,
      }),
    ),
    ...endpoints.map(
      (e): Desired => ({
        address: gcpAddress('neg-endpoints', e.networkEndpointGroup, e.zone),
        kind: 'neg-endpoints',
        value: e,
      }),
    ),
  ];
  return { service: service.name, resources };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(n)));
}
