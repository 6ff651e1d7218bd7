import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { crashingFake } from './crash.js';
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

const KEY = gatewayKey('web');

/** Gateway `web` → route → Service `app`, programmed; returns its EndpointSlice and a way to move it. */
async function programmed(h: Harness) {
  let eps: Obj = endpointSlice('app', ['10.0.0.1']);
  const objects = [
    gatewayClass(),
    gateway('web'),
    httpRoute('app', 'web', 'app', 'app.example'),
    service('app'),
  ];
  expect((await h.post(snapshotEvents([...objects, eps], 's1'))).status).toBe(202);
  await h.settle();
  return {
    /** Posts and records an update of the slice to `ip`; returns the reconcile requests it sent. */
    async moveTo(ip: string): Promise<number> {
      eps = bump(eps, { endpoints: [{ addresses: [ip], conditions: { ready: true } }] });
      const before = h.reconcileQueue.messages.length;
      expect((await h.post([update(eps)])).status).toBe(202);
      expect(await h.record()).toEqual([]);
      return h.reconcileQueue.messages.length - before;
    },
  };
}

const served = (fake: ReturnType<typeof createFakeAdapter>) =>
  fake.cloud
    .all()
    .filter((r) => r.kind === 'pool')
    .flatMap((r) => (r.value as { targets: string[] }).targets);

describe('reliability: leading-edge dispatch', () => {
  it('reconciles an isolated change at once: one request, no delay, and the next change the same', async () => {
    const fake = createFakeAdapter();
    const h = createHarness({ adapters: { haproxy: fake } });
    const app = await programmed(h);
    for (const ip of ['10.0.0.2', '10.0.0.3']) {
      expect(await app.moveTo(ip)).toBe(1);
      // delivered without moving the clock: nothing holds the message back
      expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] });
      expect(served(fake)).toEqual([`${ip}:8080`]);
      expect(h.pendingReconciles()).toEqual([]);
    }
  });

  it('folds changes made while the key is queued into that reconcile: nothing trails', async () => {
    const fake = createFakeAdapter();
    const h = createHarness({ adapters: { haproxy: fake } });
    const app = await programmed(h);
    expect(await app.moveTo('10.0.0.2')).toBe(1);
    expect(await app.moveTo('10.0.0.3')).toBe(0);
    expect(await app.moveTo('10.0.0.4')).toBe(0);
    expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] });
    expect(served(fake)).toEqual(['10.0.0.4:8080']);
    expect(h.pendingReconciles()).toEqual([]);
  });

  it('folds changes made while the key runs into one trailing reconcile', async () => {
    const fake = createFakeAdapter();
    const gated = gatedFake(fake);
    const h = createHarness({ adapters: { haproxy: gated.adapter } });
    gated.open();
    const app = await programmed(h);
    gated.close();

    expect(await app.moveTo('10.0.0.2')).toBe(1);
    const leading = h.reconcile({ parallel: true });
    await gated.entered(1); // the run read the bundle (10.0.0.2) and waits at the provider
    for (const ip of ['10.0.0.3', '10.0.0.4', '10.0.0.5']) expect(await app.moveTo(ip)).toBe(0);
    gated.open();
    expect(await leading).toMatchObject({ delivered: 1, failed: [] });
    expect(served(fake)).toEqual(['10.0.0.2:8080']);

    expect(h.pendingReconciles()).toHaveLength(1); // exactly one trailing request
    expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] });
    expect(served(fake)).toEqual(['10.0.0.5:8080']);
    expect(h.pendingReconciles()).toEqual([]);
    expect(await pendingChanges(h.store, fake, KEY)).toEqual([]);
  });

  it('recovers a run that crashed: changes wait for its redelivery, which reads them all', async () => {
    const fake = createFakeAdapter();
    const crashing = crashingFake(fake);
    const h = createHarness({ adapters: { haproxy: crashing.adapter } });
    const app = await programmed(h);

    expect(await app.moveTo('10.0.0.2')).toBe(1);
    crashing.arm(0); // the next apply dies before its first step
    const crashed = await h.reconcile();
    expect(crashed.failed).toHaveLength(1);
    expect(crashing.log.crashes).toBe(1);
    expect(served(fake)).toEqual(['10.0.0.1:8080']);
    // the key is still held by the crashed run: changes coalesce into its redelivery
    expect(await app.moveTo('10.0.0.3')).toBe(0);
    expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] }); // SQS delivers it again
    expect(served(fake)).toEqual(['10.0.0.3:8080']);
    expect(h.pendingReconciles()).toEqual([]);
    // and the key is idle again: the next change goes out at once
    expect(await app.moveTo('10.0.0.4')).toBe(1);
  });
});
