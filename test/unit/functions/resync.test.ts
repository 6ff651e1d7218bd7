import { describe, expect, it } from 'vitest';
import { createFakeAdapter, type FakeAdapter } from '#adapters/fake/adapter.js';
import { FakeCloud } from '#adapters/fake/cloud.js';
import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { ownershipTags } from '#core/naming/ownership-tags.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { parseReconcileRequest, reconcileMessage } from '#functions/queue/reconcile-message.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { createResyncHandler, handler as deployed } from '#functions/resync/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { captureLogger } from '#test/support/capture-logger.js';
import {
  CLUSTER,
  gateway,
  gatewayClass,
  httpRoute,
  lambdaContext,
  listAll,
  service,
  sqsEvent,
} from './pipeline-support.js';

const GW = lbKey(CLUSTER, 'Gateway', 'infra', 'web');
const SVC_LB = lbKey(CLUSTER, 'Service', 'infra', 'edge');
const GROUP = lbKey(CLUSTER, 'IngressGroup', undefined, 'shared');
const OTHER = 'other-cluster';

const scheduled = {
  version: '0',
  id: 'ev-1',
  'detail-type': 'Scheduled Event' as const,
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/resync'],
  detail: {},
};

const ingress = (name: string, group: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name,
    namespace: 'infra',
    uid: `uid-ing-${name}`,
    resourceVersion: '77',
    annotations: { 'portico.dev/group': group },
  },
  spec: { rules: [{ host: 'a.example.com' }] },
});

function world(cloud = new FakeCloud()) {
  let clock = 1_763_600_000_000;
  const store = new MemorySnapshotStore();
  const queue = new MemoryQueue({ now: () => clock });
  const fake = createFakeAdapter({ cloud });
  const logger = captureLogger();
  const reconcile = createReconcileHandler({
    store,
    adapters: { haproxy: fake },
    translateOptions: { defaultProvider: 'haproxy' },
    logger: captureLogger(),
  });
  const resync = createResyncHandler({
    store,
    reconcileQueue: queue,
    adapters: { haproxy: fake },
    now: () => clock,
    logger,
  });
  let read = 0;
  return {
    store,
    queue,
    fake,
    logger,
    tick: (ms: number) => (clock += ms),
    resync: () => resync(scheduled, lambdaContext()),
    /** The requests enqueued since the last call. */
    taken(): { key: LbKey; force: boolean }[] {
      const out = queue.messages.slice(read).map((m) => parseReconcileRequest(m.body)!);
      read = queue.messages.length;
      return out;
    },
    /** Delivers everything enqueued so far to reconcile. */
    async reconcileAll() {
      const pending = queue.messages.slice(read);
      read = queue.messages.length;
      for (const m of pending) {
        const r = await reconcile(sqsEvent([m], 'reconcile.fifo'), lambdaContext());
        expect(r.batchItemFailures).toEqual([]);
      }
      return pending.map((m) => parseReconcileRequest(m.body)!);
    },
  };
}

/** A Gateway, a LoadBalancer Service and an Ingress group, programmed in a shared fake cloud. */
async function programmed() {
  const cloud = new FakeCloud();
  const before = world(cloud);
  const objects = [gatewayClass(), gateway(), httpRoute(), service(), service('edge', true)];
  await listAll(before.store, objects);
  await before.store.setReconciled(GW, 'stale'); // any fingerprint: the first reconcile runs anyway
  await before.resync();
  await before.reconcileAll();
  const owned = (key: LbKey) =>
    cloud
      .all()
      .filter((r) => r.tags['portico.dev/lb-key'] === key && r.tags['portico.dev/managed-by'] === 'portico');
  expect(owned(GW).length).toBeGreaterThan(0);
  expect(owned(SVC_LB).length).toBeGreaterThan(0);
  // Someone else's resource, and another Portico cluster's: never to be touched.
  cloud.seed({
    address: 'fake/lb/theirs',
    kind: 'load-balancer',
    value: { scheme: 'internet-facing', sourceRanges: [] },
    tags: { team: 'x' },
  });
  const otherKey = lbKey(OTHER, 'Gateway', 'infra', 'web');
  cloud.seed({
    address: 'fake/lb/other',
    kind: 'load-balancer',
    value: { scheme: 'internet-facing', sourceRanges: [] },
    tags: ownershipTags({ cluster: OTHER, lbKey: otherKey, role: 'load-balancer' }),
  });
  return { cloud, objects, owned, otherKey };
}

const foreign = (fake: FakeAdapter) =>
  fake.cloud
    .all()
    .filter((r) => r.address === 'fake/lb/theirs' || r.address === 'fake/lb/other')
    .map((r) => r.address)
    .sort();

