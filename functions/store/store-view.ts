import { affectedKeys, type ObjectChange } from '#core/index/affected-keys.js';
import type { DependencyView, Referrer } from '#core/index/dependency-view.js';
import { type ObjectRef, refId } from '#core/index/object-ref.js';
import type { Edge } from '#core/index/references.js';
import { selectBundle } from '#core/index/select-bundle.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import type { SnapshotStore, StoredObject } from './snapshot-store.js';
import { isStoredKind, normalizeRef } from './stored-object.js';

/** What one store-backed walk read. */
export interface StoreViewStats {
  /** Passes of the walk (each pass after the first follows the reads the previous one missed). */
  rounds: number;
  /** Objects fetched (getMany), and reverse/list queries issued. */
  objects: number;
  queries: number;
}

/**
 * What a walk's last pass read from the store, per cluster (its own, then the clusterset's peers):
 * handed to the next walk of the same thing as `prefetch`, it is all fetched in one round before the
 * first pass, so a walk whose reach did not change needs one round instead of one per level.
 */
export type WalkReads = ReadonlyMap<string, ViewReads>;

interface ViewReads {
  objects: readonly ObjectRef[];
  referrers: readonly ObjectRef[];
  into: readonly string[];
  lists: readonly { kind: string; namespace?: string | undefined }[];
}

export class StoreViewRoundsError extends Error {
  override readonly name = 'StoreViewRoundsError';
}

/**
 * Runs a synchronous core/index walk (affectedKeys, selectBundle, or anything that reads a
 * DependencyView) against the async snapshot store, reading only what the walk reaches.
 *
 * The walk runs against a cache. Whatever it asks that the cache does not hold yet is answered as
 * absent/empty and noted; after the pass, all noted reads are fetched at once (objects batched with
 * getMany, reverse lookups and lists as parallel queries) and the walk runs again, until a pass
 * misses nothing. That pass saw only real answers, so its result is exactly the walk's result on the
 * stored snapshot; the number of passes is bounded by the depth of the dependency chains (a few),
 * and the reads by what the walk reaches: what one load balancer holds, not the cluster.
 *
 * `peers`: the other clusters of `cluster`'s clusterset. The view then carries one view per peer
 * (DependencyView.peers), read the same way; a walk reaches into them only for multi-cluster services.
 *
 * `prefetch`: what an earlier walk read (`onReads`), fetched before the first pass. It only decides
 * what is read early: the result is still that of the pass that missed nothing, so reads that are
 * out of date (a route attached since, an object gone) cost a wasted read or one more round, never
 * a wrong answer.
 */
export async function withStoreView<T>(
  store: SnapshotStore,
  cluster: string,
  walk: (view: DependencyView) => T,
  options: {
    maxRounds?: number;
    stats?: StoreViewStats;
    peers?: readonly string[];
    prefetch?: WalkReads;
    /** Told what the last pass read (to prefetch it next time). */
    onReads?: (reads: WalkReads) => void;
  } = {},
): Promise<T> {
  const peers = (options.peers ?? []).filter((p) => p !== cluster).map((p) => new CachedStoreView(p));
  const view = new CachedStoreView(cluster, peers);
  const stats = options.stats ?? { rounds: 0, objects: 0, queries: 0 };
  const maxRounds = options.maxRounds ?? 32;
  if (options.prefetch) {
    view.expect(options.prefetch);
    await view.fetch(store, stats);
  }
  for (;;) {
    stats.rounds++;
    view.beginPass();
    const result = walk(view);
    if (!view.missed()) {
      options.onReads?.(view.reads());
      return result;
    }
    if (stats.rounds >= maxRounds) {
      throw new StoreViewRoundsError(`the walk still missed reads after ${maxRounds} passes`);
    }
    await view.fetch(store, stats);
  }
}

/**
 * The load-balancer keys a change (or several, in one walk: their reads are batched together)
 * affects, read from the store, sorted (see core/index affectedKeys).
 */
export function affectedKeysInStore(
  store: SnapshotStore,
  cluster: string,
  changes: ObjectChange | readonly ObjectChange[],
  stats?: StoreViewStats,
  /** The other clusters of `cluster`'s clusterset: their keys that import a changed slice's service are returned too. */
  peers: readonly string[] = [],
): Promise<LbKey[]> {
  const all: readonly ObjectChange[] = Array.isArray(changes) ? changes : [changes as ObjectChange];
  return withStoreView(
    store,
    cluster,
    (view) => [...new Set(all.flatMap((change) => affectedKeys(change, view, cluster)))].sort(compareStrings),
    { ...(stats ? { stats } : {}), peers },
  );
}

/** The objects one load balancer needs, read from the store (see core/index selectBundle). */
export function selectBundleFromStore(
  store: SnapshotStore,
  key: LbKey,
  stats?: StoreViewStats,
  /** The other clusters of the key's clusterset: ServiceImports bring their exported slices too. */
  peers: readonly string[] = [],
  /** What the key's previous selection read (see withStoreView), and where to say what this one read. */
  reads: { prefetch?: WalkReads | undefined; onReads?: (reads: WalkReads) => void } = {},
): Promise<unknown[]> {
  const cluster = parseLbKey(key)?.cluster ?? '';
  // An unparsable key is refused by selectBundle itself, before any read.
  return withStoreView(store, cluster, (view) => selectBundle(key, view), {
    ...(stats ? { stats } : {}),
    peers,
    ...(reads.prefetch ? { prefetch: reads.prefetch } : {}),
    ...(reads.onReads ? { onReads: reads.onReads } : {}),
  });
}

