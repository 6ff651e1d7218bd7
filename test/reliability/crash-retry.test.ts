import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { crashingFake } from './crash.js';
import { createHarness, duplicateAddresses, type Harness, pendingChanges, providerState } from './harness.js';
import {
  add,
  bump,
  endpointSlice,
  gateway,
  gatewayClass,
  gatewayKey,
  httpRoute,
  remove,
  service,
  snapshotEvents,
  update,
} from './objects.js';

const KEY = gatewayKey('web');

// One history, in three steps, each of which needs a multi-step apply.
const gc = gatewayClass();
const web = gateway('web');
const r1 = httpRoute('r1', 'web', 'a', 'a.example');
const r2 = httpRoute('r2', 'web', 'b', 'b.example', '/b');
const initial = [
  gc,
  web,
  r1,
  r2,
  service('a'),
  service('b'),
  endpointSlice('a', ['10.1.0.1']),
  endpointSlice('b', ['10.2.0.1']),
];
/** Step 2: a listener change, a route moved to a new Service, another route deleted. */
const changed: PorticoEvent[] = [
  update(
    bump(web, {
      spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
    }),
  ),
  add(service('c')),
  add(endpointSlice('c', ['10.3.0.1', '10.3.0.2'])),
  update(bump(r1, { spec: { ...(r1.spec as object), rules: [{ backendRefs: [{ name: 'c', port: 80 }] }] } })),
  remove(r2),
];
/** Step 3: the Gateway is deleted. */
const deleted: PorticoEvent[] = [remove(bump(web))];
const STEPS: PorticoEvent[][] = [snapshotEvents(initial, 's1'), changed, deleted];

async function feed(h: Harness, events: PorticoEvent[]) {
  await h.enqueue(events);
  expect(await h.record()).toEqual([]);
}

/** The provider state after each step, without crashes, and the number of apply steps each needed. */
async function cleanRun() {
  const fake = createFakeAdapter();
  const { adapter, log } = crashingFake(fake);
  const h = createHarness({ adapters: { haproxy: adapter } });
  const states: string[][] = [];
  const steps: number[] = [];
  for (const events of STEPS) {
    await feed(h, events);
    const before = log.steps.length;
    await h.settle();
    steps.push(Math.max(0, ...log.steps.slice(before)));
    states.push(providerState(fake));
  }
  return { states, steps };
}

describe('reliability: a reconcile that crashes mid-apply and is retried', () => {
  it('converges, after the retry, to exactly the desired state, for a crash after every step k of n', async () => {
    const clean = await cleanRun();
    expect(clean.steps.every((n) => n >= 3)).toBe(true);
    expect(clean.states[2]).toEqual([]);

    for (let step = 0; step < STEPS.length; step++) {
      const n = clean.steps[step]!;
      for (let k = 0; k < n; k++) {
        const label = `step ${step + 1}, crash after ${k} of ${n}`;
        const fake = createFakeAdapter();
        const crash = crashingFake(fake);
        const h = createHarness({ adapters: { haproxy: crash.adapter } });
        for (let s = 0; s < step; s++) {
          await feed(h, STEPS[s]!);
          await h.settle();
        }
        const remembered = await h.store.lastReconciled(KEY);
        crash.arm(k);

        await feed(h, STEPS[step]!);
        const first = await h.reconcile({ all: true });
        expect(crash.log.crashes, label).toBe(1);
        expect(first.failed, label).toHaveLength(1);
        expect(h.logs.reconcile.lines.at(-2)?.fields, label).toMatchObject({ error: 'CrashError' });
        expect(await h.store.lastReconciled(KEY), `${label}: fingerprint not remembered`).toBe(remembered);
        expect((await pendingChanges(h.store, fake, KEY)).length, label).toBeGreaterThan(0);

        // SQS redelivers the failed record after the visibility timeout
        h.tick(30_000);
        const retry = await h.reconcile();
        expect(retry, label).toMatchObject({ delivered: 1, failed: [] });
        expect(providerState(fake), label).toEqual(clean.states[step]);
        expect(duplicateAddresses(fake), label).toEqual([]);
        expect(await h.store.lastReconciled(KEY), label).not.toBe(remembered);

        // nothing left to do, even past the fingerprint shortcut
        expect(await pendingChanges(h.store, fake, KEY), label).toEqual([]);
      }
    }
  });

  it('reports the crash as a batch item failure of that key only; the other keys of the batch go on', async () => {
    const fake = createFakeAdapter();
    const { adapter, log, arm } = crashingFake(fake);
    arm(1);
    const h = createHarness({ adapters: { haproxy: adapter } });
    const objects = [
      gatewayClass(),
      gateway('one'),
      gateway('two'),
      httpRoute('r', 'one', 'a', 'a.example'),
      service('a'),
    ];
    await feed(h, snapshotEvents(objects, 's1'));
    const first = await h.reconcile({ all: true });
    expect(log.crashes).toBe(1);
    expect(first.failed).toHaveLength(1);
    expect(first.failed[0]!.attributes.MessageGroupId).toBe(gatewayKey('one'));
    expect(await h.store.lastReconciled(gatewayKey('two'))).toBeDefined();
    h.tick(30_000);
    expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] });
    expect(duplicateAddresses(fake)).toEqual([]);
    expect(fake.cloud.all().filter((r) => r.kind === 'load-balancer')).toHaveLength(2);
  });
});
