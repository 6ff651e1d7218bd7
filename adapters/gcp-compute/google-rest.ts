// JSON over REST to the Google APIs that have no Node client the adapter can use (Network Services,
// and the like): the same authentication and endpoint settings as the Compute clients
// (GcpClientOptions), the adapter's retries and error vocabulary, and the google.longrunning
// Operation those APIs answer mutations with, polled until done. google-auth-library is imported on
// first use, as the Compute transport is.
//
//   const rest = googleRest(clientOptions);
//   const op = await rest.call(calls, { service: 'networkservices', method: 'POST', path, body });
//   await rest.awaitOperation(calls, 'networkservices', op);

import type { AuthClient } from 'google-auth-library';
import { RetryableError, ThrottledError, throwIfAborted } from '../types.js';
import { backoff, type GcpCalls, type Json, sleep, untilAborted } from './internal/calls.js';
import type { GcpClientOptions } from './internal/clients.js';
import { mapComputeError, operationError, TransientError } from './internal/errors.js';

/** A google.longrunning.Operation. */
export interface LongRunningOperation {
  name?: string;
  done?: boolean;
  error?: { code?: number; message?: string; status?: string };
  response?: Json;
}

export interface GoogleRestRequest {
  /** The API's host name before `.googleapis.com`: `networkservices`. */
  service: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** After the host: `/v1/projects/p/locations/global/serviceLbPolicies/x`. */
  path: string;
  query?: Record<string, string>;
  body?: Json;
}

/** Polls of one operation before giving up; the wait between polls doubles from 200 ms up to 5 s. */
export const MAX_POLLS = 60;

export interface GoogleRest {
  /** One call with the adapter's retries; a 404 is NotFoundError, like Compute's. */
  call<T = Json>(ctx: GcpCalls, request: GoogleRestRequest): Promise<T>;
  /** Polls `GET /v1/<operation name>` until done; an operation that ends in error throws. */
  awaitOperation(ctx: GcpCalls, service: string, op: LongRunningOperation, what: string): Promise<Json>;
}

/** The production scope of the Compute clients: Cloud Platform covers every Google API. */
const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export function googleRest(opts: GcpClientOptions): GoogleRest {
  let auth: Promise<AuthClient> | undefined;
  const authClient = (): Promise<AuthClient> => {
    auth ??= opts.authClient
      ? Promise.resolve(opts.authClient)
      : import('google-auth-library').then(({ GoogleAuth }) =>
          new GoogleAuth({ scopes: SCOPES }).getClient(),
        );
    return auth;
  };
  // An emulator (apiEndpoint set) serves every API on one host; otherwise each API has its own.
  const base = (service: string) =>
    opts.apiEndpoint !== undefined
      ? `${opts.protocol ?? 'https'}://${opts.apiEndpoint}${opts.port !== undefined ? `:${opts.port}` : ''}`
      : `https://${service}.googleapis.com`;

  async function call<T>(ctx: GcpCalls, r: GoogleRestRequest): Promise<T> {
    const url = `${base(r.service)}${r.path}${r.query ? `?${new URLSearchParams(r.query)}` : ''}`;
    const what = `${r.service} ${r.method} ${r.path}`;
    const client = await authClient();
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(ctx.signal);
      try {
        const res = await untilAborted(
          ctx.signal,
          client.request<T>({
            url,
            method: r.method,
            responseType: 'json',
            retry: false,
            signal: ctx.signal,
            ...(r.body !== undefined ? { data: r.body } : {}),
          }),
        );
        return res.data;
      } catch (err) {
        const e = mapComputeError(asGaxError(err), ctx.signal, what);
        if (!(e instanceof ThrottledError || e instanceof TransientError) || attempt >= ctx.retry.attempts)
          throw e;
        await sleep(backoff(ctx.retry, attempt, e.retryAfterMs), ctx.signal);
      }
    }
  }

  return {
    call,
    async awaitOperation(ctx, service, first, what) {
      let op = first;
      for (let polls = 0; op.done !== true; polls++) {
        if (!op.name) throw new RetryableError(`${what}: the answer names no operation`);
        if (polls >= MAX_POLLS)
          throw new RetryableError(
            `${what}: operation ${op.name} is not done after ${MAX_POLLS} polls; the next reconcile observes its result`,
          );
        await sleep(Math.min(5_000, 200 * 2 ** polls), ctx.signal);
        op = await call<LongRunningOperation>(ctx, { service, method: 'GET', path: `/v1/${op.name}` });
      }
      if (op.error)
        throw operationError(
          {
            httpErrorStatusCode: httpStatusOf(op.error.code),
            error: { errors: [{ code: op.error.status ?? null, message: op.error.message ?? null }] },
          },
          what,
        );
      return op.response ?? {};
    },
  };
}

/** A gaxios error as the Compute error mapping reads one: HTTP status, message, ErrorInfo reason. */
function asGaxError(err: unknown): unknown {
  const response = (err as { response?: { status?: number; data?: unknown } } | undefined)?.response;
  if (!response || typeof response.status !== 'number') return err;
  const body = (response.data as { error?: { message?: string; details?: Json[] } } | undefined)?.error;
  const reason = body?.details?.find((d) => String(d['@type']).endsWith('google.rpc.ErrorInfo'))?.reason;
  return {
    httpStatusCode: response.status,
    message: body?.message ?? (err as Error).message,
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** google.rpc.Code → HTTP status, for the codes operations end with. */
function httpStatusOf(code: number | undefined): number {
  const map: Record<number, number> = { 3: 400, 5: 404, 6: 409, 8: 429, 9: 400, 13: 500, 14: 503 };
  return code !== undefined ? (map[code] ?? 0) : 0;
}
