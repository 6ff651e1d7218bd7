// A list kept in order while items come and go, so that a render after a one-route change inserts
// and removes that route's map entries (a binary search each) instead of sorting every entry again.
// Equal items keep the order they were added in (as a stable sort of that order would). `items` is
// a copy made once per change: what a render published is never edited afterwards.

export class SortedList<T> {
  readonly #compare: (a: T, b: T) => number;
  #items: T[] = [];
  #published: readonly T[] | undefined = [];
  /** Adding in bulk: items are appended and sorted once at `endBulk`. */
  #bulk = false;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Appends from now on; endBulk sorts (stable: equal items stay in the order added). */
  beginBulk(): void {
    this.#bulk = true;
  }

  endBulk(): void {
    if (!this.#bulk) return;
    this.#bulk = false;
    this.#items.sort(this.#compare);
    this.#published = undefined;
  }

  add(item: T): void {
    this.#published = undefined;
    if (this.#bulk) return void this.#items.push(item);
    // After every equal item: the order they were added in.
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(this.#items[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.#items.length) this.#items.push(item);
    else this.#items.splice(lo, 0, item);
  }

  /** Removes this very item (by identity); false if it is not in the list. */
  delete(item: T): boolean {
    let i: number;
    if (this.#bulk) i = this.#items.indexOf(item);
    else {
      let lo = 0;
      let hi = this.#items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.#compare(this.#items[mid]!, item) < 0) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
      while (i < this.#items.length && this.#items[i] !== item && this.#compare(this.#items[i]!, item) === 0)
        i++;
      if (this.#items[i] !== item) i = -1;
    }
    if (i === -1) return false;
    this.#published = undefined;
    if (i === this.#items.length - 1) this.#items.pop();
    else this.#items.splice(i, 1);
    return true;
  }

  /** Whether the list changed since `items` was last read. */
  get changed(): boolean {
    return this.#published === undefined;
  }

  /** The items in order: the same array until the list changes. */
  get items(): readonly T[] {
    if (this.#bulk) throw new Error('SortedList: items read while adding in bulk');
    this.#published ??= [...this.#items];
    return this.#published;
  }
}

/** Map entries by key (JavaScript string order, as HAProxy's map files are written). */
export const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
