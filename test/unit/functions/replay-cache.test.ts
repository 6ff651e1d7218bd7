import { describe, expect, it } from 'vitest';
import { MemoryReplayCache } from '#functions/shared/replay-cache.js';

const T = 1_795_683_602;

describe('MemoryReplayCache', () => {
  it('accepts a signature once, until it expires; forget allows a retry', async () => {
    let now = T;
    const cache = new MemoryReplayCache({ now: () => now });
    expect(await cache.remember('sig', T + 300)).toBe(true);
    expect(await cache.remember('sig', T + 300)).toBe(false);
    await cache.forget('sig');
    expect(await cache.remember('sig', T + 300)).toBe(true);
    now = T + 301;
    expect(await cache.remember('sig', now + 300)).toBe(true);
  });

  it('stays bounded', async () => {
    const cache = new MemoryReplayCache({ now: () => T, maxEntries: 10 });
    for (let i = 0; i < 100; i++) await cache.remember(`s${i}`, T + 300);
    expect(cache.size).toBeLessThanOrEqual(10);
  });
});
