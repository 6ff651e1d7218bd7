import { DependencyGraph } from '#core/index/dependency-graph.js';
import type { Referrer } from '#core/index/dependency-view.js';
import { type ObjectRef, ref, refId } from '#core/index/object-ref.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { DispatchMark, StoredDispatchMark } from './dispatch-mark.js';
import { isListReady, isSnapshotComplete, isSweptByList, type ListRecord } from './list-sweep.js';
import { decideDelete, decidePut } from './resource-version.js';
import {
  checkCluster,
  checkLimit,
  clusterOfKey,
  type DeleteOptions,
  type DeleteResult,
  formatCursor,
  type ListEndOptions,
  type ListProgress,
  type PodGateRecord,
  type PutOptions,
  type PutResult,
  podGateChanges,
  releaseFor,
  type SnapshotStore,
  type StatusPage,
  type StatusRecord,
  type StoredObject,
  type SweptList,
  statusIdentity,
} from './snapshot-store.js';
import { normalizeRef, toStoredObject } from './stored-object.js';

export interface MemorySnapshotStoreOptions {
  /** Store clock in ms (injectable for tests). */
  now?: () => number;
  /** How long a tombstone keeps rejecting late events of a deleted object (default 1 day). */
  tombstoneTtlMs?: number;
}

interface Entry {
  ref: ObjectRef;
  resourceVersion: string;
  uid?: string | undefined;
  deleted: boolean;
  /** The live object (absent for tombstones). */
  stored?: StoredObject;
  listId?: string | undefined;
  touched: number;
  expiresAt?: number;
}

class ClusterState {
  readonly graph: DependencyGraph;
  readonly entries = new Map<string, Entry>();
  /** kind → its latest listId and whether that list finished. */
  readonly latest = new Map<string, { listId: string; done: boolean }>();
  /** `kind\0listId` → list record. */
  readonly lists = new Map<string, ListRecord>();
  statusSeq = 0;
  /** cursor → record, in cursor order (appended in increasing order). */
  readonly statuses = new Map<string, StatusRecord>();
  readonly statusOf = new Map<string, string>();
  /** LB key → the objects (refId → ref) putStatusesOfKey last wrote a status for under it. */
  readonly statusesOfKey = new Map<LbKey, Map<string, ObjectRef>>();
  /** LB key → the pod gates putPodGatesOfKey last recorded under it. */
  readonly podGatesOfKey = new Map<LbKey, PodGateRecord[]>();

  constructor(cluster: string) {
    this.graph = new DependencyGraph(cluster);
  }

  list(kind: string, listId: string): ListRecord {
    const k = `${kind}\u0000${listId}`;
    let l = this.lists.get(k);
    if (!l) {
      l = { seen: 0, done: false };
      this.lists.set(k, l);
    }
    return l;
  }
}

