import type { BackendPool, Endpoint, PoolProtocol, SourceRef } from '#core/ir/load-balancer.js';
import type { Service, ServicePort } from '#core/model/service.js';
import { markAwaitingLoadBalancer, podLookup } from '#core/readiness/awaiting-load-balancer.js';
import type { TranslateContext } from '../context.js';
import { endpointsForPort } from './endpoints.js';
import { healthCheckFor } from './health-check.js';

/** What a route needs from its backend: how it will be spoken to. */
export type PoolUse = 'HTTP' | 'GRPC' | 'TCP' | 'UDP' | 'TLS';

export interface ServicePortRef {
  namespace: string;
  name: string;
  /** Port number, or port name (Ingress allows names). */
  port: number | string | undefined;
}

export type PoolResult =
  | { ok: true; pool: BackendPool }
  | { ok: false; reason: 'BackendNotFound' | 'UnsupportedProtocol'; message: string };

const resolved = new WeakMap<TranslateContext, Map<string, PoolResult>>();

/**
 * Resolves a Service port into a backend pool, with its endpoints and health check. Many routes
 * name the same Service port, so results are kept for the rest of the translation.
 */
export function resolveServicePool(ctx: TranslateContext, ref: ServicePortRef, use: PoolUse): PoolResult {
  let cache = resolved.get(ctx);
  if (!cache) {
    cache = new Map();
    resolved.set(ctx, cache);
  }
  const key = `${ref.namespace}/${ref.name}/${ref.port}/${use}`;
  let result = cache.get(key);
  if (!result) {
    result = resolveUncached(ctx, ref, use);
    cache.set(key, result);
  }
  return result;
}

function resolveUncached(ctx: TranslateContext, ref: ServicePortRef, use: PoolUse): PoolResult {
  const service = ctx.services.get(`${ref.namespace}/${ref.name}`);
  if (!service)
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${ref.namespace}/${ref.name} not found`,
    };
  if (service.spec.type === 'ExternalName') {
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${ref.namespace}/${ref.name} is of type ExternalName, which is not supported as a backend`,
    };
  }
  if (ref.port === undefined) {
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `a port is required for Service ${ref.namespace}/${ref.name}`,
    };
  }
  const port = (service.spec.ports ?? []).find((p) =>
    typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port,
  );
  if (!port) {
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${ref.namespace}/${ref.name} has no port ${ref.port}`,
    };
  }
  const wantL4 = use === 'UDP' ? 'UDP' : 'TCP';
  if ((port.protocol ?? 'TCP') !== wantL4) {
    return {
      ok: false,
      reason: 'UnsupportedProtocol',
      message: `Service ${ref.namespace}/${ref.name} port ${port.port} is ${port.protocol ?? 'TCP'}, not ${wantL4}`,
    };
  }
  const protocol = poolProtocol(port, use);
  const endpoints = markAwaitingLoadBalancer(
    endpointsForPort(ctx.endpointSlices.get(`${ref.namespace}/${ref.name}`) ?? [], port),
    podLookup(ctx.pods),
  );
  const source: SourceRef = {
    kind: 'Service',
    namespace: ref.namespace,
    name: ref.name,
    section: port.name ?? String(port.port),
  };
  return {
    ok: true,
    pool: {
      id: `${ref.namespace}/${ref.name}/${port.port}/${protocol.toLowerCase()}`,
      source,
      protocol,
      servicePort: port.port,
      ...(port.nodePort ? { nodePort: port.nodePort } : {}),
      trafficPolicy: service.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      endpoints,
      ...(prefersClose(service, endpoints) ? { topology: 'PreferClose' as const } : {}),
      healthCheck: healthCheckFor(
        ctx,
        service,
        port,
        protocol,
        service.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      ),
    },
  };
}

/**
 * Traffic should stay close (in the load balancer's zone): the Service asks for it with
 * `trafficDistribution` (PreferClose, or its newer name PreferSameZone; PreferSameNode is at least as
 * strict, and a load balancer is on no node, so its zone is the closest it can honour), or the slice
 * controller hinted every ready endpoint (`topology-mode: Auto`).
 */
function prefersClose(service: Service, endpoints: readonly Endpoint[]): boolean {
  if (PREFER_CLOSE.has(service.spec.trafficDistribution ?? '')) return true;
  const ready = endpoints.filter((e) => e.ready);
  return ready.length > 0 && ready.every((e) => e.zoneHints !== undefined);
}

const PREFER_CLOSE = new Set(['PreferClose', 'PreferSameZone', 'PreferSameNode']);

/** `appProtocol` (standard names and the kubernetes.io/ ones) wins; otherwise the route's use decides. */
export function poolProtocol(port: Pick<ServicePort, 'appProtocol'>, use: PoolUse): PoolProtocol {
  if (use === 'UDP') return 'UDP';
  if (use === 'TCP') return 'TCP';
  if (use === 'TLS') return 'TLS';
  switch (port.appProtocol?.toLowerCase()) {
    case 'https':
      return 'HTTPS';
    case 'kubernetes.io/h2c':
    case 'h2c':
      return 'H2C';
    case 'grpc':
      return 'GRPC';
    default:
      // gRPC needs HTTP/2; without an appProtocol saying otherwise, that is cleartext h2c.
      return use === 'GRPC' ? 'GRPC' : 'HTTP';
  }
}
