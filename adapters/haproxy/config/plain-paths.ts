// The plain routes (path only) of one virtual host, indexed so that adding or removing one updates
// what the path maps need in proportion to that route, not to the host's routes (a host with
// thousands of paths): which route wins each exact and prefix map key (the first in IR order), and
// whether the maps still agree with the IR order (route-match.ts mapOrderHolds: no Prefix route is a
// strict element-wise ancestor of a later route's path), as a count of the pairs that disagree.

import type { PlainPath } from './route-match.js';

export interface PlainRoute {
  /** Position in the listener's routes: the IR order. */
  pos: number;
}

/** A route's path and its exact-map and prefix-map keys (if it has them). */
export interface PlainKeys {
  plain: PlainPath;
  exactKey?: string;
  prefixKey?: string;
}

export class PlainPaths<R extends PlainRoute> {
  /** Pairs (earlier Prefix route, later route under it): the maps agree with the IR order at 0. */
  #disagreements = 0;
  /** Prefix routes by their path. */
  readonly #prefixes = new Map<string, R[]>();
  /** Routes by each strict element-wise ancestor of their path. */
  readonly #under = new Map<string, R[]>();
  readonly #exactOwners = new Map<string, R[]>();
  readonly #prefixOwners = new Map<string, R[]>();
  /** Keys whose winner may have changed since `takeTouched`. */
  #touched = { exact: new Set<string>(), prefix: new Set<string>() };

  get mapOrderHolds(): boolean {
    return this.#disagreements === 0;
  }

  add(r: R, keys: PlainKeys): void {
    const { type, value } = keys.plain;
    for (const a of ancestors(value)) {
      this.#disagreements += before(this.#prefixes.get(a), r.pos);
      insert(this.#under, a, r);
    }
    if (type === 'Prefix') {
      const under = this.#under.get(value);
      this.#disagreements += (under?.length ?? 0) - before(under, r.pos);
      insert(this.#prefixes, value, r);
    }
    if (keys.exactKey !== undefined) {
      insert(this.#exactOwners, keys.exactKey, r);
      this.#touched.exact.add(keys.exactKey);
    }
    if (keys.prefixKey !== undefined) {
      insert(this.#prefixOwners, keys.prefixKey, r);
      this.#touched.prefix.add(keys.prefixKey);
    }
  }

  /** Removes `r`, added with `keys`; the routes' positions may have moved since, but not their order. */
  remove(r: R, keys: PlainKeys): void {
    const { type, value } = keys.plain;
    if (type === 'Prefix') {
      remove(this.#prefixes, value, r);
      const under = this.#under.get(value);
      this.#disagreements -= (under?.length ?? 0) - before(under, r.pos);
    }
    for (const a of ancestors(value)) {
      remove(this.#under, a, r);
      this.#disagreements -= before(this.#prefixes.get(a), r.pos);
    }
    if (keys.exactKey !== undefined) {
      remove(this.#exactOwners, keys.exactKey, r);
      this.#touched.exact.add(keys.exactKey);
    }
    if (keys.prefixKey !== undefined) {
      remove(this.#prefixOwners, keys.prefixKey, r);
      this.#touched.prefix.add(keys.prefixKey);
    }
  }

  /** The route that wins a key of the exact or prefix map: the first in IR order. */
  winner(map: 'exact' | 'prefix', key: string): R | undefined {
    return (map === 'exact' ? this.#exactOwners : this.#prefixOwners).get(key)?.[0];
  }

  /** Every key of the map with its winner. */
  *winners(map: 'exact' | 'prefix'): Iterable<[string, R]> {
    for (const [key, owners] of map === 'exact' ? this.#exactOwners : this.#prefixOwners)
      yield [key, owners[0]!];
  }

  /** The keys whose winner may have changed since the last call. */
  takeTouched(): { exact: Set<string>; prefix: Set<string> } {
    const touched = this.#touched;
    this.#touched = { exact: new Set(), prefix: new Set() };
    return touched;
  }
}

/** The strict element-wise ancestors of a path (as mapOrderHolds reads them: `` for `/x`). */
function ancestors(value: string): string[] {
  const out: string[] = [];
  for (let i = value.indexOf('/'); i !== -1; i = value.indexOf('/', i + 1)) out.push(value.slice(0, i));
  return out;
}

/** How many routes of a list (in IR order) come before position `pos`. */
function before(list: readonly PlainRoute[] | undefined, pos: number): number {
  if (list === undefined) return 0;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.pos < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert<R extends PlainRoute>(index: Map<string, R[]>, key: string, r: R): void {
  const list = index.get(key);
  if (list === undefined) return void index.set(key, [r]);
  list.splice(before(list, r.pos), 0, r);
}

function remove<R extends PlainRoute>(index: Map<string, R[]>, key: string, r: R): void {
  const list = index.get(key)!;
  list.splice(list.indexOf(r), 1);
  if (list.length === 0) index.delete(key);
}
