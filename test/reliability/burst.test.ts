import { describe, expect, it } from 'vitest';
import type { PorticoEvent } from '#events/portico-event.js';
import { batches } from '#test/unit/functions/pipeline-support.js';
import { fakeHarness, pendingChanges, WINDOW_MS } from './harness.js';
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
const UPDATES = 10_000;

const ip = (service: number, round: number) => `10.${100 + service}.${round >> 8}.${round & 255}`;

describe('reliability: a burst of EndpointSlice updates', () => {
  it('coalesces 10,000 updates of 50 Services behind 10 Gateways into about one reconcile per Gateway', async () => {
    const { fake, h } = fakeHarness();
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

    // 200 rounds, each updating every slice once (interleaved, as a rollout of every Deployment)
    const events: PorticoEvent[] = [];
    const rounds = UPDATES / slices.length;
    for (let round = 1; round <= rounds; round++) {
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

    // 1,000 FIFO batches of 10, recorded within the coalescing window (which they may straddle).
    h.alignToWindow(WINDOW_MS * 0.7);
    const sentBefore = h.reconcileQueue.messages.length;
    expect(await h.record({ msPerBatch: (WINDOW_MS * 0.9) / (UPDATES / 10) })).toEqual([]);
    const requests = h.reconcileQueue.messages.slice(sentBefore);
    const keys = new Set(requests.map((m) => JSON.parse(m.body).key as string));
    expect(keys).toEqual(new Set(Array.from({ length: GATEWAYS }, (_, g) => gatewayKey(`gw-${g}`))));
    expect(requests.length).toBeGreaterThanOrEqual(keys.size);
    expect(requests.length).toBeLessThanOrEqual(2 * keys.size);

    const applies = fake.cloud.calls.filter((c) => c !== 'list').length;
    const r = await h.reconcile({ all: true });
    expect(r).toMatchObject({ delivered: requests.length, failed: [] });
    const targets = fake.cloud
      .all()
      .filter((r) => r.kind === 'pool')
      .flatMap((r) => (r.value as { targets: string[] }).targets)
      .sort();
    expect(targets).toEqual(slices.map((_, n) => `${ip(n, rounds)}:8080`).sort());
    // endpoint-only changes: one update per pool, nothing rebuilt
    const calls = fake.cloud.calls.filter((c) => c !== 'list').slice(applies);
    expect(calls.every((c) => c.startsWith('update '))).toBe(true);
    expect(calls.length).toBe(slices.length);
    for (let g = 0; g < GATEWAYS; g++)
      expect(await pendingChanges(h.store, fake, gatewayKey(`gw-${g}`))).toEqual([]);
  });
});
