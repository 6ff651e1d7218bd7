import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { ClusterSets } from '#core/index/cluster-sets.js';
import { lbKey } from '#core/ir/lb-key.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { parseReconcileRequest } from '#functions/queue/reconcile-message.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { silentLogger } from '#logging/logger.js';
import { exportedSlice, routeToImport, serviceImport } from '#test/support/mcs-objects.js';
import {
  asQueueMessage,
  gateway,
  gatewayClass,
  lambdaContext,
  markerEvent,
  resourceEvent,
  sqsEvent,
} from './pipeline-support.js';

// The store stays per cluster: cluster b's exported EndpointSlices are stored, listed and
// garbage-collected under b alone, while a Gateway of cluster a routes to the endpoints of both.
// b going silent (an unfinished re-list, no events) keeps its endpoints; b's re-list without one
// slice removes that slice and nothing of a's.

const GW = lbKey('a', 'Gateway', 'infra', 'web');

let rv = 5000;
const slice = (cluster: string, name: string, addresses: readonly string[]) =>
  exportedSlice('infra', name, {
    service: 'shop',
    sourceCluster: cluster,
    port: 8080,
    endpoints: addresses.map((address) => ({ address })),
    resourceVersion: String(++rv),
  });

function setup() {
  let clock = 1_763_600_000_000;
  const now = () => clock;
  const store = new MemorySnapshotStore();
  const reconcileQueue = new MemoryQueue({ now });
  const dispatch = new KeyDispatch({ store, queue: reconcileQueue, now });
  const clusterSets = new ClusterSets([['a', 'b']]);
  const fake = createFakeAdapter();
  const record = createRecordHandler({
    store,
    reconcileQueue,
    dispatch,
    clusterSets,
    logger: silentLogger,
    now,
  });
  const reconcile = createReconcileHandler({
    store,
    adapters: { haproxy: fake },
    translateOptions: { defaultProvider: 'haproxy' },
    dispatch,
    clusterSets,
    logger: silentLogger,
  });
  /** Records the events, then runs every reconcile they asked for; returns the keys reconciled. */
  const deliver = async (events: PorticoEvent[]) => {
    expect((await record(sqsEvent(events.map(asQueueMessage)), lambdaContext())).batchItemFailures).toEqual(
      [],
    );
    const messages = reconcileQueue.messages.splice(0);
    clock += 1000;
    if (messages.length > 0) {
      const r = await reconcile(sqsEvent(messages, 'reconcile.fifo'), lambdaContext());
      expect(r.batchItemFailures).toEqual([]);
    }
    return messages.map((m) => parseReconcileRequest(m.body)?.key).sort();
  };
  /** The targets the fake provider's pools send to. */
  const targets = () =>
    fake.cloud
      .all()
      .filter((r) => r.kind === 'pool')
      .flatMap((r) => (r.value as { targets: string[] }).targets)
      .sort();
  return { store, deliver, targets };
}

/** One finished list of each kind, as a forwarder's start-up sends it. */
function listed(
  cluster: string,
  listId: string,
  byKind: Record<string, Record<string, unknown>[]>,
): PorticoEvent[] {
  return Object.entries(byKind).flatMap(([kind, objects]) => [
    markerEvent('start', kind, listId, objects.length, cluster),
    ...objects.map((o) =>
      resourceEvent('add', o as Parameters<typeof resourceEvent>[1], { cluster, snapshotid: listId }),
    ),
    markerEvent('end', kind, listId, objects.length, cluster),
  ]);
}

async function twoClusters() {
  const t = setup();
  await t.deliver(
    listed('a', 'a1', {
      GatewayClass: [gatewayClass()],
      Gateway: [gateway()],
      HTTPRoute: [routeToImport('infra', 'shop', { gateway: 'web', service: 'shop' })],
      ServiceImport: [serviceImport('infra', 'shop')],
      EndpointSlice: [slice('a', 'shop-a', ['10.1.0.1'])],
    }),
  );
  const reconciled = await t.deliver(
    listed('b', 'b1', {
      EndpointSlice: [slice('b', 'shop-b1', ['10.2.0.1']), slice('b', 'shop-b2', ['10.2.0.2'])],
    }),
  );
  return { ...t, reconciled };
}

describe('functions: multi-cluster services', () => {
  it("b's exported slices reconcile a's Gateway, whose pool holds the endpoints of both clusters", async () => {
    const { reconciled, targets } = await twoClusters();
    expect(reconciled).toContain(GW);
    expect(targets()).toEqual(['10.1.0.1:8080', '10.2.0.1:8080', '10.2.0.2:8080']);
  });

  it('b going silent (an unfinished re-list, no events) keeps its endpoints, and a keeps working', async () => {
    const { store, deliver, targets } = await twoClusters();
    // b's forwarder restarts, begins a re-list and is never heard from again.
    await deliver([markerEvent('start', 'EndpointSlice', 'b2', 2, 'b')]);
    expect(await store.isComplete('b')).toBe(false);
    expect(await store.isComplete('a')).toBe(true);
    // a's own change reconciles its Gateway: b's endpoints are all still there.
    await deliver([
      resourceEvent('update', slice('a', 'shop-a', ['10.1.0.1', '10.1.0.3']), { cluster: 'a' }),
    ]);
    expect(targets()).toEqual(['10.1.0.1:8080', '10.1.0.3:8080', '10.2.0.1:8080', '10.2.0.2:8080']);
    // a's own re-list removes nothing of b's.
    await deliver(listed('a', 'a2', { EndpointSlice: [slice('a', 'shop-a', ['10.1.0.1'])] }));
    expect(targets()).toEqual(['10.1.0.1:8080', '10.2.0.1:8080', '10.2.0.2:8080']);
    expect(await store.list('b', 'EndpointSlice', 'infra')).toHaveLength(2);
  });

  it("b's re-list without one slice removes only that slice, and reconciles a's Gateway", async () => {
    const { store, deliver, targets } = await twoClusters();
    const reconciled = await deliver(
      listed('b', 'b2', { EndpointSlice: [slice('b', 'shop-b1', ['10.2.0.1'])] }),
    );
    expect(reconciled).toEqual([GW]);
    expect(targets()).toEqual(['10.1.0.1:8080', '10.2.0.1:8080']);
    expect((await store.list('b', 'EndpointSlice', 'infra')).map((r) => r.name)).toEqual(['shop-b1']);
    expect((await store.list('a', 'EndpointSlice', 'infra')).map((r) => r.name)).toEqual(['shop-a']);
  });

  it("a's endpoints becoming not ready move every target to b in the one reconcile that follows", async () => {
    const { deliver, targets } = await twoClusters();
    const notReady = slice('a', 'shop-a', ['10.1.0.1']);
    notReady.endpoints[0]!.conditions.ready = false;
    expect(await deliver([resourceEvent('update', notReady, { cluster: 'a' })])).toEqual([GW]);
    expect(targets()).toEqual(['10.2.0.1:8080', '10.2.0.2:8080']);
  });

  it('a cluster outside the clusterset contributes nothing, even under a member’s name', async () => {
    const { deliver, targets } = await twoClusters();
    // Cluster c sends a slice claiming to be b's: it is c's object, and c is in no clusterset.
    expect(
      await deliver(listed('c', 'c1', { EndpointSlice: [slice('b', 'shop-forged', ['10.9.9.9'])] })),
    ).toEqual([]);
    expect(targets()).toEqual(['10.1.0.1:8080', '10.2.0.1:8080', '10.2.0.2:8080']);
  });
});
