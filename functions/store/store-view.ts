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
 */
export async function withStoreView<T>(
  store: SnapshotStore,
  cluster: string,
  walk: (view: DependencyView) => T,
  options: { maxRounds?: number; stats?: StoreViewStats; peers?: readonly string[] } = {},
): Promise<T> {
  const peers = (options.peers ?? []).filter((p) => p !== cluster).map((p) => new CachedStoreView(p));
  const view = new CachedStoreView(cluster, peers);
  const stats = options.stats ?? { rounds: 0, objects: 0, queries: 0 };
  const maxRounds = options.maxRounds ?? 32;
  for (;;) {
    stats.rounds++;
    const result = walk(view);
    if (!view.missed()) return result;
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
): Promise<unknown[]> {
  const cluster = parseLbKey(key)?.cluster ?? '';
  // An unparsable key is refused by selectBundle itself, before any read.
  return withStoreView(store, cluster, (view) => selectBundle(key, view), {
    ...(stats ? { stats } : {}),
    peers,
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
    const hit = this.#referrers.get(id);
    if (!hit) this.#missReferrers.set(id, to);
    return hit ?? [];
  }

  referrersInto(namespace: string): readonly ObjectRef[] {
    const hit = this.#into.get(namespace);
    if (!hit) this.#missInto.add(namespace);
    return hit ?? [];
  }

  list(kind: string, namespace?: string): readonly ObjectRef[] {
    const k = `${kind}/${namespace ?? '\u0000'}`;
    const hit = this.#lists.get(k);
    if (!hit) this.#missLists.set(k, { kind, namespace });
    return hit ?? [];
  }
}
