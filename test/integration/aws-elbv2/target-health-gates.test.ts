// Pod readiness gates enforced by ELB's own health checks (the real SDK against the emulator with
// simulated health checks, on a clock the test moves): a pod held back only by its Portico gate is
// registered, ELB checks it, the gate opens once it is healthy, and only then does the rolling
// update take an old pod out; the target group has a healthy target at every step. A pod failing
// its own readiness probe (ContainersReady False) is never registered.

import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import type { Elbv2Kinds } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type { TargetHealthReport } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { type OpenGate, openGates } from '#core/readiness/open-gates.js';
import { podGatesOf } from '#core/readiness/pod-gates.js';
import { translate } from '#core/translate/translate.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { type GatedPod, withGatedPods } from '#test/support/gated-pods.js';
import { manifests, VPC } from './fixtures.js';

const REGION = 'eu-west-1';
const KEY = 'it/Gateway/shop/web';
const APP = 'shop/app/80/http';
const GATE = readinessGateType(KEY);
let emu: Elbv2Emulator;
let client: ElasticLoadBalancingV2Client;
let now = Date.parse('2030-01-01T00:00:00Z');
const signal = new AbortController().signal;

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC, healthChecks: 'simulated', now: () => now });
  client = createElbv2Client(emu, { region: REGION });
});

afterAll(async () => {
  client?.destroy();
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

describe('readiness gates enforced by ELB target health', () => {
  it('declares that it checks endpoints awaiting the load balancer', () => {
    const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
    expect(adapter.capabilities().checksNotReadyEndpoints).toBe(true);
  });

  it('rolls pods one by one: each new pod registered while gated, its gate opened by ELB’s check, only then an old pod out; never without a healthy target', async () => {
    const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
    const pods: GatedPod[] = [
      { name: 'old-1', address: '10.0.1.1', containersReady: true, gateOpen: true },
      { name: 'old-2', address: '10.0.1.2', containersReady: true, gateOpen: true },
      // Fails its own readiness probe the whole time: never registered, its gate never opens.
      { name: 'broken', address: '10.0.1.9', containersReady: false, gateOpen: false },
    ];
    let opened: OpenGate[] = [];
    const healthyCounts: number[] = [];
    const seen = new Set<string>();

    /** Kubernetes changed: reconcile, then one gate pass (what the reconcile function does). */
    async function sync(): Promise<{ report: TargetHealthReport; waiting: string[] }> {
      const lb = lbOf(pods);
      await reconcileLoadBalancer<Elbv2Kinds>({ key: KEY, lb, adapter, signal });
      return gatePass(lb);
    }
    async function gatePass(lb: ir.LoadBalancer) {
      const report = await adapter.targetHealth!(lb, { signal });
      expect(report.complete).toBe(true);
      const gates = podGatesOf(KEY, lb, report.targets, {
        checksNotReadyEndpoints: adapter.capabilities().checksNotReadyEndpoints === true,
      });
      const result = openGates(gates, report.complete, opened);
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
    const { healthCheck } = (() => {
      for (const r of adapter.render(lbOf(pods)).resources)
        if (r.kind === 'target-group' && r.value.pool === APP) return r.value;
      throw new Error('no app target group');
    })();

    await sync();
    now += healthCheck.intervalSeconds * healthCheck.healthyThresholdCount * 1000;
    expect(states((await sync()).report)).toEqual({ '10.0.1.1': 'healthy', '10.0.1.2': 'healthy' });
    healthyCounts.length = 0; // the rolling update starts from two healthy pods

    for (const [n, old] of [
      [3, 'old-1'],
      [4, 'old-2'],
    ] as const) {
      const name = `new-${n - 2}`;
      const address = `10.0.1.${n}`;
      // Created, its containers still starting: not registered, its gate waits.
      const fresh: GatedPod = { name, address, containersReady: false, gateOpen: false };
      pods.push(fresh);
      const starting = await sync();
      expect(states(starting.report)[address]).toBeUndefined();
      expect(starting.waiting).toContain(name);

      // Its readiness probe passes; the pod is not Ready (the gate): registered all the same.
      fresh.containersReady = true;
      const registered = await sync();
      expect(states(registered.report)[address]).toBe('initial');
      expect(fresh.gateOpen).toBe(false);

      // ELB's checks, interval by interval: the gate opens on the pass that sees it healthy.
      for (let waited = 0; !fresh.gateOpen; waited++) {
        expect(waited).toBeLessThan(20);
        now += healthCheck.intervalSeconds * 1000;
        const { report } = await gatePass(lbOf(pods));
        expect(fresh.gateOpen).toBe(states(report)[address] === 'healthy');
      }
      expect(opened.find((g) => g.pod.name === name)).toEqual({
        pod: { namespace: 'shop', name },
        conditionType: GATE,
        message: `healthy in load balancer ${KEY}`,
      });

      // The gate is True, Ready not yet (kubelet lags): the pod stays registered and healthy.
      fresh.readyLags = true;
      const lagging = await sync();
      expect(states(lagging.report)[address]).toBe('healthy');
      fresh.readyLags = false;

      // The pod is Ready now: the Deployment (maxUnavailable 0) takes an old pod out.
      const leaving = pods.find((p) => p.name === old)!;
      leaving.terminating = true;
      const drained = await sync();
      expect(states(drained.report)[leaving.address]).toBe('draining');
      pods.splice(pods.indexOf(leaving), 1);
    }
    now += 300_000; // the deregistration delay
    const done = await sync();
    expect(states(done.report)).toEqual({ '10.0.1.3': 'healthy', '10.0.1.4': 'healthy' });

    console.log(
      `[target-health-gates] aws-elbv2: ${healthyCounts.length} health reads in the update, at least ${Math.min(...healthyCounts)} healthy at each`,
    );
    expect(healthyCounts.length).toBeGreaterThan(10);
    // Two healthy targets at every step (maxUnavailable 0, the surge pod counted only once healthy).
    expect(Math.min(...healthyCounts)).toBeGreaterThanOrEqual(2);
    expect(seen.has('10.0.1.9')).toBe(false);
    expect(done.waiting).toEqual(['broken']);
    expect(opened.some((g) => /not enforced/.test(g.message))).toBe(false);
  });

  it('deregisters a gated pod whose containers stop being ready before its check passed', async () => {
    const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
    const pod: GatedPod = { name: 'flaky', address: '10.0.1.5', containersReady: true, gateOpen: false };
    const lb = lbOf([pod]);
    await reconcileLoadBalancer<Elbv2Kinds>({ key: KEY, lb, adapter, signal });
    expect(states(await adapter.targetHealth!(lb, { signal }))).toEqual({ '10.0.1.5': 'initial' });

    pod.containersReady = false;
    const failing = lbOf([pod]);
    await reconcileLoadBalancer<Elbv2Kinds>({ key: KEY, lb: failing, adapter, signal });
    expect(states(await adapter.targetHealth!(failing, { signal }))).toEqual({ '10.0.1.5': 'draining' });
  });
});
