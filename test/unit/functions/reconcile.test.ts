import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { supportedFeatures } from '#adapters/supported-features.js';
import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { QueueMessage } from '#functions/queue/queue.js';
import {
  gateRecheckMessage,
  parseReconcileRequest,
  reconcileMessage,
} from '#functions/queue/reconcile-message.js';
import { createReconcileHandler, handler as deployed } from '#functions/reconcile/handler.js';
import { bundleFingerprint } from '#functions/store/bundle-fingerprint.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { selectBundleFromStore } from '#functions/store/store-view.js';
import { captureLogger } from '#test/support/capture-logger.js';
import {
  bump,
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
let n = 0;
const msg = (key: LbKey): QueueMessage => reconcileMessage(key, ++n * 60_000, 1000);

/** A GatewayClass `portico-elb` whose load balancers the aws-elbv2 provider programs. */
const elbv2Class = () => [
  {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'LoadBalancerParameters',
    metadata: { name: 'elb', namespace: 'infra', resourceVersion: '1', uid: 'uid-params-elb' },
    spec: { provider: 'aws-elbv2', scheme: 'internet-facing' },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico-elb', resourceVersion: '1', uid: 'uid-class-elb', generation: 1 },
    spec: {
      controllerName: 'portico.dev/gateway-controller',
      parametersRef: {
        group: 'portico.dev',
        kind: 'LoadBalancerParameters',
        name: 'elb',
        namespace: 'infra',
      },
    },
  },
];

function setup() {
  const store = new MemorySnapshotStore();
  const fake = createFakeAdapter();
  const logger = captureLogger();
  const handler = createReconcileHandler({
    store,
    adapters: { haproxy: fake },
    translateOptions: { defaultProvider: 'haproxy' },
    logger,
  });
  const run = (...keys: LbKey[]) => handler(sqsEvent(keys.map(msg), 'reconcile.fifo'), lambdaContext());
  const objects = [gatewayClass(), gateway(), httpRoute(), service()];
  return { store, fake, logger, run, objects };
}

async function statuses(store: MemorySnapshotStore) {
  const page = await store.statusSince(CLUSTER, undefined, 100);
  return page.items.map(
    (i) => i.status as { kind: string; status: { conditions?: { type: string; status: string }[] } },
  );
}

describe('functions: reconcile', () => {
  it('programs the load balancer, writes statuses with Programmed, remembers the fingerprint', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    const result = await run(GW);
    expect(result.batchItemFailures).toEqual([]);
    expect(fake.cloud.all().length).toBeGreaterThan(0);
    const gw = (await statuses(store)).find((s) => s.kind === 'Gateway');
    expect(gw?.status.conditions?.find((c) => c.type === 'Programmed')?.status).toBe('True');
    expect((await statuses(store)).map((s) => s.kind).sort()).toEqual([
      'Gateway',
      'GatewayClass',
      'HTTPRoute',
    ]);
    expect(await store.lastReconciled(GW)).toBe(bundleFingerprint(await selectBundleFromStore(store, GW)));
    // The class advertises what its provider's adapter can do.
    const cls = (await statuses(store)).find((s) => s.kind === 'GatewayClass') as
      | { status: { supportedFeatures?: { name: string }[] } }
      | undefined;
    expect(cls?.status.supportedFeatures?.map((f) => f.name)).toEqual(supportedFeatures(fake.capabilities()));
  });

  it('skips a key whose bundle is unchanged: no provider call at all', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    await run(GW);
    const calls = fake.cloud.calls.length;
    const result = await run(GW, GW);
    expect(result.batchItemFailures).toEqual([]);
    expect(fake.cloud.calls.length).toBe(calls);
  });

  it('reports a reconcile that fails mid-apply as a batch item failure; the retry converges, no duplicates', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    fake.cloud.injectFailure({ afterCalls: 1 });
    const first = await run(GW);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await store.lastReconciled(GW)).toBeUndefined();
    expect(fake.cloud.all().length).toBeGreaterThan(0); // partly applied

    const retry = await run(GW);
    expect(retry.batchItemFailures).toEqual([]);
    const reference = setup();
    await listAll(reference.store, objects);
    await reference.run(GW);
    const addresses = fake.cloud
      .all()
      .map((r) => r.address)
      .sort();
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses).toEqual(
      reference.fake.cloud
        .all()
        .map((r) => r.address)
        .sort(),
    );
    expect(await store.lastReconciled(GW)).toBeDefined();
  });

  it('deletes nothing while the snapshot is incomplete, and garbage-collects once it is complete', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    await run(GW);
    const programmed = fake.cloud.all();
    expect(programmed.length).toBeGreaterThan(0);

    await store.markListStart(CLUSTER, 'Gateway', 'l2'); // a re-list: incomplete until it ends
    const gw = objects[1] as { metadata: { resourceVersion: string; uid: string } };
    await store.delete(
      CLUSTER,
      { kind: 'Gateway', namespace: 'infra', name: 'web' },
      String(Number(gw.metadata.resourceVersion) + 1),
      { uid: gw.metadata.uid },
    );
    const calls = fake.cloud.calls.length;
    const held = await run(GW);
    expect(held.batchItemFailures).toEqual([]);
    expect(fake.cloud.all()).toEqual(programmed);
    expect(fake.cloud.calls.slice(calls).filter((c) => c.startsWith('delete'))).toEqual([]);

    await store.markListEnd(CLUSTER, 'Gateway', 'l2', 0);
    expect(await store.isComplete(CLUSTER)).toBe(true);
    const gc = await run(GW);
    expect(gc.batchItemFailures).toEqual([]);
    expect(fake.cloud.all()).toEqual([]);
  });

  it('withholds deletes inside a load balancer while the snapshot is incomplete', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    await run(GW);
    await store.markListStart(CLUSTER, 'HTTPRoute', 'l2');
    const route = objects[2] as { metadata: { resourceVersion: string; uid: string } };
    await store.delete(
      CLUSTER,
      { kind: 'HTTPRoute', namespace: 'infra', name: 'app' },
      String(Number(route.metadata.resourceVersion) + 1),
      { uid: route.metadata.uid },
    );
    const calls = fake.cloud.calls.length;
    expect((await run(GW)).batchItemFailures).toEqual([]);
    expect(fake.cloud.calls.slice(calls).filter((c) => c.startsWith('delete'))).toEqual([]);
    expect(await store.lastReconciled(GW)).not.toBe(
      bundleFingerprint(await selectBundleFromStore(store, GW)),
    );
  });

  it('moves a Gateway whose class changes provider: programmed on the new one, removed from the old', async () => {
    const store = new MemorySnapshotStore();
    const [haproxy, elbv2] = [createFakeAdapter(), createFakeAdapter()];
    const handler = createReconcileHandler({
      store,
      adapters: { haproxy, 'aws-elbv2': elbv2 },
      translateOptions: { defaultProvider: 'haproxy' },
      logger: captureLogger(),
    });
    const run = (key: LbKey) => handler(sqsEvent([msg(key)], 'reconcile.fifo'), lambdaContext());
    const gw = gateway();
    await listAll(store, [gatewayClass(), ...elbv2Class(), gw, httpRoute(), service()]);
    expect((await run(GW)).batchItemFailures).toEqual([]);
    const onHaproxy = haproxy.cloud.all().map((r) => r.address);
    expect(onHaproxy.length).toBeGreaterThan(0);

    await store.put(CLUSTER, bump(gw, { spec: { ...gw.spec, gatewayClassName: 'portico-elb' } }));
    expect((await run(GW)).batchItemFailures).toEqual([]);
    expect(haproxy.cloud.all()).toEqual([]);
    expect(elbv2.cloud.all().map((r) => r.address)).toEqual(onHaproxy);
  });

  it('fails a delete whose observe is incomplete, keeps the key delete pending until a complete one', async () => {
    const { store, fake, run, objects } = setup();
    await listAll(store, objects);
    await run(GW);
    const programmed = fake.cloud.all();
    const gw = objects[1] as { metadata: { resourceVersion: string; uid: string } };
    await store.delete(
      CLUSTER,
      { kind: 'Gateway', namespace: 'infra', name: 'web' },
      String(Number(gw.metadata.resourceVersion) + 1),
      { uid: gw.metadata.uid },
    );
    fake.cloud.failObserves(2); // a fresh container under throttling: nothing could be read
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await run(GW)).batchItemFailures).toHaveLength(1);
      expect(await store.deletePendingKeys(CLUSTER)).toEqual([GW]);
      expect(fake.cloud.all()).toEqual(programmed);
    }
    const before = await store.lastReconciled(GW);
    expect(before).toBeDefined();
    expect(before).not.toBe(bundleFingerprint(await selectBundleFromStore(store, GW)));

    expect((await run(GW)).batchItemFailures).toEqual([]);
    expect(fake.cloud.all()).toEqual([]);
    expect(await store.deletePendingKeys(CLUSTER)).toEqual([]);
    // The route still names the Gateway: its bundle is remembered, so the delete is not redone.
    expect(await store.lastReconciled(GW)).toBe(bundleFingerprint(await selectBundleFromStore(store, GW)));
  });

  it('marks nothing delete pending for a load balancer that stays', async () => {
    const { store, run, objects } = setup();
    await listAll(store, objects);
    expect((await run(GW)).batchItemFailures).toEqual([]);
    expect(await store.deletePendingKeys(CLUSTER)).toEqual([]);
  });

  it('a forced reconcile (resync) ignores the remembered fingerprint and repairs provider drift', async () => {
    const { store, fake, objects, logger } = setup();
    await listAll(store, objects);
    // What each observe was asked to read: a forced reconcile asks for a full read.
    const readBacks: (string | undefined)[] = [];
    const observing: typeof fake = {
      ...fake,
      observe: (key, options) => {
        readBacks.push(options.readBack);
        return fake.observe(key, options);
      },
    };
    const handler = createReconcileHandler({
      store,
      adapters: { haproxy: observing },
      translateOptions: { defaultProvider: 'haproxy' },
      logger,
    });
    const send = (force: boolean) =>
      handler(
        sqsEvent([reconcileMessage(GW, ++n * 60_000, 1000, { force })], 'reconcile.fifo'),
        lambdaContext(),
      );
    expect((await send(false)).batchItemFailures).toEqual([]);
    const programmed = fake.cloud.all();
    // Someone deletes a route behind Portico's back: the bundle did not change.
    const route = programmed.find((r) => r.kind === 'route')!;
    fake.cloud.delete(route.id);
    const calls = fake.cloud.calls.length;
    expect((await send(false)).batchItemFailures).toEqual([]);
    expect(fake.cloud.calls.length).toBe(calls); // unchanged: no provider call
    expect((await send(true)).batchItemFailures).toEqual([]);
    expect(
      fake.cloud
        .all()
        .map((r) => [r.address, r.value])
        .sort(),
    ).toEqual(programmed.map((r) => [r.address, r.value]).sort());
    expect(logger.lines.at(-1)?.fields).toMatchObject({ forced: 1, reconciled: 1 });
    expect(readBacks).toEqual([undefined, 'full']);
    // where each reconcile spent its time, phase by phase
    const phases = logger.lines
      .filter((l) => l.msg === 'reconciled')
      .map((l) => Object.keys(l.fields.ms as object));
    expect(phases.at(-1)).toEqual(['dispatch', 'read', 'translate', 'provider', 'status']);
  });

  it('forced and event-driven requests of one window do not deduplicate each other', () => {
    const plain = reconcileMessage(GW, 5_000, 1000);
    const forced = reconcileMessage(GW, 5_000, 1000, { force: true });
    expect(forced.groupId).toBe(plain.groupId);
    expect(forced.dedupId).not.toBe(plain.dedupId);
    expect(reconcileMessage(GW, 5_500, 1000, { force: true }).dedupId).toBe(forced.dedupId);
    expect(parseReconcileRequest(forced.body)).toEqual({ key: GW, force: true });
    expect(parseReconcileRequest(plain.body)).toEqual({ key: GW, force: false });
    expect(parseReconcileRequest(JSON.stringify({ key: GW, force: 'yes' }))).toBeUndefined();
  });

  it('a gate re-check message carries its attempt and due time, in the key group, unique per attempt', () => {
    const recheck = gateRecheckMessage(GW, { attempt: 2, due: 9_000 });
    expect(recheck.groupId).toBe(reconcileMessage(GW, 0, 1000).groupId);
    expect(gateRecheckMessage(GW, { attempt: 3, due: 9_000 }).dedupId).not.toBe(recheck.dedupId);
    expect(parseReconcileRequest(recheck.body)).toEqual({
      key: GW,
      force: false,
      recheck: { attempt: 2, due: 9_000 },
    });
    for (const bad of [
      { attempt: 0, due: 1 },
      { attempt: 1.5, due: 1 },
      { attempt: 1, due: -1 },
      { attempt: 1 },
      null,
    ])
      expect(
        parseReconcileRequest(JSON.stringify({ key: GW, recheck: bad })),
        JSON.stringify(bad),
      ).toBeUndefined();
  });

  it('holds an early gate re-check back until it is due, unless a message of its key follows it', async () => {
    const store = new MemorySnapshotStore();
    const logger = captureLogger();
    const delays: [string, number][] = [];
    const handler = createReconcileHandler({
      store,
      adapters: { haproxy: createFakeAdapter() },
      translateOptions: { defaultProvider: 'haproxy' },
      logger,
      now: () => 10_000,
      retryDelay: { delay: async (record, seconds) => void delays.push([record.messageId, seconds]) },
    });
    for (const o of [gatewayClass(), gateway(), httpRoute(), service()]) await store.put(CLUSTER, o);
    const early = gateRecheckMessage(GW, { attempt: 1, due: 12_500 });
    const alone = sqsEvent([early], 'reconcile.fifo');
    const held = await handler(alone, lambdaContext());
    expect(held.batchItemFailures).toEqual([{ itemIdentifier: alone.Records[0]!.messageId }]);
    expect(delays).toEqual([[alone.Records[0]!.messageId, 3]]);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    // Followed by a reconcile of the same key: the re-check runs now, holding nothing back.
    const followed = sqsEvent([early, msg(GW)], 'reconcile.fifo');
    expect((await handler(followed, lambdaContext())).batchItemFailures).toEqual([]);
    // Due: it runs (the fingerprint is the one reconciled, so only the gates would be read again).
    const due = sqsEvent([gateRecheckMessage(GW, { attempt: 1, due: 10_000 })], 'reconcile.fifo');
    expect((await handler(due, lambdaContext())).batchItemFailures).toEqual([]);
    expect(delays).toHaveLength(1);
  });

  it('writes one status per (object, key): a route on two Gateways keeps each Gateway its own parent entry', async () => {
    const { store, run } = setup();
    const gw1 = gateway();
    const gw2 = { ...gateway(), metadata: { ...gateway().metadata, name: 'web2', uid: 'uid-web2' } };
    const route = httpRoute();
    route.spec.parentRefs = [{ name: 'web' }, { name: 'web2' }];
    await listAll(store, [gatewayClass(), gw1, gw2, route, service()]);
    const GW2 = lbKey(CLUSTER, 'Gateway', 'infra', 'web2');
    expect((await run(GW, GW2)).batchItemFailures).toEqual([]);
    const items = (await store.statusSince(CLUSTER, undefined, 100)).items;
    const routes = items.filter((i) => i.ref.kind === 'HTTPRoute');
    expect(routes.map((i) => i.key).sort()).toEqual([GW, GW2].sort());
    for (const r of routes) {
      const parents = (r.status as { status: { parents: { parentRef: { name: string } }[] } }).status.parents;
      expect(parents.map((p) => p.parentRef.name)).toEqual([r.key === GW ? 'web' : 'web2']);
    }
    expect(items.filter((i) => i.ref.kind === 'Gateway').map((i) => [i.ref.name, i.key])).toEqual([
      ['web', GW],
      ['web2', GW2],
    ]);
  });

  it('reports an unreadable message as a batch item failure and goes on with the others', async () => {
    const { store, objects, fake } = setup();
    await listAll(store, objects);
    const handler = createReconcileHandler({
      store,
      adapters: { haproxy: fake },
      logger: captureLogger(),
    });
    const event = sqsEvent([{ groupId: 'x', dedupId: 'x', body: '{"key":"nope"}' }, msg(GW)]);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    expect(fake.cloud.all().length).toBeGreaterThan(0);
  });

  it('stops when the Lambda is about to time out (the message is retried)', async () => {
    const { store, objects, fake } = setup();
    await listAll(store, objects);
    const handler = createReconcileHandler({
      store,
      adapters: { haproxy: fake },
      logger: captureLogger(),
    });
    const result = await handler(sqsEvent([msg(GW)]), lambdaContext(1_000));
    expect(result.batchItemFailures).toHaveLength(1);
    expect(fake.cloud.calls).toEqual([]);
  });

  it('the deployed handler is wired on first use and names what the environment lacks', async () => {
    const saved = process.env.PORTICO_TABLE_NAME;
    delete process.env.PORTICO_TABLE_NAME;
    try {
      await expect(deployed(sqsEvent([msg(GW)]), lambdaContext())).rejects.toThrow('PORTICO_TABLE_NAME');
    } finally {
      if (saved !== undefined) process.env.PORTICO_TABLE_NAME = saved;
    }
  });
});
