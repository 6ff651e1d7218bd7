// Pod readiness gates enforced by GCP's own health checks (the real @google-cloud/compute client
// against the emulator with simulated health checks, on a clock the test moves): a pod held back
// only by its Portico gate is attached to its NEG, the backend service checks it, the gate opens
// once it is HEALTHY, and only then does the rolling update take an old pod out; the pool has a
// healthy endpoint at every step. A pod failing its own readiness probe is never attached. A
// passthrough NLB checks nodes, not pods: its pods' gates open unenforced, and say so.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import { loadComputeLibrary } from '#adapters/gcp-compute/internal/clients.js';
import type { GcpKinds, HealthCheckValue } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type { TargetHealthReport } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { type OpenGate, openGates } from '#core/readiness/open-gates.js';
import { podGatesOf } from '#core/readiness/pod-gates.js';
import { translate } from '#core/translate/translate.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from '#test/emulators/gcp-compute/index.js';
import { type GatedPod, withGatedPods } from '#test/support/gated-pods.js';
import { adapterOn, manifests, passthroughLb } from './fixtures.js';

const KEY = 'it/Gateway/shop/web';
const APP = 'shop/app/80/http';
const GATE = readinessGateType(KEY);
let emu: GcpComputeEmulator;
let now = Date.parse('2030-01-01T00:00:00Z');
const adapters: GcpComputeAdapter[] = [];
const signal = new AbortController().signal;

function adapter(): GcpComputeAdapter {
  const a = adapterOn(emu);
  adapters.push(a);
  return a;
}

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 0, healthChecks: 'simulated', now: () => now });
  await loadComputeLibrary();
}, 60_000);

afterAll(async () => {
  for (const a of adapters) await a.close();
  await emu?.close();
});

beforeEach(() => emu.reset());

/** The load balancer as translate gives it for the app Service's pods. */
function lbOf(pods: readonly GatedPod[]): ir.LoadBalancer {
  const objects = withGatedPods(
    manifests({ endpoints: { app: [], api: ['10.0.2.1'] } }),
    'shop',
    'app',
    pods,
    GATE,
  );
  const lb = translate(objects, { cluster: 'it' }).loadBalancers.find((l) => l.key === KEY);
  if (!lb) throw new Error('no load balancer');
  return lb;
}

const states = (r: TargetHealthReport) =>
  Object.fromEntries(r.targets.filter((t) => t.pool === APP).map((t) => [t.address, t.state]));

function appCheck(a: GcpComputeAdapter, lb: ir.LoadBalancer): HealthCheckValue {
  const resources = a.render(lb).resources;
  for (const r of resources)
    if (r.kind === 'backend-service' && r.value.pool === APP) {
      const name = r.value.healthChecks[0]?.split('/').pop();
      for (const h of resources) if (h.kind === 'health-check' && h.value.name === name) return h.value;
    }
  throw new Error('no health check for the app pool');
}

