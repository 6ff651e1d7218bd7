import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import { dropConnections, get, startBackend, type TestBackend } from '#test/integration/haproxy/support.js';
import { type Crashing, crashingAdapter } from './crash.js';
import { createHarness, gatewayAddress, type Harness, pendingChanges } from './harness.js';
import {
  add,
  bump,
  endpointSlice,
  gateway,
  gatewayClass,
  gatewayKey,
  httpRoute,
  service,
  snapshotEvents,
  update,
} from './objects.js';

// The same crash, with the real HAProxy adapter and real traffic: the retry must leave HAProxy
// serving exactly the desired routes, with one copy of each resource.

const POOL = '127.0.71.10-127.0.71.20';
const PORT = 18_080;
const KEY = gatewayKey('web');
let stateDir: string;
let haproxy: HaproxyAdapter;
let crashing: Crashing<HaproxyKinds>;
let h: Harness;
let a: TestBackend;
let c: TestBackend;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-reliability-crash-'));
  [a, c] = await Promise.all([startBackend('backend-a'), startBackend('backend-c')]);
  haproxy = createHaproxyAdapter({ stateDir, addressPool: POOL });
  crashing = crashingAdapter(haproxy);
  h = createHarness({ adapters: { haproxy: crashing.adapter } });
});

afterAll(async () => {
  dropConnections();
  await haproxy?.stop();
  await Promise.all([a?.close(), c?.close()]);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('reliability: crash mid-apply on the real HAProxy adapter', () => {
  it('serves exactly the desired routes after the retry, with no duplicate resources', async () => {
    const r1 = httpRoute('r1', 'web', 'a', 'a.example');
    const objects = [
      gatewayClass(),
      gateway('web', PORT),
      r1,
      service('a', a.port),
      endpointSlice('a', ['127.0.0.1'], a.port),
    ];
    await h.enqueue(snapshotEvents(objects, 's1'));
    await h.settle();
    const address = await gatewayAddress(h.store);
    expect(address).toMatch(/^127\.0\.71\./);
    expect(await get(address, PORT, 'a.example')).toEqual({ status: 200, body: 'backend-a' });
    const remembered = await h.store.lastReconciled(KEY);
    expect(remembered).toBeDefined();

    // r1 moves to a new Service c, and a new route r2 to c appears: a multi-step plan
    crashing.arm(1);
    await h.enqueue([
      add(service('c', c.port)),
      add(endpointSlice('c', ['127.0.0.1'], c.port)),
      update(
        bump(r1, { spec: { ...(r1.spec as object), rules: [{ backendRefs: [{ name: 'c', port: 80 }] }] } }),
      ),
      add(httpRoute('r2', 'web', 'c', 'b.example')),
    ]);
    expect(await h.record()).toEqual([]);
    const first = await h.reconcile({ all: true });
    expect(crashing.log.crashes).toBe(1);
    expect(crashing.log.steps.at(-1)).toBeGreaterThan(1);
    expect(first.failed).toHaveLength(1);
    expect(await h.store.lastReconciled(KEY)).toBe(remembered);
    expect((await pendingChanges(h.store, haproxy, KEY)).length).toBeGreaterThan(0);

    h.tick(30_000);
    expect(await h.reconcile()).toMatchObject({ delivered: 1, failed: [] });
    expect(await h.store.lastReconciled(KEY)).not.toBe(remembered);
    dropConnections(); // a keep-alive connection may still be served by the worker before the reload
    expect(await get(address, PORT, 'a.example')).toEqual({ status: 200, body: 'backend-c' });
    expect(await get(address, PORT, 'b.example')).toEqual({ status: 200, body: 'backend-c' });

    const observed = await haproxy.observe(KEY, { signal: AbortSignal.timeout(5_000), desired: [] });
    const addresses = observed.resources.map((r) => r.address);
    expect(new Set(addresses).size).toBe(addresses.length);
    // converged: HAProxy holds exactly what the stored objects ask for
    expect(await pendingChanges(h.store, haproxy, KEY)).toEqual([]);
  });
});
