// One Compute call at a time, in the adapter's error vocabulary: the AbortSignal is checked before
// each call and ends a call in flight (the library takes no signal, so the answer is left behind),
// rate limits and transient failures are retried in place with jittered exponential backoff, and
// everything else is thrown as it is mapped (internal/errors.ts).

import { AbortedError, ThrottledError, throwIfAborted } from '../../types.js';
import type { ClientName, ComputeClient, GcpClients } from './clients.js';
import { mapComputeError, TransientError } from './errors.js';

export interface RetryPolicy {
  /** Tries per call, the first included (default 5). */
  attempts: number;
  /** The first backoff; each next one doubles, up to maxDelayMs (defaults 200 ms, 10 s). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface GcpCalls {
  readonly clients: GcpClients;
  readonly project: string;
  readonly signal: AbortSignal;
  readonly retry: RetryPolicy;
}

export type Json = Record<string, unknown>;

/**
 * gax retries some idempotent calls on its own (100 ms doubling, for up to 10 minutes): off, so that
 * every retry follows this file's policy and the signal.
 */
const NO_LIBRARY_RETRY = { retry: null };

/** `client.method(request)` with retries; the first element of the library's answer tuple. */
export async function invoke<T = Json>(
  ctx: GcpCalls,
  client: ClientName,
  method: string,
  request: Json,
): Promise<T> {
  const what = `${client}.${method} ${describe(request)}`;
  const c: ComputeClient = ctx.clients[client];
  const answer = await retried(
    ctx,
    what,
    () => c[method]!.call(c, { project: ctx.project, ...request }, NO_LIBRARY_RETRY) as Promise<unknown[]>,
  );
  return answer[0] as T;
}

/**
 * `call()` until it succeeds, with the policy's backoff between tries: rate limits and transient
 * failures are retried, every other error is thrown as mapped. `normalize` first puts a library's
 * error in the shape mapComputeError reads.
 */
export async function retried<T>(
  ctx: GcpCalls,
  what: string,
  call: () => Promise<T>,
  normalize: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(ctx.signal);
    try {
      return await untilAborted(ctx.signal, call());
    } catch (err) {
      const e = mapComputeError(normalize(err), ctx.signal, what);
      if (!(e instanceof ThrottledError || e instanceof TransientError) || attempt >= ctx.retry.attempts)
        throw e;
      await sleep(backoff(ctx.retry, attempt, e.retryAfterMs), ctx.signal);
    }
  }
}

/** Every item of a paged list or aggregated list (`…Async` iterators), retried per page by the library's own loop. */
export async function collect<T>(
  ctx: GcpCalls,
  client: ClientName,
  method: 'listAsync' | 'aggregatedListAsync' | 'listNetworkEndpointsAsync',
  request: Json,
): Promise<T[]> {
  const what = `${client}.${method} ${describe(request)}`;
  const c: ComputeClient = ctx.clients[client];
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(ctx.signal);
    const out: T[] = [];
    try {
      // Async iterators page on their own (autoPaginate off says so, and keeps gax from warning).
      const iterable = c[method]!.call(
        c,
        { project: ctx.project, ...request },
        { ...NO_LIBRARY_RETRY, autoPaginate: false },
      ) as AsyncIterable<T>;
      const iterator = iterable[Symbol.asyncIterator]();
      for (;;) {
        const next = await untilAborted(ctx.signal, iterator.next());
        if (next.done) break;
        out.push(next.value);
      }
      return out;
    } catch (err) {
      const e = mapComputeError(err, ctx.signal, what);
      // A failed page restarts the listing: a list is never returned with a page missing.
      if (!(e instanceof ThrottledError || e instanceof TransientError) || attempt >= ctx.retry.attempts)
        throw e;
      await sleep(backoff(ctx.retry, attempt, e.retryAfterMs), ctx.signal);
    }
  }
}

function describe(request: Json): string {
  return Object.entries(request)
    .filter(([k, v]) => typeof v === 'string' && !k.endsWith('Resource') && k !== 'filter')
    .map(([, v]) => v)
    .join('/');
}

export function backoff(p: RetryPolicy, attempt: number, retryAfterMs: number | undefined): number {
  const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs ?? 0, Math.random() * ceiling);
}

/** The promise, or AbortedError as soon as the signal fires. */
export function untilAborted<T>(signal: AbortSignal, p: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError('aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError('aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return untilAborted(signal, new Promise((r) => setTimeout(r, ms)));
}
