import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  ConflictError,
  InvalidConfigError,
  isRetryable,
  NotOwnedError,
  QuotaExceededError,
  RetryableError,
  ThrottledError,
  throwIfAborted,
} from '#adapters/types.js';

describe('adapters: error vocabulary', () => {
  it('tells retryable errors from terminal ones', () => {
    expect(isRetryable(new RetryableError('503', { retryAfterMs: 1000 }))).toBe(true);
    expect(isRetryable(new ThrottledError('Rate exceeded'))).toBe(true);
    expect(isRetryable(new ConflictError('in use'))).toBe(true);
    for (const terminal of [
      new NotOwnedError('aws-elbv2/target-group/x'),
      new QuotaExceededError('too many rules', 'rules-per-listener', 100),
      new InvalidConfigError('bad'),
      new AbortedError(),
      new Error('plain'),
      'not even an error',
    ])
      expect(isRetryable(terminal)).toBe(false);
  });

  it('carries names, retry delays and causes', () => {
    const cause = new Error('socket hang up');
    const t = new ThrottledError('slow down', { retryAfterMs: 250, cause });
    expect(t).toBeInstanceOf(RetryableError);
    expect([t.name, t.retryAfterMs, t.cause]).toEqual(['ThrottledError', 250, cause]);
    expect(new NotOwnedError('a/b/c').message).toBe(
      'a/b/c is not owned by this load balancer; Portico leaves it untouched',
    );
    expect(new QuotaExceededError('x', 'q', 5)).toMatchObject({
      name: 'QuotaExceededError',
      quota: 'q',
      limit: 5,
    });
  });

  it('throwIfAborted turns a fired signal into an AbortedError', () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    c.abort(new Error('timeout'));
    expect(() => throwIfAborted(c.signal)).toThrow(AbortedError);
  });
});
