import type { Referrer } from '#core/index/dependency-view.js';
import type { ObjectRef } from '#core/index/object-ref.js';
import type { Edge } from '#core/index/references.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, PodRef } from '#core/ir/load-balancer.js';
import { releaseOf } from '#core/status/release.js';
import type { ObjectStatus, StatusRelease } from '#core/status/types.js';
import type { DispatchMarkStore } from './dispatch-mark.js';

/**
 * The snapshot store (port): the latest version of every object of every cluster, as recorded from
 * watch events, with what `record` and `reconcile` need around it. Implementations:
 * MemorySnapshotStore (local mode, tests) and DynamoSnapshotStore (AWS). Every method of one
 * cluster is independent of every other cluster: object identities are only unique in a cluster.
 *
 * Reads answer the async half of core/index's DependencyView (getMany/references via the stored
 * edges, referrers, referrersInto, list); functions/store/store-view.ts turns them into the
 * synchronous view that affectedKeys() and selectBundle() walk, reading only what they reach.
 * It also keeps each key's dispatch mark (DispatchMarkStore, dispatch-mark.ts).
 */
export interface SnapshotStore extends DispatchMarkStore {
  /**
   * Stores an add/update event's object unless what is stored is as new or newer (see decidePut in
   * resource-version.ts): conditional on the stored version, so two writers cannot both win.
   * `listId` marks the object as seen by that (re-)list, even when the put is rejected as a duplicate.
   */
  put(cluster: string, object: unknown, options?: PutOptions): Promise<PutResult>;
  /**
   * Records a delete event: the object is replaced by a tombstone (version, uid) so that a late
   * add/update of it is rejected; tombstones expire after the store's tombstone TTL.
   */
  delete(
    cluster: string,
    ref: ObjectRef,
    resourceVersion: string,
    options?: DeleteOptions,
  ): Promise<DeleteResult>;
  /** The stored live object, or undefined (absent, deleted, or not an identifiable object). */
  get(cluster: string, ref: ObjectRef): Promise<unknown>;
  /** The stored live objects with their edges, in the order of `refs` (undefined where absent); batched. */
  getMany(cluster: string, refs: readonly ObjectRef[]): Promise<(StoredObject | undefined)[]>;

  /** Stored objects with an edge to `to` (which may be a pseudo-object), sorted by refId. */
  referrers(cluster: string, to: ObjectRef): Promise<Referrer[]>;
  /** Stored namespaced objects with an edge into `namespace` from another namespace, sorted. */
  referrersInto(cluster: string, namespace: string): Promise<ObjectRef[]>;
  /** Stored objects of one kind (in one namespace, or in all when `namespace` is left out), sorted. */
  list(cluster: string, kind: string, namespace?: string): Promise<ObjectRef[]>;

  /** A (re-)list of `kind` begins: the cluster is incomplete until it ends. */
  markListStart(cluster: string, kind: string, listId: string): Promise<ListProgress>;
  /**
   * The list `listId` of `kind` sent `count` objects. Once its start, its end and all `count` objects
   * have been recorded (in any order: they travel in different queue groups), every stored object of
   * the kind that the list did not carry is removed (deleted while nobody watched), and the kind is
   * complete. A list that is no longer the kind's latest is ignored.
   */
  markListEnd(
    cluster: string,
    kind: string,
    listId: string,
    count: number,
    options?: ListEndOptions,
  ): Promise<ListProgress>;
  /** True only when at least one kind was listed and every listed kind's latest list is finished. */
  isComplete(cluster: string, kinds?: readonly string[]): Promise<boolean>;

  /** The fingerprint of the bundle last reconciled for `key`, if any. */
  lastReconciled(key: LbKey): Promise<string | undefined>;
  setReconciled(key: LbKey, fingerprint: string): Promise<void>;
  /**
   * Forgets `key`'s fingerprint: its load balancer was deleted, so resync need not revisit it (the
   * next reconcile of the key, if any, runs in full).
   */
  forgetReconciled(key: LbKey): Promise<void>;
  /** The keys of `cluster` with a remembered fingerprint, sorted (one small query, no scan). */
  reconciledKeys(cluster: string): Promise<LbKey[]>;

