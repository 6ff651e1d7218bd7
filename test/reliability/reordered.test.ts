import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FakeAdapter } from '#adapters/fake/adapter.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { CLUSTER, fakeHarness, ignoredOutcomes, providerState } from './harness.js';
import {
  add,
  bump,
  endpointSlice,
  gateway,
  gatewayClass,
  gatewayKey,
  httpRoute,
  KINDS,
  NS,
  type Obj,
  remove,
  service,
  snapshotEvents,
  update,
} from './objects.js';

const listenerPort = (fake: FakeAdapter) =>
  fake.cloud
    .all()
    .filter((r) => r.kind === 'listener')
    .map((r) => (r.value as { port?: number }).port);

describe('reliability: reordered events', () => {
  it('ignores an older resourceVersion that arrives after a newer one', async () => {
    const { fake, h } = fakeHarness();
    const gw1 = gateway('web', 80);
    const objects = [gatewayClass(), httpRoute('app', 'web', 'app', 'app.example'), service('app')];
    await h.post(snapshotEvents(objects, 's1'));
    await h.settle();
    const gw2 = bump(gw1, {
      spec: { ...(gw1.spec as object), listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
    });
    // a second forwarder (or a replay) delivers the older version late
    await h.enqueue([add(gw2)]);
    await h.settle();
    expect(listenerPort(fake)).toEqual([8080]);
    const reconciles = h.reconcileQueue.messages.length;
    await h.enqueue([add(gw1), update(gw1)]);
    expect(await h.record()).toEqual([]);
    expect(ignoredOutcomes(h.logs.record)).toEqual(['stale', 'stale']);
    expect(h.reconcileQueue.messages.length).toBe(reconciles);
    await h.settle();
    expect(listenerPort(fake)).toEqual([8080]);
    expect(
      (await h.store.get(CLUSTER, { kind: 'Gateway', namespace: NS, name: 'web' })) as Obj,
    ).toMatchObject({
      metadata: { resourceVersion: gw2.metadata.resourceVersion },
    });
  });

  it('never resurrects a deleted object: a late add or update of the same uid hits the tombstone', async () => {
    const { fake, h } = fakeHarness();
    const gw = gateway('web');
    const objects = [gatewayClass(), gw, httpRoute('app', 'web', 'app', 'app.example'), service('app')];
    await h.post(snapshotEvents(objects, 's1'));
    await h.settle();
    expect(fake.cloud.all().filter((r) => r.kind === 'load-balancer')).toHaveLength(1);

    const last = bump(gw);
    await h.enqueue([update(last), remove(last)]);
    await h.settle();
    expect(fake.cloud.all()).toEqual([]); // deleted, with everything it owned

    // late events of the same object (after the queue's 5-minute dedup window): the version before
    // the delete, the deleted version as an add and as an update
    h.tick(6 * 60_000);
    await h.enqueue([update(gw), add(last), update(last)]);
    expect(await h.record()).toEqual([]);
    expect(ignoredOutcomes(h.logs.record).slice(-3)).toEqual(['stale', 'stale', 'stale']);
    await h.settle();
    expect(fake.cloud.all()).toEqual([]);
    expect(await h.store.get(CLUSTER, { kind: 'Gateway', namespace: NS, name: 'web' })).toBeUndefined();
    await h.requestReconcile(gatewayKey('web'), 'resync-1');
    await h.settle();
    expect(fake.cloud.all()).toEqual([]);

    // a new object of the same name (new uid) is a different object: accepted
    const reborn = bump({ ...gw, metadata: { ...gw.metadata, uid: 'uid-shop-web-2' } });
    await h.enqueue([add(reborn)]);
    await h.settle();
    expect(fake.cloud.all().filter((r) => r.kind === 'load-balancer')).toHaveLength(1);
  });

  it('converges to the same provider state whatever the order of events of different objects', async () => {
    // The cluster is complete (an empty list of every kind), then a history of changes to several
    // objects arrives. Events of one object keep their order (one FIFO group); across objects any
    // interleaving may happen, with reconciles running in between.
    const gc = gatewayClass();
    const web = gateway('web');
    const api = gateway('api', 8080);
    const r1 = httpRoute('r1', 'web', 'a', 'a.example');
    const r2 = httpRoute('r2', 'api', 'b', 'b.example', '/v1');
    const sa = service('a');
    const sb = service('b');
    const ea = endpointSlice('a', ['10.1.0.1']);
    const eb = endpointSlice('b', ['10.2.0.1']);
    const r1b = bump(r1, { spec: { ...(r1.spec as object), hostnames: ['a2.example'] } });
    const ea2 = bump(ea, { endpoints: [{ addresses: ['10.1.0.2'], conditions: { ready: true } }] });
    const ea3 = bump(ea2, { endpoints: [{ addresses: ['10.1.0.3'], conditions: { ready: true } }] });
    const temp = httpRoute('temp', 'web', 'b', 'temp.example');
    const histories: PorticoEvent[][] = [
      [add(gc)],
      [add(web)],
      [add(api)],
      [add(r1), update(r1b)],
      [add(r2)],
      [add(sa)],
      [add(sb)],
      [add(ea), update(ea2), update(ea3)],
      [add(eb)],
      [add(temp), remove(temp)],
    ];

    async function run(order: number[], reconcileAfter: boolean[]) {
      const { fake, h } = fakeHarness();
      await h.enqueue(snapshotEvents([], 's0', KINDS));
      await h.settle();
      const cursors = histories.map(() => 0);
      let step = 0;
      for (const i of order) {
        const e = histories[i]![cursors[i]!++]!;
        await h.enqueue([e]);
        expect(await h.record()).toEqual([]);
        h.tick(400);
        if (reconcileAfter[step++ % reconcileAfter.length]) {
          const r = await h.reconcile();
          expect(r.failed).toEqual([]);
        }
      }
      await h.settle();
      return { state: providerState(fake), h };
    }

    const inOrder = histories.flatMap((events, i) => events.map(() => i));
    const expected = (await run(inOrder, [false])).state;
    expect(expected.join()).toContain('10.1.0.3');
    expect(expected.join()).toContain('a2.example');
    expect(expected.join()).not.toContain('temp.example');
    expect(expected.join()).not.toContain('10.1.0.2');

    // Orders that keep each object's own events in sequence: a shuffle of the slots.
    const interleaving = fc.shuffledSubarray(inOrder, {
      minLength: inOrder.length,
      maxLength: inOrder.length,
    });
    await fc.assert(
      fc.asyncProperty(
        interleaving,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        async (order, rec) => {
          const { state } = await run(order, rec);
          expect(state).toEqual(expected);
        },
      ),
      { numRuns: 25, seed: 20_261_123 },
    );
  });
});
