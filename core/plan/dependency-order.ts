import { DependencyCycleError } from './errors.js';

export interface DependencyOrderOptions<T> {
  address(item: T): string;
  dependsOn(item: T): readonly string[];
  /** Breaks ties between items that are ready together, so the order never depends on input order. */
  compare(a: T, b: T): number;
  /** `parents-first` (create/update) or `children-first` (delete). */
  direction: 'parents-first' | 'children-first';
}

/**
 * A topological order (Kahn) with deterministic tie-breaking. Dependencies on addresses outside
 * `items` are ignored: they already exist, or are someone else's concern.
 */
export function orderByDependencies<T>(items: readonly T[], opts: DependencyOrderOptions<T>): T[] {
  const byAddress = new Map<string, number[]>();
  items.forEach((item, i) => {
    const a = opts.address(item);
    byAddress.set(a, [...(byAddress.get(a) ?? []), i]);
  });
  // edges[i] = items that must wait for i.
  const edges: number[][] = items.map(() => []);
  const waiting = items.map(() => 0);
  items.forEach((item, child) => {
    const own = opts.address(item);
    for (const dep of new Set(opts.dependsOn(item))) {
      if (dep === own) continue;
      for (const parent of byAddress.get(dep) ?? []) {
        const [first, then] = opts.direction === 'parents-first' ? [parent, child] : [child, parent];
        edges[first]!.push(then);
        waiting[then]!++;
      }
    }
  });
  const cmp = (i: number, j: number) => opts.compare(items[i]!, items[j]!) || i - j;
  const ready = items.map((_, i) => i).filter((i) => waiting[i] === 0);
  const out: T[] = [];
  while (ready.length > 0) {
    ready.sort(cmp);
    const next = ready.shift()!;
    out.push(items[next]!);
    for (const then of edges[next]!) if (--waiting[then]! === 0) ready.push(then);
  }
  if (out.length < items.length) {
    const stuck = items.filter((_, i) => waiting[i]! > 0).map(opts.address);
    throw new DependencyCycleError([...new Set(stuck)].sort());
  }
  return out;
}
