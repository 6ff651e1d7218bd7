import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlainPaths } from '#adapters/haproxy/config/plain-paths.js';
import { mapOrderHolds, type PlainPath } from '#adapters/haproxy/config/route-match.js';

// A virtual host's plain routes indexed route by route (plain-paths.ts) tell what a pass over all of
// them tells: whether the path maps agree with the IR order (mapOrderHolds), and which route wins
// each exact and prefix key (the first in IR order), after any sequence of inserts and removals.

const pathArb = fc.record({
  type: fc.constantFrom('Exact' as const, 'Prefix' as const),
  value: fc.constantFrom('', '/a', '/a/b', '/a/b/c', '/b', '/ab', '/a/bc'),
});
const opArb = fc.oneof(fc.record({ insert: fc.nat(), path: pathArb }), fc.record({ remove: fc.nat() }));

interface Item {
  pos: number;
  id: number;
  path: PlainPath;
}

const keysOf = (p: PlainPath) => ({
  plain: p,
  ...(p.type === 'Exact' || p.value !== '' ? { exactKey: p.value } : {}),
  ...(p.type === 'Prefix' ? { prefixKey: `${p.value}/` } : {}),
});

describe('PlainPaths', () => {
  it('agrees with mapOrderHolds and first-wins keys after any inserts and removals', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const paths = new PlainPaths<Item>();
        let items: Item[] = [];
        let id = 0;
        for (const op of ops) {
          if ('insert' in op) {
            const at = op.insert % (items.length + 1);
            const item = { pos: 0, id: id++, path: op.path };
            items.splice(at, 0, item);
            items.forEach((x, i) => {
              x.pos = i;
            });
            paths.add(item, keysOf(item.path));
          } else if (items.length > 0) {
            const [item] = items.splice(op.remove % items.length, 1);
            paths.remove(item!, keysOf(item!.path));
            items = items.map((x, i) => Object.assign(x, { pos: i }));
          }
          expect(paths.mapOrderHolds).toBe(mapOrderHolds(items.map((x) => x.path)));
          for (const x of items) {
            const k = keysOf(x.path);
            const first = (key: string, of: (p: PlainPath) => string | undefined) =>
              items.find((y) => of(y.path) === key);
            if (k.exactKey !== undefined)
              expect(paths.winner('exact', k.exactKey)).toBe(first(k.exactKey, (p) => keysOf(p).exactKey));
            if (k.prefixKey !== undefined)
              expect(paths.winner('prefix', k.prefixKey)).toBe(
                first(k.prefixKey, (p) => keysOf(p).prefixKey),
              );
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