describe('readiness gates enforced by GCP endpoint health', () => {
  it('rolls pods one by one: each new pod attached while gated, its gate opened by GCP’s check, only then an old pod out; never without a healthy endpoint', async () => {
    const a = adapter();
    expect(a.capabilities().checksNotReadyEndpoints).toBe(true);
    const pods: GatedPod[] = [
      { name: 'old-1', address: '10.0.1.1@europe-west1-b', containersReady: true, gateOpen: true },
      { name: 'old-2', address: '10.0.1.2@europe-west1-c', containersReady: true, gateOpen: true },
      // Fails its own readiness probe the whole time: never attached, its gate never opens.
      { name: 'broken', address: '10.0.1.9@europe-west1-b', containersReady: false, gateOpen: false },
    ];
    let opened: OpenGate[] = [];
    const healthyCounts: number[] = [];
    const seen = new Set<string>();

    async function gatePass(lb: ir.LoadBalancer) {
      const report = await a.targetHealth!(lb, { signal });
      expect(report.complete).toBe(true);
      expect(report.uncheckedPools).toBeUndefined();
      const result = openGates(
        podGatesOf(KEY, lb, report.targets, {
          checksNotReadyEndpoints: a.capabilities().checksNotReadyEndpoints === true,
        }),
        report.complete,
        opened,
      );
      opened = result.open;
      // The forwarder patches the gates that opened.
      for (const g of result.open) {
        const pod = pods.find((p) => p.name === g.pod.name);
        if (pod) pod.gateOpen = true;
      }
      for (const t of report.targets) if (t.pool === APP) seen.add(t.address);
      healthyCounts.push(report.targets.filter((t) => t.pool === APP && t.state === 'healthy').length);
      return { report, waiting: result.waiting.map((p) => p.name) };
    }
    /** Kubernetes changed: reconcile, then one gate pass (what the reconcile function does). */
    async function sync() {
      const lb = lbOf(pods);
      await reconcileLoadBalancer<GcpKinds>({ key: KEY, lb, adapter: a, signal });
      return gatePass(lb);
    }
    const check = appCheck(a, lbOf(pods));

    await sync();
    now += check.checkIntervalSec * check.healthyThreshold * 1000;
    expect(states((await sync()).report)).toEqual({ '10.0.1.1': 'healthy', '10.0.1.2': 'healthy' });
    healthyCounts.length = 0; // the rolling update starts from two healthy pods

    for (const [n, zone, old] of [
      [3, 'europe-west1-b', 'old-1'],
      [4, 'europe-west1-c', 'old-2'],
    ] as const) {
      const name = `new-${n - 2}`;
      const ip = `10.0.1.${n}`;
      // Created, its containers still starting: not attached, its gate waits.
      const fresh: GatedPod = { name, address: `${ip}@${zone}`, containersReady: false, gateOpen: false };
      pods.push(fresh);
      const starting = await sync();
      expect(states(starting.report)[ip]).toBeUndefined();
      expect(starting.waiting).toContain(name);

      // Its readiness probe passes; the pod is not Ready (the gate): attached all the same.
      fresh.containersReady = true;
      const attached = await sync();
      expect(states(attached.report)[ip]).toBe('unknown');
      expect(fresh.gateOpen).toBe(false);

      // GCP's checks, interval by interval: the gate opens on the pass that sees it HEALTHY.
      for (let waited = 0; !fresh.gateOpen; waited++) {
        expect(waited).toBeLessThan(20);
        now += check.checkIntervalSec * 1000;
        const { report } = await gatePass(lbOf(pods));
        expect(fresh.gateOpen).toBe(states(report)[ip] === 'healthy');
      }
      expect(opened.find((g) => g.pod.name === name)?.message).toBe(`healthy in load balancer ${KEY}`);

      // The gate is True, Ready not yet (kubelet lags): the pod stays registered and healthy.
      fresh.readyLags = true;
      const lagging = await sync();
      expect(states(lagging.report)[ip]).toBe('healthy');
      fresh.readyLags = false;

      // The pod is Ready now: the Deployment (maxUnavailable 0) takes an old pod out.
      const leaving = pods.find((p) => p.name === old)!;
      leaving.terminating = true;
      const detached = await sync();
      expect(states(detached.report)[leaving.address.split('@')[0]!]).toBeUndefined(); // no draining set: gone at once
      pods.splice(pods.indexOf(leaving), 1);
    }
    const done = await sync();
    expect(states(done.report)).toEqual({ '10.0.1.3': 'healthy', '10.0.1.4': 'healthy' });

    console.log(
      `[target-health-gates] gcp-compute: ${healthyCounts.length} health reads in the update, at least ${Math.min(...healthyCounts)} healthy at each`,
    );
    expect(healthyCounts.length).toBeGreaterThan(10);
    // Two healthy endpoints at every step (maxUnavailable 0, the surge pod counted only once healthy).
    expect(Math.min(...healthyCounts)).toBeGreaterThanOrEqual(2);
    expect(seen.has('10.0.1.9')).toBe(false);
    expect(done.waiting).toEqual(['broken']);
    expect(opened.some((g) => /not enforced/.test(g.message))).toBe(false);
  });

  it('a passthrough NLB checks nodes: its gated pods are reported unchecked and open unenforced, saying why', async () => {
    const a = adapter();
    const lb = passthroughLb(['10.4.0.1@node-b1@europe-west1-b', '10.4.0.2@node-b1@europe-west1-b']);
    const pool = lb.pools[0]!;
    // The second pod is gated (its containers are ready): as translate marks it.
    pool.endpoints = pool.endpoints.map((e, i) => ({
      ...e,
      pod: { namespace: 'db', name: `pg-${i}` },
      ...(i === 1 ? { ready: false, serving: false, awaitingLoadBalancer: true as const } : {}),
    }));
    await reconcileLoadBalancer<GcpKinds>({ key: lb.key, lb, adapter: a, signal });
    const report = await a.targetHealth!(lb, { signal });
    expect(report.uncheckedPools).toEqual([
      { pool: pool.id, reason: expect.stringMatching(/checks the nodes/) },
    ]);
    const gates = podGatesOf(lb.key, lb, report.targets, {
      checksNotReadyEndpoints: true,
      ...(report.uncheckedPools ? { uncheckedPools: report.uncheckedPools } : {}),
    });
    const { open, waiting } = openGates(gates, report.complete, []);
    expect(waiting).toEqual([]);
    expect(open.map((g) => [g.pod.name, g.message])).toEqual([
      [
        'pg-0',
        expect.stringMatching(/^not enforced by load balancer .*: pool .*passthrough Network Load Balancer/),
      ],
      [
        'pg-1',
        expect.stringMatching(/^not enforced by load balancer .*: pool .*passthrough Network Load Balancer/),
      ],
    ]);
  });
});
