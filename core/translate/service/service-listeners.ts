import type { BackendPool, Listener, SourceRef } from '#core/ir/load-balancer.js';
import type { Service } from '#core/model/service.js';
import { resolveServicePool } from '../backend/service-pool.js';
import type { TranslateContext } from '../context.js';
import type { Problem } from './problem.js';

export interface ServiceListeners {
  listeners: Listener[];
  pools: BackendPool[];
  problems: Problem[];
}

/**
 * One listener per Service port, forwarding everything to the pool of that port. The same number may
 * serve TCP and UDP (DNS does): they are distinct listeners. SCTP has no provider-neutral load
 * balancer, so such ports are skipped with a warning and the others still served.
 */
export function serviceListeners(ctx: TranslateContext, service: Service): ServiceListeners {
  const namespace = service.metadata.namespace!;
  const name = service.metadata.name;
  const out: ServiceListeners = { listeners: [], pools: [], problems: [] };
  const seen = new Set<string>();
  (service.spec.ports ?? []).forEach((port, i) => {
    const protocol = port.protocol ?? 'TCP';
    if (protocol === 'SCTP') {
      out.problems.push({
        severity: 'warning',
        code: 'UnsupportedProtocol',
        field: `spec.ports[${i}].protocol`,
        message: `spec.ports[${i}]: SCTP port ${port.port} is not supported by Portico's load balancers; the port is skipped`,
      });
      return;
    }
    const id = `${protocol.toLowerCase()}-${port.port}`;
    if (seen.has(id)) {
      // The API server refuses this; a hand-made object could still carry it.
      out.problems.push({
        severity: 'warning',
        code: 'DuplicatePort',
        field: `spec.ports[${i}]`,
        message: `spec.ports[${i}]: ${protocol} port ${port.port} is listed twice; only the first is used`,
      });
      return;
    }
    seen.add(id);
    // By name when there is one: a number alone is ambiguous when TCP and UDP share it.
    const result = resolveServicePool(ctx, { namespace, name, port: port.name ?? port.port }, protocol);
    if (!result.ok) {
      out.problems.push({
        severity: 'error',
        code: result.reason,
        field: `spec.ports[${i}]`,
        message: result.message,
      });
      return;
    }
    const source: SourceRef = { kind: 'Service', namespace, name, section: port.name ?? String(port.port) };
    out.pools.push(result.pool);
    out.listeners.push({
      id,
      sources: [source],
      port: port.port,
      protocol,
      routes: [
        {
          id: `service/${namespace}/${name}/port/${port.port}`,
          source,
          wildcard: 'any-depth',
          match: { headers: [], queryParams: [] },
          filters: [],
          action: { type: 'forward', backends: [{ pool: result.pool.id, weight: 1, filters: [] }] },
        },
      ],
    });
  });
  return out;
}