/**
 * The snapshot store in memory (local mode and tests): one core/index DependencyGraph per cluster
 * plus version metadata, tombstones, list markers, reconcile fingerprints and the status stream.
 * Not durable; every method answers at once (the promises are for the port's sake).
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #clusters = new Map<string, ClusterState>();
  /** Clusters something was written for (reads alone register nothing). */
  readonly #registered = new Set<string>();
  readonly #reconciled = new Map<LbKey, string>();
  readonly #deletePending = new Set<LbKey>();
  readonly #dispatchMarks = new Map<LbKey, StoredDispatchMark>();
  readonly #now: () => number;
  readonly #tombstoneTtlMs: number;

  constructor(options: MemorySnapshotStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#tombstoneTtlMs = options.tombstoneTtlMs ?? 24 * 3600_000;
  }

  /** The cluster's in-memory dependency graph (local mode can walk it synchronously). */
  graph(cluster: string): DependencyGraph {
    return this.#cluster(cluster).graph;
  }

  async put(cluster: string, object: unknown, options: PutOptions = {}): Promise<PutResult> {
    const c = this.#cluster(cluster);
    this.#registered.add(cluster);
    // A copy, as a durable store would hold: later changes to the caller's object do not leak in.
    const incoming = toStoredObject(structuredClone(object));
    const id = refId(incoming.ref);
    const entry = this.#entry(c, id);
    const decision = decidePut(entry, { ...incoming, deleted: false });
    const seenBefore = entry?.listId === options.listId;
    if (decision !== 'accept') {
      if (entry && options.listId !== undefined && !seenBefore) entry.listId = options.listId;
      const swept =
        options.listId !== undefined && !seenBefore
          ? this.#seen(c, incoming.ref.kind, options.listId)
          : undefined;
      return { result: decision, ref: incoming.ref, ...(swept ? { swept } : {}) };
    }
    const previous = entry?.stored?.object;
    c.entries.set(id, {
      ref: incoming.ref,
      resourceVersion: incoming.resourceVersion,
      uid: incoming.uid,
      deleted: false,
      stored: incoming,
      listId: options.listId ?? entry?.listId,
      touched: this.#now(),
    });
    c.graph.upsert(incoming.object);
    const swept =
      options.listId !== undefined && !seenBefore
        ? this.#seen(c, incoming.ref.kind, options.listId)
        : undefined;
    return {
      result: 'stored',
      ref: incoming.ref,
      ...(previous !== undefined ? { previous } : {}),
      ...(swept ? { swept } : {}),
    };
  }

  async delete(
    cluster: string,
    ref: ObjectRef,
    resourceVersion: string,
    options: DeleteOptions = {},
  ): Promise<DeleteResult> {
    const c = this.#cluster(cluster);
    this.#registered.add(cluster);
    const r = normalizeRef(ref);
    const id = refId(r);
    const entry = this.#entry(c, id);
    const decision = decideDelete(entry, { resourceVersion, uid: options.uid, deleted: true });
    if (decision !== 'accept') return { result: decision, ref: r };
    const previous = entry?.stored?.object;
    this.#tombstone(c, id, r, resourceVersion, options.uid ?? entry?.uid, entry?.listId);
    return { result: 'deleted', ref: r, ...(previous !== undefined ? { previous } : {}) };
  }

  async get(cluster: string, ref: ObjectRef): Promise<unknown> {
    return this.#cluster(cluster).graph.get(normalizeRef(ref));
  }

  async getMany(cluster: string, refs: readonly ObjectRef[]): Promise<(StoredObject | undefined)[]> {
    const c = this.#cluster(cluster);
    return refs.map((r) => c.entries.get(refId(normalizeRef(r)))?.stored);
  }

  async referrers(cluster: string, to: ObjectRef): Promise<Referrer[]> {
    return [...this.#cluster(cluster).graph.referrers(to)];
  }

  async referrersInto(cluster: string, namespace: string): Promise<ObjectRef[]> {
    return [...this.#cluster(cluster).graph.referrersInto(namespace)];
  }

  async list(cluster: string, kind: string, namespace?: string): Promise<ObjectRef[]> {
    return [...this.#cluster(cluster).graph.list(kind, namespace)];
  }

  async markListStart(cluster: string, kind: string, listId: string): Promise<ListProgress> {
    const c = this.#cluster(cluster);
    this.#registered.add(cluster);
    const latest = c.latest.get(kind);
    if (latest?.listId !== listId) c.latest.set(kind, { listId, done: false });
    const l = c.list(kind, listId);
    l.startedAt ??= this.#now();
    return this.#progress(c, kind, listId);
  }

  async markListEnd(
    cluster: string,
    kind: string,
    listId: string,
    count: number,
    options: ListEndOptions = {},
  ): Promise<ListProgress> {
    const c = this.#cluster(cluster);
    const l = c.list(kind, listId);
    l.expected ??= count;
    if (options.resourceVersion !== undefined) l.resourceVersion ??= options.resourceVersion;
    return this.#progress(c, kind, listId);
  }

  async isComplete(cluster: string, kinds?: readonly string[]): Promise<boolean> {
    const c = this.#cluster(cluster);
    return isSnapshotComplete(new Map([...c.latest].map(([kind, l]) => [kind, l.done])), kinds);
  }

  async lastReconciled(key: LbKey): Promise<string | undefined> {
    return this.#reconciled.get(key);
  }

  async setReconciled(key: LbKey, fingerprint: string): Promise<void> {
    const cluster = clusterOfKey(key);
    this.#reconciled.set(key, fingerprint);
    this.#registered.add(cluster);
  }

  async forgetReconciled(key: LbKey): Promise<void> {
    this.#reconciled.delete(key);
  }

  async reconciledKeys(cluster: string): Promise<LbKey[]> {
    checkCluster(cluster);
    return [...this.#reconciled.keys()].filter((k) => parseLbKey(k)?.cluster === cluster).sort();
  }

  async markDeletePending(key: LbKey): Promise<void> {
    const cluster = clusterOfKey(key);
    this.#deletePending.add(key);
    this.#registered.add(cluster);
  }

  async clearDeletePending(key: LbKey): Promise<void> {
    clusterOfKey(key);
    this.#deletePending.delete(key);
  }

  async deletePendingKeys(cluster: string): Promise<LbKey[]> {
    checkCluster(cluster);
    return [...this.#deletePending].filter((k) => parseLbKey(k)?.cluster === cluster).sort();
  }

  async clusters(): Promise<string[]> {
    return [...this.#registered].sort();
  }

  async readDispatchMark(key: LbKey): Promise<StoredDispatchMark | undefined> {
    clusterOfKey(key);
    const stored = this.#dispatchMarks.get(key);
    return stored && structuredClone(stored);
  }

  async writeDispatchMark(key: LbKey, mark: DispatchMark, revision: number | undefined): Promise<boolean> {
    clusterOfKey(key);
    const stored = this.#dispatchMarks.get(key);
    if (stored?.revision !== revision) return false;
    this.#dispatchMarks.set(key, { mark: structuredClone(mark), revision: (revision ?? 0) + 1 });
    return true;
  }

  async beginDispatchRun(
    key: LbKey,
    run: { runId: string; leaseUntil: number; now: number },
  ): Promise<DispatchMark> {
    clusterOfKey(key);
    const stored = this.#dispatchMarks.get(key);
    const mark: DispatchMark = {
      state: 'running',
      dirty: false,
      generation: stored?.mark.generation ?? 0,
      claimedAt: stored?.mark.claimedAt ?? run.now,
      leaseUntil: run.leaseUntil,
      runId: run.runId,
    };
    this.#dispatchMarks.set(key, { mark, revision: (stored?.revision ?? 0) + 1 });
    return structuredClone(mark);
  }

  async putStatus(cluster: string, ref: ObjectRef, status: unknown, key?: LbKey): Promise<string> {
    const c = this.#cluster(cluster);
    this.#registered.add(cluster);
    const r = normalizeRef(ref);
    const id = statusIdentity(refId(r), key);
    const cursor = formatCursor(++c.statusSeq);
    const old = c.statusOf.get(id);
    if (old !== undefined) c.statuses.delete(old);
    c.statuses.set(cursor, {
      cursor,
      ...(key !== undefined ? { key } : {}),
      ref: r,
      status: structuredClone(status),
    });
    c.statusOf.set(id, cursor);
    return cursor;
  }

  async putStatusesOfKey(cluster: string, key: LbKey, statuses: readonly ObjectStatus[]): Promise<void> {
    const c = this.#cluster(cluster);
    const written = new Map<string, ObjectRef>();
    for (const s of statuses) {
      const r = normalizeRef(ref(s.kind, s.namespace, s.name));
      await this.putStatus(cluster, r, s, key);
      written.set(refId(r), r);
    }
    for (const [id, r] of c.statusesOfKey.get(key) ?? []) {
      if (written.has(id)) continue;
      const identity = statusIdentity(id, key);
      const previous = c.statuses.get(c.statusOf.get(identity) ?? '');
      const release = releaseFor(previous, key, c.graph.get(r) !== undefined);
      if (release === 'keep') continue;
      if (previous) c.statuses.delete(previous.cursor);
      c.statusOf.delete(identity);
      if (!release) continue;
      const cursor = formatCursor(++c.statusSeq);
      c.statuses.set(cursor, { cursor, key, ref: r, release: structuredClone(release) });
      c.statusOf.set(identity, cursor);
    }
    if (written.size > 0) c.statusesOfKey.set(key, written);
    else c.statusesOfKey.delete(key);
  }

  async putPodGatesOfKey(cluster: string, key: LbKey, gates: readonly PodGateRecord[]): Promise<void> {
    const c = this.#cluster(cluster);
    this.#registered.add(cluster);
    const { write, remove } = podGateChanges(c.podGatesOfKey.get(key) ?? [], gates);
    for (const g of write) {
      const r = ref('Pod', g.pod.namespace, g.pod.name);
      const identity = statusIdentity(refId(r), key);
      const old = c.statusOf.get(identity);
      if (old !== undefined) c.statuses.delete(old);
      const cursor = formatCursor(++c.statusSeq);
      c.statuses.set(cursor, {
        cursor,
        key,
        ref: r,
        gate: { conditionType: g.conditionType, message: g.message },
      });
      c.statusOf.set(identity, cursor);
    }
    for (const pod of remove) {
      const identity = statusIdentity(refId(ref('Pod', pod.namespace, pod.name)), key);
      c.statuses.delete(c.statusOf.get(identity) ?? '');
      c.statusOf.delete(identity);
    }
    if (gates.length > 0) c.podGatesOfKey.set(key, structuredClone(sortedGates(gates)));
    else c.podGatesOfKey.delete(key);
  }

  async podGatesOfKey(cluster: string, key: LbKey): Promise<PodGateRecord[]> {
    return structuredClone(this.#cluster(cluster).podGatesOfKey.get(key) ?? []);
  }

  async statusSince(cluster: string, cursor: string | undefined, limit: number): Promise<StatusPage> {
    const c = this.#cluster(cluster);
    checkLimit(limit);
    const items: StatusRecord[] = [];
    let more = false;
    for (const [k, rec] of c.statuses) {
      if (cursor !== undefined && k <= cursor) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(structuredClone(rec));
    }
    return { items, next: items.at(-1)?.cursor ?? cursor, more };
  }

  #cluster(cluster: string): ClusterState {
    checkCluster(cluster);
    let c = this.#clusters.get(cluster);
    if (!c) {
      c = new ClusterState(cluster);
      this.#clusters.set(cluster, c);
    }
    return c;
  }

  /** The entry of `id`, forgetting an expired tombstone. */
  #entry(c: ClusterState, id: string): Entry | undefined {
    const e = c.entries.get(id);
    if (e?.deleted && e.expiresAt !== undefined && e.expiresAt <= this.#now()) {
      c.entries.delete(id);
      return undefined;
    }
    return e;
  }

  #tombstone(
    c: ClusterState,
    id: string,
    r: ObjectRef,
    resourceVersion: string,
    uid: string | undefined,
    listId: string | undefined,
  ): void {
    c.entries.set(id, {
      ref: r,
      resourceVersion,
      uid,
      deleted: true,
      listId,
      touched: this.#now(),
      expiresAt: this.#now() + this.#tombstoneTtlMs,
    });
    c.graph.remove(r.kind, r.namespace, r.name);
  }

  /** One more distinct object of list `listId`; finishes the list when that was the last one. */
  #seen(c: ClusterState, kind: string, listId: string): SweptList | undefined {
    c.list(kind, listId).seen++;
    return this.#progress(c, kind, listId).swept;
  }

  #progress(c: ClusterState, kind: string, listId: string): ListProgress {
    const latest = c.latest.get(kind);
    const l = c.list(kind, listId);
    if (latest?.listId !== listId) return { finished: false };
    if (!isListReady(l)) return { finished: latest.done };
    const removed: StoredObject[] = [];
    for (const [id, e] of c.entries) {
      if (e.ref.kind !== kind || e.deleted || !e.stored) continue;
      if (!isSweptByList(e, listId, l)) continue;
      removed.push(e.stored);
      this.#tombstone(c, id, e.ref, e.resourceVersion, e.uid, e.listId);
    }
    l.done = true;
    latest.done = true;
    return { finished: true, swept: { kind, listId, removed } };
  }
}

function sortedGates(gates: readonly PodGateRecord[]): PodGateRecord[] {
  const id = (g: PodGateRecord) => `${g.pod.namespace}/${g.pod.name}`;
  return [...gates].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}
