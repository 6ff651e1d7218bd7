/**
 * The snapshot store on DynamoDB: one table (SNAPSHOT_TABLE in snapshot-table.ts), keys `pk`/`sk`
 * (strings), one GSI `byKind` (`gpk`/`gsk`), PAY_PER_REQUEST, TTL attribute `ttl`. `<c>` is the
 * cluster id, `<refId>` is core/index's `kind/namespace/name` (`kind//name` when cluster-scoped).
 *
 * | item              | pk                        | sk           | attributes                                            |
 * | ----------------- | ------------------------- | ------------ | ----------------------------------------------------- |
 * | object/tombstone  | `C#<c>#O#<kind>#<ns>`     | `<name>`     | rv, rvk, uid, del, obj (JSON), edges (JSON), lid, tch, |
 * |                   |                           |              | pend + pe (edge writes pending), ttl (tombstones),     |
 * |                   |                           |              | gpk `C#<c>#K#<kind>`, gsk `<ns>/<name>` (GSI byKind)   |
 * | edge (reverse)    | `C#<c>#R#<target refId>`  | `<refId>`    | from, types                                           |
 * | cross-namespace   | `C#<c>#I#<target ns>`     | `<refId>`    | from                                                  |
 * | latest list       | `C#<c>#L`                 | `<kind>`     | lid, done                                             |
 * | list record       | `C#<c>#L#<kind>`          | `<listId>`   | st, exp, seen, lrv, done, ttl                         |
 * | reconciled        | `C#<c>#K`                 | `<lb key>`   | fp, at                                                |
 * | delete pending    | `C#<c>#D`                 | `<lb key>`   | at                                                    |
 * | dispatch mark     | `C#<c>#Q`                 | `<lb key>`   | st, dirty, gen, cat, lease, run, rev                  |
 * | status sequence   | `C#<c>#SQ`                | `-`          | seq                                                   |
 * | status            | `C#<c>#S`                 | `<cursor>`   | ref, key (LB key, optional), st, rel or gt (JSON), at |
 * | status of object  | `C#<c>#SO`                | `<refId>` or `<refId>\|<lb key>` | cur                               |
 * | status by key     | `C#<c>#SB#<lb key>`       | `<refId>`    | ref (objects putStatusesOfKey wrote under the key)    |
 * | pod gates by key  | `C#<c>#SG#<lb key>`       | `<ns>/<pod>` | pod, ct, msg (the gates putPodGatesOfKey recorded)    |
 * | cluster registry  | `CLUSTERS`                | `<c>`        | at                                                    |
 *
 * Access paths (no Scan anywhere): get = GetItem; getMany = BatchGetItem (100 keys a request);
 * referrers = Query `R#<target>`; referrersInto = Query `I#<ns>`; list(kind, ns) = Query
 * `O#<kind>#<ns>`; list(kind) of a namespaced kind and the re-list sweep = Query GSI byKind;
 * reconciledKeys = Query `C#<c>#K`; dispatch marks = GetItem + a Put conditional on `rev` (a run's
 * begin: one UpdateItem); deletePendingKeys = Query `C#<c>#D`; clusters = Query `CLUSTERS` (one small item per cluster, written
 * when a cluster's first object, list, fingerprint or status is, at most once per container).
 *
 * Writes. dynalite (the DynamoDB used in tests) has no transactions, and none are needed: a put
 * reads the object item (consistent), decides with decidePut(), then writes the object item with a
 * ConditionExpression on the version it read (`rv`/`del`, or `attribute_not_exists(pk)`): that
 * conditional write is the commit point, so of two writers of one object only one wins and a stale
 * event can never overwrite a newer one (the loser re-reads and is then rejected as stale). The
 * reverse-edge items are then brought in line with BatchWriteItem (idempotent). When that changes
 * anything, the object item is first written with `pend` + `pe` (its previous edges) and `pend` is
 * cleared afterwards; a crash in between leaves `pend`, and the next put of the object (a redelivery
 * is a duplicate) repairs the edge items before anything else. Endpoint churn (EndpointSlice
 * updates whose edges do not change) costs one read and one write.
 *
 * `rvk` is resourceVersionKey(rv): a string ordered like the decimal version, for conditions and
 * the sweep; `tch` the store clock of the last accepted write; `lid` the last list that carried
 * the object.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Referrer } from '#core/index/dependency-view.js';
import { type ObjectRef, ref, refId } from '#core/index/object-ref.js';
import type { Edge, EdgeType } from '#core/index/references.js';
import type { LbKey, PodRef } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import type { ObjectStatus, StatusRelease } from '#core/status/types.js';
import type { DispatchMark, StoredDispatchMark } from './dispatch-mark.js';
import { isListReady, isSnapshotComplete, isSweptByList, type ListRecord } from './list-sweep.js';
import { decideDelete, decidePut, resourceVersionKey, type VersionState } from './resource-version.js';
import {
  checkCluster,
  checkLimit,
  clusterOfKey,
  type DeleteOptions,
  type DeleteResult,
  formatCursor,
  type ListEndOptions,
  type ListProgress,
  type PodGate,
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
import { BY_KIND_INDEX } from './snapshot-table.js';
import { isNamespacedKind, isStoredKind, normalizeRef, toStoredObject } from './stored-object.js';

export interface DynamoSnapshotStoreOptions {
  tableName: string;
  /** A DynamoDBClient or a DynamoDBDocumentClient, created once per container (a default one otherwise). */
  client?: DynamoDBClient | DynamoDBDocumentClient;
  /** Store clock in ms (injectable for tests). */
  now?: () => number;
  /** How long a tombstone keeps rejecting late events of a deleted object (default 1 day). */
  tombstoneTtlMs?: number;
  /**
   * statusSince stops before a status younger than this (default 2000 ms): cursors are taken from a
   * counter before the status is written, so a younger one may still have an older, unwritten
   * neighbour that a reader must not skip.
   */
  statusSettleMs?: number;
  /** Strongly consistent reads on the table (default true: reconcile must see what record wrote). */
  consistentReads?: boolean;
}