  /**
   * Marks `key`'s load balancer as "delete pending": it must go, and no complete observe has yet
   * confirmed that nothing of it is left. Set before the deletes start, so that a crash, a throttled
   * observe or a dead-lettered message leave the mark; resync re-enqueues marked keys. Idempotent.
   */
  markDeletePending(key: LbKey): Promise<void>;
  /** A complete observe confirmed that nothing of `key`'s load balancer is left (idempotent). */
  clearDeletePending(key: LbKey): Promise<void>;
  /** The keys of `cluster` marked delete pending, sorted (one small query, no scan). */
  deletePendingKeys(cluster: string): Promise<LbKey[]>;
  /**
   * Every cluster the store has held anything for (objects, tombstones, lists, fingerprints,
   * statuses), sorted. A cluster stays registered once seen. One small query, no scan.
   */
  clusters(): Promise<string[]>;

  /**
   * Appends the status of one object, as computed by the reconcile of load balancer `key`, to the
   * cluster's status stream and returns its cursor. Cursors increase strictly per cluster; the
   * stream keeps only the latest status of each (object, key) pair: a route attached to two
   * Gateways has one record per Gateway's key.
   */
  putStatus(cluster: string, ref: ObjectRef, status: unknown, key?: LbKey): Promise<string>;
  /**
   * Writes everything the reconcile of `key` says about status: `statuses` (as putStatus with `key`),
   * and a release for each object this method wrote a status for under `key` before and no longer
   * does (the Gateway moved to another controller's class, the route left the Gateway). A release
   * record (`release`: core/status releaseOf of the status it replaces) takes the place of that
   * status in the stream, so the status pull tells the forwarder to remove Portico's part and
   * nothing else; an object no longer stored (deleted) or with nothing of Portico's to withdraw
   * under `key` just leaves the stream. Calls for one key must not overlap (the reconcile queue's
   * group is the key).
   */
  putStatusesOfKey(cluster: string, key: LbKey, statuses: readonly ObjectStatus[]): Promise<void>;
  /**
   * Records which pods' readiness gates the reconcile of `key` opens (docs/readiness-gates.md): one
   * gate record per pod in the status stream (ref = the Pod, `gate` instead of `status`), written
   * only when new or changed; the record of a pod no longer in `gates` leaves the stream (a gate is
   * never closed again, so there is nothing to release). Calls for one key must not overlap.
   */
  putPodGatesOfKey(cluster: string, key: LbKey, gates: readonly PodGateRecord[]): Promise<void>;
  /** The gates putPodGatesOfKey last recorded for `key` (the previous answer), sorted by pod. */
  podGatesOfKey(cluster: string, key: LbKey): Promise<PodGateRecord[]>;
  /** Statuses appended after `cursor` (from the start when undefined), oldest first, at most `limit`. */
  statusSince(cluster: string, cursor: string | undefined, limit: number): Promise<StatusPage>;
}

export interface PutOptions {
  /** The (re-)list this object came from (see markListStart). */
  listId?: string;
}

export interface DeleteOptions {
  /** The deleted object's uid, when the event carried it (guards against late events of the same object). */
  uid?: string;
}

export interface ListEndOptions {
  /**
   * The list's resourceVersion. When it and an unseen object's version are decimal, the object is
   * removed only if it is not newer than the list (a newer one was created after the list's
   * snapshot); otherwise only objects last written before the list started are removed.
   */
  resourceVersion?: string;
}

/** A stored live object: the raw object as received, its identity, version and edges. */
export interface StoredObject {
  ref: ObjectRef;
  resourceVersion: string;
  uid?: string;
  object: unknown;
  edges: readonly Edge[];
}

export type PutResult =
  /** Stored; `previous` is the live object it replaced (for affectedKeys' `old`). */
  | { result: 'stored'; ref: ObjectRef; previous?: unknown; swept?: SweptList }
  /** Rejected: the stored version is newer (`stale`), the same (`duplicate`), or the object was deleted. */
  | { result: 'stale' | 'duplicate' | 'deleted'; ref: ObjectRef; swept?: SweptList };

export type DeleteResult =
  | { result: 'deleted'; ref: ObjectRef; previous?: unknown }
  | { result: 'stale' | 'duplicate'; ref: ObjectRef };

/** A list that finished: the objects it removed (with their last state, for affectedKeys). */
export interface SweptList {
  kind: string;
  listId: string;
  removed: StoredObject[];
}

