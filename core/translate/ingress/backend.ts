import type { Action, BackendBucket, BackendPool } from '#core/ir/load-balancer.js';
import type { Ingress, IngressBackend } from '#core/model/ingress.js';
import { resolveServicePool } from '../backend/service-pool.js';
import { isStorageBucketRef, resolveStorageBucket } from '../backend/storage-bucket.js';
import type { TranslateContext } from '../context.js';
import type { Notice } from '../notice.js';
import { ingressSource, namespaceOf } from './ingress-object.js';

export interface TranslatedBackend {
  action: Action;
  pool?: BackendPool;
  /** A StorageBucket `resource` backend (apiGroup portico.dev). */
  bucket?: BackendBucket;
  /** What the backend resolves to: two routes for the same match conflict only when these differ. */
  identity: string;
  /** Held back until the route survives conflict resolution, so that only kept routes report. */
  notices: Notice[];
}

/**
 * An Ingress backend as a route action. Whatever goes wrong, the route keeps its place and answers
 * with an error, so that its requests never fall through to another, less specific route: an
 * unresolvable Service is a backend with pool null (500, like the Gateway API; it may appear later,
 * hence a warning); a StorageBucket `resource` (apiGroup portico.dev) is a bucket backend, resolved in
 * the Ingress's namespace like a Service; any other `resource` names something Portico cannot forward
 * to at all, hence an error and a fixed 503.
 */
export function translateBackend(
  ctx: TranslateContext,
  ingress: Ingress,
  backend: IngressBackend,
  field: string,
): TranslatedBackend {
  const source = ingressSource(ingress);
  const { service, resource } = backend;
  if (service && !resource) {
    // The API requires exactly one of number and name; a number wins if both slipped through.
    const port = service.port?.number ?? service.port?.name;
    const result = resolveServicePool(
      ctx,
      { namespace: namespaceOf(ingress), name: service.name, port },
      'HTTP',
    );
    if (result.ok) {
      return {
        action: forwardTo(result.pool.id),
        pool: result.pool,
        identity: `pool ${result.pool.id}`,
        notices: [],
      };
    }
    return {
      action: forwardTo(null),
      identity: `service ${service.name} port ${port ?? '(none)'}`,
      notices: [
        {
          severity: 'warning',
          code: result.reason,
          source,
          field: `${field}.service`,
          message: `${result.message}; requests for this path are answered with 500`,
        },
      ],
    };
  }
  const unsupported = (message: string): TranslatedBackend => ({
    action: { type: 'fixed-response', statusCode: 503, reason: 'backend not supported' },
    identity: 'unsupported',
    notices: [
      {
        severity: 'error',
        code: 'UnsupportedBackend',
        source,
        field,
        message: `${message}; requests for this path are answered with 503`,
      },
    ],
  });
  if (resource && !service && isStorageBucketRef(resource.apiGroup, resource.kind)) {
    const result = resolveStorageBucket(ctx, { namespace: namespaceOf(ingress), name: resource.name });
    if (result.ok)
      return {
        action: {
          type: 'forward',
          backends: [{ pool: null, bucket: result.bucket.id, weight: 1, filters: [] }],
        },
        bucket: result.bucket,
        identity: `bucket ${result.bucket.id}`,
        notices: [],
      };
    return {
      action: forwardTo(null),
      identity: `bucket ${namespaceOf(ingress)}/${resource.name}`,
      notices: [
        {
          severity: 'warning',
          code: result.reason,
          source,
          field: `${field}.resource`,
          message: `${result.message}; requests for this path are answered with 500`,
        },
      ],
    };
  }
  if (resource && !service) {
    const group = resource.apiGroup ? `${resource.apiGroup}/` : '';
    return unsupported(
      `resource backends (${group}${resource.kind} ${resource.name}) are not supported, only services and portico.dev StorageBuckets`,
    );
  }
  return unsupported('a backend must name exactly one of service and resource');
}

function forwardTo(pool: string | null): Action {
  return { type: 'forward', backends: [{ pool, weight: 1, filters: [] }] };
}
