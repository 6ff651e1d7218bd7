import type { SQSRecord } from 'aws-lambda';

/**
 * Holds a failed queue message back before its next delivery (port). Lambda's SQS event source
 * retries a failed record when its visibility timeout ends, always after the same time; changing
 * that timeout per failure turns the retries into a backoff before the dead-letter queue.
 */
export interface RetryDelay {
  delay(record: SQSRecord, seconds: number, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface BackoffOptions {
  /** The delay after the first failure (default 10 s). */
  baseSeconds?: number;
  /** The longest delay (default 15 minutes; SQS allows up to 12 hours). */
  maxSeconds?: number;
  /** 0..1: a random share taken off each delay, so that retries of many keys spread out (default 0.2). */
  jitter?: number;
  random?: () => number;
}

/** base × 2^(receives − 1), capped, minus up to `jitter` of it: 10 s, 20 s, 40 s, … 900 s. */
export function retryBackoffSeconds(receiveCount: number, options: BackoffOptions = {}): number {
  const base = options.baseSeconds ?? 10;
  const max = options.maxSeconds ?? 900;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const n = Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  const full = Math.min(max, base * 2 ** Math.min(n - 1, 30));
  const random = options.random ?? Math.random;
  return Math.max(0, Math.round(full * (1 - jitter * random())));
}