export interface ListProgress {
  /** The kind's latest list is finished (its missing objects were removed). */
  finished: boolean;
  /** Set by the call that finished the list. */
  swept?: SweptList;
}

export interface StatusRecord {
  cursor: string;
  /** The load balancer whose reconcile wrote the status (absent when written without one). */
  key?: LbKey;
  ref: ObjectRef;
  /** The status to write; absent on a release. */
  status?: unknown;
  /** What Portico withdraws from the object (putStatusesOfKey); absent on a status. */
  release?: StatusRelease;
  /** A Pod's readiness gate the load balancer `key` opens (putPodGatesOfKey); ref is the Pod. */
  gate?: PodGate;
}

/** A readiness gate to turn True: the Pod condition type and the condition's message. */
export interface PodGate {
  conditionType: string;
  message: string;
}

/** One pod whose readiness gate a load balancer opens. */
export interface PodGateRecord extends PodGate {
  pod: PodRef;
}

/** The records a gate list changes: what to (re)write, and the pods whose record leaves the stream. */
export function podGateChanges(
  before: readonly PodGateRecord[],
  after: readonly PodGateRecord[],
): { write: PodGateRecord[]; remove: PodRef[] } {
  const id = (p: PodRef) => `${p.namespace}/${p.name}`;
  const old = new Map(before.map((g) => [id(g.pod), g]));
  const now = new Set(after.map((g) => id(g.pod)));
  return {
    write: after.filter((g) => {
      const o = old.get(id(g.pod));
      return !o || o.conditionType !== g.conditionType || o.message !== g.message;
    }),
    remove: before.filter((g) => !now.has(id(g.pod))).map((g) => g.pod),
  };
}

export interface StatusPage {
  items: StatusRecord[];
  /** The cursor to resume from: the last item's, or the given one when there were none. */
  next: string | undefined;
  /** More items may follow `next` right now. */
  more: boolean;
}

/** The object cannot be stored: not an object of a kind the core reads, or no resourceVersion. */
export class InvalidObjectError extends Error {
  override readonly name = 'InvalidObjectError';
}

/** A cluster id must be usable inside keys: non-empty, without `/` or `#`. */
export class InvalidClusterError extends Error {
  override readonly name = 'InvalidClusterError';
  constructor(cluster: string) {
    super(`${JSON.stringify(cluster)} is not a usable cluster id (non-empty, no '/' or '#')`);
  }
}

export function checkCluster(cluster: string): void {
  if (!cluster || cluster.includes('/') || cluster.includes('#')) throw new InvalidClusterError(cluster);
}

/** A page size must be a positive integer. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, not ${limit}`);
}

/** The identity of a status record in the stream: the object, and the load balancer that wrote it. */
export function statusIdentity(id: string, key: LbKey | undefined): string {
  // `|` appears in neither a refId nor an LB key (DNS names and `/`).
  return key === undefined ? id : `${id}|${key}`;
}

/** Status cursors: fixed-width decimal, so that string order is numeric order. */
export function formatCursor(seq: number): string {
  return String(seq).padStart(16, '0');
}

/** The cluster of an LB key (fingerprints are kept per cluster); throws on anything else. */
export function clusterOfKey(key: LbKey): string {
  const cluster = parseLbKey(key)?.cluster;
  if (cluster === undefined) throw new RangeError(`${JSON.stringify(key)} is not a load-balancer key`);
  checkCluster(cluster);
  return cluster;
}

/**
 * What takes the place of the record `key` last wrote for an object it no longer writes: a release
 * of that status (when the object is still stored and something of it is Portico's to withdraw
 * under `key`), or nothing (the record leaves the stream). A release already there stays as it is.
 */
export function releaseFor(
  previous: StatusRecord | undefined,
  key: LbKey,
  stillStored: boolean,
): StatusRelease | 'keep' | undefined {
  if (previous?.release) return 'keep';
  if (!previous || !stillStored || !isObjectStatus(previous.status)) return undefined;
  return releaseOf(previous.status, key);
}

function isObjectStatus(v: unknown): v is ObjectStatus {
  const s = v as Partial<ObjectStatus> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.kind === 'string' &&
    typeof s.name === 'string' &&
    Array.isArray(s.loadBalancers) &&
    typeof s.status === 'object' &&
    s.status !== null
  );
}
