// One SDK call at a time: the AbortSignal is checked before each call and handed to the SDK, and
// AWS errors are mapped onto the adapter error vocabulary (adapters/types.ts).

import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AbortedError,
  ConflictError,
  InvalidConfigError,
  QuotaExceededError,
  RetryableError,
  ThrottledError,
  throwIfAborted,
} from '../../types.js';

// biome-ignore lint/suspicious/noExplicitAny: SDK commands share no useful common type
type AnyCommand = any;

export interface Elbv2Calls {
  readonly client: ElasticLoadBalancingV2Client;
  readonly signal: AbortSignal;
}

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

export function errorCode(err: unknown): string {
  const e = err as AwsError;
  return e?.Code ?? e?.name ?? '';
}

/** Send one command; errors are mapped, except codes in `pass` which are rethrown as they are. */
export async function send<O>(ctx: Elbv2Calls, command: AnyCommand, address?: string): Promise<O> {
  throwIfAborted(ctx.signal);
  try {
    return (await ctx.client.send(command, { abortSignal: ctx.signal })) as O;
  } catch (err) {
    throw mapError(err, ctx.signal, address);
  }
}

/** Like send, but `undefined` when the error code is one of `absent` (NotFound answers). */
export async function sendOrAbsent<O>(
  ctx: Elbv2Calls,
  command: AnyCommand,
  absent: readonly string[],
): Promise<O | undefined> {
  throwIfAborted(ctx.signal);
  try {
    return (await ctx.client.send(command, { abortSignal: ctx.signal })) as O;
  } catch (err) {
    if (absent.includes(errorCode(err))) return undefined;
    throw mapError(err, ctx.signal);
  }
}

/** S3 answers (the trust store's CA bundle upload) that another try does not fix: the bucket setting is wrong. */
const S3_CONFIG_ERRORS = [
  'NoSuchBucket',
  'AccessDenied',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
];

export function mapError(err: unknown, signal: AbortSignal, address?: string): Error {
  if (signal.aborted) return new AbortedError('aborted', { cause: signal.reason });
  if (
    err instanceof AbortedError ||
    err instanceof RetryableError ||
    err instanceof QuotaExceededError ||
    err instanceof InvalidConfigError ||
    err instanceof ConflictError
  )
    return err;
  const e = err as AwsError;
  const code = errorCode(err);
  const message = `${code || 'error'}: ${e?.message ?? String(err)}`;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (code === 'AbortError') return new AbortedError('aborted', { cause: err });
  if (code === 'Throttling' || code === 'ThrottlingException' || code === 'RequestLimitExceeded')
    return new ThrottledError(message, { cause: err });
  if (status >= 500 || e?.$fault === 'server' || code === 'InternalFailure' || code === 'ServiceUnavailable')
    return new RetryableError(message, { cause: err });
  if (code.startsWith('TooMany')) return new QuotaExceededError(message, code);
  if (code === 'PriorityInUse' || code.startsWith('Duplicate') || code.endsWith('InUse'))
    return new ConflictError(message, address);
  if (
    code === 'ValidationError' ||
    code.startsWith('Invalid') ||
    code === 'OperationNotPermitted' ||
    S3_CONFIG_ERRORS.includes(code)
  )
    return new InvalidConfigError(message, address);
  if (code.endsWith('NotFound')) return new ConflictError(message, address);
  // Network errors and anything else unknown: worth another try.
  return new RetryableError(message, { cause: err });
}

/** Split into chunks of n (DescribeTags and AddTags take 20 ARNs). */
export function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** Page size of the Marker-paged Describe calls (the API's maximum). */
export const PAGE = 400;

/**
 * All pages of a Marker-paged Describe call, appended to `out`: when a page fails, `out` still
 * holds the items of the pages before it.
 */
export async function allPages<O extends { NextMarker?: string | undefined }, T>(
  fetch: (marker: string | undefined) => Promise<O>,
  items: (o: O) => T[] | undefined,
  out: T[] = [],
): Promise<T[]> {
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...(items(page) ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}