type Item = Record<string, unknown>;

interface ObjectItem extends Item {
  pk: string;
  sk: string;
  rv: string;
  uid?: string;
  del: boolean;
  obj?: string;
  edges?: string;
  pend?: boolean;
  pe?: string;
  lid?: string;
  tch: number;
  ttl?: number;
}

const MAX_ATTEMPTS = 8;
/** The partition of the cluster registry (one item per cluster). */
const CLUSTER_REGISTRY = 'CLUSTERS';

export class DynamoSnapshotStore implements SnapshotStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #tombstoneTtlMs: number;
  readonly #settleMs: number;
  readonly #consistent: boolean;
  /** Clusters this container has registered already (the registry item is written once per container). */
  readonly #registered = new Set<string>();

  constructor(options: DynamoSnapshotStoreOptions) {
    const client = options.client ?? new DynamoDBClient({});
    this.#doc =
      client instanceof DynamoDBDocumentClient
        ? client
        : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
    this.#tombstoneTtlMs = options.tombstoneTtlMs ?? 24 * 3600_000;
    this.#settleMs = options.statusSettleMs ?? 2000;
    this.#consistent = options.consistentReads ?? true;
  }

  // ── objects ────────────────────────────────────────────────────────────────────────────────

  async put(cluster: string, object: unknown, options: PutOptions = {}): Promise<PutResult> {
    checkCluster(cluster);
    const incoming = toStoredObject(object);
    const key = objectKey(cluster, incoming.ref);
    for (let attempt = 1; ; attempt++) {
      const old = await this.#getObjectItem(key);
      if (!old) await this.#register(cluster);
      if (old?.pend) await this.#repairEdges(cluster, incoming.ref, old);
      const decision = decidePut(this.#state(old), { ...incoming, deleted: false });
      if (decision !== 'accept') {
        let swept: SweptList | undefined;
        if (old && options.listId !== undefined && old.lid !== options.listId) {
          if (await this.#markSeen(key, options.listId)) {
            swept = await this.#seen(cluster, incoming.ref.kind, options.listId);
          }
        }
        return { result: decision, ref: incoming.ref, ...(swept ? { swept } : {}) };
      }
      const oldEdges = old && !old.del ? parseEdges(old.edges) : [];
      const ops = edgeOps(cluster, incoming.ref, oldEdges, incoming.edges);
      const item: ObjectItem = {
        ...key,
        gpk: `C#${cluster}#K#${incoming.ref.kind}`,
        gsk: `${incoming.ref.namespace ?? ''}/${incoming.ref.name}`,
        rv: incoming.resourceVersion,
        ...optional('rvk', resourceVersionKey(incoming.resourceVersion)),
        ...optional('uid', incoming.uid),
        del: false,
        obj: JSON.stringify(object),
        edges: JSON.stringify(incoming.edges),
        ...optional('lid', options.listId ?? old?.lid),
        tch: this.#now(),
        ...(ops.length > 0 ? { pend: true, pe: JSON.stringify(oldEdges) } : {}),
      };
      if (!(await this.#putIfUnchanged(item, old))) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`put of ${refId(incoming.ref)}: too much contention`);
        continue;
      }
      if (ops.length > 0) await this.#applyEdges(cluster, incoming.ref, item, ops);
      const previous = old && !old.del && old.obj !== undefined ? JSON.parse(old.obj) : undefined;
      const swept =
        options.listId !== undefined && old?.lid !== options.listId
          ? await this.#seen(cluster, incoming.ref.kind, options.listId)
          : undefined;
      return {
        result: 'stored',
        ref: incoming.ref,
        ...(previous !== undefined ? { previous } : {}),
        ...(swept ? { swept } : {}),
      };
    }
  }

  async delete(
    cluster: string,
    ref: ObjectRef,
    resourceVersion: string,
    options: DeleteOptions = {},
  ): Promise<DeleteResult> {
    checkCluster(cluster);
    const r = normalizeRef(ref);
    const key = objectKey(cluster, r);
    for (let attempt = 1; ; attempt++) {
      const old = await this.#getObjectItem(key);
      if (!old) await this.#register(cluster);
      if (old?.pend) await this.#repairEdges(cluster, r, old);
      const decision = decideDelete(this.#state(old), {
        resourceVersion,
        uid: options.uid,
        deleted: true,
      });
      if (decision !== 'accept') return { result: decision, ref: r };
      const previous = old && !old.del && old.obj !== undefined ? JSON.parse(old.obj) : undefined;
      if (await this.#tombstone(cluster, r, old, resourceVersion, options.uid ?? old?.uid)) {
        return { result: 'deleted', ref: r, ...(previous !== undefined ? { previous } : {}) };
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`delete of ${refId(r)}: too much contention`);
    }
  }

  async get(cluster: string, ref: ObjectRef): Promise<unknown> {
    const [s] = await this.getMany(cluster, [ref]);
    return s?.object;
  }

  async getMany(cluster: string, refs: readonly ObjectRef[]): Promise<(StoredObject | undefined)[]> {
    checkCluster(cluster);
    const wanted = new Map<string, { pk: string; sk: string }>();
    for (const r of refs) {
      if (!isStoredKind(r.kind)) continue;
      const k = objectKey(cluster, normalizeRef(r));
      wanted.set(`${k.pk}\u0000${k.sk}`, k);
    }
    const found = new Map<string, ObjectItem>();
    const keys = [...wanted.values()];
    const chunks = Array.from({ length: Math.ceil(keys.length / 100) }, (_, i) =>
      keys.slice(i * 100, i * 100 + 100),
    );
    // The requests of 100 keys go out together: a big bundle costs one round, not one per 100 objects.
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] | undefined = chunk;
        for (let attempt = 0; pending && pending.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const out = await this.#doc.send(
            new BatchGetCommand({
              RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: this.#consistent } },
            }),
          );
          for (const it of (out.Responses?.[this.#table] ?? []) as ObjectItem[]) {
            found.set(`${it.pk}\u0000${it.sk}`, it);
          }
          pending = out.UnprocessedKeys?.[this.#table]?.Keys as Record<string, unknown>[] | undefined;
        }
      }),
    );
    return refs.map((r) => {
      if (!isStoredKind(r.kind)) return undefined;
      const n = normalizeRef(r);
      const k = objectKey(cluster, n);
      const it = found.get(`${k.pk}\u0000${k.sk}`);
      return it && !it.del ? toStored(n, it) : undefined;
    });
  }

  async referrers(cluster: string, to: ObjectRef): Promise<Referrer[]> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#R#${refId(to)}` },
    });
    return items
      .map((it) => ({ from: it.from as ObjectRef, types: [...(it.types as EdgeType[])].sort() }))
      .sort((a, b) => compareStrings(refId(a.from), refId(b.from)));
  }

  async referrersInto(cluster: string, namespace: string): Promise<ObjectRef[]> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#I#${namespace}` },
    });
    return items.map((it) => it.from as ObjectRef).sort((a, b) => compareStrings(refId(a), refId(b)));
  }

  async list(cluster: string, kind: string, namespace?: string): Promise<ObjectRef[]> {
    checkCluster(cluster);
    if (!isStoredKind(kind)) return [];
    const namespaced = isNamespacedKind(kind);
    if (namespaced && namespace === undefined) {
      const items = await this.#query(
        {
          IndexName: BY_KIND_INDEX,
          KeyConditionExpression: 'gpk = :g',
          ExpressionAttributeValues: { ':g': `C#${cluster}#K#${kind}`, ':f': false },
          FilterExpression: 'del = :f',
        },
        false,
      );
      return items
        .map((it) => refFromGsk(kind, it.gsk as string))
        .sort((a, b) => compareStrings(refId(a), refId(b)));
    }
    const ns = namespaced ? namespace : undefined;
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#O#${kind}#${ns ?? ''}`, ':f': false },
      FilterExpression: 'del = :f',
      ProjectionExpression: 'sk',
    });
    return items
      .map((it) =>
        ns === undefined ? { kind, name: it.sk as string } : { kind, namespace: ns, name: it.sk as string },
      )
      .sort((a, b) => compareStrings(refId(a), refId(b)));
  }

  // ── lists and completeness ───────────────────────────────────────────────────────────────

  async markListStart(cluster: string, kind: string, listId: string): Promise<ListProgress> {
    checkCluster(cluster);
    await this.#register(cluster);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `C#${cluster}#L`, sk: kind },
          UpdateExpression: 'SET lid = :l, done = :f',
          ConditionExpression: 'attribute_not_exists(lid) OR lid <> :l',
          ExpressionAttributeValues: { ':l': listId, ':f': false },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const rec = await this.#updateList(cluster, kind, listId, 'SET st = if_not_exists(st, :now)', {
      ':now': this.#now(),
    });
    return this.#progress(cluster, kind, listId, rec);
  }

  async markListEnd(
    cluster: string,
    kind: string,
    listId: string,
    count: number,
    options: ListEndOptions = {},
  ): Promise<ListProgress> {
    checkCluster(cluster);
    const rv = options.resourceVersion;
    const rec = await this.#updateList(
      cluster,
      kind,
      listId,
      rv === undefined
        ? 'SET exp = if_not_exists(exp, :n)'
        : 'SET exp = if_not_exists(exp, :n), lrv = if_not_exists(lrv, :rv)',
      rv === undefined ? { ':n': count } : { ':n': count, ':rv': rv },
    );
    return this.#progress(cluster, kind, listId, rec);
  }

  async isComplete(cluster: string, kinds?: readonly string[]): Promise<boolean> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#L` },
    });
    return isSnapshotComplete(new Map(items.map((it) => [it.sk as string, it.done === true])), kinds);
  }

  // ── reconcile bookkeeping ──────────────────────────────────────────────────────────────

  async lastReconciled(key: LbKey): Promise<string | undefined> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `C#${clusterOfKey(key)}#K`, sk: key },
        ConsistentRead: this.#consistent,
      }),
    );
    return out.Item?.fp as string | undefined;
  }

  async setReconciled(key: LbKey, fingerprint: string): Promise<void> {
    const cluster = clusterOfKey(key);
    await this.#register(cluster);
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: `C#${cluster}#K`, sk: key, fp: fingerprint, at: this.#now() },
      }),
    );
  }

  async forgetReconciled(key: LbKey): Promise<void> {
    await this.#deleteItem(`C#${clusterOfKey(key)}#K`, key);
  }

  async reconciledKeys(cluster: string): Promise<LbKey[]> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#K` },
      ProjectionExpression: 'sk',
    });
    return items.map((it) => it.sk as LbKey).sort(compareStrings);
  }

  async markDeletePending(key: LbKey): Promise<void> {
    const cluster = clusterOfKey(key);
    await this.#register(cluster);
    await this.#doc.send(
      new PutCommand({ TableName: this.#table, Item: { pk: `C#${cluster}#D`, sk: key, at: this.#now() } }),
    );
  }

  async clearDeletePending(key: LbKey): Promise<void> {
    await this.#deleteItem(`C#${clusterOfKey(key)}#D`, key);
  }

  async deletePendingKeys(cluster: string): Promise<LbKey[]> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#D` },
      ProjectionExpression: 'sk',
    });
    return items.map((it) => it.sk as LbKey).sort(compareStrings);
  }

  // ── dispatch marks ─────────────────────────────────────────────────────────────────────────

  async readDispatchMark(key: LbKey): Promise<StoredDispatchMark | undefined> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `C#${clusterOfKey(key)}#Q`, sk: key },
        ConsistentRead: true, // a mark read stale could claim a key twice
      }),
    );
    const it = out.Item;
    if (!it) return undefined;
    const state = it.st === 'queued' || it.st === 'running' ? it.st : 'idle';
    return {
      mark: {
        state,
        dirty: it.dirty === true,
        generation: Number(it.gen ?? 0),
        claimedAt: Number(it.cat ?? 0),
        leaseUntil: Number(it.lease ?? 0),
        ...(typeof it.run === 'string' ? { runId: it.run } : {}),
      },
      revision: Number(it.rev ?? 0),
    };
  }

  async writeDispatchMark(key: LbKey, mark: DispatchMark, revision: number | undefined): Promise<boolean> {
    const pk = `C#${clusterOfKey(key)}#Q`;
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk,
            sk: key,
            st: mark.state,
            dirty: mark.dirty,
            gen: mark.generation,
            cat: mark.claimedAt,
            lease: mark.leaseUntil,
            ...optional('run', mark.runId),
            rev: (revision ?? 0) + 1,
          },
          ...(revision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': revision } }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
  async beginDispatchRun(
    key: LbKey,
    run: { runId: string; leaseUntil: number; now: number },
  ): Promise<DispatchMark> {
    const out = await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `C#${clusterOfKey(key)}#Q`, sk: key },
        UpdateExpression:
          'SET st = :running, dirty = :f, lease = :lease, #run = :run, gen = if_not_exists(gen, :zero), ' +
          'cat = if_not_exists(cat, :now), rev = if_not_exists(rev, :zero) + :one',
        ExpressionAttributeNames: { '#run': 'run' },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':f': false,
          ':lease': run.leaseUntil,
          ':run': run.runId,
          ':zero': 0,
          ':now': run.now,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const it = out.Attributes ?? {};
    return {
      state: 'running',
      dirty: false,
      generation: Number(it.gen ?? 0),
      claimedAt: Number(it.cat ?? run.now),
      leaseUntil: run.leaseUntil,
      runId: run.runId,
    };
  }

  async clusters(): Promise<string[]> {
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': CLUSTER_REGISTRY },
      ProjectionExpression: 'sk',
    });
    return items.map((it) => it.sk as string).sort(compareStrings);
  }

  // ── status stream ──────────────────────────────────────────────────────────────────────

  async putStatus(cluster: string, ref: ObjectRef, status: unknown, key?: LbKey): Promise<string> {
    return this.#appendStatus(cluster, normalizeRef(ref), key, { st: JSON.stringify(status ?? null) });
  }

  async putStatusesOfKey(cluster: string, key: LbKey, statuses: readonly ObjectStatus[]): Promise<void> {
    checkCluster(cluster);
    const byKey = `C#${cluster}#SB#${key}`;
    const before = new Map(
      (
        await this.#query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': byKey } })
      ).map((it) => [it.sk as string, it.ref as ObjectRef]),
    );
    // Which objects left the key, and what each of them needs: read in parallel.
    const byObject = new Map<string, ObjectRef>();
    for (const s of statuses) {
      const r = normalizeRef(ref(s.kind, s.namespace, s.name));
      byObject.set(refId(r), r);
    }
    const leaving = await Promise.all(
      [...before]
        .filter(([id]) => !byObject.has(id))
        .map(async ([id, r]) => {
          const identity = statusIdentity(id, key);
          const [previous, stored] = await Promise.all([
            this.#latestStatus(cluster, identity),
            this.get(cluster, r),
          ]);
          return { id, r, identity, previous, release: releaseFor(previous, key, stored !== undefined) };
        }),
    );
    const released = leaving.filter((l) => l.release && l.release !== 'keep');
    // One sequence update for every record, in order (statuses, then releases); each object's
    // records are then written in parallel with the others' (the stream keeps the latest per
    // object and key, and readers wait for writes to settle), one object's statuses in order.
    const cursors = await this.#reserveCursors(cluster, statuses.length + released.length);
    const ofObject = new Map<string, { r: ObjectRef; records: { status: ObjectStatus; cursor: string }[] }>();
    statuses.forEach((status, i) => {
      const r = normalizeRef(ref(status.kind, status.namespace, status.name));
      const id = refId(r);
      const entry = ofObject.get(id) ?? { r, records: [] };
      entry.records.push({ status, cursor: cursors[i]! });
      ofObject.set(id, entry);
    });
    const writes = [...ofObject].map(async ([id, { r, records }]) => {
      for (const { status, cursor } of records)
        await this.#appendStatus(cluster, r, key, { st: JSON.stringify(status) }, cursor);
      if (!before.has(id))
        await this.#doc.send(new PutCommand({ TableName: this.#table, Item: { pk: byKey, sk: id, ref: r } }));
    });
    const releases = leaving.map(async ({ id, r, identity, previous, release }) => {
      if (release === 'keep') {
        // already released
      } else if (release) {
        const cursor = cursors[statuses.length + released.findIndex((l) => l.id === id)]!;
        // replaces `previous`
        await this.#appendStatus(cluster, r, key, { rel: JSON.stringify(release) }, cursor);
      } else {
        if (previous) await this.#deleteItem(`C#${cluster}#S`, previous.cursor);
        await this.#deleteItem(`C#${cluster}#SO`, identity);
      }
      await this.#deleteItem(byKey, id);
    });
    await settleAll([...writes, ...releases]);
  }

  /** `n` consecutive stream cursors of `cluster`, in order (one sequence update). */
  async #reserveCursors(cluster: string, n: number): Promise<string[]> {
    if (n === 0) return [];
    await this.#register(cluster);
    const seq = await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `C#${cluster}#SQ`, sk: '-' },
        UpdateExpression: 'ADD seq :n',
        ExpressionAttributeValues: { ':n': n },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const last = Number(seq.Attributes?.seq);
    return Array.from({ length: n }, (_, i) => formatCursor(last - n + 1 + i));
  }

  async putPodGatesOfKey(cluster: string, key: LbKey, gates: readonly PodGateRecord[]): Promise<void> {
    checkCluster(cluster);
    const byKey = `C#${cluster}#SG#${key}`;
    const { write, remove } = podGateChanges(await this.podGatesOfKey(cluster, key), gates);
    for (const g of write) {
      const r = normalizeRef(ref('Pod', g.pod.namespace, g.pod.name));
      const gate: PodGate = { conditionType: g.conditionType, message: g.message };
      await this.#appendStatus(cluster, r, key, { gt: JSON.stringify(gate) });
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: byKey,
            sk: `${g.pod.namespace}/${g.pod.name}`,
            pod: g.pod,
            ct: g.conditionType,
            msg: g.message,
          },
        }),
      );
    }
    for (const pod of remove) {
      const identity = statusIdentity(refId(normalizeRef(ref('Pod', pod.namespace, pod.name))), key);
      const previous = await this.#latestStatus(cluster, identity);
      if (previous) await this.#deleteItem(`C#${cluster}#S`, previous.cursor);
      await this.#deleteItem(`C#${cluster}#SO`, identity);
      await this.#deleteItem(byKey, `${pod.namespace}/${pod.name}`);
    }
  }

  async podGatesOfKey(cluster: string, key: LbKey): Promise<PodGateRecord[]> {
    checkCluster(cluster);
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${cluster}#SG#${key}` },
    });
    return items.map((it) => ({
      pod: it.pod as PodRef,
      conditionType: it.ct as string,
      message: it.msg as string,
    }));
  }

  /** Appends a status (`st`), release (`rel`) or pod gate (`gt`) record; the stream keeps the latest per (object, key). */
  async #appendStatus(
    cluster: string,
    r: ObjectRef,
    key: LbKey | undefined,
    payload: { st: string } | { rel: string } | { gt: string },
    reserved?: string,
  ): Promise<string> {
    checkCluster(cluster);
    const cursor = reserved ?? (await this.#reserveCursors(cluster, 1))[0]!;
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `C#${cluster}#S`,
          sk: cursor,
          ref: r,
          ...optional('key', key),
          ...payload,
          at: this.#now(),
        },
      }),
    );
    // Keep only the latest status of each (object, key) pair in the stream.
    try {
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `C#${cluster}#SO`, sk: statusIdentity(refId(r), key) },
          UpdateExpression: 'SET cur = :c',
          ConditionExpression: 'attribute_not_exists(cur) OR cur < :c',
          ExpressionAttributeValues: { ':c': cursor },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const old = out.Attributes?.cur as string | undefined;
      if (old !== undefined) await this.#deleteItem(`C#${cluster}#S`, old);
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      await this.#deleteItem(`C#${cluster}#S`, cursor); // a newer status of the object is in already
    }
    return cursor;
  }

  /** The record the stream holds for one (object, key) identity, if any. */
  async #latestStatus(cluster: string, identity: string): Promise<StatusRecord | undefined> {
    const get = async (pk: string, sk: string) =>
      (
        await this.#doc.send(
          new GetCommand({ TableName: this.#table, Key: { pk, sk }, ConsistentRead: this.#consistent }),
        )
      ).Item;
    const cur = (await get(`C#${cluster}#SO`, identity))?.cur;
    if (typeof cur !== 'string') return undefined;
    const it = await get(`C#${cluster}#S`, cur);
    return it ? statusRecordOf(it) : undefined;
  }

  async statusSince(cluster: string, cursor: string | undefined, limit: number): Promise<StatusPage> {
    checkCluster(cluster);
    checkLimit(limit);
    const items: StatusRecord[] = [];
    const settled = this.#now() - this.#settleMs;
    let more = false;
    let start: Record<string, unknown> | undefined;
    outer: do {
      const out = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: cursor === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :c',
          ExpressionAttributeValues:
            cursor === undefined ? { ':pk': `C#${cluster}#S` } : { ':pk': `C#${cluster}#S`, ':c': cursor },
          ConsistentRead: this.#consistent,
          Limit: limit + 1 - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const it of out.Items ?? []) {
        if ((it.at as number) > settled || items.length >= limit) {
          more = true;
          break outer;
        }
        items.push(statusRecordOf(it));
      }
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    if (start && items.length >= limit) more = true;
    return { items, next: items.at(-1)?.cursor ?? cursor, more };
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────

  /** Adds `cluster` to the registry clusters() reads (idempotent; once per container). */
  async #register(cluster: string): Promise<void> {
    if (this.#registered.has(cluster)) return;
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: CLUSTER_REGISTRY, sk: cluster, at: this.#now() },
      }),
    );
    this.#registered.add(cluster);
  }

  #state(old: ObjectItem | undefined): VersionState | undefined {
    if (!old) return undefined;
    if (old.del && old.ttl !== undefined && old.ttl * 1000 <= this.#now()) return undefined; // expired, not yet reaped
    return { resourceVersion: old.rv, uid: old.uid, deleted: old.del };
  }

  async #getObjectItem(key: { pk: string; sk: string }): Promise<ObjectItem | undefined> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item as ObjectItem | undefined;
  }

  /** Writes `item` if the stored item is still `old` (the commit point of every object write). */
  async #putIfUnchanged(item: ObjectItem, old: ObjectItem | undefined): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ...(old
            ? {
                ConditionExpression: 'rv = :orv AND del = :odel',
                ExpressionAttributeValues: { ':orv': old.rv, ':odel': old.del },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Replaces the object by a tombstone (conditional on `old`); false when it changed meanwhile. */
  async #tombstone(
    cluster: string,
    r: ObjectRef,
    old: ObjectItem | undefined,
    resourceVersion: string,
    uid: string | undefined,
  ): Promise<boolean> {
    const key = objectKey(cluster, r);
    const oldEdges = old && !old.del ? parseEdges(old.edges) : [];
    const ops = edgeOps(cluster, r, oldEdges, []);
    const now = this.#now();
    const item: ObjectItem = {
      ...key,
      gpk: `C#${cluster}#K#${r.kind}`,
      gsk: `${r.namespace ?? ''}/${r.name}`,
      rv: resourceVersion,
      ...optional('rvk', resourceVersionKey(resourceVersion)),
      ...optional('uid', uid),
      del: true,
      edges: '[]',
      ...optional('lid', old?.lid),
      tch: now,
      ttl: Math.ceil((now + this.#tombstoneTtlMs) / 1000),
      ...(ops.length > 0 ? { pend: true, pe: JSON.stringify(oldEdges) } : {}),
    };
    if (!(await this.#putIfUnchanged(item, old))) return false;
    if (ops.length > 0) await this.#applyEdges(cluster, r, item, ops);
    return true;
  }

  /** Finishes the edge writes a crashed writer left pending on `old`. */
  async #repairEdges(cluster: string, r: ObjectRef, old: ObjectItem): Promise<void> {
    const current = old.del ? [] : parseEdges(old.edges);
    const previous = parseEdges(old.pe);
    // The previous edges' items may or may not be gone, the current ones' may or may not be there.
    const ops = edgeOps(cluster, r, previous, current, true);
    await this.#applyEdges(cluster, r, old, ops);
  }

  /**
   * Writes the edge operations of the object write `item`, then clears its `pend`. When a newer
   * write of the object happened meanwhile (possible only with concurrent writers of one object,
   * which the FIFO queue avoids), our batch may have landed after its own: the edges are then
   * brought in line with the newest item, so the last word is always the newest version's.
   */
  async #applyEdges(cluster: string, r: ObjectRef, item: ObjectItem, ops: WriteOp[]): Promise<void> {
    let written = item.del ? [] : parseEdges(item.edges);
    let rv = item.rv;
    for (let round = 0; ; round++) {
      await this.#batchWrite(ops);
      try {
        await this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: objectKey(cluster, r),
            UpdateExpression: 'REMOVE pend, pe',
            ConditionExpression: 'rv = :rv',
            ExpressionAttributeValues: { ':rv': rv },
          }),
        );
        return;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
      const current = await this.#getObjectItem(objectKey(cluster, r));
      if (!current || round >= MAX_ATTEMPTS) return;
      const edges = current.del ? [] : parseEdges(current.edges);
      const stale = current.pend ? [...written, ...parseEdges(current.pe)] : written;
      ops = edgeOps(cluster, r, stale, edges, true);
      written = edges;
      rv = current.rv;
    }
  }

  async #batchWrite(ops: WriteOp[]): Promise<void> {
    for (let i = 0; i < ops.length; i += 25) {
      let pending: WriteOp[] | undefined = ops.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out = await this.#doc.send(new BatchWriteCommand({ RequestItems: { [this.#table]: pending } }));
        pending = out.UnprocessedItems?.[this.#table] as WriteOp[] | undefined;
      }
    }
  }

  /** Sets `lid` on an object a list carried; true when it was not marked with that list yet. */
  async #markSeen(key: { pk: string; sk: string }, listId: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET lid = :l',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lid) OR lid <> :l)',
          ExpressionAttributeValues: { ':l': listId },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async #seen(cluster: string, kind: string, listId: string): Promise<SweptList | undefined> {
    const rec = await this.#updateList(cluster, kind, listId, 'ADD seen :one', { ':one': 1 });
    return (await this.#progress(cluster, kind, listId, rec)).swept;
  }

  async #updateList(
    cluster: string,
    kind: string,
    listId: string,
    update: string,
    values: Record<string, unknown>,
  ): Promise<ListRecord> {
    const ttl = Math.ceil((this.#now() + 7 * 24 * 3600_000) / 1000);
    const out = await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `C#${cluster}#L#${kind}`, sk: listId },
        UpdateExpression: `${update} ${update.startsWith('SET') ? ',' : 'SET'} done = if_not_exists(done, :f), #ttl = :ttl`,
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ...values, ':f': false, ':ttl': ttl },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toListRecord(out.Attributes ?? {});
  }

  async #progress(cluster: string, kind: string, listId: string, rec: ListRecord): Promise<ListProgress> {
    // Most calls (every object of a list but the last) stop here, without reading the kind's pointer.
    if (!rec.done && !isListReady(rec)) return { finished: false };
    const latest = (
      await this.#doc.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: `C#${cluster}#L`, sk: kind },
          ConsistentRead: true,
        }),
      )
    ).Item;
    if (latest?.lid !== listId) return { finished: false };
    if (!isListReady(rec)) return { finished: latest.done === true };
    // Claim the sweep: only one caller finishes a list.
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `C#${cluster}#L#${kind}`, sk: listId },
          UpdateExpression: 'SET done = :t',
          ConditionExpression: 'done = :f',
          ExpressionAttributeValues: { ':t': true, ':f': false },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) return { finished: latest.done === true };
      throw e;
    }
    const removed = await this.#sweep(cluster, kind, listId, rec);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `C#${cluster}#L`, sk: kind },
          UpdateExpression: 'SET done = :t',
          ConditionExpression: 'lid = :l',
          ExpressionAttributeValues: { ':t': true, ':l': listId },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e; // a newer list started meanwhile: the kind stays incomplete
      return { finished: false, swept: { kind, listId, removed } };
    }
    return { finished: true, swept: { kind, listId, removed } };
  }

  /** Removes the kind's live objects that the finished list did not carry (GSI byKind, then conditional). */
  async #sweep(cluster: string, kind: string, listId: string, rec: ListRecord): Promise<StoredObject[]> {
    const candidates = await this.#query(
      {
        IndexName: BY_KIND_INDEX,
        KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': `C#${cluster}#K#${kind}`, ':f': false },
        FilterExpression: 'del = :f',
      },
      false,
    );
    const removed: StoredObject[] = [];
    for (const c of candidates) {
      const meta = {
        resourceVersion: c.rv as string,
        listId: c.lid as string | undefined,
        touched: c.tch as number,
      };
      if (!isSweptByList(meta, listId, rec)) continue;
      const r = refFromGsk(kind, c.gsk as string);
      const old = await this.#getObjectItem(objectKey(cluster, r));
      // The index lags the table: decide again on the item itself.
      if (!old || old.del) continue;
      if (!isSweptByList({ resourceVersion: old.rv, listId: old.lid, touched: old.tch }, listId, rec))
        continue;
      if (await this.#tombstone(cluster, r, old, old.rv, old.uid)) removed.push(toStored(r, old));
    }
    return removed;
  }

  async #query(input: Omit<QueryCommandInput, 'TableName'>, consistent = this.#consistent): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          ...input,
          ...(consistent ? { ConsistentRead: true } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async #deleteItem(pk: string, sk: string): Promise<void> {
    await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: { pk, sk } }));
  }
}

