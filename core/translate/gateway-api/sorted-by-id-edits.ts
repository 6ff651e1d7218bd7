// A few additions and removals to a list sorted by id (a load balancer's pools or buckets), without
// copying it into a map or sorting it again: a route change touches a few pools of thousands.

/** Edits to `base` (sorted by id, ids unique): looked up by binary search, applied by `result`. */
export class SortedByIdEdits<T extends { id: string }> {
  readonly #base: readonly T[];
  /** Per id, what it becomes (undefined: removed). */
  readonly #edits = new Map<string, T | undefined>();

  constructor(base: readonly T[]) {
    this.#base = base;
  }

  get(id: string): T | undefined {
    if (this.#edits.has(id)) return this.#edits.get(id);
    const i = position(this.#base, id);
    return this.#base[i]?.id === id ? this.#base[i] : undefined;
  }

  set(id: string, value: T): void {
    this.#edits.set(id, value);
  }

  delete(id: string): void {
    this.#edits.set(id, undefined);
  }

  /** The list with the edits applied, still sorted; `base` itself when they change nothing. */
  result(): T[] {
    let list: T[] | undefined;
    for (const [id, value] of this.#edits) {
      const current = list ?? this.#base;
      const i = position(current, id);
      const there = current[i]?.id === id;
      if (there ? current[i] === value : value === undefined) continue;
      list ??= [...this.#base];
      if (value === undefined) list.splice(i, 1);
      else if (there) list[i] = value;
      else list.splice(i, 0, value);
    }
    return list ?? (this.#base as T[]);
  }
}

/** The first position whose id is not before `id`. */
function position<T extends { id: string }>(list: readonly T[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
