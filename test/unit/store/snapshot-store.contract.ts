import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affectedKeys } from '#core/index/affected-keys.js';
import { DependencyGraph } from '#core/index/dependency-graph.js';
import { ingressKeys } from '#core/index/lb-keys.js';
import { refOf } from '#core/index/object-ref.js';
import { selectBundle } from '#core/index/select-bundle.js';
import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { ObjectStatus } from '#core/status/types.js';
import { bundleFingerprint } from '#functions/store/bundle-fingerprint.js';
import type { DispatchMark } from '#functions/store/dispatch-mark.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';
import {
  affectedKeysInStore,
  type StoreViewStats,
  selectBundleFromStore,
  type WalkReads,
} from '#functions/store/store-view.js';
import { scenarioArb } from '../index/arbitraries.js';
import { gateway, gatewayClass, httpRoute, namespace, service } from '../index/fixtures.js';

/** A store under test, built on the contract's clock (ms). */
export type StoreFactory = (now: () => number) => SnapshotStore;

export interface ContractOptions {
  /** fast-check runs of the DependencyView equivalence property. */
  propertyRuns: number;
}

const DAY = 24 * 3600_000;

let clusterSeq = 0;
/** A fresh cluster id per test: stores are shared within a file, clusters never are. */
function freshCluster(): string {
  return `c${++clusterSeq}-${Math.random().toString(36).slice(2, 8)}`;
}

function svc(ns: string, name: string, rv: string, uid = `uid-${ns}-${name}`) {
  return withVersion(service(ns, name), rv, uid);
}

function withVersion<T>(obj: T, rv: string, uid?: string): T {
  const o = structuredClone(obj) as { metadata: Record<string, unknown> };
  o.metadata.resourceVersion = rv;
  if (uid !== undefined) o.metadata.uid = uid;
  return o as T;
}

