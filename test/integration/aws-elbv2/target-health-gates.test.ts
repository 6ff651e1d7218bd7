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
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import type { GatedPod } from '#test/support/gated-pods.js';
import { lbWithGatedPods, poolStates, rollGatedPods } from '#test/support/gated-rolling-update.js';
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

const lbOf = (pods: readonly GatedPod[]) =>
  lbWithGatedPods(manifests({ endpoints: { app: [], api: ['10.0.2.1'] } }), KEY, pods, GATE);
const states = (r: TargetHealthReport) => poolStates(r, APP);

describe('readiness gates enforced by ELB target health', () => {
  it('declares that it checks endpoints awaiting the load balancer', () => {
    const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
    expect(adapter.capabilities().checksNotReadyEndpoints).toBe(true);
  });

  it('rolls pods one by one: each new pod registered while gated, its gate opened by ELB’s check, only then an old pod out; never without a healthy target', async () => {
    const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
    await rollGatedPods<Elbv2Kinds>({
      provider: 'aws-elbv2',
      adapter,
      key: KEY,
      pool: APP,
      gate: GATE,
      lbOf,
      check(lb) {
        for (const r of adapter.render(lb).resources)
          if (r.kind === 'target-group' && r.value.pool === APP)
            return {
              intervalSeconds: r.value.healthCheck.intervalSeconds,
              healthyThreshold: r.value.healthCheck.healthyThresholdCount,
            };
        throw new Error('no app target group');
      },
      advanceClock: (ms) => {
        now += ms;
      },
      uncheckedState: 'initial',
      leavingState: 'draining',
      drainMs: 300_000, // the deregistration delay
    });
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
