// Compute API errors in the adapter's vocabulary (adapters/types.ts). google-gax turns an HTTP error
// into a GoogleError with `httpStatusCode` and the message of GCP's body; the body's `errors[].reason`
// is not kept, only a google.rpc.ErrorInfo reason (`RATE_LIMIT_EXCEEDED`), so the status, that reason
// and the message are what tell errors apart.

import {
  AbortedError,
  ConflictError,
  InvalidConfigError,
  NotOwnedError,
  QuotaExceededError,
  RetryableError,
  ThrottledError,
} from '../../types.js';

/** A transient failure (5xx, network): the call is retried in place. */
export class TransientError extends RetryableError {
  override readonly name: string = 'TransientError';
}

/** The resource changed since it was observed (HTTP 412): re-observe and re-plan, never retried in place. */
export class StaleFingerprintError extends RetryableError {
  override readonly name: string = 'StaleFingerprintError';
}

/** 404: callers decide what absence means (a get: not there; a delete: done). */
export class NotFoundError extends ConflictError {
  override readonly name: string = 'NotFoundError';
}

/** 409 on an insert: the name is taken (adopted only when it carries this load balancer's marker). */
export class AlreadyExistsError extends ConflictError {
  override readonly name: string = 'AlreadyExistsError';
}

interface GaxError {
  httpStatusCode?: number;
  code?: number | string;
  reason?: string;
  message?: string;
}

const RATE_LIMIT = /rate ?limit|RATE_LIMIT_EXCEEDED|Queries per/i;

/** One failed call as an adapter error; `what` names it (`urlMaps.insert web-80`). */
export function mapComputeError(err: unknown, signal: AbortSignal, what: string): Error {
  if (signal.aborted) return new AbortedError('aborted', { cause: signal.reason });
  if (
    err instanceof AbortedError ||
    err instanceof RetryableError ||
    err instanceof ConflictError ||
    err instanceof InvalidConfigError ||
    err instanceof QuotaExceededError ||
    err instanceof NotOwnedError
  )
    return err;
  const e = (err ?? {}) as GaxError;
  const status = typeof e.httpStatusCode === 'number' ? e.httpStatusCode : 0;
  const text = `${what}: ${status ? `HTTP ${status}: ` : ''}${e.message ?? String(err)}`;
  const reason = e.reason ?? '';
  if (status === 429 || RATE_LIMIT.test(reason) || (status === 403 && RATE_LIMIT.test(e.message ?? '')))
    return new ThrottledError(text, { cause: err });
  if (status >= 500) return new TransientError(text, { cause: err });
  if (status === 412)
    return new StaleFingerprintError(
      `${text} (the resource changed since it was observed: the next reconcile observes it again)`,
      { cause: err },
    );
  if (status === 404) return new NotFoundError(text);
  if (status === 409) return new AlreadyExistsError(text);
  if (status === 403 && /quota/i.test(e.message ?? '')) return new QuotaExceededError(text);
  if (status === 400 && /already being used by|resourceInUseByAnotherResource/i.test(e.message ?? ''))
    return new RetryableError(
      `${text} (in use by a resource outside this plan, or not yet released: retried on the next reconcile)`,
      { cause: err },
    );
  if (status === 400 && /not ready/i.test(e.message ?? '')) return new TransientError(text, { cause: err });
  // Certificate Manager and Network Security: a resource still referenced (a trust config in use).
  if (status === 400 && reason === 'FAILED_PRECONDITION')
    return new RetryableError(`${text} (in use, or not yet released: retried on the next reconcile)`, {
      cause: err,
    });
  // An endpoint attached or detached by someone else since observe: observe again.
  if (status === 400 && /is already attached|is not attached/i.test(e.message ?? ''))
    return new ConflictError(`${text} (the NEG changed since it was observed)`);
  if (status === 400 || status === 403) return new InvalidConfigError(text);
  // No HTTP status: the connection failed, or gax gave up (DEADLINE_EXCEEDED, UNAVAILABLE).
  return new TransientError(text, { cause: err });
}

/** An operation that finished with `error`: the change did not happen (GCP rolls it back). */
export function operationError(
  op: {
    httpErrorStatusCode?: number | null;
    error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
  },
  what: string,
): Error {
  const first = op.error?.errors?.[0];
  const code = first?.code ?? 'UNKNOWN';
  const status = op.httpErrorStatusCode ?? 0;
  const text = `${what}: the operation failed: ${code}: ${first?.message ?? ''}`;
  if (/RATE_LIMIT/.test(code)) return new ThrottledError(text);
  if (/QUOTA/.test(code)) return new QuotaExceededError(text, code);
  if (status >= 500 || /INTERNAL|UNAVAILABLE|NOT_READY|TIMEOUT|IN_USE/.test(code))
    return new TransientError(text);
  if (/ALREADY_EXISTS/.test(code)) return new AlreadyExistsError(text);
  return new InvalidConfigError(text);
}