type WriteOp = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: { pk: string; sk: string } } };

function objectKey(cluster: string, r: ObjectRef): { pk: string; sk: string } {
  return { pk: `C#${cluster}#O#${r.kind}#${r.namespace ?? ''}`, sk: r.name };
}

function refFromGsk(kind: string, gsk: string): ObjectRef {
  const i = gsk.indexOf('/');
  const ns = gsk.slice(0, i);
  const name = gsk.slice(i + 1);
  return ns === '' ? { kind, name } : { kind, namespace: ns, name };
}

function toStored(r: ObjectRef, it: ObjectItem): StoredObject {
  return {
    ref: r,
    resourceVersion: it.rv,
    ...(it.uid ? { uid: it.uid } : {}),
    object: it.obj === undefined ? undefined : JSON.parse(it.obj),
    edges: parseEdges(it.edges),
  };
}

function toListRecord(a: Record<string, unknown>): ListRecord {
  return {
    ...(typeof a.st === 'number' ? { startedAt: a.st } : {}),
    ...(typeof a.exp === 'number' ? { expected: a.exp } : {}),
    seen: typeof a.seen === 'number' ? a.seen : 0,
    ...(typeof a.lrv === 'string' ? { resourceVersion: a.lrv } : {}),
    done: a.done === true,
  };
}

