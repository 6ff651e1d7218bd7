import type { BackendPool } from '#core/ir/load-balancer.js';
import { type BackendRef, GATEWAY_GROUP, type RouteKind } from '#core/model/gateway-api.js';
import { type PoolUse, resolveServicePool } from '../backend/service-pool.js';
import type { TranslateContext } from '../context.js';
import { isReferenceAllowed } from './reference-grant.js';

export interface RefProblem {
  reason: 'InvalidKind' | 'RefNotPermitted' | 'BackendNotFound' | 'UnsupportedProtocol';
  message: string;
}

export type BackendRefResult =
  | { pool: BackendPool; problem?: undefined }
  | { pool: null; problem: RefProblem };

/**
 * Resolves one backendRef of a route. Only core Services are supported; anything else is
 * `InvalidKind`. A reference into another namespace needs a ReferenceGrant there.
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
  if (group !== '' || kind !== 'Service') {
    return {
      pool: null,
      problem: {
        reason: 'InvalidKind',
        message: `backend ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Service`,
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
  return result.ok
    ? { pool: result.pool }
    : { pool: null, problem: { reason: result.reason, message: result.message } };
}
