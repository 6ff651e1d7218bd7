import { describe, expect, it } from 'vitest';
import type { FakeAdapter } from '#adapters/fake/adapter.js';
import { markerEvent, resourceEvent } from '#test/unit/functions/pipeline-support.js';
import { CLUSTER, fakeHarness, pendingChanges, providerState } from './harness.js';
import {
  endpointSlice,
  gateway,
  gatewayClass,
  gatewayKey,
  httpRoute,
  NS,
  service,
  snapshotEvents,
} from './objects.js';

// The forwarder's watch was cut (410 Gone) and events were lost meanwhile: Gateway `old` and its
// route were deleted, Gateway `new` was created. The forwarder re-lists. What was deleted while
// nobody watched must go, with its load balancer, but only once the re-list is complete.

const lbNames = (fake: FakeAdapter) =>
  fake.cloud
    .all()
    .filter((r) => r.kind === 'load-balancer')
    .map((r) => r.tags)
    .map((t) => Object.values(t).find((v) => v.startsWith(`${CLUSTER}/Gateway/`)) ?? JSON.stringify(t))
    .sort();

describe('reliability: a re-list after lost events', () => {
  it('sweeps objects deleted meanwhile, and deletes their load balancers, only once the list is complete', async () => {
    const { fake, h } = fakeHarness();
    const web = gateway('web');
    const old = gateway('old');
    const rWeb = httpRoute('r-web', 'web', 'a', 'a.example');
    const rOld = httpRoute('r-old', 'old', 'b', 'b.example');
    const rest = [
      service('a'),
      service('b'),
      endpointSlice('a', ['10.1.0.1']),
      endpointSlice('b', ['10.2.0.1']),
    ];
    await h.post(snapshotEvents([gatewayClass(), web, old, rWeb, rOld, ...rest], 's1'));
    await h.settle();
    expect(lbNames(fake)).toHaveLength(2);
    const oldResources = providerState(fake).filter((r) => r.includes(gatewayKey('old')));
    expect(oldResources.length).toBeGreaterThan(1);

    // --- the re-list, after the 410: events for `old`, `r-old` and `new` were never delivered.
    // (Later than the queue's 5-minute dedup window: see the next test for a re-list inside it.)
    h.tick(6 * 60_000);
    const created = gateway('new');
    const relist = [
      markerEvent('start', 'HTTPRoute', 's2-HTTPRoute', 1),
      resourceEvent('add', rWeb, { snapshotid: 's2-HTTPRoute' }),
      markerEvent('end', 'HTTPRoute', 's2-HTTPRoute', 1),
      markerEvent('start', 'Gateway', 's2-Gateway', 2),
      resourceEvent('add', web, { snapshotid: 's2-Gateway' }),
      // the end marker travels in its own queue group: it may well be recorded before the objects
      markerEvent('end', 'Gateway', 's2-Gateway', 2),
      resourceEvent('add', created, { snapshotid: 's2-Gateway' }),
    ];
    expect((await h.post(relist)).status).toBe(202);
    const before = providerState(fake);

    // Everything but the last object of the Gateway list: the HTTPRoute list is complete (r-old is
    // swept from the store), the Gateway list is not.
    expect(await h.record({ only: relist.length - 1 })).toEqual([]);
    expect(await h.store.isComplete(CLUSTER)).toBe(false);
    expect(await h.store.get(CLUSTER, { kind: 'HTTPRoute', namespace: NS, name: 'r-old' })).toBeUndefined();
    expect(await h.store.get(CLUSTER, { kind: 'Gateway', namespace: NS, name: 'old' })).toBeDefined();
    // Whatever is reconciled meanwhile, even `old` itself (a resync), deletes nothing.
    await h.requestReconcile(gatewayKey('old'), 'resync-old');
    await h.requestReconcile(gatewayKey('web'), 'resync-web');
    const meanwhile = await h.reconcile({ all: true });
    expect(meanwhile.failed).toEqual([]);
    expect(meanwhile.delivered).toBeGreaterThanOrEqual(2);
    expect(providerState(fake)).toEqual(before);
    expect(h.logs.reconcile.lines.some((l) => l.msg === 'deletes withheld')).toBe(true);

    // The last object arrives: the Gateway list is complete, `old` is swept, its LB deleted.
    expect(await h.record()).toEqual([]);
    expect(await h.store.isComplete(CLUSTER)).toBe(true);
    expect(await h.store.get(CLUSTER, { kind: 'Gateway', namespace: NS, name: 'old' })).toBeUndefined();
    expect(h.pendingReconciles().map((m) => JSON.parse(m.body).key)).toContain(gatewayKey('old'));
    await h.settle();
    expect(lbNames(fake)).toEqual([gatewayKey('new'), gatewayKey('web')].sort());
    expect(providerState(fake).filter((r) => r.includes(gatewayKey('old')))).toEqual([]);
    for (const name of ['web', 'new', 'old'])
      expect(await pendingChanges(h.store, fake, gatewayKey(name)), name).toEqual([]);
  });

  it('finishes a re-list that comes within 5 minutes of the objects’ own add events (SQS dedup window)', async () => {
    // A 410 soon after the informers started (or a forwarder restart): the re-list carries the same
    // objects, same uid, same resourceVersion, same type `add`, as the first list did a minute ago.
    // Each is a new list's member and must be counted, or the list never finishes and the cluster
    // stays incomplete: nothing deleted while nobody watched is ever removed.
    const { fake, h } = fakeHarness();
    const web = gateway('web');
    const old = gateway('old');
    await h.post(
      snapshotEvents(
        [gatewayClass(), web, old, httpRoute('r-web', 'web', 'a', 'a.example'), service('a')],
        's1',
      ),
    );
    await h.settle();
    expect(lbNames(fake)).toHaveLength(2);

    h.tick(60_000);
    const res = await h.post([
      markerEvent('start', 'Gateway', 's2-Gateway', 1),
      resourceEvent('add', web, { snapshotid: 's2-Gateway' }),
      markerEvent('end', 'Gateway', 's2-Gateway', 1),
    ]);
    expect(res).toMatchObject({ status: 202, body: { accepted: 3 } });
    expect(h.pendingEvents().map((m) => JSON.parse(m.body).type)).toContain(
      'dev.knative.apiserver.resource.add',
    );
    await h.settle();
    expect(await h.store.isComplete(CLUSTER)).toBe(true);
    expect(lbNames(fake)).toEqual([gatewayKey('web')]);
  });

  it('deletes nothing when the re-list never finishes (its end says more objects than arrived)', async () => {
    const { fake, h } = fakeHarness();
    const web = gateway('web');
    const old = gateway('old');
    await h.post(
      snapshotEvents(
        [
          gatewayClass(),
          web,
          old,
          httpRoute('r-web', 'web', 'a', 'a.example'),
          service('a'),
          endpointSlice('a', ['10.1.0.1']),
        ],
        's1',
      ),
    );
    await h.settle();
    const before = providerState(fake);
    expect(lbNames(fake)).toHaveLength(2);

    h.tick(60_000);
    await h.post([
      markerEvent('start', 'Gateway', 's2-Gateway', 3),
      resourceEvent('add', web, { snapshotid: 's2-Gateway' }),
      markerEvent('end', 'Gateway', 's2-Gateway', 3), // two objects of the list were lost too
    ]);
    await h.requestReconcile(gatewayKey('old'), 'resync-old');
    await h.settle();
    expect(await h.store.isComplete(CLUSTER)).toBe(false);
    expect(await h.store.get(CLUSTER, { kind: 'Gateway', namespace: NS, name: 'old' })).toBeDefined();
    expect(providerState(fake)).toEqual(before);
    expect(lbNames(fake)).toEqual([gatewayKey('old'), gatewayKey('web')].sort());
  });
});