function parseEdges(json: string | undefined): Edge[] {
  return json ? (JSON.parse(json) as Edge[]) : [];
}

/**
 * The reverse-edge and cross-namespace item writes that move `from` from `oldEdges` to `newEdges`.
 * `full`: the old items' presence is unknown (repair), so every new item is written and every old
 * one not in the new set deleted.
 */
function edgeOps(
  cluster: string,
  from: ObjectRef,
  oldEdges: readonly Edge[],
  newEdges: readonly Edge[],
  full = false,
): WriteOp[] {
  const fromId = refId(from);
  const ops: WriteOp[] = [];
  const oldT = byTarget(oldEdges);
  const newT = byTarget(newEdges);
  for (const [to, t] of newT) {
    const before = oldT.get(to);
    if (!full && before && before.types.join() === t.types.join()) continue;
    ops.push({ PutRequest: { Item: { pk: `C#${cluster}#R#${to}`, sk: fromId, from, types: t.types } } });
  }
  for (const to of oldT.keys()) {
    if (!newT.has(to)) ops.push({ DeleteRequest: { Key: { pk: `C#${cluster}#R#${to}`, sk: fromId } } });
  }
  const oldNs = crossingNamespaces(from, oldEdges);
  const newNs = crossingNamespaces(from, newEdges);
  for (const ns of newNs) {
    if (full || !oldNs.has(ns))
      ops.push({ PutRequest: { Item: { pk: `C#${cluster}#I#${ns}`, sk: fromId, from } } });
  }
  for (const ns of oldNs) {
    if (!newNs.has(ns)) ops.push({ DeleteRequest: { Key: { pk: `C#${cluster}#I#${ns}`, sk: fromId } } });
  }
  return ops;
}

