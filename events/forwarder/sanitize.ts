import type { ClusterObject } from '#kube/cluster-object.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface SanitizeOptions {
  /** Keep `tls.key` of TLS Secrets. */
  forwardPrivateKeys?: boolean;
}

/**
 * What of an object leaves the cluster: never `metadata.managedFields` nor the last-applied
 * annotation (big, and nothing Portico reads). Secrets: TLS Secrets keep only `tls.crt` and
 * `ca.crt` (and `tls.key` when `forwardPrivateKeys` is set); any other Secret keeps only its
 * metadata. Returns a new object; the input is left alone.
 */
export function sanitizeObject(object: ClusterObject, options: SanitizeOptions = {}): ClusterObject {
  const { managedFields: _, ...metadata } = object.metadata;
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations && Object.hasOwn(annotations, LAST_APPLIED_ANNOTATION)) {
    const { [LAST_APPLIED_ANNOTATION]: __, ...rest } = annotations;
    if (Object.keys(rest).length) metadata.annotations = rest;
    else delete metadata.annotations;
  }
  if (object.kind !== 'Secret') return { ...object, metadata };

  const out: ClusterObject = { apiVersion: object.apiVersion, kind: object.kind, metadata };
  if (object.type !== undefined) out.type = object.type;
  if (object.type !== TLS_SECRET_TYPE) return out;
  const keep = options.forwardPrivateKeys ? ['tls.crt', 'ca.crt', 'tls.key'] : ['tls.crt', 'ca.crt'];
  const data = (object.data ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const k of keep) if (typeof data[k] === 'string') kept[k] = data[k];
  out.data = kept;
  return out;
}
