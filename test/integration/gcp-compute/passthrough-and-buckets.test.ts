// The passthrough Network LB (a Service `type: LoadBalancer`: regional forwarding rule → regional
// backend service → GCE_VM_IP NEGs of nodes) and backend buckets (an HTTPRoute to a StorageBucket),
// through observe and apply against the Compute emulator: create, a no-op with 0 mutating calls,
// endpoint changes as attach/detach only, and deletes that leave nothing behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import {
  type CallStats,
  type GcpComputeEmulator,
  startGcpComputeEmulator,
} from '#test/emulators/gcp-compute/index.js';
import { adapterOn, bucketGatewayLb, inventory, PROJECT, passthroughLb } from './fixtures.js';

let emu: GcpComputeEmulator;
let a: GcpComputeAdapter;

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 1 });
  a = adapterOn(emu);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await emu?.close();
});

const READ = /\.(get|list|aggregatedList|wait|listNetworkEndpoints)$/;
const mutating = (s: CallStats) =>
  Object.fromEntries(Object.entries(s.byMethod).filter(([m]) => !READ.test(m)));

async function reconciled(key: ir.LbKey, lb: ir.LoadBalancer | undefined) {
  emu.resetStats();
  const out = await reconcileLoadBalancer<GcpKinds>({
    key,
    lb,
    adapter: a,
    signal: new AbortController().signal,
  });
  return { out, stats: emu.stats() };
}

/** The nodes (instance names) in each zone's NEG of the project. */
function negMembers(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of emu.service.store.inProject(PROJECT))
    if (e.ref.collection === 'networkEndpointGroups') {
      const zone = String(e.value.zone).split('/').pop()!;
      out[zone] = [...emu.service.endpoints.of(e.value.selfLink as string).values()]
        .map((ep) => (ep as { instance?: string }).instance ?? '')
        .sort();
    }
  return out;
}

describe('gcp-compute passthrough Network LB on the emulator', () => {
  it('creates, converges with 0 mutating calls, moves nodes by attach/detach only, and deletes everything', {
    timeout: 30_000,
  }, async () => {
    const initial = ['10.4.0.1@node-b1@europe-west1-b', '10.4.0.2@node-c1@europe-west1-c'];
    const lb = passthroughLb(initial);
    const create = await reconciled(lb.key, lb);
    expect(create.out.plan.conflicts).toEqual([]);
    expect(create.out.status.programmed).toBe(true);
    expect(inventory(emu)).toEqual({
      forwardingRules: 1,
      backendServices: 1,
      healthChecks: 1,
      networkEndpointGroups: 2,
      endpoints: 2,
    });
    // all regional: the emulator keeps each collection's scopes together
    const scopes = emu.service.store.inProject(PROJECT).map((e) => String(e.value.region ?? e.value.zone));
    expect(scopes.every((s) => /\/(regions\/europe-west1|zones\/europe-west1-[bc])$/.test(s))).toBe(true);
    const [nlb] = emu.service.store.inProject(PROJECT).filter((e) => e.ref.collection === 'forwardingRules');
    expect(nlb!.value).toMatchObject({
      loadBalancingScheme: 'EXTERNAL',
      IPProtocol: 'TCP',
      portRange: '5432-5432',
    });
    const negs = emu.service.store
      .inProject(PROJECT)
      .filter((e) => e.ref.collection === 'networkEndpointGroups');
    expect(negs.map((n) => n.value.networkEndpointType)).toEqual(['GCE_VM_IP', 'GCE_VM_IP']);
    expect(negMembers()).toEqual({ 'europe-west1-b': ['node-b1'], 'europe-west1-c': ['node-c1'] });

    const noop = await reconciled(lb.key, lb);
    expect(noop.out.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(noop.stats.mutating).toBe(0);

    // the endpoint in zone b moves to another node; zone c gains a node: one detach, two attaches (b, c)
    const moved = [
      '10.4.0.1@node-b2@europe-west1-b',
      '10.4.0.2@node-c1@europe-west1-c',
      '10.4.0.3@node-c2@europe-west1-c',
    ];
    const change = await reconciled(lb.key, passthroughLb(moved));
    expect(mutating(change.stats)).toEqual({
      'networkEndpointGroups.attachNetworkEndpoints': 2,
      'networkEndpointGroups.detachNetworkEndpoints': 1,
    });
    expect(negMembers()).toEqual({ 'europe-west1-b': ['node-b2'], 'europe-west1-c': ['node-c1', 'node-c2'] });
    expect((await reconciled(lb.key, passthroughLb(moved))).stats.mutating).toBe(0);

    const del = await reconciled(lb.key, undefined);
    expect(del.out.plan.conflicts).toEqual([]);
    expect(inventory(emu)).toEqual({});
    expect((await reconciled(lb.key, undefined)).stats.mutating).toBe(0);
  });
});

describe('gcp-compute backend buckets on the emulator', () => {
  it('creates a backend bucket the URL map routes /static to, converges, and removes it with the route', {
    timeout: 30_000,
  }, async () => {
    const lb = bucketGatewayLb(true);
    const create = await reconciled(lb.key, lb);
    expect(create.out.plan.conflicts).toEqual([]);
    expect(create.out.status.programmed).toBe(true);
    const buckets = () =>
      emu.service.store.inProject(PROJECT).filter((e) => e.ref.collection === 'backendBuckets');
    const urlMap = () =>
      JSON.stringify(emu.service.store.inProject(PROJECT).find((e) => e.ref.collection === 'urlMaps')!.value);
    const [bucket] = buckets();
    expect(bucket!.value).toMatchObject({ bucketName: 'shop-static-assets' });
    expect(urlMap()).toContain(`global/backendBuckets/${bucket!.value.name}`);

    expect((await reconciled(lb.key, lb)).stats.mutating).toBe(0);

    // the route goes: the URL map stops naming the bucket first, then the bucket is deleted
    const removed = await reconciled(lb.key, bucketGatewayLb(false));
    expect(mutating(removed.stats)).toEqual({ 'urlMaps.update': 1, 'backendBuckets.delete': 1 });
    expect(buckets()).toEqual([]);
    expect(urlMap()).not.toContain('backendBuckets');

    await reconciled(lb.key, lb);
    expect(buckets()).toHaveLength(1);
    await reconciled(lb.key, undefined);
    expect(inventory(emu)).toEqual({});
  });
});
