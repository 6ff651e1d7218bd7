import type { SourceRef } from '#core/ir/load-balancer.js';
import type { EndpointSlice } from '#core/model/endpoint-slice.js';
import { SERVICE_IMPORT_KIND, sourceClusterOf } from '#core/model/service-import.js';
import type { TranslateContext } from '../context.js';
import { endpointsForPort } from './endpoints.js';
import { defaultHealthCheck } from './health-check.js';
import { type PoolResult, type PoolUse, poolProtocol, type ServicePortRef } from './service-pool.js';

/**
 * Resolves a port of a multi-cluster ServiceImport (KEP-1645) into a backend pool whose endpoints are
 * those of every cluster of the clusterset: the slices labelled with the import's name whose
 * `multicluster.kubernetes.io/source-cluster` is this cluster or one of `options.clusterSet`. Each
 * endpoint keeps its cluster (`Endpoint.cluster`). Every ready endpoint gets the same share, whatever
 * its cluster: the MCS API has no per-cluster weights, and Portico adds none.
 *
 * The port is matched by number against `spec.ports`, and slice ports by name and protocol, as for a
 * Service. HealthCheckPolicy and BackendTLSPolicy target Services, so the pool has the default
 * health check of its protocol and no backend TLS. `ClusterSetIP` and `Headless` imports resolve
 * alike: a load balancer targets the endpoints, never the clusterset IP.
 */
export function resolveServiceImportPool(
  ctx: TranslateContext,
  ref: ServicePortRef,
  use: PoolUse,
): PoolResult {
  const what = `${SERVICE_IMPORT_KIND} ${ref.namespace}/${ref.name}`;
  const imported = ctx.serviceImports.get(`${ref.namespace}/${ref.name}`);
  if (!imported) return { ok: false, reason: 'BackendNotFound', message: `${what} not found` };
  if (ref.port === undefined)
    return { ok: false, reason: 'BackendNotFound', message: `a port is required for ${what}` };
  const port = (imported.spec.ports ?? []).find((p) =>
    typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port,
  );
  if (!port) return { ok: false, reason: 'BackendNotFound', message: `${what} has no port ${ref.port}` };
  const wantL4 = use === 'UDP' ? 'UDP' : 'TCP';
  if ((port.protocol ?? 'TCP') !== wantL4) {
    return {
      ok: false,
      reason: 'UnsupportedProtocol',
      message: `${what} port ${port.port} is ${port.protocol ?? 'TCP'}, not ${wantL4}`,
    };
  }
  const members = new Set([ctx.options.cluster, ...(ctx.options.clusterSet ?? [])]);
  const clusterOf = (slice: EndpointSlice) => sourceClusterOf(slice.metadata.labels);
  const slices = (ctx.importedSlices.get(`${ref.namespace}/${ref.name}`) ?? []).filter((s) => {
    const cluster = clusterOf(s);
    return cluster !== undefined && members.has(cluster);
  });
  const protocol = poolProtocol(port, use);
  const source: SourceRef = {
    kind: SERVICE_IMPORT_KIND,
    namespace: ref.namespace,
    name: ref.name,
    section: port.name ?? String(port.port),
  };
  return {
    ok: true,
    pool: {
      // Its own id space: a Service of the same name may be a backend of the same load balancer.
      id: `${ref.namespace}/${ref.name}/${port.port}/${protocol.toLowerCase()}/clusterset`,
      source,
      protocol,
      servicePort: port.port,
      trafficPolicy: 'Cluster',
      endpoints: endpointsForPort(slices, port, clusterOf),
      healthCheck: defaultHealthCheck(protocol),
    },
  };
}
