import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { BundleReads } from '#functions/store/bundle-reads.js';
import type { WalkReads } from '#functions/store/store-view.js';

const key = (name: string) => lbKey('c1', 'Gateway', 'a', name);
const reads = (name: string): WalkReads =>
  new Map([
    ['c1', { objects: [{ kind: 'Gateway', namespace: 'a', name }], referrers: [], into: [], lists: [] }],
  ]);

describe('functions/store: BundleReads', () => {
  it('keeps the read sets of the keys used most recently, up to its limit', () => {
    const cache = new BundleReads(2);
    cache.set(key('a'), reads('a'));
    cache.set(key('b'), reads('b'));
    expect(cache.get(key('a'))).toEqual(reads('a')); // a is now the most recent
    cache.set(key('c'), reads('c'));
    expect(cache.size).toBe(2);
    expect(cache.get(key('b'))).toBeUndefined(); // the least recently used went
    expect(cache.get(key('a'))).toEqual(reads('a'));
    cache.set(key('a'), reads('a2'));
    expect(cache.get(key('a'))).toEqual(reads('a2'));
    cache.delete(key('a'));
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('c'))).toEqual(reads('c'));
  });
});
