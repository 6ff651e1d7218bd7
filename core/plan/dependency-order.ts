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
    const list = byAddress.get(a);
    if (list) list.push(i);
    else byAddress.set(a, [i]);
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
  // A heap, not a sort per step: one load balancer can have 10,000 resources ready at once.
  const ready = new MinHeap(cmp);
  items.forEach((_, i) => {
    if (waiting[i] === 0) ready.push(i);
  });
  const out: T[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    out.push(items[next]!);
    for (const then of edges[next]!) if (--waiting[then]! === 0) ready.push(then);
  }
  if (out.length < items.length) {
    const stuck = items.filter((_, i) => waiting[i]! > 0).map(opts.address);
    throw new DependencyCycleError([...new Set(stuck)].sort());
  }
  return out;
}

/** Binary min-heap of item indexes under a total order. */
class MinHeap {
  private readonly a: number[] = [];
  constructor(private readonly cmp: (i: number, j: number) => number) {}

  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): number | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.cmp(a[l]!, a[m]!) < 0) m = l;
      if (r < a.length && this.cmp(a[r]!, a[m]!) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}
