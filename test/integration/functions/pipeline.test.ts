import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { lbKey } from '#core/ir/lb-key.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { captureLogger } from '#test/support/capture-logger.js';
import {
  asQueueMessage,
  batches,
  bump,
  CLUSTER,
  endpointSlice,
  gateway,
  gatewayClass,
  httpRoute,
  lambdaContext,
  markerEvent,
  resourceEvent,
  service,
  sqsEvent,
} from '#test/unit/functions/pipeline-support.js';

const GW = lbKey(CLUSTER, 'Gateway', 'infra', 'web');
const SVC_LB = lbKey(CLUSTER, 'Service', 'infra', 'app');

/** ingest's output → events queue → record → reconcile queue → reconcile, in one process. */
function pipeline() {
  let clock = 1_763_600_000_000;
  const now = () => clock;
  const store = new MemorySnapshotStore();
  const eventsQueue = new MemoryQueue({ now });
  const reconcileQueue = new MemoryQueue({ now });
  const fake = createFakeAdapter();
  const dispatch = new KeyDispatch({ store, queue: reconcileQueue, now });
  const record = createRecordHandler({ store, reconcileQueue, now, dispatch, logger: captureLogger() });
  const reconcile = createReconcileHandler({
    store,
    adapters: { haproxy: fake },
    translateOptions: { defaultProvider: 'haproxy' },
    logger: captureLogger(),
    dispatch,
  });
  let eventsRead = 0;
  let reconcileRead = 0;
  return {
    store,
    fake,
    reconcileQueue,
    tick: (ms: number) => (clock += ms),
    ingest: (events: PorticoEvent[]) => eventsQueue.send(events.map(asQueueMessage)),
    /** Delivers the events queue in FIFO batches of 10. */
    async record() {
      const pending = eventsQueue.messages.slice(eventsRead);
      eventsRead = eventsQueue.messages.length;
      for (const b of batches(pending)) {
        const r = await record(sqsEvent(b), lambdaContext());
        expect(r.batchItemFailures).toEqual([]);
        clock += 2;
      }
    },
    /** Delivers the reconcile queue. */
    async reconcile() {
      const pending = reconcileQueue.messages.slice(reconcileRead);
      reconcileRead = reconcileQueue.messages.length;
      for (const b of batches(pending)) {
        const r = await reconcile(sqsEvent(b, 'reconcile.fifo'), lambdaContext());
        expect(r.batchItemFailures).toEqual([]);
      }
      return pending.length;
    },
  };
}

describe('functions: in-process pipeline', () => {
  it('lists, programs, coalesces a burst of 1,000 EndpointSlice updates, and converges', async () => {
    const p = pipeline();
    const objects = [gatewayClass(), gateway(), httpRoute(), service('app', true)];
    const events: PorticoEvent[] = [];
    for (const kind of ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'EndpointSlice']) {
      const of = objects.filter((o) => o.kind === kind);
      events.push(markerEvent('start', kind, `s-${kind}`, of.length));
      for (const o of of) events.push(resourceEvent('add', o, { snapshotid: `s-${kind}` }));
      events.push(markerEvent('end', kind, `s-${kind}`, of.length));
    }
    await p.ingest(events);
    await p.record();
    expect(await p.store.isComplete(CLUSTER)).toBe(true);
    await p.reconcile();
    const statuses = (await p.store.statusSince(CLUSTER, undefined, 100)).items;
    const gw = statuses.find((s) => s.ref.kind === 'Gateway')?.status as {
      status: { conditions: { type: string; status: string }[] };
    };
    expect(gw.status.conditions.find((c) => c.type === 'Programmed')?.status).toBe('True');
    const svc = statuses.find((s) => s.ref.kind === 'Service')?.status as {
      status: { loadBalancer: { ingress?: unknown[] } };
    };
    expect(svc.status.loadBalancer.ingress?.length).toBeGreaterThan(0);

    p.tick(10_000);
    let slice = endpointSlice('app', 'abc', ['10.1.0.1']);
    const burst: PorticoEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      slice = bump(slice, {
        endpoints: [{ addresses: [`10.2.${i >> 8}.${i & 255}`], conditions: { ready: true } }],
      });
      burst.push(resourceEvent(i === 0 ? 'add' : 'update', slice));
    }
    await p.ingest(burst);
    const before = p.reconcileQueue.messages.length;
    await p.record();
    const requested = p.reconcileQueue.messages.length - before;
    expect(requested).toBeGreaterThanOrEqual(2); // the Gateway and the Service load balancer
    expect(requested).toBeLessThanOrEqual(4);
    expect(new Set(p.reconcileQueue.messages.slice(before).map((m) => m.groupId))).toEqual(
      new Set([GW, SVC_LB]),
    );

    await p.reconcile();
    const cloud = JSON.stringify(p.fake.cloud.all());
    expect(cloud).toContain('10.2.3.231'); // the last update (i = 999)
    expect(cloud).not.toContain('10.2.3.230');

    // A repeat of the same keys finds nothing new: no provider call.
    const calls = p.fake.cloud.calls.length;
    p.tick(10_000);
    await p.ingest([resourceEvent('update', slice)]); // a duplicate: acknowledged, nothing enqueued
    await p.record();
    expect(await p.reconcile()).toBe(0);
    await p.reconcileQueue.send([
      { groupId: GW, dedupId: 'resync-1', body: JSON.stringify({ key: GW }) },
      { groupId: SVC_LB, dedupId: 'resync-2', body: JSON.stringify({ key: SVC_LB }) },
    ]);
    expect(await p.reconcile()).toBe(2);
    expect(p.fake.cloud.calls.length).toBe(calls);
  });
});
