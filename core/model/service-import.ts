import { z } from 'zod';
import { DNS_LABEL, labelName, objectMeta } from './meta.js';

// multicluster.x-k8s.io/v1alpha1 ServiceImport (KEP-1645, the Multi-Cluster Services API): a
// Service of the clusterset, made of the endpoints every member cluster exports. Gateway API routes
// may name it as a backendRef (GEP-1748). What load-balancer translation reads.

export const MCS_GROUP = 'multicluster.x-k8s.io';
export const SERVICE_IMPORT_KIND = 'ServiceImport';
/** The label that ties an exported or imported EndpointSlice to its ServiceImport (same namespace). */
export const MCS_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
/** The label naming the one cluster a multi-cluster EndpointSlice's endpoints come from. */
export const MCS_SOURCE_CLUSTER_LABEL = 'multicluster.kubernetes.io/source-cluster';

export const serviceImportPort = z.looseObject({
  name: labelName.optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().max(316).optional(),
  port: z.number().int().min(1).max(65535),
});
export type ServiceImportPort = z.infer<typeof serviceImportPort>;

export const serviceImport = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal(SERVICE_IMPORT_KIND),
  metadata: objectMeta,
  spec: z.looseObject({
    ports: z.array(serviceImportPort).max(256).optional(),
    // Both types work the same for a load balancer: it targets the endpoints, never the clusterset IP.
    type: z.enum(['ClusterSetIP', 'Headless']).optional(),
    ips: z.array(z.string().max(64)).max(2).optional(),
  }),
  status: z.looseObject({}).optional(),
});
export type ServiceImport = z.infer<typeof serviceImport>;

/**
 * The source cluster of a multi-cluster EndpointSlice (raw, untrusted), when its labels name one
 * that can be a cluster id (an RFC 1123 label, as every Portico cluster id is).
 */
export function sourceClusterOf(labels: unknown): string | undefined {
  if (typeof labels !== 'object' || labels === null) return undefined;
  const v = (labels as Record<string, unknown>)[MCS_SOURCE_CLUSTER_LABEL];
  return typeof v === 'string' && v.length <= 63 && DNS_LABEL.test(v) ? v : undefined;
}
