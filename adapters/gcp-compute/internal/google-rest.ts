// JSON-over-REST calls to Google Cloud APIs that @google-cloud/compute does not cover (Certificate
// Manager, Network Security): google-auth-library's `request()` (the transport and credentials the
// Compute clients use), aimed where the Compute clients are (clients.ts GcpClientOptions: an
// emulator's 127.0.0.1 stands for every API). Errors are mapped like Compute's (errors.ts), and a
// call is retried like invoke() (calls.ts). google-auth-library is imported on the first call.

import type { AuthClient } from 'google-auth-library';
import { ThrottledError, throwIfAborted } from '../../types.js';
import { backoff, type GcpCalls, type Json, sleep, untilAborted } from './calls.js';
import type { GcpClientOptions } from './clients.js';
import { mapComputeError, TransientError } from './errors.js';

export interface GoogleRestRequest {
  /** The API's host in production: `certificatemanager.googleapis.com`. */
  host: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `/v1/projects/p/locations/global/trustConfigs/x`. */
  path: string;
  query?: Record<string, string>;
  body?: Json;
}

/** Sends one request; the JSON answer. */
export type GoogleRest = (request: GoogleRestRequest, signal: AbortSignal) => Promise<Json>;

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export function createGoogleRest(opts: GcpClientOptions): GoogleRest {
  let auth: Promise<Pick<AuthClient, 'request'>> | undefined;
  const client = () => {
    auth ??= opts.authClient
      ? Promise.resolve(opts.authClient)
      : import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: SCOPES }));
    return auth;
  };
  return async (r, signal) => {
    const host = opts.apiEndpoint ?? r.host;
    const origin = `${opts.protocol ?? 'https'}://${host}${opts.port !== undefined ? `:${opts.port}` : ''}`;
    const url = new URL(r.path, origin);
    for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
    const answer = await (await client()).request<Json>({
      url: url.toString(),
      method: r.method,
      ...(r.body !== undefined ? { data: r.body } : {}),
      responseType: 'json',
      retry: false,
      signal,
    });
    return answer.data ?? {};
  };
}

interface RestError {
  status?: number;
  response?: { status?: number; data?: unknown };
  message?: string;
}

/** A REST call with invoke()'s retries; errors in the adapter's vocabulary (`what` names the call). */
export async function restCall(ctx: GcpCalls, request: GoogleRestRequest, what: string): Promise<Json> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(ctx.signal);
    try {
      return await untilAborted(ctx.signal, ctx.clients.rest(request, ctx.signal));
    } catch (err) {
      const e = mapComputeError(asGaxError(err), ctx.signal, what);
      if (!(e instanceof ThrottledError || e instanceof TransientError) || attempt >= ctx.retry.attempts)
        throw e;
      await sleep(backoff(ctx.retry, attempt, e.retryAfterMs), ctx.signal);
    }
  }
}

/** A gaxios error in the shape mapComputeError reads: the status and the body's message and status. */
function asGaxError(err: unknown): unknown {
  const e = err as RestError | undefined;
  const status = e?.response?.status ?? e?.status;
  if (typeof status !== 'number') return err;
  const body = (
    e?.response?.data as
      | { error?: { message?: string; status?: string; details?: { reason?: string }[] } }
      | undefined
  )?.error;
  // google.rpc.ErrorInfo's reason (SERVICE_DISABLED, RATE_LIMIT_EXCEEDED) says more than the status.
  const info = body?.details?.find((d) => typeof d.reason === 'string')?.reason;
  return {
    httpStatusCode: status,
    message: `${body?.message ?? e?.message ?? `HTTP ${status}`}${info ? ` (${info})` : ''}`,
    reason: info ?? body?.status ?? '',
  };
}
