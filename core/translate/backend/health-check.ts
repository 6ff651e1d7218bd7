import type { HealthCheck, PoolProtocol } from '#core/ir/load-balancer.js';
import type { Service, ServicePort } from '#core/model/service.js';
import type { TranslateContext } from '../context.js';

/**
 * The health check of one Service port. Defaults per protocol: HTTP(S) pools get an HTTP(S) GET of
 * `/` counting 200-399 healthy; gRPC pools a gRPC check; everything else a TCP connect.
 */
export function healthCheckFor(
  _ctx: TranslateContext,
  _service: Service,
  _port: ServicePort,
  protocol: PoolProtocol,
): HealthCheck {
  const base = {
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    origin: 'default' as const,
  };
  switch (protocol) {
    case 'HTTP':
    case 'H2C':
      return { protocol: 'HTTP', path: '/', expectedStatuses: '200-399', ...base };
    case 'HTTPS':
      return { protocol: 'HTTPS', path: '/', expectedStatuses: '200-399', ...base };
    case 'GRPC':
      return { protocol: 'GRPC', expectedStatuses: '0', ...base };
    default:
      return { protocol: 'TCP', ...base };
  }
}
