// The GCP Compute adapter end to end: the real @google-cloud/compute client (REST) against the Compute
// emulator (test/emulators/gcp-compute), no mocks. translate() → render → observe → plan → apply, via
// adapters/reconcile.ts. Call counts come from the emulator's per-method counters.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import {
  type CallStats,
  type GcpComputeEmulator,
  startGcpComputeEmulator,
} from '#test/emulators/gcp-compute/index.js';
import { adapterOn, type FixtureOptions, gatewayLb, inventory } from './fixtures.js';

let emu: GcpComputeEmulator;
const adapters: GcpComputeAdapter[] = [];

function adapter(): GcpComputeAdapter {
  const a = adapterOn(emu);
  adapters.push(a);
  return a;
}

const KEY = gatewayLb().key;

function reconcile(
  a: GcpComputeAdapter,
  lb: ir.LoadBalancer | undefined,
  signal = new AbortController().signal,
) {
  return reconcileLoadBalancer<GcpKinds>({ key: KEY, lb, adapter: a, signal });
}

/** Reset the counters, run, and return the calls made. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; stats: CallStats }> {
  emu.resetStats();
  const result = await fn();
  return { result, stats: emu.stats() };
}

const READ = /\.(get|list|aggregatedList|wait|listNetworkEndpoints)$/;
const mutating = (s: CallStats) =>
  Object.fromEntries(Object.entries(s.byMethod).filter(([m]) => !READ.test(m)));
const report = (what: string, s: CallStats) =>
  console.info(`${what}: ${s.mutating} mutating, ${s.read} reads`, JSON.stringify(mutating(s)));

/** One Gateway, one HTTP listener, 3 routes, 2 pools in 2 zones. */
const CREATED = {
  forwardingRules: 1,
  targetHttpProxies: 1,
  urlMaps: 1,
  backendServices: 3,
  healthChecks: 2,
  networkEndpointGroups: 4,
  endpoints: 3,
};

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 1 });
});

afterAll(async () => {
  for (const a of adapters) await a.close();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('gcp-compute adapter on the emulator', () => {
  it('creates, converges, moves endpoints, adds and removes a route, and deletes everything', async () => {
    const a = adapter();
    const lb = (o: FixtureOptions = {}) => gatewayLb(o);

    const create = await measured(() => reconcile(a, lb()));
    expect(create.result.plan.conflicts).toEqual([]);
    expect(inventory(emu)).toEqual(CREATED);
    expect(create.result.status.programmed).toBe(true);
    expect(create.result.status.addresses).toEqual([
      { type: 'IPAddress', value: expect.stringMatching(/^34\.120\./) },
    ]);
    report('create', create.stats);

    const noop = await measured(() => reconcile(a, lb()));
    expect(noop.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(noop.stats.mutating).toBe(0);
    expect(noop.result.status).toEqual(create.result.status);
    report('no-op', noop.stats);

    // app gains an endpoint in zone c, api loses its only one (zone b): one attach and one detach.
    const endpoints = { app: ['10.0.1.1', '10.0.1.2@europe-west1-c', '10.0.1.3@europe-west1-c'], api: [] };
    const moved = await measured(() => reconcile(a, lb({ endpoints })));
    expect(mutating(moved.stats)).toEqual({
      'networkEndpointGroups.attachNetworkEndpoints': 1,
      'networkEndpointGroups.detachNetworkEndpoints': 1,
    });
    expect(inventory(emu).endpoints).toBe(3);
    report('endpoint change', moved.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints })))).stats.mutating).toBe(0);

    // A route to a new Service: its backend service, health check and NEGs, then the URL map.
    const added = await measured(() => reconcile(a, lb({ endpoints, extraRoute: true })));
    expect(mutating(added.stats)).toEqual({
      'backendServices.insert': 1,
      'healthChecks.insert': 1,
      'networkEndpointGroups.insert': 2,
      'networkEndpointGroups.attachNetworkEndpoints': 1,
      'urlMaps.update': 1,
    });
    expect(inventory(emu).backendServices).toBe(4);
    report('route added', added.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints, extraRoute: true })))).stats.mutating).toBe(0);

    // And gone again: the URL map first, then what only the route used.
    const removed = await measured(() => reconcile(a, lb({ endpoints })));
    expect(mutating(removed.stats)).toEqual({
      'urlMaps.update': 1,
      'backendServices.delete': 1,
      'healthChecks.delete': 1,
      'networkEndpointGroups.delete': 2,
    });
    expect(inventory(emu).backendServices).toBe(3);
    report('route removed', removed.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints })))).stats.mutating).toBe(0);

    // A fresh adapter (a new process) agrees with what is there.
    const fresh = await measured(() => reconcile(adapter(), lb({ endpoints })));
    expect(fresh.stats.mutating).toBe(0);

    const del = await measured(() => reconcile(a, undefined));
    expect(inventory(emu)).toEqual({});
    expect(del.result.status.addresses).toEqual([]);
    report('delete', del.stats);
    expect((await measured(() => reconcile(a, undefined))).stats.mutating).toBe(0);
  });
});
