import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { QueueUnavailableError } from '#functions/queue/queue.js';
import { parseReconcileRequest } from '#functions/queue/reconcile-message.js';
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
} from './pipeline-support.js';

const GW = lbKey(CLUSTER, 'Gateway', 'infra', 'web');
const SVC_LB = lbKey(CLUSTER, 'Service', 'infra', 'app');

function setup() {
  let clock = 1_763_600_000_000;
  const store = new MemorySnapshotStore();
  const reconcileQueue = new MemoryQueue({ now: () => clock });
  const logger = captureLogger();
  const dispatch = new KeyDispatch({ store, queue: reconcileQueue, now: () => clock });
  const handler = createRecordHandler({ store, reconcileQueue, logger, dispatch });
  const run = (events: Parameters<typeof asQueueMessage>[0][]) =>
    handler(sqsEvent(events.map(asQueueMessage)), lambdaContext());
  const keys = () => reconcileQueue.messages.map((m) => parseReconcileRequest(m.body)?.key);
  /** Every requested reconcile begins and ends (as the reconcile function would): the keys are idle again. */
  const reconciled = async () => {
    for (const key of new Set(keys())) await (await dispatch.begin(key!)).end();
  };
  return {
    store,
    reconcileQueue,
    logger,
    handler,
    run,
    keys,
    reconciled,
    tick: (ms: number) => (clock += ms),
  };
}

