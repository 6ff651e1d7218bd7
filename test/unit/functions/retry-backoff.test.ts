import { describe, expect, it } from 'vitest';
import { retryBackoffSeconds } from '#functions/queue/retry-delay.js';

describe('retryBackoffSeconds', () => {
  const exact = { jitter: 0 };

  it('doubles from the base with each receive, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryBackoffSeconds(n, exact))).toEqual([10, 20, 40, 80, 160]);
    expect(retryBackoffSeconds(8, exact)).toBe(900);
    expect(retryBackoffSeconds(1_000, exact)).toBe(900);
    expect(retryBackoffSeconds(3, { baseSeconds: 1, maxSeconds: 3, jitter: 0 })).toBe(3);
  });

  it('takes at most the jitter share off', () => {
    expect(retryBackoffSeconds(2, { jitter: 0.5, random: () => 1 })).toBe(10);
    expect(retryBackoffSeconds(2, { jitter: 0.5, random: () => 0 })).toBe(20);
  });

  it('treats a missing or malformed receive count as the first receive', () => {
    expect(retryBackoffSeconds(Number.NaN, exact)).toBe(10);
    expect(retryBackoffSeconds(0, exact)).toBe(10);
    expect(retryBackoffSeconds(-3, exact)).toBe(10);
  });
});
