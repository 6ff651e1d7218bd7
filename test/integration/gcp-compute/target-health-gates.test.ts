// Pod readiness gates enforced by GCP's own health checks (the real @google-cloud/compute client
// against the emulator with simulated health checks, on a clock the test moves): a pod held back
// only by its Portico gate is attached to its NEG, the backend service checks it, the gate opens
// once it is HEALTHY, and only then does the rolling update take an old pod out; the pool has a
// healthy endpoint at every step. A pod failing its own readiness probe is never attached. A
// passthrough NLB checks nodes, not pods: its pods' gates open unenforced, and say so.

import { describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds, HealthCheckValue } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { openGates } from '#core/readiness/open-gates.js';
import { podGatesOf } from '#core/readiness/pod-gates.js';
import type { GatedPod } from '#test/support/gated-pods.js';
import { lbWithGatedPods, rollGatedPods } from '#test/support/gated-rolling-update.js';
import { manifests, onComputeEmulator, passthroughLb } from './fixtures.js';

const KEY = 'it/Gateway/shop/web';
const APP = 'shop/app/80/http';
const GATE = readinessGateType(KEY);
let now = Date.parse('2030-01-01T00:00:00Z');
const signal = new AbortController().signal;
const { adapter } = onComputeEmulator({ operationDelayMs: 0, healthChecks: 'simulated', now: () => now });

const lbOf = (pods: readonly GatedPod[]) =>
  lbWithGatedPods(manifests({ endpoints: { app: [], api: ['10.0.2.1'] } }), KEY, pods, GATE);

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
    await rollGatedPods<GcpKinds>({
      provider: 'gcp-compute',
      adapter: a,
      key: KEY,
      pool: APP,
      gate: GATE,
      lbOf,
      check(lb) {
        const check = appCheck(a, lb);
        return { intervalSeconds: check.checkIntervalSec, healthyThreshold: check.healthyThreshold };
      },
      advanceClock: (ms) => {
        now += ms;
      },
      zones: ['europe-west1-b', 'europe-west1-c'],
      uncheckedState: 'unknown',
      leavingState: undefined, // no draining set: gone at once
      expectReport: (report) => expect(report.uncheckedPools).toBeUndefined(),
    });
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