describe('functions: resync', () => {
  it('enqueues a forced reconcile of every key: stored objects, Ingress groups, fingerprints', async () => {
    const w = world();
    const lostKey = lbKey(CLUSTER, 'Gateway', 'infra', 'gone');
    await listAll(w.store, [
      gatewayClass(),
      gateway(),
      httpRoute(),
      service(),
      service('edge', true),
      ingress('a', 'shared'),
      ingress('b', 'shared'),
    ]);
    await w.store.setReconciled(lostKey, 'fp'); // its objects are gone: reconcile decides
    await w.store.put(OTHER, { ...gateway(), metadata: { ...gateway().metadata, name: 'x' } });
    const summary = await w.resync();
    const requests = w.taken();
    expect(requests.every((r) => r.force)).toBe(true);
    expect(requests.map((r) => r.key).sort()).toEqual(
      [GW, GROUP, lostKey, SVC_LB, lbKey(OTHER, 'Gateway', 'infra', 'x')].sort(),
    );
    const mine = summary.clusters.find((c) => c.cluster === CLUSTER)!;
    expect(mine).toMatchObject({ complete: true, storedKeys: 3, reconciledKeys: 1, enqueued: 4, orphans: 0 });
    expect(summary.clusters.find((c) => c.cluster === OTHER)).toMatchObject({
      complete: false,
      listings: { haproxy: 'skipped' },
    });
    // One structured line per cluster, with its counts.
    const lines = w.logger.lines.filter((l) => l.msg === 'cluster resynced');
    expect(lines.map((l) => l.fields.cluster).sort()).toEqual([CLUSTER, OTHER].sort());
    expect(lines.find((l) => l.fields.cluster === CLUSTER)?.fields).toMatchObject({
      enqueued: 4,
      storedKeys: 3,
    });

    // A retried invocation in the same window adds nothing; the next run (10 minutes on) does.
    await w.resync();
    expect(w.taken()).toEqual([]);
    w.tick(600_000);
    await w.resync();
    expect(w.taken()).toHaveLength(5);
  });

  it('complete cluster: an orphan the provider still holds is enqueued, then deleted by reconcile', async () => {
    const { cloud, objects, owned, otherKey } = await programmed();
    // The objects of the `edge` Service were deleted while nobody watched, and nothing remembers
    // its key: only the provider's ownership tags still name it.
    const w = world(cloud);
    await listAll(
      w.store,
      objects.filter((o) => o.metadata.name !== 'edge'),
    );
    const summary = await w.resync();
    expect(summary.clusters.find((c) => c.cluster === CLUSTER)).toMatchObject({
      complete: true,
      orphans: 1,
      listings: { haproxy: 'complete' },
    });
    const requests = await w.reconcileAll();
    expect(requests.map((r) => r.key).sort()).toEqual([GW, SVC_LB].sort());
    expect(owned(SVC_LB)).toEqual([]);
    expect(owned(GW).length).toBeGreaterThan(0);
    // Nothing refers to the deleted key: it is not remembered, so resync stops revisiting it.
    expect(await w.store.reconciledKeys(CLUSTER)).toEqual([GW]);
    w.tick(600_000);
    await w.resync();
    expect(w.taken().map((r) => r.key)).toEqual([GW]);
    expect(foreign(w.fake)).toEqual(['fake/lb/other', 'fake/lb/theirs']);
    expect(requests.map((r) => r.key)).not.toContain(otherKey);
  });

  it('incomplete cluster: no orphan search, nothing deleted', async () => {
    const { cloud, objects, owned } = await programmed();
    const w = world(cloud);
    await listAll(
      w.store,
      objects.filter((o) => o.metadata.name !== 'edge'),
    );
    await w.store.markListStart(CLUSTER, 'Service', 'l2'); // a re-list in progress
    const calls = cloud.calls.length;
    const summary = await w.resync();
    expect(summary.clusters[0]).toMatchObject({
      complete: false,
      orphans: 0,
      listings: { haproxy: 'skipped' },
    });
    expect(cloud.calls.slice(calls)).toEqual([]); // not even a listing
    const requests = await w.reconcileAll();
    expect(requests.map((r) => r.key)).toEqual([GW]);
    expect(owned(SVC_LB).length).toBeGreaterThan(0);
    expect(cloud.calls.slice(calls).filter((c) => c.startsWith('delete'))).toEqual([]);
  });

  it('a listing that is not complete adds nothing', async () => {
    const { cloud, objects, owned } = await programmed();
    const w = world(cloud);
    await listAll(
      w.store,
      objects.filter((o) => o.metadata.name !== 'edge'),
    );
    cloud.failListings();
    const summary = await w.resync();
    expect(summary.clusters[0]).toMatchObject({
      complete: true,
      orphans: 0,
      listings: { haproxy: 'incomplete' },
    });
    expect((await w.reconcileAll()).map((r) => r.key)).toEqual([GW]);
    expect(owned(SVC_LB).length).toBeGreaterThan(0);
  });

  it('re-enqueues a key whose delete is not confirmed, though no object, fingerprint or listing names it', async () => {
    const { cloud, objects, owned } = await programmed();
    const w = world(cloud);
    await listAll(w.store, objects);
    const edge = objects.find((o) => o.metadata.name === 'edge')!;
    await w.store.delete(
      CLUSTER,
      { kind: 'Service', namespace: 'infra', name: 'edge' },
      String(Number(edge.metadata.resourceVersion) + 1),
      { uid: edge.metadata.uid as string },
    );
    // The delete meets an observe that cannot read everything: the message fails (then is
    // dead-lettered), and the key stays marked.
    cloud.failObserves(1);
    const reconcile = createReconcileHandler({
      store: w.store,
      adapters: { haproxy: w.fake },
      translateOptions: { defaultProvider: 'haproxy' },
      logger: captureLogger(),
    });
    const failed = await reconcile(
      sqsEvent([reconcileMessage(SVC_LB, 1, 1000)], 'reconcile.fifo'),
      lambdaContext(),
    );
    expect(failed.batchItemFailures).toHaveLength(1);
    expect(owned(SVC_LB).length).toBeGreaterThan(0);
    expect(await w.store.deletePendingKeys(CLUSTER)).toEqual([SVC_LB]);
    // Nothing else would bring the key back: no fingerprint, a provider listing that fails.
    await w.store.forgetReconciled(SVC_LB);
    cloud.failListings();

    const summary = await w.resync();
    expect(summary.clusters[0]).toMatchObject({ deletePendingKeys: 1, orphans: 0 });
    expect((await w.reconcileAll()).map((r) => r.key).sort()).toEqual([GW, SVC_LB].sort());
    expect(owned(SVC_LB)).toEqual([]);
    expect(await w.store.deletePendingKeys(CLUSTER)).toEqual([]);
  });

  it('repairs provider drift through the forced reconcile it enqueues', async () => {
    const { cloud, objects, owned } = await programmed();
    const w = world(cloud);
    await listAll(w.store, objects);
    await w.resync();
    await w.reconcileAll(); // converged, fingerprints remembered
    const before = owned(GW).map((r) => [r.address, r.value]);
    const route = owned(GW).find((r) => r.kind === 'route')!;
    cloud.delete(route.id); // someone deletes a route behind Portico's back
    expect(owned(GW)).toHaveLength(before.length - 1);
    w.tick(600_000);
    await w.resync();
    await w.reconcileAll();
    expect(
      owned(GW)
        .map((r) => [r.address, r.value])
        .sort(),
    ).toEqual(before.sort());
    expect(foreign(w.fake)).toEqual(['fake/lb/other', 'fake/lb/theirs']);
  });

  it('goes on with the other clusters when one fails, then reports the failure', async () => {
    const w = world();
    await listAll(w.store, [gatewayClass(), gateway()]);
    await w.store.put(OTHER, { ...gateway(), metadata: { ...gateway().metadata, name: 'x' } });
    const failing = new Proxy(w.store, {
      get(target, prop, receiver) {
        if (prop === 'reconciledKeys') {
          return (cluster: string) =>
            cluster === OTHER ? Promise.reject(new Error('throttled')) : target.reconciledKeys(cluster);
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const logger = captureLogger();
    const resync = createResyncHandler({ store: failing, reconcileQueue: w.queue, adapters: {}, logger });
    await expect(resync(scheduled, lambdaContext())).rejects.toThrow(/1 cluster\(s\): other-cluster/);
    expect(w.taken().map((r) => r.key)).toEqual([GW]);
    expect(logger.lines.find((l) => l.msg === 'cluster resync failed')?.fields).toMatchObject({
      cluster: OTHER,
      detail: 'throttled',
    });
  });

  it('the deployed handler is wired on first use and names what the environment lacks', async () => {
    const saved = process.env.PORTICO_TABLE_NAME;
    delete process.env.PORTICO_TABLE_NAME;
    try {
      await expect(deployed(scheduled, lambdaContext())).rejects.toThrow('PORTICO_TABLE_NAME');
    } finally {
      if (saved !== undefined) process.env.PORTICO_TABLE_NAME = saved;
    }
  });
});