describe('functions: record', () => {
  it('stores resource events and asks to reconcile the affected load balancers (group = LB key)', async () => {
    const { store, reconcileQueue, run, keys } = setup();
    const gw = gateway();
    const result = await run([
      resourceEvent('add', gatewayClass()),
      resourceEvent('add', gw),
      resourceEvent('add', httpRoute()),
      resourceEvent('add', service()),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await store.get(CLUSTER, { kind: 'Gateway', namespace: 'infra', name: 'web' })).toEqual(gw);
    expect(keys()).toEqual([GW]);
    expect(reconcileQueue.messages[0]?.groupId).toBe(GW);
  });

  it('acknowledges stale and duplicate events without enqueueing, and logs them', async () => {
    const { reconcileQueue, run, logger, reconciled } = setup();
    const older = service('app', true);
    const newer = bump(older);
    await run([resourceEvent('add', newer)]);
    const sent = reconcileQueue.messages.length;
    expect(sent).toBe(1);
    await reconciled(); // the key is idle: anything requested now would be sent
    const result = await run([resourceEvent('update', newer), resourceEvent('update', older)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(reconcileQueue.messages).toHaveLength(sent);
    const ignored = logger.lines.filter((l) => l.msg === 'event ignored').map((l) => l.fields.outcome);
    expect(ignored).toEqual(['duplicate', 'stale']);
    // where each batch spent its time: the first one found a key and sent its request
    const phases = logger.lines
      .filter((l) => l.msg === 'recorded')
      .map((l) => Object.keys(l.fields.ms as object));
    expect(phases).toEqual([
      ['parse', 'store', 'walk', 'dispatch'],
      ['parse', 'store', 'walk'],
    ]);
  });

  it('records deletes (a late add of the deleted version is stale) and reconciles what they affected', async () => {
    const { store, run, keys, reconciled } = setup();
    const svc = service('app', true);
    await run([resourceEvent('add', svc)]);
    await reconciled();
    const gone = bump(svc);
    const result = await run([resourceEvent('delete', gone), resourceEvent('update', svc)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await store.get(CLUSTER, { kind: 'Service', namespace: 'infra', name: 'app' })).toBeUndefined();
    expect(keys()).toEqual([SVC_LB, SVC_LB]);
  });

  it('records snapshot markers: the cluster is complete once a list has all its objects', async () => {
    const { store, run } = setup();
    await run([markerEvent('start', 'Service', 'list-1', 2)]);
    expect(await store.isComplete(CLUSTER)).toBe(false);
    await run([
      resourceEvent('add', service('a', true), { snapshotid: 'list-1' }),
      resourceEvent('add', service('b', true), { snapshotid: 'list-1' }),
      markerEvent('end', 'Service', 'list-1', 2),
    ]);
    expect(await store.isComplete(CLUSTER)).toBe(true);
  });

  it('reports an unreadable message, and the later messages of its group, as batch item failures', async () => {
    const { reconcileQueue, store } = setup();
    const svc = service('app', true);
    const bad = { ...asQueueMessage(resourceEvent('add', svc)), body: '{not json' };
    const later = asQueueMessage(resourceEvent('update', bump(svc)));
    const other = asQueueMessage(resourceEvent('add', service('other', true)));
    const event = sqsEvent([bad, later, other]);
    const handler = createRecordHandler({ store, reconcileQueue, logger: captureLogger() });
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[0]!.messageId,
      event.Records[1]!.messageId,
    ]);
    expect(reconcileQueue.messages.map((m) => parseReconcileRequest(m.body)?.key)).toEqual([
      lbKey(CLUSTER, 'Service', 'infra', 'other'),
    ]);
  });

  it('fails the messages whose reconcile request could not be sent', async () => {
    const { run, reconcileQueue, keys } = setup();
    reconcileQueue.failWith(new QueueUnavailableError('down'));
    const result = await run([
      resourceEvent('add', service('app', true)),
      resourceEvent('add', gatewayClass()),
    ]);
    // the GatewayClass affects no load balancer here, so only the Service's message fails
    expect(result.batchItemFailures).toHaveLength(1);
    // the claim was let go: once the queue is back, the next change of the key is sent at once
    reconcileQueue.failWith(undefined);
    await run([resourceEvent('update', bump(service('app', true)))]);
    expect(keys()).toEqual([SVC_LB]);
  });

  it('asks again for the reconcile of a redelivered event its failed attempt had stored already', async () => {
    const { reconcileQueue, keys, handler, reconciled } = setup();
    const svc = service('app', true);
    const event = sqsEvent([asQueueMessage(resourceEvent('add', svc))]);
    reconcileQueue.failWith(new QueueUnavailableError('down')); // stored, then the request failed
    expect((await handler(event, lambdaContext())).batchItemFailures).toHaveLength(1);
    expect(keys()).toEqual([]);
    reconcileQueue.failWith(undefined);
    const again = structuredClone(event);
    again.Records[0]!.attributes.ApproximateReceiveCount = '2';
    expect((await handler(again, lambdaContext())).batchItemFailures).toEqual([]);
    expect(keys()).toEqual([SVC_LB]); // a duplicate now, but its reconcile was never requested

    // a first delivery of the same version is a plain duplicate: nothing asked
    await reconciled();
    await handler(sqsEvent([asQueueMessage(resourceEvent('add', svc))]), lambdaContext());
    expect(keys()).toEqual([SVC_LB]);
  });

  it('coalesces a burst of 1,000 EndpointSlice updates into about one reconcile per affected key', async () => {
    const { run, reconcileQueue, tick, reconciled } = setup();
    await run([
      resourceEvent('add', gatewayClass()),
      resourceEvent('add', gateway()),
      resourceEvent('add', httpRoute()),
      resourceEvent('add', service('app', true)),
    ]);
    await reconciled();
    const before = reconcileQueue.messages.length;
    let slice = endpointSlice('app', 'abc', ['10.1.0.1']);
    const updates = [];
    for (let i = 0; i < 1000; i++) {
      slice = bump(slice, {
        endpoints: [{ addresses: [`10.1.${i >> 8}.${i & 255}`], conditions: { ready: true } }],
      });
      updates.push(resourceEvent(i === 0 ? 'add' : 'update', slice));
    }
    for (const b of batches(updates)) {
      const result = await run(b);
      expect(result.batchItemFailures).toEqual([]);
      tick(5); // 100 batches in 500 ms, while the first requests wait in the queue
    }
    // the first batch's requests go out at once; every later change finds its key queued
    const sent = reconcileQueue.messages.slice(before).map((m) => parseReconcileRequest(m.body)?.key);
    expect(sent.sort()).toEqual([GW, SVC_LB]);
  });

  it('stores a Secret reduced, whoever enqueued it: no tls.key of a TLS Secret, no data of another', async () => {
    const { store, run, logger } = setup();
    const secret = (name: string, type: string, data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'infra', uid: `uid-${name}`, resourceVersion: '7' },
      type,
      data,
      stringData: { token: 'plain-token-never-stored' },
    });
    const result = await run([
      resourceEvent(
        'add',
        secret('tls', 'kubernetes.io/tls', { 'tls.crt': 'Q1JU', 'tls.key': 'S0VZLXNlY3JldA==' }),
      ),
      resourceEvent('add', secret('opaque', 'Opaque', { password: 'cGFzc3dvcmQtc2VjcmV0' })),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    const tls = await store.get(CLUSTER, { kind: 'Secret', namespace: 'infra', name: 'tls' });
    expect(tls).toMatchObject({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'Q1JU' } });
    expect((tls as { data: object }).data).not.toHaveProperty('tls.key');
    const opaque = await store.get(CLUSTER, { kind: 'Secret', namespace: 'infra', name: 'opaque' });
    expect(Object.keys(opaque as object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'type']);
    expect(JSON.stringify(logger.lines)).not.toMatch(/S0VZLXNlY3JldA|cGFzc3dvcmQtc2VjcmV0|plain-token/);
  });
});
