import { describe, expect, it } from 'vitest';
import { ignoredOutcomes, providerState } from './harness.js';
import { bump, gatewayKey, update } from './objects.js';
import { programmedApp } from './programmed-app.js';

async function programmed() {
  const { fake, h, eps } = await programmedApp();
  expect(JSON.stringify(fake.cloud.all())).toContain('10.0.0.1');
  h.tick(60_000);
  return { fake, h, eps };
}

describe('reliability: duplicated events', () => {
  it('stores an event sent twice in one batch once, and reconciles once', async () => {
    const { fake, h, eps } = await programmed();
    const next = update(bump(eps, { endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }] }));
    const res = await h.post([next, next]);
    expect(res.status).toBe(202);
    expect(h.pendingEvents()).toHaveLength(1); // the second copy has the same dedup id
    expect(await h.record()).toEqual([]);
    expect(h.pendingReconciles()).toHaveLength(1);
    const before = providerState(fake);
    expect((await h.reconcile({ all: true })).failed).toEqual([]);
    expect(providerState(fake)).not.toEqual(before);
    expect(JSON.stringify(fake.cloud.all())).toContain('10.0.0.2');
  });

  it('acknowledges the same batch sent again (a forwarder retry): nothing new is enqueued or reconciled', async () => {
    const { fake, h, eps } = await programmed();
    const batch = [
      update(bump(eps, { endpoints: [{ addresses: ['10.0.0.3'], conditions: { ready: true } }] })),
    ];
    expect((await h.post(batch)).status).toBe(202);
    await h.settle();
    const calls = fake.cloud.calls.length;
    const state = providerState(fake);
    h.tick(5_000); // a new signature: not a replay, a retry of the same content
    const again = await h.post(batch);
    expect(again).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect(h.pendingEvents()).toHaveLength(0);
    await h.settle();
    expect(fake.cloud.calls.length).toBe(calls);
    expect(providerState(fake)).toEqual(state);
  });

  it('acknowledges a message SQS delivers twice as a duplicate: no batch failure, no reconcile request', async () => {
    const { fake, h, eps } = await programmed();
    const e = update(bump(eps, { endpoints: [{ addresses: ['10.0.0.4'], conditions: { ready: true } }] }));
    await h.enqueue([e]);
    await h.settle();
    const calls = fake.cloud.calls.length;
    const reconciles = h.reconcileQueue.messages.length;
    const state = providerState(fake);

    // At-least-once delivery (or the same change again after the queue's 5-minute dedup window).
    h.tick(6 * 60_000);
    await h.enqueue([e, e]);
    expect(h.pendingEvents()).toHaveLength(1);
    expect(await h.record()).toEqual([]);
    expect(ignoredOutcomes(h.logs.record)).toEqual(['duplicate']);
    expect(h.reconcileQueue.messages.length).toBe(reconciles);

    // A reconcile asked for anyway (resync) finds the bundle it already reconciled: no provider call.
    await h.requestReconcile(gatewayKey('web'), 'resync-1');
    const r = await h.reconcile({ all: true });
    expect(r).toMatchObject({ delivered: 1, failed: [] });
    expect(fake.cloud.calls.length).toBe(calls);
    expect(providerState(fake)).toEqual(state);
  });
});
