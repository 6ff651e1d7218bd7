// JSON over REST to the Google APIs that have no Node client the adapter can use (Certificate
// Manager, Network Security, Network Services): google-auth-library's `request()` (the transport and
// credentials the Compute clients use), aimed where the Compute clients are (clients.ts
// GcpClientOptions: an emulator's 127.0.0.1 stands for every API). A call is retried as a Compute
// call is (calls.ts retried()), its errors mapped like Compute's (errors.ts); a mutation's
// google.longrunning Operation is polled to its end by awaitOperation. google-auth-library is imported on the first call.
//
//   const op = await restCall(ctx, { host, method: 'POST', path, query, body }, what);
//   await awaitOperation(ctx, host, op, what);

import type { AuthClient } from 'google-auth-library';
import { RetryableError } from '../../types.js';
import { type GcpCalls, type Json, retried, sleep } from './calls.js';
import type { GcpClientOptions } from './clients.js';
import { AlreadyExistsError, operationError } from './errors.js';

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

/** The production scope of the Compute clients: Cloud Platform covers every Google API. */
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
    // An emulator (apiEndpoint set) serves every API on one host; otherwise each API has its own.
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

/** A REST call with invoke()'s retries; errors in the adapter's vocabulary (`what` names the call). */
export function restCall(ctx: GcpCalls, request: GoogleRestRequest, what: string): Promise<Json> {
  return retried(ctx, what, () => ctx.clients.rest(request, ctx.signal), asGaxError);
}

/** A google.longrunning.Operation. */
interface LongRunningOperation {
  name?: string;
  done?: boolean;
  error?: { code?: number; message?: string; status?: string };
  response?: Json;
}

/** Polls of one operation before giving up, and the longest pause between two. */
export const MAX_OPERATION_POLLS = 60;
const MAX_POLL_DELAY_MS = 5_000;

/**
 * Polls `GET /v1/<operation name>` on `host` until the operation is done; its `response`. An
 * operation that ended in error throws (AlreadyExistsError for ALREADY_EXISTS, so a create can adopt).
 */
export async function awaitOperation(ctx: GcpCalls, host: string, first: Json, what: string): Promise<Json> {
  let op = first as LongRunningOperation;
  for (let polls = 0; op.done !== true; polls++) {
    if (
      typeof op.name !== 'string' ||
      !/^projects\/[^/]+\/locations\/[^/]+\/operations\/[^/]+$/.test(op.name)
    )
      throw new RetryableError(`${what}: the answer names no operation`);
    if (polls >= MAX_OPERATION_POLLS)
      throw new RetryableError(
        `${what}: operation ${op.name} is not done after ${MAX_OPERATION_POLLS} polls; the next reconcile observes its result`,
      );
    await sleep(Math.min(MAX_POLL_DELAY_MS, 50 * 2 ** polls), ctx.signal);
    op = (await restCall(ctx, { host, method: 'GET', path: `/v1/${op.name}` }, what)) as LongRunningOperation;
  }
  if (op.error) {
    const status = op.error.status ?? '';
    if (status === 'ALREADY_EXISTS' || op.error.code === 6)
      throw new AlreadyExistsError(`${what}: ${op.error.message ?? ''}`);
    throw operationError(
      {
        httpErrorStatusCode: httpStatusOf(op.error.code),
        error: { errors: [{ code: status || String(op.error.code ?? ''), message: op.error.message ?? '' }] },
      },
      what,
    );
  }
  return op.response ?? {};
}

/** google.rpc.Code → HTTP status, for the codes operations end with (0: unknown). */
function httpStatusOf(code: number | undefined): number {
  const map: Record<number, number> = { 3: 400, 5: 404, 6: 409, 8: 429, 9: 400, 13: 500, 14: 503 };
  return code !== undefined ? (map[code] ?? 0) : 0;
}

interface RestError {
  status?: number;
  response?: { status?: number; data?: unknown };
  message?: string;
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
