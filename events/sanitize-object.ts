import type { ClusterObject } from '#kube/cluster-object.js';
import { trimPod } from './trim-pod.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface SanitizeOptions {
  /**
   * Keep `tls.key` of TLS Secrets: only where a provider terminates TLS from the Secret itself
   * (`Capabilities.certificateSource === 'secret'`, see {@link needsPrivateKeys}).
   */
  keepPrivateKeys?: boolean;
}

/**
 * What of an object Portico keeps, wherever it enters (the forwarder before sending, ingest before
 * enqueueing, record before storing): never `metadata.managedFields` nor the last-applied
 * annotation (big, nothing Portico reads, and on a Secret a copy of its data). Secrets: TLS Secrets
 * keep only `tls.crt` and `ca.crt` (and `tls.key` when `keepPrivateKeys` is set); any other Secret
 * keeps only its metadata and type (`data` and `stringData` are dropped: no provider reads them).
 * Pods keep only what the readiness-probe health checks and readiness gates read (events/trim-pod.ts). Returns a new object; the input is left alone.
 */
export function sanitizeObject<T extends ClusterObject>(object: T, options: SanitizeOptions = {}): T {
  if (object.kind === 'Pod') return trimPod(object) as T;
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
  if (object.type !== TLS_SECRET_TYPE) return out as T;
  const keep = options.keepPrivateKeys ? ['tls.crt', 'ca.crt', 'tls.key'] : ['tls.crt', 'ca.crt'];
  const data = (object.data ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const k of keep) if (typeof data[k] === 'string') kept[k] = data[k];
  out.data = kept;
  return out as T;
}

/**
 * Whether private keys must be kept for these providers: only when one of them takes its
 * certificates from Secrets (HAProxy terminates TLS with the Secret's key); providers that reference
 * certificates (aws-elbv2: ACM ARNs from the parameters) need no Secret data at all.
 */
export function needsPrivateKeys(
  providers: readonly { certificateSource: 'secret' | 'reference' }[],
): boolean {
  return providers.some((p) => p.certificateSource === 'secret');
}