class CachedStoreView implements DependencyView {
  readonly #objects = new Map<string, StoredObject | null>();
  readonly #referrers = new Map<string, Referrer[]>();
  readonly #into = new Map<string, ObjectRef[]>();
  readonly #lists = new Map<string, ObjectRef[]>();
  #missObjects = new Map<string, ObjectRef>();
  #missReferrers = new Map<string, ObjectRef>();
  #missInto = new Set<string>();
  #missLists = new Map<string, { kind: string; namespace?: string | undefined }>();
  /** What the current pass asked for, hit or missed (ids as in the maps above). */
  #used = newUsed();

  constructor(
    readonly cluster: string,
    readonly peers: readonly CachedStoreView[] = [],
  ) {}

  missed(): boolean {
    return (
      this.#missObjects.size + this.#missReferrers.size + this.#missInto.size + this.#missLists.size > 0 ||
      this.peers.some((p) => p.missed())
    );
  }

  /** A walk's pass begins: what it asks for from now on is what it read. */
  beginPass(): void {
    this.#used = newUsed();
    for (const p of this.peers) p.beginPass();
  }

  /** What the last pass read, of this view and its peers (every answer was in the cache). */
  reads(): WalkReads {
    const out = new Map<string, ViewReads>();
    for (const v of [this, ...this.peers]) {
      const u = v.#used;
      out.set(v.cluster, {
        objects: [...u.objects.values()],
        referrers: [...u.referrers.values()],
        into: [...u.into],
        lists: [...u.lists.values()],
      });
    }
    return out;
  }

  /** Notes `reads` (of this view and its peers) as missed, for the next fetch to read them all. */
  expect(reads: WalkReads): void {
    for (const v of [this, ...this.peers]) {
      const r = reads.get(v.cluster);
      if (!r) continue;
      for (const o of r.objects) v.#missObjects.set(refId(o), o);
      for (const t of r.referrers) v.#missReferrers.set(refId(t), t);
      for (const ns of r.into) v.#missInto.add(ns);
      for (const l of r.lists) v.#missLists.set(listId(l.kind, l.namespace), l);
    }
  }

  /** Fetches what this view and its peers missed, all at once. */
  async fetch(store: SnapshotStore, stats: StoreViewStats): Promise<void> {
    await Promise.all([this.#fetchOwn(store, stats), ...this.peers.map((p) => p.fetch(store, stats))]);
  }

  async #fetchOwn(store: SnapshotStore, stats: StoreViewStats): Promise<void> {
    const objects = [...this.#missObjects.entries()];
    const referrers = [...this.#missReferrers.entries()];
    const into = [...this.#missInto];
    const lists = [...this.#missLists.entries()];
    this.#missObjects = new Map();
    this.#missReferrers = new Map();
    this.#missInto = new Set();
    this.#missLists = new Map();
    stats.objects += objects.length;
    stats.queries += referrers.length + into.length + lists.length;
    const c = this.cluster;
    await Promise.all([
      objects.length === 0
        ? undefined
        : store
            .getMany(
              c,
              objects.map(([, r]) => r),
            )
            .then((got) => {
              for (const [i, [id]] of objects.entries()) this.#objects.set(id, got[i] ?? null);
            }),
      ...referrers.map(([id, r]) => store.referrers(c, r).then((x) => this.#referrers.set(id, x))),
      ...into.map((ns) => store.referrersInto(c, ns).then((x) => this.#into.set(ns, x))),
      ...lists.map(([k, l]) => store.list(c, l.kind, l.namespace).then((x) => this.#lists.set(k, x))),
    ]);
  }

  #stored(r: ObjectRef): StoredObject | undefined {
    if (!isStoredKind(r.kind)) return undefined;
    const n = normalizeRef(r);
    const id = refId(n);
    this.#used.objects.set(id, n);
    const hit = this.#objects.get(id);
    if (hit === undefined) {
      this.#missObjects.set(id, n);
      return undefined;
    }
    return hit ?? undefined;
  }

  get(r: ObjectRef): unknown {
    return this.#stored(r)?.object;
  }

  references(r: ObjectRef): readonly Edge[] {
    return this.#stored(r)?.edges ?? [];
  }

  referrers(to: ObjectRef): readonly Referrer[] {
    const id = refId(to);
    this.#used.referrers.set(id, to);
    const hit = this.#referrers.get(id);
    if (!hit) this.#missReferrers.set(id, to);
    return hit ?? [];
  }

  referrersInto(namespace: string): readonly ObjectRef[] {
    this.#used.into.add(namespace);
    const hit = this.#into.get(namespace);
    if (!hit) this.#missInto.add(namespace);
    return hit ?? [];
  }

  list(kind: string, namespace?: string): readonly ObjectRef[] {
    const k = listId(kind, namespace);
    this.#used.lists.set(k, { kind, namespace });
    const hit = this.#lists.get(k);
    if (!hit) this.#missLists.set(k, { kind, namespace });
    return hit ?? [];
  }
}

function newUsed() {
  return {
    objects: new Map<string, ObjectRef>(),
    referrers: new Map<string, ObjectRef>(),
    into: new Set<string>(),
    lists: new Map<string, { kind: string; namespace?: string | undefined }>(),
  };
}

function listId(kind: string, namespace: string | undefined): string {
  return `${kind}/${namespace ?? '\u0000'}`;
}
