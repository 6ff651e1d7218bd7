import { describe, expect, it } from 'vitest';
import { alignMapEntries, mapEdits } from '#adapters/haproxy/runtime/map-edits.js';
import { seededRandom } from '#test/emulators/fault-patterns.js';

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

describe('mapEdits across a series of versions (the key index kept between calls)', () => {
  type Entries = [string, string][];
  /** What the worker runs after the edits: kept entries in their order, then the adds. */
  const applied = (running: Entries, edits: NonNullable<ReturnType<typeof mapEdits>>): Entries => {
    const set = new Map(edits.set);
    const del = new Set(edits.del);
    return [
      ...running.filter(([k]) => !del.has(k)).map(([k, v]): [string, string] => [k, set.get(k) ?? v]),
      ...edits.add,
    ];
  };

  /** Same key → value, and (prefix) every two keys where one is a prefix of the other in the same order. */
  const looksUpAs = (a: Entries, b: Entries, order: 'any' | 'prefix') => {
    if (JSON.stringify([...a].sort()) !== JSON.stringify([...b].sort())) return false;
    if (order === 'any') return true;
    const at = (list: Entries) => new Map(list.map(([k], i) => [k, i]));
    const inA = at(a);
    const inB = at(b);
    return b.every(([x]) =>
      b.every(
        ([y]) => x === y || !y.startsWith(x) || inA.get(x)! < inA.get(y)! === inB.get(x)! < inB.get(y)!,
      ),
    );
  };

  for (const order of ['any', 'prefix'] as const)
    it(`gives what a fresh computation gives, and the result looks up as wanted (${order})`, () => {
      const next = seededRandom(order === 'any' ? 7 : 11);
      // Keys of a few shapes so that some are prefixes of others (a, a/, a/b...).
      const keyOf = () =>
        ['', 'a', 'a/', 'a/b', 'b', 'b/c', 'c'][Math.floor(next() * 7)] + String(Math.floor(next() * 30));
      let wanted: Entries = [];
      let running: Entries = [];
      let edited = 0;
      for (let step = 0; step < 300; step++) {
        const list = [...wanted];
        const op = next();
        if (op < 0.5 || list.length === 0) {
          const k = keyOf();
          if (!list.some(([x]) => x === k))
            list.splice(Math.floor(next() * (list.length + 1)), 0, [k, `v${step}`]);
        } else if (op < 0.75) list.splice(Math.floor(next() * list.length), 1);
        else {
          const i = Math.floor(next() * list.length);
          list[i] = [list[i]![0], `v${step}`];
        }
        const before = wanted;
        const edits = mapEdits(before, list, order);
        // The same lists as new arrays: nothing cached for them.
        const fresh = mapEdits(
          before.map(([k, v]): [string, string] => [k, v]),
          list.map(([k, v]): [string, string] => [k, v]),
          order,
        );
        expect(edits).toEqual(fresh);
        if (edits) {
          edited++;
          running = applied(running, edits);
          expect(looksUpAs(running, list, order)).toBe(true);
        } else running = list;
        wanted = list;
      }
      expect(edited).toBeGreaterThan(150);
    });
});
