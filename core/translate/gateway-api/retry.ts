import type { Retry } from '#core/ir/load-balancer.js';
import type { HTTPRouteRule } from '#core/model/gateway-api.js';
import { parseDurationMs } from './duration.js';

/** Attempts when `retry` leaves them out: the API makes it implementation-specific; one retry is Envoy's default too. */
const DEFAULT_ATTEMPTS = 1;

/**
 * HTTPRoute `retry` (GEP-1731): `attempts: 0` turns retries off; codes are kept sorted and unique;
 * `backoff` is the least time between attempts.
 */
export function translateRetry(
  retry: HTTPRouteRule['retry'],
  field: string,
): { retry?: Retry } | { field: string; message: string } {
  if (!retry) return {};
  const attempts = retry.attempts ?? DEFAULT_ATTEMPTS;
  let backoffMs: number | undefined;
  if (retry.backoff !== undefined) {
    backoffMs = parseDurationMs(retry.backoff);
    if (backoffMs === undefined)
      return { field: `${field}.backoff`, message: 'must be a Gateway API duration such as "100ms"' };
  }
  if (attempts === 0) return {};
  const codes = [...new Set(retry.codes ?? [])].sort((a, b) => a - b);
  return { retry: { attempts, codes, ...(backoffMs ? { backoffMs } : {}) } };
}