/** The resourceVersion of a raw object. */
function rvOf(o: unknown): unknown {
  return (o as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
}

const SVC = (ns: string, name: string) => ({ kind: 'Service', namespace: ns, name });

/** `keys` and the keys of the graph's Gateways, Services and Ingresses. */
function keysOf(graph: DependencyGraph, keys: readonly LbKey[]): Set<LbKey> {
  const out = new Set<LbKey>(keys);
  const c = graph.cluster!;
  for (const o of graph.objects()) {
    const r = refOf(o)!;
    if (r.kind === 'Gateway' || r.kind === 'Service') out.add(lbKey(c, r.kind, r.namespace, r.name));
    if (r.kind === 'Ingress') for (const k of ingressKeys(c, r, o)) out.add(k);
  }
  return out;
}

/**
 * The snapshot store contract: the same behaviour from every implementation. `make` builds a store
 * on the given clock; every test works in clusters of its own.
 */
export function describeSnapshotStore(name: string, make: StoreFactory, options: ContractOptions): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    const clock = { t: 1_000_000 };
    const now = () => clock.t;
    let store: SnapshotStore;
    const s = () => {
      store ??= make(now);
      return store;
    };

    it('stores the latest version and rejects stale and duplicate events', async () => {
      const c = freshCluster();
      expect(await s().put(c, svc('a', 'x', '10'))).toEqual({ result: 'stored', ref: SVC('a', 'x') });
      expect((await s().put(c, svc('a', 'x', '9'))).result).toBe('stale');
      expect((await s().put(c, svc('a', 'x', '10'))).result).toBe('duplicate');
      // Numeric, not lexical: 9 < 10 < 100.
      const r = await s().put(c, svc('a', 'x', '100'));
      expect(r.result).toBe('stored');
      expect(r.result === 'stored' && rvOf(r.previous)).toBe('10');
      expect((await s().put(c, svc('a', 'x', '99'))).result).toBe('stale');
      expect(rvOf(await s().get(c, SVC('a', 'x')))).toBe('100');
      // Another cluster is another world.
      expect(await s().get(freshCluster(), SVC('a', 'x'))).toBeUndefined();
    });

    it('accepts opaque (non-decimal) versions by arrival and still detects exact duplicates', async () => {
      const c = freshCluster();
      expect((await s().put(c, svc('a', 'x', 'b7'))).result).toBe('stored');
      expect((await s().put(c, svc('a', 'x', 'a1'))).result).toBe('stored');
      expect((await s().put(c, svc('a', 'x', 'a1'))).result).toBe('duplicate');
      expect((await s().put(c, svc('a', 'x', '5'))).result).toBe('stored');
    });

    it('lets the newest of concurrent writes of one object win', async () => {
      const c = freshCluster();
      const versions = [3, 9, 1, 7, 5, 8, 2, 6, 4];
      const route = (rv: number) =>
        withVersion(
          httpRoute('a', 'r', { parents: [{ name: `g${rv}` }], backends: [{ name: `s${rv}` }] }),
          String(rv),
        );
      const results = await Promise.all(versions.map((v) => s().put(c, route(v))));
      expect(results.every((r) => ['stored', 'stale'].includes(r.result))).toBe(true);
      expect(rvOf(await s().get(c, { kind: 'HTTPRoute', namespace: 'a', name: 'r' }))).toBe('9');
      // The reverse references are those of the winner only.
      for (const v of versions) {
        const refs = await s().referrers(c, { kind: 'Gateway', namespace: 'a', name: `g${v}` });
        expect(refs.length).toBe(v === 9 ? 1 : 0);
      }
    });

    it('refuses objects it cannot identify or order', async () => {
      const c = freshCluster();
      await expect(s().put(c, service('a', 'x'))).rejects.toThrow(/resourceVersion/);
      await expect(
        s().put(c, { kind: 'Deployment', metadata: { name: 'p', resourceVersion: '1' } }),
      ).rejects.toThrow();
      await expect(s().put('bad/cluster', svc('a', 'x', '1'))).rejects.toThrow(/cluster/);
    });

    it('keeps tombstones so that late events cannot resurrect a deleted object', async () => {
      const c = freshCluster();
      await s().put(c, svc('a', 'x', '5', 'u1'));
      const d = await s().delete(c, SVC('a', 'x'), '6', { uid: 'u1' });
      expect(d.result).toBe('deleted');
      expect(d.result === 'deleted' && rvOf(d.previous)).toBe('5');
      expect(await s().get(c, SVC('a', 'x'))).toBeUndefined();
      expect(await s().list(c, 'Service', 'a')).toEqual([]);
      expect((await s().delete(c, SVC('a', 'x'), '6')).result).toBe('duplicate');
      expect((await s().delete(c, SVC('a', 'x'), '4')).result).toBe('stale');
      expect((await s().put(c, svc('a', 'x', '5', 'u1'))).result).toBe('deleted'); // late update
      expect((await s().put(c, svc('a', 'x', '7', 'u1'))).result).toBe('deleted'); // same uid: it is gone
      expect((await s().put(c, svc('a', 'x', '8', 'u2'))).result).toBe('stored'); // re-created
      expect(await s().list(c, 'Service', 'a')).toEqual([SVC('a', 'x')]);

      // A delete of an object never seen leaves a tombstone too; a delete may carry the last version.
      expect((await s().delete(c, SVC('a', 'y'), '20')).result).toBe('deleted');
      expect((await s().put(c, svc('a', 'y', '19'))).result).toBe('deleted');
      await s().put(c, svc('a', 'z', '30'));
      expect((await s().delete(c, SVC('a', 'z'), '30')).result).toBe('deleted');

      // Tombstones expire: long after, the name is free again (whatever the version).
      clock.t += 2 * DAY;
      expect((await s().put(c, svc('a', 'y', '19'))).result).toBe('stored');
    });

    it('maintains reverse references across updates and deletes', async () => {
      const c = freshCluster();
      const gw = { kind: 'Gateway', namespace: 'a', name: 'g' };
      await s().put(c, withVersion(gateway('a', 'g'), '1'));
      await s().put(
        c,
        withVersion(
          httpRoute('b', 'r', { parents: [{ name: 'g', namespace: 'a' }], backends: [{ name: 's' }] }),
          '2',
        ),
      );
      const route = { kind: 'HTTPRoute', namespace: 'b', name: 'r' };
      expect(await s().referrers(c, gw)).toEqual([{ from: route, types: ['parentRef'] }]);
      expect(await s().referrersInto(c, 'a')).toEqual([route]);
      expect(await s().referrers(c, SVC('b', 's'))).toEqual([{ from: route, types: ['backendRef'] }]);
      // Moved to a Gateway of its own namespace: the old edges go.
      await s().put(
        c,
        withVersion(httpRoute('b', 'r', { parents: [{ name: 'g2' }], backends: [{ name: 's' }] }), '3'),
      );
      expect(await s().referrers(c, gw)).toEqual([]);
      expect(await s().referrersInto(c, 'a')).toEqual([]);
      expect(await s().referrers(c, { kind: 'Gateway', namespace: 'b', name: 'g2' })).toHaveLength(1);
      const [got] = await s().getMany(c, [route, gw, { kind: '@IngressGroup', name: 'x' }]);
      expect(got?.edges.map((e) => e.type).sort()).toEqual(['backendRef', 'parentRef']);
      await s().delete(c, route, '4');
      expect(await s().referrers(c, SVC('b', 's'))).toEqual([]);
      expect(await s().list(c, 'HTTPRoute')).toEqual([]);
      expect(await s().list(c, 'Gateway')).toEqual([gw]);
    });

    describe('snapshot completeness', () => {
      it('is complete only when every listed kind finished its latest list, and sweeps what a re-list missed', async () => {
        const c = freshCluster();
        expect(await s().isComplete(c)).toBe(false);
        await s().put(c, svc('a', 'x', '1'));
        await s().put(c, svc('a', 'y', '2'));
        await s().put(c, svc('b', 'gone', '3'));
        clock.t += 1000;

        await s().markListStart(c, 'Service', 'L1');
        expect(await s().isComplete(c)).toBe(false);
        expect((await s().put(c, svc('a', 'x', '1'), { listId: 'L1' })).result).toBe('duplicate');
        expect((await s().put(c, svc('a', 'y', '4'), { listId: 'L1' })).result).toBe('stored');
        expect((await s().put(c, svc('a', 'y', '4'), { listId: 'L1' })).result).toBe('duplicate'); // redelivery
        clock.t += 1;
        await s().put(c, svc('c', 'new', '9')); // a live add after the list started
        expect(await s().isComplete(c)).toBe(false);
        const end = await s().markListEnd(c, 'Service', 'L1', 2);
        expect(end.finished).toBe(true);
        expect(end.swept?.removed.map((o) => o.ref)).toEqual([SVC('b', 'gone')]);
        expect(await s().isComplete(c)).toBe(true);
        expect(await s().isComplete(c, ['Service', 'Namespace'])).toBe(false);
        expect(await s().get(c, SVC('b', 'gone'))).toBeUndefined();
        expect(await s().list(c, 'Service')).toEqual([SVC('a', 'x'), SVC('a', 'y'), SVC('c', 'new')]);
        // A late add of what the list removed cannot bring it back.
        expect((await s().put(c, svc('b', 'gone', '3'))).result).toBe('deleted');

        // A second kind starts listing: incomplete in between.
        await s().markListStart(c, 'Namespace', 'N1');
        expect(await s().isComplete(c)).toBe(false);
        expect((await s().markListEnd(c, 'Namespace', 'N1', 0)).finished).toBe(true);
        expect(await s().isComplete(c)).toBe(true);
      });

      it('finishes a list whose end arrived before its objects, and ignores superseded lists', async () => {
        const c = freshCluster();
        await s().put(c, svc('a', 'old', '1'));
        clock.t += 1000;
        await s().markListStart(c, 'Service', 'L1');
        expect((await s().markListEnd(c, 'Service', 'L1', 2)).finished).toBe(false);
        expect((await s().put(c, svc('a', 'x', '5'), { listId: 'L1' })).swept).toBeUndefined();
        expect(await s().isComplete(c)).toBe(false);
        const last = await s().put(c, svc('a', 'y', '6'), { listId: 'L1' });
        expect(last.swept?.removed.map((o) => o.ref)).toEqual([SVC('a', 'old')]);
        expect(await s().isComplete(c)).toBe(true);

        // A newer list starts; the old one ending (again) changes nothing.
        await s().markListStart(c, 'Service', 'L2');
        expect((await s().markListEnd(c, 'Service', 'L1', 2)).finished).toBe(false);
        expect(await s().isComplete(c)).toBe(false);
        await s().put(c, svc('a', 'x', '5'), { listId: 'L2' });
        const done = await s().markListEnd(c, 'Service', 'L2', 1, { resourceVersion: '7' });
        expect(done.swept?.removed.map((o) => o.ref)).toEqual([SVC('a', 'y')]);
        expect(await s().isComplete(c)).toBe(true);
      });

      it("keeps unseen objects newer than the list's resourceVersion", async () => {
        const c = freshCluster();
        await s().markListStart(c, 'Service', 'L1');
        await s().put(c, svc('a', 'before', '5'));
        await s().put(c, svc('a', 'after', '12'));
        await s().put(c, svc('a', 'listed', '3'), { listId: 'L1' });
        const end = await s().markListEnd(c, 'Service', 'L1', 1, { resourceVersion: '10' });
        expect(end.swept?.removed.map((o) => o.ref)).toEqual([SVC('a', 'before')]);
        expect(await s().list(c, 'Service', 'a')).toEqual([SVC('a', 'after'), SVC('a', 'listed')]);
      });
    });

    it('remembers the fingerprint of the last reconciled bundle per key', async () => {
      const c = freshCluster();
      const key = lbKey(c, 'Gateway', 'a', 'g');
      expect(await s().lastReconciled(key)).toBeUndefined();
      const objs = [svc('a', 'x', '1'), svc('a', 'y', '2')];
      const fp = bundleFingerprint(objs);
      expect(bundleFingerprint([...objs].reverse())).toBe(fp);
      expect(bundleFingerprint([svc('a', 'x', '1'), svc('a', 'y', '3')])).not.toBe(fp);
      await s().setReconciled(key, fp);
      expect(await s().lastReconciled(key)).toBe(fp);
      expect(await s().lastReconciled(lbKey(c, 'Gateway', 'a', 'other'))).toBeUndefined();
    });

    it('keeps keys marked delete pending per cluster until cleared, apart from fingerprints', async () => {
      const [c, other] = [freshCluster(), freshCluster()];
      const k1 = lbKey(c, 'Gateway', 'a', 'g');
      const k2 = lbKey(c, 'Service', 'b', 's');
      expect(await s().deletePendingKeys(c)).toEqual([]);
      await s().markDeletePending(k2);
      await s().markDeletePending(k1);
      await s().markDeletePending(k1); // idempotent
      await s().markDeletePending(lbKey(other, 'Gateway', 'a', 'g'));
      expect(await s().deletePendingKeys(c)).toEqual([k1, k2].sort());
      expect(await s().reconciledKeys(c)).toEqual([]);
      expect(await s().clusters()).toContain(c);
      await s().clearDeletePending(k1);
      await s().clearDeletePending(k1); // idempotent
      expect(await s().deletePendingKeys(c)).toEqual([k2]);
      expect(await s().deletePendingKeys(other)).toEqual([lbKey(other, 'Gateway', 'a', 'g')]);
      await expect(s().markDeletePending('not-a-key')).rejects.toThrow(RangeError);
      await expect(s().deletePendingKeys('a/b')).rejects.toThrow(/not a usable cluster id/);
    });

    it('keeps one dispatch mark per key, written only over the revision it was read at', async () => {
      const [c, other] = [freshCluster(), freshCluster()];
      const key = lbKey(c, 'Gateway', 'a', 'web');
      expect(await s().readDispatchMark(key)).toBeUndefined();
      const queued: DispatchMark = {
        state: 'queued',
        dirty: false,
        generation: 1,
        claimedAt: 5,
        leaseUntil: 100,
      };
      expect(await s().writeDispatchMark(key, queued, undefined)).toBe(true);
      expect(await s().writeDispatchMark(key, { ...queued, generation: 9 }, undefined)).toBe(false); // created already
      expect(await s().readDispatchMark(key)).toEqual({ mark: queued, revision: 1 });

      const running: DispatchMark = { ...queued, state: 'running', runId: 'run-1', leaseUntil: 200 };
      expect(await s().writeDispatchMark(key, running, 1)).toBe(true);
      expect(await s().writeDispatchMark(key, { ...queued, dirty: true }, 1)).toBe(false); // read before that write
      expect(await s().readDispatchMark(key)).toEqual({ mark: running, revision: 2 });
      const idle: DispatchMark = { state: 'idle', dirty: false, generation: 1, claimedAt: 5, leaseUntil: 0 };
      expect(await s().writeDispatchMark(key, idle, 2)).toBe(true);
      expect(await s().readDispatchMark(key)).toEqual({ mark: idle, revision: 3 }); // no run id left

      // writers racing over one revision: exactly one wins, and its mark is the one stored
      const wins = await Promise.all(
        [2, 3, 4, 5].map((generation) => s().writeDispatchMark(key, { ...queued, generation }, 3)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const stored = await s().readDispatchMark(key);
      expect(stored?.revision).toBe(4);
      expect(stored?.mark.generation).toBe([2, 3, 4, 5][wins.indexOf(true)]);

      // per key and per cluster; not a cluster of its own (resync lists clusters with objects)
      expect(await s().readDispatchMark(lbKey(c, 'Gateway', 'a', 'other'))).toBeUndefined();
      expect(await s().readDispatchMark(lbKey(other, 'Gateway', 'a', 'web'))).toBeUndefined();
      expect(await s().clusters()).not.toContain(c);
      await expect(s().readDispatchMark('not-a-key')).rejects.toThrow(RangeError);
      await expect(s().writeDispatchMark('not-a-key', queued, undefined)).rejects.toThrow(RangeError);
    });

    it('begins a run in one write that takes the key over, keeping its claim', async () => {
      const c = freshCluster();
      const [never, claimed] = [lbKey(c, 'Gateway', 'a', 'never'), lbKey(c, 'Gateway', 'a', 'claimed')];
      const run1 = { runId: 'run-1', now: 50, leaseUntil: 150 };
      const fresh: DispatchMark = { state: 'running', dirty: false, generation: 0, claimedAt: 50, ...run1 };
      delete (fresh as { now?: number }).now;
      expect(await s().beginDispatchRun(never, run1)).toEqual(fresh);
      expect(await s().readDispatchMark(never)).toEqual({ mark: fresh, revision: 1 });

      const queued: DispatchMark = {
        state: 'queued',
        dirty: false,
        generation: 3,
        claimedAt: 5,
        leaseUntil: 100,
      };
      expect(await s().writeDispatchMark(claimed, queued, undefined)).toBe(true);
      const read = await s().readDispatchMark(claimed); // a record invocation read the mark meanwhile
      const running: DispatchMark = {
        state: 'running',
        dirty: false,
        generation: 3,
        claimedAt: 5,
        leaseUntil: 300,
        runId: 'run-2',
      };
      expect(await s().beginDispatchRun(claimed, { runId: 'run-2', now: 60, leaseUntil: 300 })).toEqual(
        running,
      );
      expect(await s().readDispatchMark(claimed)).toEqual({ mark: running, revision: 2 });
      // …so its write over what it read loses, and it decides again on the running mark
      expect(await s().writeDispatchMark(claimed, { ...queued, generation: 4 }, read!.revision)).toBe(false);

      // a dirty mark of a crashed run is taken over, clean: the new run reads everything recorded
      expect(await s().writeDispatchMark(claimed, { ...running, dirty: true }, 2)).toBe(true);
      const taken = await s().beginDispatchRun(claimed, { runId: 'run-3', now: 70, leaseUntil: 400 });
      expect(taken).toEqual({ ...running, runId: 'run-3', leaseUntil: 400 });
      expect(await s().readDispatchMark(claimed)).toEqual({ mark: taken, revision: 4 });
      await expect(s().beginDispatchRun('not-a-key', run1)).rejects.toThrow(RangeError);
    });

    it('pages the status stream by an increasing cursor, keeping the latest status per object', async () => {
      const c = freshCluster();
      const cursors: string[] = [];
      for (const [name, v] of [
        ['x', 1],
        ['y', 1],
        ['x', 2],
        ['z', 1],
        ['y', 2],
      ] as const) {
        cursors.push(await s().putStatus(c, SVC('a', name), { v, name }));
      }
      expect([...cursors].sort()).toEqual(cursors);
      expect(new Set(cursors).size).toBe(5);
      clock.t += 10_000;
      const p1 = await s().statusSince(c, undefined, 2);
      expect(p1.items.map((i) => i.status)).toEqual([
        { v: 2, name: 'x' },
        { v: 1, name: 'z' },
      ]);
      expect(p1.more).toBe(true);
      const p2 = await s().statusSince(c, p1.next, 2);
      expect(p2.items.map((i) => [i.ref, i.status])).toEqual([[SVC('a', 'y'), { v: 2, name: 'y' }]]);
      expect(p2.more).toBe(false);
      const p3 = await s().statusSince(c, p2.next, 2);
      expect(p3).toEqual({ items: [], next: p2.next, more: false });
      await s().putStatus(c, SVC('a', 'x'), { v: 3 });
      clock.t += 10_000;
      expect((await s().statusSince(c, p3.next, 10)).items.map((i) => i.status)).toEqual([{ v: 3 }]);
      expect((await s().statusSince(freshCluster(), undefined, 10)).items).toEqual([]);
      await expect(s().statusSince(c, undefined, 0)).rejects.toThrow(RangeError);
    });

    it('keeps the latest status of each (object, load balancer) pair, with its key', async () => {
      const c = freshCluster();
      const route = { kind: 'HTTPRoute', namespace: 'a', name: 'r' };
      const gwA = lbKey(c, 'Gateway', 'a', 'ga');
      const gwB = lbKey(c, 'Gateway', 'a', 'gb');
      await s().putStatus(c, route, { from: 'A', v: 1 }, gwA);
      await s().putStatus(c, route, { from: 'B', v: 1 }, gwB);
      await s().putStatus(c, route, { from: 'A', v: 2 }, gwA);
      await s().putStatus(c, route, { from: 'none' });
      clock.t += 10_000;
      const page = await s().statusSince(c, undefined, 10);
      expect(page.items.map((i) => [i.key, i.status])).toEqual([
        [gwB, { from: 'B', v: 1 }],
        [gwA, { from: 'A', v: 2 }],
        [undefined, { from: 'none' }],
      ]);
      expect(page.items.every((i) => i.ref.kind === 'HTTPRoute' && i.ref.name === 'r')).toBe(true);
      // A record written without a key has no `key` at all (not `key: undefined`).
      expect('key' in page.items[2]!).toBe(false);
      // A newer status from B replaces B's only.
      await s().putStatus(c, route, { from: 'B', v: 2 }, gwB);
      clock.t += 10_000;
      const again = await s().statusSince(c, undefined, 10);
      expect(again.items.map((i) => i.status)).toEqual([
        { from: 'A', v: 2 },
        { from: 'none' },
        { from: 'B', v: 2 },
      ]);
    });

    it('records the pod gates a key opens, writes only changes, and drops the pods it no longer opens', async () => {
      const c = freshCluster();
      const key = lbKey(c, 'Service', 'apps', 'web');
      const other = lbKey(c, 'Gateway', 'apps', 'gw');
      const gate = (name: string, message = 'healthy') => ({
        pod: { namespace: 'apps', name },
        conditionType: 'portico.dev/lb-aaaaaaaaaaaaaaaa',
        message,
      });
      expect(await s().podGatesOfKey(c, key)).toEqual([]);
      await s().putPodGatesOfKey(c, key, [gate('p2'), gate('p1')]);
      await s().putPodGatesOfKey(c, other, [gate('p1')]);
      clock.t += 10_000;
      const first = await s().statusSince(c, undefined, 10);
      expect(first.items.map((i) => [i.key, i.ref, i.gate])).toEqual([
        [
          key,
          { kind: 'Pod', namespace: 'apps', name: 'p2' },
          { conditionType: gate('p2').conditionType, message: 'healthy' },
        ],
        [
          key,
          { kind: 'Pod', namespace: 'apps', name: 'p1' },
          { conditionType: gate('p1').conditionType, message: 'healthy' },
        ],
        [
          other,
          { kind: 'Pod', namespace: 'apps', name: 'p1' },
          { conditionType: gate('p1').conditionType, message: 'healthy' },
        ],
      ]);
      expect(first.items.every((i) => !('status' in i) && !('release' in i))).toBe(true);
      expect((await s().podGatesOfKey(c, key)).map((g) => g.pod.name).sort()).toEqual(['p1', 'p2']);
      // The same gates again: nothing new in the stream.
      await s().putPodGatesOfKey(c, key, [gate('p1'), gate('p2')]);
      clock.t += 10_000;
      expect((await s().statusSince(c, first.next, 10)).items).toEqual([]);
      // p2 is no longer opened (its record leaves the stream), p3 is, p1's message changed.
      await s().putPodGatesOfKey(c, key, [gate('p1', 'again'), gate('p3')]);
      clock.t += 10_000;
      const all = await s().statusSince(c, undefined, 10);
      expect(all.items.map((i) => [i.key === key ? 'key' : 'other', i.ref.name, i.gate?.message])).toEqual([
        ['other', 'p1', 'healthy'],
        ['key', 'p1', 'again'],
        ['key', 'p3', 'healthy'],
      ]);
      await s().putPodGatesOfKey(c, key, []);
      clock.t += 10_000;
      expect((await s().statusSince(c, undefined, 10)).items.map((i) => i.key)).toEqual([other]);
      expect(await s().podGatesOfKey(c, key)).toEqual([]);
    });

    it('releases, under a key, the objects its reconcile wrote before and no longer writes', async () => {
      const c = freshCluster();
      const key = lbKey(c, 'Gateway', 'infra', 'web');
      const other = lbKey(c, 'Gateway', 'infra', 'other');
      await s().put(c, withVersion(gateway('infra', 'web'), '1', 'uid-gw'));
      await s().put(
        c,
        withVersion(httpRoute('apps', 'r', { parents: [{ name: 'web', namespace: 'infra' }] }), '1', 'uid-r'),
      );
      await s().put(
        c,
        withVersion(
          httpRoute('apps', 'gone', { parents: [{ name: 'web', namespace: 'infra' }] }),
          '1',
          'uid-g',
        ),
      );
      const gwStatus: ObjectStatus = {
        kind: 'Gateway',
        namespace: 'infra',
        name: 'web',
        generation: 3,
        loadBalancers: [key],
        status: { conditions: [], listeners: [] },
      };
      const routeStatus = (name: string): ObjectStatus => ({
        kind: 'HTTPRoute',
        namespace: 'apps',
        name,
        loadBalancers: [key],
        status: { parents: [] },
      });
      const classStatus: ObjectStatus = {
        kind: 'GatewayClass',
        name: 'portico',
        loadBalancers: [],
        status: { conditions: [] },
      };
      await s().putStatusesOfKey(c, key, [gwStatus, routeStatus('r'), routeStatus('gone'), classStatus]);
      await s().putStatusesOfKey(c, other, [routeStatus('r')]);
      // The Gateway moves away: its reconcile writes nothing more; the route 'gone' is deleted.
      await s().delete(c, { kind: 'HTTPRoute', namespace: 'apps', name: 'gone' }, '2', { uid: 'uid-g' });
      await s().putStatusesOfKey(c, key, []);
      clock.t += 10_000;
      const page = await s().statusSince(c, undefined, 10);
      const view = page.items.map((i) => [
        i.key === key ? 'web' : 'other',
        `${i.ref.kind}/${i.ref.name}`,
        i.release ?? (i.status as ObjectStatus).kind,
      ]);
      expect(view).toEqual([
        ['other', 'HTTPRoute/r', 'HTTPRoute'],
        ['web', 'Gateway/web', { kind: 'Gateway', namespace: 'infra', name: 'web', generation: 3 }],
        [
          'web',
          'HTTPRoute/r',
          { kind: 'HTTPRoute', namespace: 'apps', name: 'r', parent: { namespace: 'infra', name: 'web' } },
        ],
      ]);
      expect(page.items.every((i) => (i.release === undefined) !== (i.status === undefined))).toBe(true);

      // Nothing more to release; a status written again replaces its release.
      await s().putStatusesOfKey(c, key, []);
      await s().putStatusesOfKey(c, key, [gwStatus]);
      clock.t += 10_000;
      const after = await s().statusSince(c, page.next, 10);
      expect(after.items.map((i) => [i.ref.name, i.release === undefined])).toEqual([['web', true]]);
      const all = await s().statusSince(c, undefined, 10);
      expect(all.items.filter((i) => i.ref.name === 'web' && i.key === key)).toHaveLength(1);
    });

    it('lists the clusters it holds anything for, and the keys with a remembered fingerprint', async () => {
      const [withObject, withList, withKey, withStatus, readOnly] = [1, 2, 3, 4, 5].map(freshCluster) as [
        string,
        string,
        string,
        string,
        string,
      ];
      await s().put(withObject, svc('a', 'x', '1'));
      await s().markListStart(withList, 'Service', 'L1');
      const k1 = lbKey(withKey, 'Gateway', 'a', 'g');
      const k2 = lbKey(withKey, 'Service', 'b', 's');
      const k3 = lbKey(withKey, 'IngressGroup', undefined, 'grp');
      await s().setReconciled(k2, 'fp2');
      await s().setReconciled(k1, 'fp1');
      await s().setReconciled(k3, 'fp3');
      await s().setReconciled(lbKey(withObject, 'Gateway', 'a', 'g'), 'fp');
      await s().putStatus(withStatus, SVC('a', 'x'), { v: 1 });
      // Reads register nothing.
      await s().get(readOnly, SVC('a', 'x'));
      await s().isComplete(readOnly);
      await s().statusSince(readOnly, undefined, 1);
      await s().reconciledKeys(readOnly);
      await s().lastReconciled(lbKey(readOnly, 'Gateway', 'a', 'g'));

      const clusters = await s().clusters();
      for (const c of [withObject, withList, withKey, withStatus]) expect(clusters).toContain(c);
      expect(clusters).not.toContain(readOnly);
      expect([...clusters].sort()).toEqual(clusters);

      expect(await s().reconciledKeys(withKey)).toEqual([k1, k3, k2].sort());
      expect(await s().reconciledKeys(readOnly)).toEqual([]);
      await s().forgetReconciled(k3);
      expect(await s().lastReconciled(k3)).toBeUndefined();
      expect(await s().reconciledKeys(withKey)).toEqual([k1, k2].sort());
      expect(await s().lastReconciled(k1)).toBe('fp1');
      await expect(s().setReconciled('not-a-key', 'x')).rejects.toThrow(RangeError);
    });

    it('reads what one load balancer holds, not the cluster', async () => {
      const c = freshCluster();
      await s().put(c, withVersion(namespace('a'), '1'));
      await s().put(c, withVersion(gatewayClass('portico'), '1'));
      await s().put(c, withVersion(gateway('a', 'g'), '1'));
      await s().put(
        c,
        withVersion(httpRoute('a', 'r', { parents: [{ name: 'g' }], backends: [{ name: 'svc0' }] }), '1'),
      );
      for (let i = 0; i < 60; i++) await s().put(c, svc('a', `svc${i}`, '1'));
      const stats: StoreViewStats = { rounds: 0, objects: 0, queries: 0 };
      const bundle = await selectBundleFromStore(s(), lbKey(c, 'Gateway', 'a', 'g'), stats);
      expect(bundle.map((o) => refOf(o)?.name)).toEqual(['g', 'portico', 'r', 'a', 'svc0']);
      expect(stats.objects).toBeLessThan(10);
      expect(stats.queries).toBeLessThan(10);
      const keys = await affectedKeysInStore(s(), c, { new: svc('a', 'svc0', '2') });
      expect(keys).toEqual([lbKey(c, 'Gateway', 'a', 'g')]);
    });

    it('reads a bundle in one round when handed what its last selection read', async () => {
      const c = freshCluster();
      const key = lbKey(c, 'Gateway', 'a', 'g');
      await s().put(c, withVersion(gatewayClass('portico'), '1'));
      await s().put(c, withVersion(gateway('a', 'g'), '1'));
      const route = (name: string, backend: string) =>
        withVersion(httpRoute('a', name, { parents: [{ name: 'g' }], backends: [{ name: backend }] }), '1');
      await s().put(c, route('r', 'svc0'));
      await s().put(c, svc('a', 'svc0', '1'));
      let reads: WalkReads | undefined;
      const walked: StoreViewStats = { rounds: 0, objects: 0, queries: 0 };
      const first = await selectBundleFromStore(s(), key, walked, [], { onReads: (r) => (reads = r) });
      expect(walked.rounds).toBeGreaterThan(2); // Gateway → class, routes → Services → …

      const prefetched: StoreViewStats = { rounds: 0, objects: 0, queries: 0 };
      const again = await selectBundleFromStore(s(), key, prefetched, [], { prefetch: reads });
      expect(again).toEqual(first);
      expect(prefetched.rounds).toBe(1);

      // What changed since is still found (one more pass), and what is gone is gone.
      await s().put(c, route('r2', 'svc1'));
      await s().put(c, svc('a', 'svc1', '1'));
      await s().delete(c, SVC('a', 'svc0'), '2');
      const changed = await selectBundleFromStore(s(), key, undefined, [], { prefetch: reads });
      expect(changed.map((o) => refOf(o)?.name)).toEqual(['g', 'portico', 'r', 'r2', 'svc1']);
    });

    it('converges to exactly what a re-list carried, whatever order its markers arrive in', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, fc.boolean(), async (sc, endFirst) => {
          const c = freshCluster();
          // Versions by content: an unchanged object keeps its version in the re-list.
          const versions = new Map<string, string>();
          const versioned = (o: unknown) => {
            const json = JSON.stringify(o);
            if (!versions.has(json)) versions.set(json, String(versions.size + 1));
            return withVersion(o, versions.get(json)!);
          };
          for (const o of sc.before) await s().put(c, versioned(o));
          clock.t += 1000;
          const after = sc.after.map(versioned);
          const kinds = [...new Set([...sc.before, ...sc.after].map((o) => refOf(o)!.kind))].sort();
          for (const k of kinds) await s().markListStart(c, k, `L-${k}`);
          if (endFirst) {
            for (const k of kinds) {
              const n = after.filter((o) => refOf(o)!.kind === k).length;
              await s().markListEnd(c, k, `L-${k}`, n);
            }
          }
          for (const o of after) await s().put(c, o, { listId: `L-${refOf(o)!.kind}` });
          if (!endFirst) {
            for (const k of kinds) {
              const n = after.filter((o) => refOf(o)!.kind === k).length;
              await s().markListEnd(c, k, `L-${k}`, n);
            }
          }
          expect(await s().isComplete(c)).toBe(kinds.length > 0);
          const graph = DependencyGraph.of(after, c);
          for (const k of kinds) expect(await s().list(c, k)).toEqual(graph.list(k));
          for (const o of after) {
            const r = refOf(o)!;
            if (r.kind === 'Gateway' || r.kind === 'Service') {
              const key = lbKey(c, r.kind, r.namespace, r.name);
              expect(await selectBundleFromStore(s(), key)).toEqual(selectBundle(key, graph));
            }
          }
        }),
        { numRuns: Math.max(5, Math.round(options.propertyRuns / 2)) },
      );
    }, 60_000);

    it('answers affectedKeys and selectBundle exactly as an in-memory DependencyGraph does', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async (sc) => {
          const c = freshCluster();
          const graph = new DependencyGraph(c);
          let rv = 0;
          const versioned = (o: unknown) => withVersion(o, String(++rv));
          for (const o of sc.before) {
            const v = versioned(o);
            graph.upsert(v);
            expect((await s().put(c, v)).result).toBe('stored');
          }
          const change = {
            ...(sc.change.old !== undefined ? { old: graph.get(refOf(sc.change.old)!) } : {}),
            ...(sc.change.new !== undefined ? { new: versioned(sc.change.new) } : {}),
          };
          // Before the change is recorded, and after: the same answer (core/index's promise).
          const before = await affectedKeysInStore(s(), c, change);
          // What each key's bundle read before the change (what a warm reconcile container keeps).
          const readsBefore = new Map<LbKey, WalkReads>();
          for (const k of keysOf(graph, before)) {
            await selectBundleFromStore(s(), k, undefined, [], { onReads: (r) => readsBefore.set(k, r) });
          }
          if (change.new !== undefined) {
            graph.upsert(change.new);
            await s().put(c, change.new);
          } else {
            const r = refOf(change.old)!;
            graph.remove(r.kind, r.namespace, r.name);
            await s().delete(c, r, String(++rv));
          }
          const expected = affectedKeys(change, graph, c);
          expect(before).toEqual(expected);
          expect(await affectedKeysInStore(s(), c, change)).toEqual(expected);

          for (const k of keysOf(graph, expected)) {
            const expected = selectBundle(k, graph);
            expect(await selectBundleFromStore(s(), k)).toEqual(expected);
            // What the key's bundle read before the change, prefetched: the same answer.
            expect(
              await selectBundleFromStore(s(), k, undefined, [], { prefetch: readsBefore.get(k) }),
            ).toEqual(expected);
          }
        }),
        { numRuns: options.propertyRuns },
      );
    }, 60_000);
  });
}
