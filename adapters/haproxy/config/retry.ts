// HTTPRoute retries on HAProxy 2.6: `retries` and `retry-on` are backend settings (there is no
// per-request `set-retries` in 2.6), so a route with a retry policy is served by a backend of its own
// for each pool, named from the pool and the policy: routes with the same policy share it.
//
// What HAProxy does (configuration.txt, 2.6): a connection failure, a connection closed before any
// answer and a server timeout are always retried (the IR: connection errors always count), and so is
// each listed status among the fixed set 2.6 knows. A retry goes to the same server unless it is the
// last one (`option redispatch`). Requests larger than one buffer are never retried. There is no
// backoff: a retry after an answer is immediate; after a connection failure HAProxy waits
// min(timeout connect, 1 s). A route's backoff is therefore left out with a warning.

import type * as ir from '#core/ir/load-balancer.js';
import { haproxyId } from '#core/naming/haproxy-id.js';
import type { BackendRetry } from '../model.js';
import { integer } from './escape.js';
import { atField, FieldError } from './field-error.js';

/** The statuses HAProxy 2.6's retry-on accepts. */
export const RETRYABLE_STATUSES: readonly number[] = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504];

/** Failures that are always retried: the request could not be sent, got no answer, or timed out. */
const CONNECTION_ERRORS = ['conn-failure', 'empty-response', 'response-timeout'];

/** A status HAProxy cannot retry on: the route is refused rather than retried differently. */
export class UnsupportedRetryError extends FieldError {
  override readonly name = 'UnsupportedRetryError';
}

/** The backend settings for a route's retry policy; throws FieldError for what 2.6 cannot do. */
export function backendRetry(retry: ir.Retry): BackendRetry {
  const retries = Number(atField('retry.attempts', () => integer(retry.attempts, 1, 100, 'retry attempts')));
  const codes = [...new Set(retry.codes)].sort((a, b) => a - b);
  const unsupported = codes.filter((c) => !RETRYABLE_STATUSES.includes(c));
  if (unsupported.length > 0)
    throw new UnsupportedRetryError(
      'retry.codes',
      'retry',
      `HAProxy 2.6 retries only on statuses ${RETRYABLE_STATUSES.join(', ')}; not on ${unsupported.join(', ')}`,
    );
  return { retries, on: [...CONNECTION_ERRORS, ...codes.map(String)] };
}

/** Why a route's backoff is not applied, when it has one. */
export function backoffWarning(retry: ir.Retry): string | undefined {
  if (retry.backoffMs === undefined) return undefined;
  return `retry backoff ${retry.backoffMs} ms is not applied: HAProxy 2.6 retries an answered request at once (a failed connection after min(timeout connect, 1 s))`;
}

/** The backend of `pool` for routes with this retry policy. */
export function retryBackendName(lbKey: string, pool: string, retry: BackendRetry): string {
  return haproxyId([lbKey, pool, `retry${retry.retries}`], { prefix: 'be', hidden: ['http', ...retry.on] });
}

/** Backend lines; none without a policy (the defaults section's connection retries apply). */
export function retryLines(retry: BackendRetry | undefined): string[] {
  if (!retry) return [];
  return [`retries ${integer(retry.retries, 1, 100, 'retries')}`, `retry-on ${retry.on.join(' ')}`];
}
