import { KINDS } from '#core/model/bundle.js';
import type { DependencyView, Referrer } from './dependency-view.js';
import { compareRefs, type ObjectRef, ref, refId, refOf } from './object-ref.js';
import { type Edge, type EdgeType, referencesOf } from './references.js';

interface Node {
  ref: ObjectRef;
  obj: unknown;
  edges: readonly Edge[];
}

interface Incoming {
  from: ObjectRef;
  types: Set<EdgeType>;
}

/**
 * The in-memory dependency index of ONE cluster: every stored object, the edges it declares, and
 * the reverse lookups affectedKeys() and selectBundle() need. Maintained incrementally: `upsert`
 * and `remove` cost O(edges of the object), whatever the size of the cluster.
 *
 * Several clusters are several graphs (one per cluster id), e.g. `Map<cluster, DependencyGraph>`:
 * object identities (kind/namespace/name) are only unique within a cluster, and every LbKey carries
 * its cluster so that a key is never resolved against the wrong graph (selectBundle and
 * affectedKeys refuse a key or cluster that differs from `cluster`).
 */
export class DependencyGraph implements DependencyView {
  readonly cluster: string | undefined;
  /** The graphs of the other clusters of this cluster's clusterset (see DependencyView.peers). */
  peers: readonly DependencyGraph[] = [];
  readonly #nodes = new Map<string, Node>();
  /** target refId → source refId → incoming edge. */
  readonly #reverse = new Map<string, Map<string, Incoming>>();
  /** target namespace → source refId (in another namespace) → number of its edges into that namespace. */
  readonly #into = new Map<string, Map<string, { from: ObjectRef; count: number }>>();
  /** kind → namespace ('' for cluster-scoped) → refId → ref. */
  readonly #byKind = new Map<string, Map<string, Map<string, ObjectRef>>>();

  constructor(cluster?: string) {
    this.cluster = cluster;
  }

  /** Builds a graph from a snapshot of one cluster. */
  static of(objects: Iterable<unknown>, cluster?: string): DependencyGraph {
    const g = new DependencyGraph(cluster);
    for (const o of objects) g.upsert(o);
    return g;
  }

  get size(): number {
    return this.#nodes.size;
  }

  /**
   * Stores (or replaces) an object and its edges. Returns the object's ref, or undefined when it
   * cannot be identified (unknown kind, no name): such an object is not stored.
   */
  upsert(obj: unknown): ObjectRef | undefined {
    const r = refOf(obj);
    if (!r) return undefined;
    const id = refId(r);
    const previous = this.#nodes.get(id);
    if (previous) this.#unlink(id, previous);
    const node: Node = { ref: r, obj, edges: referencesOf(obj) };
    this.#nodes.set(id, node);
    this.#link(id, node);
    if (!previous) this.#kindMap(r.kind, r.namespace ?? '').set(id, r);
    return r;
  }

  /** Forgets an object; `namespace` is ignored for cluster-scoped kinds. Returns whether it was stored. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const namespaced = Object.hasOwn(KINDS, kind) ? KINDS[kind as keyof typeof KINDS].namespaced : true;
    const r = ref(kind, namespaced ? (namespace ?? 'default') : undefined, name);
    const id = refId(r);
    const node = this.#nodes.get(id);
    if (!node) return false;
    this.#unlink(id, node);
    this.#nodes.delete(id);
    const byNs = this.#byKind.get(r.kind);
    const ids = byNs?.get(r.namespace ?? '');
    ids?.delete(id);
    if (ids?.size === 0) byNs?.delete(r.namespace ?? '');
    return true;
  }

  /** Removes what `obj` identifies (convenience for delete events carrying the last state). */
  removeObject(obj: unknown): boolean {
    const r = refOf(obj);
    return r ? this.remove(r.kind, r.namespace, r.name) : false;
  }

  get(r: ObjectRef): unknown {
    return this.#nodes.get(refId(r))?.obj;
  }

  references(r: ObjectRef): readonly Edge[] {
    return this.#nodes.get(refId(r))?.edges ?? [];
  }

  referrers(to: ObjectRef): readonly Referrer[] {
    const incoming = this.#reverse.get(refId(to));
    if (!incoming) return [];
    return sortedByKey(incoming).map((i) => ({
      from: i.from,
      types: i.types.size === 1 ? [...i.types] : [...i.types].sort(),
    }));
  }

  referrersInto(namespace: string): readonly ObjectRef[] {
    const m = this.#into.get(namespace);
    return m ? sortedByKey(m).map((e) => e.from) : [];
  }

  list(kind: string, namespace?: string): readonly ObjectRef[] {
    const byNs = this.#byKind.get(kind);
    if (!byNs) return [];
    if (namespace !== undefined) {
      const ids = byNs.get(namespace);
      return ids ? sortedByKey(ids) : [];
    }
    const all: ObjectRef[] = [];
    for (const ids of byNs.values()) all.push(...ids.values());
    return all.sort(compareRefs);
  }

  /** Every stored object (for tests, resync and debugging: a scan of the whole cluster). */
  *objects(): IterableIterator<unknown> {
    for (const n of this.#nodes.values()) yield n.obj;
  }

  #link(id: string, node: Node): void {
    for (const e of node.edges) {
      const target = refId(e.to);
      const incoming = getOrCreate(this.#reverse, target, () => new Map<string, Incoming>());
      getOrCreate(incoming, id, () => ({ from: node.ref, types: new Set<EdgeType>() })).types.add(e.type);
      if (crosses(node.ref, e.to)) {
        const ns = e.to.namespace!;
        getOrCreate(
          getOrCreate(this.#into, ns, () => new Map<string, { from: ObjectRef; count: number }>()),
          id,
          () => ({ from: node.ref, count: 0 }),
        ).count++;
      }
    }
  }

  #unlink(id: string, node: Node): void {
    for (const e of node.edges) {
      const target = refId(e.to);
      const incoming = this.#reverse.get(target);
      if (incoming?.delete(id) && incoming.size === 0) this.#reverse.delete(target);
      if (crosses(node.ref, e.to)) {
        const ns = e.to.namespace!;
        const m = this.#into.get(ns);
        const c = m?.get(id);
        if (c && --c.count === 0) {
          m!.delete(id);
          if (m!.size === 0) this.#into.delete(ns);
        }
      }
    }
  }

  #kindMap(kind: string, namespace: string): Map<string, ObjectRef> {
    const byNs = getOrCreate(this.#byKind, kind, () => new Map<string, Map<string, ObjectRef>>());
    return getOrCreate(byNs, namespace, () => new Map<string, ObjectRef>());
  }
}

/** The values of a map keyed by refId, in refId order (keys are computed once, not per comparison). */
function sortedByKey<V>(map: ReadonlyMap<string, V>): V[] {
  if (map.size === 1) return [...map.values()];
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** A namespaced object referencing a namespaced object of another namespace. */
function crosses(from: ObjectRef, to: ObjectRef): boolean {
  return from.namespace !== undefined && to.namespace !== undefined && from.namespace !== to.namespace;
}
