import { describe, expect, it } from 'vitest';
import { orderByDependencies } from '#core/plan/dependency-order.js';
import { seededRandom } from '#test/emulators/fault-patterns.js';

// The order is Kahn's with the smallest ready item first. The reference below sorts the ready set
// at every step (the obvious, quadratic way); the implementation must give exactly its order.

interface Item {
  address: string;
  deps: string[];
  rank: number;
}

function reference(items: Item[], direction: 'parents-first' | 'children-first'): string[] {
  const cmp = (i: number, j: number) => items[i]!.rank - items[j]!.rank || i - j;
  const waiting = items.map(() => 0);
  const edges: number[][] = items.map(() => []);
  items.forEach((item, child) => {
    for (const dep of new Set(item.deps))
      items.forEach((p, parent) => {
        if (p.address !== dep || dep === item.address) return;
        const [first, then] = direction === 'parents-first' ? [parent, child] : [child, parent];
        edges[first]!.push(then);
        waiting[then]!++;
      });
  });
  const ready = items.map((_, i) => i).filter((i) => waiting[i] === 0);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort(cmp);
    const next = ready.shift()!;
    out.push(items[next]!.address);
    for (const then of edges[next]!) if (--waiting[then]! === 0) ready.push(then);
  }
  return out;
}

describe('orderByDependencies', () => {
  it('gives the smallest-ready-first order on random DAGs, in both directions', () => {
    const random = seededRandom(13);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 40);
      const items: Item[] = Array.from({ length: n }, (_, i) => ({
        address: `a${i}`,
        // Only on earlier items: no cycles. Ranks repeat, so ties are broken by input order.
        deps: Array.from({ length: Math.floor(random() * 3) }, () => `a${Math.floor(random() * i)}`).filter(
          () => i > 0,
        ),
        rank: Math.floor(random() * 5),
      }));
      for (const direction of ['parents-first', 'children-first'] as const) {
        const got = orderByDependencies(items, {
          address: (x) => x.address,
          dependsOn: (x) => x.deps,
          compare: (a, b) => a.rank - b.rank,
          direction,
        }).map((x) => x.address);
        expect(got).toEqual(reference(items, direction));
      }
    }
  });

  it('orders 10,000 items that are all ready at once in O(n log n) comparisons', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ address: `a${i}`, deps: [], rank: -i }));
    let comparisons = 0;
    const out = orderByDependencies(items, {
      address: (x) => x.address,
      dependsOn: (x) => x.deps,
      compare: (a, b) => {
        comparisons++;
        return a.rank - b.rank;
      },
      direction: 'parents-first',
    });
    expect(out[0]!.address).toBe('a9999');
    expect(out.at(-1)!.address).toBe('a0');
    // Sorting the ready set at every step takes about n²/2 = 50,000,000 comparisons here.
    expect(comparisons).toBeLessThan(500_000);
  });
});
