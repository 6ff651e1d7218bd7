import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareFields } from '#core/plan/compare-fields.js';
import { diffPaths, pathCovers, valueAtPath } from '#core/plan/diff-paths.js';

describe('plan: diffPaths', () => {
  it('names the fields that differ, sorted', () => {
    expect(
      diffPaths(
        { port: 80, hc: { path: '/a', interval: 5 }, targets: ['a', 'b'], same: [1] },
        { port: 81, hc: { path: '/b', interval: 5 }, targets: ['a', 'c'], same: [1] },
      ),
    ).toEqual(['hc.path', 'port', 'targets[1]']);
  });

  it('treats a length change as one difference and undefined as absent', () => {
    expect(diffPaths({ t: [1] }, { t: [1, 2] })).toEqual(['t']);
    expect(diffPaths({ a: undefined }, {})).toEqual([]);
    expect(diffPaths({ a: { b: 1 } }, {})).toEqual(['a']);
    expect(diffPaths(1, 2)).toEqual(['']);
  });

  it('quotes keys that are not identifiers, and valueAtPath reads every path back', () => {
    const a = { tags: { 'portico.dev/role': 'x' }, list: [{ k: 1 }] };
    const b = { tags: { 'portico.dev/role': 'y' }, list: [{ k: 2 }] };
    const paths = diffPaths(a, b);
    expect(paths).toEqual(['list[0].k', 'tags["portico.dev/role"]']);
    expect(paths.map((p) => valueAtPath(a, p))).toEqual([1, 'x']);
    expect(valueAtPath(a, 'missing.deeper')).toBeUndefined();
  });

  it('finds no difference between equal values, and every path it reports exists on one side', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(diffPaths(a, structuredClone(a))).toEqual([]);
        for (const p of diffPaths(a, b)) {
          expect(valueAtPath(a, p) !== undefined || valueAtPath(b, p) !== undefined || p === '').toBe(true);
        }
      }),
    );
  });

  it('pathCovers looks both down and up the tree', () => {
    expect(pathCovers('hc', 'hc.path')).toBe(true);
    expect(pathCovers('hc.path', 'hc')).toBe(true);
    expect(pathCovers('targets', 'targets[0]')).toBe(true);
    expect(pathCovers('hc', 'hcx')).toBe(false);
  });
});

describe('plan: compareFields', () => {
  it('is equal, an update, or a replace with the forcing paths', () => {
    expect(compareFields({ a: 1 }, { a: 1 })).toEqual({ equal: true });
    expect(compareFields({ a: 1, b: 1 }, { a: 2, b: 1 }, { replaceOn: ['b'] })).toEqual({
      equal: false,
      paths: ['a'],
      replace: false,
    });
    expect(compareFields({ a: 1, b: 1 }, { a: 2, b: 2 }, { replaceOn: ['b'] })).toEqual({
      equal: false,
      paths: ['a', 'b'],
      replace: true,
      replacePaths: ['b'],
    });
  });

  it('ignores fields that are not Portico’s', () => {
    expect(
      compareFields({ a: 1 }, { a: 1, arn: 'x', status: { s: 1 } }, { ignore: ['arn', 'status'] }),
    ).toEqual({
      equal: true,
    });
  });
});
