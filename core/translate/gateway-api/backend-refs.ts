import type { BackendBucket, BackendPool } from '#core/ir/load-balancer.js';
import { type BackendRef, GATEWAY_GROUP, type RouteKind } from '#core/model/gateway-api.js';
import { PORTICO_GROUP } from '#core/model/parameters.js';
import { MCS_GROUP, SERVICE_IMPORT_KIND } from '#core/model/service-import.js';
import { STORAGE_BUCKET_KIND } from '#core/model/storage-bucket.js';
import { applyBackendTls, type PolicyUse } from '../backend/backend-tls.js';
import { resolveServiceImportPool } from '../backend/service-import-pool.js';
import { type PoolUse, resolveServicePool } from '../backend/service-pool.js';
import { isStorageBucketRef, resolveStorageBucket } from '../backend/storage-bucket.js';
import type { TranslateContext } from '../context.js';
import { isReferenceAllowed } from './reference-grant.js';

export interface RefProblem {
  reason:
    | 'InvalidKind'
    | 'RefNotPermitted'
    | 'BackendNotFound'
    | 'UnsupportedProtocol'
    | 'InvalidCACertificateRef';
  message: string;
}

export type BackendRefResult = (
  | { pool: BackendPool; bucket?: undefined; problem?: undefined }
  | { pool: null; bucket: BackendBucket; problem?: undefined }
  | { pool: null; bucket?: undefined; problem: RefProblem }
) & {
  /** BackendTLSPolicies involved in the Service port (applied, or conflicting): the Gateway is their ancestor. */
  tlsPolicies?: PolicyUse[];
};

/**
 * Resolves one backendRef of a route: a core Service, a multi-cluster ServiceImport (group
 * multicluster.x-k8s.io, GEP-1748: its endpoints in every cluster of the clusterset), or (for HTTP
 * routes) Portico's StorageBucket (`bucket`, whose `pool` is null); anything else is `InvalidKind`.
 * A reference into another namespace needs a ReferenceGrant there.
 */
export function resolveBackendRef(
  ctx: TranslateContext,
  from: { kind: RouteKind; namespace: string },
  ref: BackendRef,
  use: PoolUse,
): BackendRefResult {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const namespace = ref.namespace ?? from.namespace;
  if (isStorageBucketRef(group, kind)) return resolveBucketRef(ctx, from, { namespace, name: ref.name }, use);
  if (group === MCS_GROUP && kind === SERVICE_IMPORT_KIND)
    return resolveImportRef(ctx, from, { namespace, name: ref.name, port: ref.port }, use);
  if (group !== '' || kind !== 'Service') {
    return {
      pool: null,
      problem: {
        reason: 'InvalidKind',
        message: `backend ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Service or a ${MCS_GROUP} ServiceImport`,
      },
    };
  }
  if (
    !isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: from.kind, namespace: from.namespace },
      { group: '', kind: 'Service', namespace, name: ref.name },
    )
  ) {
    return {
      pool: null,
      problem: {
        reason: 'RefNotPermitted',
        message: `Service ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
      },
    };
  }
  const result = resolveServicePool(ctx, { namespace, name: ref.name, port: ref.port }, use);
  if (!result.ok) return { pool: null, problem: { reason: result.reason, message: result.message } };
  // BackendTLSPolicy is about HTTP(S) and gRPC: TCP and TLS routes carry the bytes as they are.
  if (use !== 'HTTP' && use !== 'GRPC') return { pool: result.pool };
  const tls = applyBackendTls(ctx, result.pool);
  switch (tls.type) {
    case 'none':
      return { pool: result.pool };
    case 'tls':
      return { pool: tls.pool, tlsPolicies: tls.uses };
    case 'invalid':
      return { pool: null, problem: { reason: tls.reason, message: tls.message }, tlsPolicies: tls.uses };
  }
}

/** A ServiceImport: ReferenceGrant rules as for a Service; no BackendTLSPolicy (it targets Services). */
function resolveImportRef(
  ctx: TranslateContext,
  from: { kind: RouteKind; namespace: string },
  ref: { namespace: string; name: string; port: number | undefined },
  use: PoolUse,
): BackendRefResult {
  if (
    !isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: from.kind, namespace: from.namespace },
      { group: MCS_GROUP, kind: SERVICE_IMPORT_KIND, namespace: ref.namespace, name: ref.name },
    )
  ) {
    return {
      pool: null,
      problem: {
        reason: 'RefNotPermitted',
        message: `${SERVICE_IMPORT_KIND} ${ref.namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
      },
    };
  }
  const result = resolveServiceImportPool(ctx, ref, use);
  return result.ok
    ? { pool: result.pool }
    : { pool: null, problem: { reason: result.reason, message: result.message } };
}

function resolveBucketRef(
  ctx: TranslateContext,
  from: { kind: RouteKind; namespace: string },
  ref: { namespace: string; name: string },
  use: PoolUse,
): BackendRefResult {
  const what = `${STORAGE_BUCKET_KIND} ${ref.namespace}/${ref.name}`;
  if (use !== 'HTTP')
    return {
      pool: null,
      problem: {
        reason: 'InvalidKind',
        message: `${what}: a bucket serves HTTP requests only, not ${from.kind}s`,
      },
    };
  if (
    !isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: from.kind, namespace: from.namespace },
      { group: PORTICO_GROUP, kind: STORAGE_BUCKET_KIND, ...ref },
    )
  )
    return {
      pool: null,
      problem: {
        reason: 'RefNotPermitted',
        message: `${what} is in another namespace and no ReferenceGrant allows it`,
      },
    };
  const result = resolveStorageBucket(ctx, ref);
  return result.ok
    ? { pool: null, bucket: result.bucket }
    : { pool: null, problem: { reason: result.reason, message: result.message } };
}