function byTarget(edges: readonly Edge[]): Map<string, { types: EdgeType[] }> {
  const m = new Map<string, Set<EdgeType>>();
  for (const e of edges) {
    const id = refId(e.to);
    let s = m.get(id);
    if (!s) {
      s = new Set();
      m.set(id, s);
    }
    s.add(e.type);
  }
  return new Map([...m].map(([id, s]) => [id, { types: [...s].sort() }]));
}

function crossingNamespaces(from: ObjectRef, edges: readonly Edge[]): Set<string> {
  const s = new Set<string>();
  if (from.namespace === undefined) return s;
  for (const e of edges) {
    if (e.to.namespace !== undefined && e.to.namespace !== from.namespace) s.add(e.to.namespace);
  }
  return s;
}

function statusRecordOf(it: Item): StatusRecord {
  return {
    cursor: it.sk as string,
    ...(typeof it.key === 'string' ? { key: it.key as LbKey } : {}),
    ref: it.ref as ObjectRef,
    ...(typeof it.rel === 'string'
      ? { release: JSON.parse(it.rel) as StatusRelease }
      : typeof it.gt === 'string'
        ? { gate: JSON.parse(it.gt) as PodGate }
        : { status: JSON.parse(it.st as string) }),
  };
}

function optional<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

function isConditionFailure(e: unknown): boolean {
  return (
    e instanceof ConditionalCheckFailedException ||
    (e instanceof Error && e.name === 'ConditionalCheckFailedException')
  );
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
}

/** Waits for every write, then fails with the first failure: none is left running unseen. */
async function settleAll(writes: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
