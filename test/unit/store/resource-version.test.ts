import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareResourceVersions,
  decideDelete,
  decidePut,
  resourceVersionKey,
} from '#functions/store/resource-version.js';

describe('resourceVersion ordering', () => {
  it('orders decimal versions numerically, whatever their length or leading zeros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.bigInt({ min: 0n, max: 2n ** 70n }), (a, b) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(compareResourceVersions(a.toString(), b.toString())).toBe(expected);
        const ka = resourceVersionKey(a.toString())!;
        const kb = resourceVersionKey(`000${b}`)!;
        expect(ka < kb ? -1 : ka > kb ? 1 : 0).toBe(expected);
      }),
    );
  });

  it('treats different opaque versions as incomparable, equal ones as equal', () => {
    expect(compareResourceVersions('abc', 'abd')).toBeUndefined();
    expect(compareResourceVersions('12', 'x12')).toBeUndefined();
    expect(compareResourceVersions('abc', 'abc')).toBe(0);
    expect(resourceVersionKey('12a')).toBeUndefined();
  });

  it('decides puts and deletes against live objects and tombstones', () => {
    const live = { resourceVersion: '10', uid: 'u', deleted: false };
    const gone = { resourceVersion: '10', uid: 'u', deleted: true };
    const at = (rv: string, uid?: string) => ({ resourceVersion: rv, uid, deleted: false });
    expect(decidePut(undefined, at('1'))).toBe('accept');
    expect(decidePut(live, at('11'))).toBe('accept');
    expect(decidePut(live, at('10'))).toBe('duplicate');
    expect(decidePut(live, at('9'))).toBe('stale');
    expect(decidePut(live, at('opaque'))).toBe('accept');
    expect(decidePut(gone, at('9'))).toBe('deleted');
    expect(decidePut(gone, at('10'))).toBe('deleted');
    expect(decidePut(gone, at('11', 'u'))).toBe('deleted');
    expect(decidePut(gone, at('11', 'v'))).toBe('accept');
    expect(decideDelete(undefined, at('1'))).toBe('accept');
    expect(decideDelete(live, at('10'))).toBe('accept');
    expect(decideDelete(live, at('9'))).toBe('stale');
    expect(decideDelete(gone, at('10'))).toBe('duplicate');
    expect(decideDelete(gone, at('12'))).toBe('accept');
  });
});
