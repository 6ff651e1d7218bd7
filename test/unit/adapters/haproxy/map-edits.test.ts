import { describe, expect, it } from 'vitest';
import { alignMapEntries, mapEdits } from '#adapters/haproxy/runtime/map-edits.js';

describe('mapEdits', () => {
  it('turns an exact map into per-entry adds, sets and deletes', () => {
    const running = [
      ['a.test', 'v_a'],
      ['b.test', 'v_b'],
      ['c.test', 'v_c'],
    ] as const;
    const wanted = [
      ['a.test', 'v_a'],
      ['b.test', 'v_x'],
      ['d.test', 'v_d'],
    ] as const;
    expect(mapEdits(running, wanted, 'any')).toEqual({
      add: [['d.test', 'v_d']],
      set: [['b.test', 'v_x']],
      del: ['c.test'],
    });
  });

  it('appends to a prefix map only when no key is a prefix of another that the order could flip', () => {
    const running = [['v1/api/', 'be_a']] as const;
    // Unrelated key: appending looks up the same as the sorted file.
    expect(mapEdits(running, [['v0/x/', 'be_b'], ...running], 'prefix')).toEqual({
      add: [['v0/x/', 'be_b']],
      set: [],
      del: [],
    });
    // v1/api/v2/ must come before v1/api/ (first match wins): appended it would never match.
    expect(mapEdits(running, [['v1/api/v2/', 'be_b'], ...running], 'prefix')).toBeUndefined();
    // The other way round (the longer key first, the shorter one added after it) keeps the order.
    expect(
      mapEdits(
        [['v1/api/v2/', 'be_b']],
        [
          ['v1/api/v2/', 'be_b'],
          ['v1/api/', 'be_a'],
        ],
        'prefix',
      ),
    ).toEqual({ add: [['v1/api/', 'be_a']], set: [], del: [] });
  });

  it('replaces whole where order decides (regex), keys repeat, or a key would need escaping', () => {
    expect(mapEdits([['^a$', 'x']], [['^b$', 'y']], 'first-match')).toBeUndefined();
    expect(
      mapEdits(
        [['k', 'x']],
        [
          ['k', 'x'],
          ['k', 'y'],
        ],
        'any',
      ),
    ).toBeUndefined();
    expect(mapEdits([['k;show', 'x']], [], 'any')).toBeUndefined();
    expect(mapEdits([['k\\', 'x']], [['k\\', 'y']], 'any')).toBeUndefined();
  });
});

describe('alignMapEntries', () => {
  it('reports running entries in the wanted order when lookups cannot tell them apart', () => {
    const wanted = [
      ['a', '1'],
      ['b', '2'],
    ] as [string, string][];
    const running = [
      ['b', '2'],
      ['a', '1'],
    ] as [string, string][];
    expect(alignMapEntries(running, wanted, 'any')).toBe(wanted);
    expect(alignMapEntries(running, wanted, 'prefix')).toBe(wanted);
    expect(alignMapEntries(running, wanted, 'first-match')).toBe(running);
    // Related prefixes in the other order look up differently: that is drift.
    const shadowing = [
      ['x/', '1'],
      ['x/y/', '2'],
    ] as [string, string][];
    expect(alignMapEntries(shadowing, [shadowing[1]!, shadowing[0]!], 'prefix')).toBe(shadowing);
    // A different value is drift too.
    expect(
      alignMapEntries(
        [
          ['a', '9'],
          ['b', '2'],
        ],
        wanted,
        'any',
      ),
    ).not.toBe(wanted);
  });
});
