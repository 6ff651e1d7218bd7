import { describe, expect, it } from 'vitest';
import { createFakeAdapter, type FakeAdapter } from '#adapters/fake/adapter.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { batches } from '#test/unit/functions/pipeline-support.js';
import { gatedFake } from './gated-adapter.js';
import { createHarness, type Harness, pendingChanges } from './harness.js';
import {
  bump,
  endpointSlice,
  gateway,
  gatewayClass,
  gatewayKey,
  httpRoute,
  type Obj,
  service,
  snapshotEvents,
  update,
} from './objects.js';

const GATEWAYS = 10;
const SERVICES_PER_GATEWAY = 5;
const SLICES = GATEWAYS * SERVICES_PER_GATEWAY;
const UPDATES = 10_000;
const ROUNDS = UPDATES / SLICES;
const KEYS = new Set(Array.from({ length: GATEWAYS }, (_, g) => gatewayKey(`gw-${g}`)));

const ip = (service: number, round: number) => `10.${100 + service}.${round >> 8}.${round & 255}`;

/** 10 Gateways with 5 routes and Services each, programmed; their EndpointSlices, to update. */
async function programmed(h: Harness, fake: FakeAdapter): Promise<Obj[]> {
  const objects: Obj[] = [gatewayClass()];
  const slices: Obj[] = [];
  for (let g = 0; g < GATEWAYS; g++) {
    objects.push(gateway(`gw-${g}`));
    for (let s = 0; s < SERVICES_PER_GATEWAY; s++) {
      const n = g * SERVICES_PER_GATEWAY + s;
      objects.push(httpRoute(`route-${n}`, `gw-${g}`, `svc-${n}`, `svc-${n}.example`), service(`svc-${n}`));
      slices.push(endpointSlice(`svc-${n}`, [ip(n, 0)]));
    }
  }
  await h.post(snapshotEvents([...objects, ...slices], 's1'));
  await h.settle();
  expect(fake.cloud.all().filter((r) => r.kind === 'load-balancer')).toHaveLength(GATEWAYS);
  return slices;
}

/** 200 rounds, each updating every slice once (interleaved, as a rollout of every Deployment), posted to ingest. */
async function postBurst(h: Harness, slices: Obj[]): Promise<void> {
  const events: PorticoEvent[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (let n = 0; n < slices.length; n++) {
      slices[n] = bump(slices[n]!, {
        endpoints: [{ addresses: [ip(n, round)], conditions: { ready: true } }],
      });
      events.push(update(slices[n]!));
    }
  }
  expect(events).toHaveLength(UPDATES);
  for (const b of batches(events, 500)) expect((await h.post(b)).status).toBe(202);
  expect(h.pendingEvents()).toHaveLength(UPDATES);
}

/** The provider serves the last round's endpoints, and nothing is left to change. */
async function expectConverged(h: Harness, fake: FakeAdapter): Promise<void> {
  const targets = fake.cloud
    .all()
    .filter((r) => r.kind === 'pool')
    .flatMap((r) => (r.value as { targets: string[] }).targets)
    .sort();
  expect(targets).toEqual(Array.from({ length: SLICES }, (_, n) => `${ip(n, ROUNDS)}:8080`).sort());
  for (const key of KEYS) expect(await pendingChanges(h.store, fake, key)).toEqual([]);
}

const requestedKeys = (h: Harness, from: number) =>
  h.reconcileQueue.messages.slice(from).map((m) => JSON.parse(m.body).key as string);

describe('reliability: a burst of EndpointSlice updates', () => {
  it('10,000 updates recorded while the first requests wait in the queue: one reconcile per Gateway', async () => {
    const fake = createFakeAdapter();
    const h = createHarness({ adapters: { haproxy: fake } });
    const slices = await programmed(h, fake);
    await postBurst(h, slices);

    // 1,000 FIFO batches of 10 over 0.9 s: the first round claims every key, the rest find them queued
    const sentBefore = h.reconcileQueue.messages.length;
    expect(await h.record({ msPerBatch: 900 / (UPDATES / 10) })).toEqual([]);
    const requests = requestedKeys(h, sentBefore);
    expect(new Set(requests)).toEqual(KEYS);
    expect(requests).toHaveLength(KEYS.size);

    const applies = fake.cloud.calls.filter((c) => c !== 'list').length;
    const r = await h.reconcile({ parallel: true });
    expect(r).toMatchObject({ delivered: KEYS.size, failed: [] });
    expect(h.reconcileQueue.messages).toHaveLength(sentBefore + KEYS.size); // no trailing request
    // endpoint-only changes: one update per pool, nothing rebuilt
    const calls = fake.cloud.calls.filter((c) => c !== 'list').slice(applies);
    expect(calls.every((c) => c.startsWith('update '))).toBe(true);
    expect(calls.length).toBe(SLICES);
    await expectConverged(h, fake);
  });

  it('10,000 updates recorded while every Gateway is being reconciled: at most two reconciles per Gateway', async () => {
    const fake = createFakeAdapter();
    const gated = gatedFake(fake);
    const h = createHarness({ adapters: { haproxy: gated.adapter } });
    gated.open();
    const slices = await programmed(h, fake);
    await postBurst(h, slices);
    gated.close();

    // The first round (5 batches) claims every key; their reconciles start and wait at the provider.
    const sentBefore = h.reconcileQueue.messages.length;
    expect(await h.record({ only: SLICES })).toEqual([]);
    expect(new Set(requestedKeys(h, sentBefore))).toEqual(KEYS);
    const leading = h.reconcile({ parallel: true });
    await gated.entered(KEYS.size);

    // The other 9,950 updates arrive while they run: each key is marked dirty, nothing is sent.
    expect(await h.record()).toEqual([]);
    expect(h.reconcileQueue.messages).toHaveLength(sentBefore + KEYS.size);

    gated.open();
    expect(await leading).toMatchObject({ delivered: KEYS.size, failed: [] });
    // each run ended dirty: one trailing request per key, then nothing more
    const trailing = requestedKeys(h, sentBefore + KEYS.size);
    expect(trailing.sort()).toEqual([...KEYS].sort());
    expect(await h.reconcile({ parallel: true })).toMatchObject({ delivered: KEYS.size, failed: [] });
    expect(await h.reconcile({ parallel: true })).toMatchObject({ delivered: 0 });

    const requests = requestedKeys(h, sentBefore);
    expect(requests.length).toBeLessThanOrEqual(2 * KEYS.size);
    await expectConverged(h, fake);
  });
});
