// targetHealth on the emulator with simulated health checks (the real SDK over a socket, a clock the
// test moves): targets start initial, turn healthy after HealthyThresholdCount probes, unhealthy when
// their checks fail, drain for the deregistration delay; a read that fails leaves the answer
// incomplete, never a target "gone". And a rolling update gated on it keeps a healthy target in
// service at every step, where one that does not wait leaves none.

import {
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter, type Elbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import type { Elbv2Kinds, HealthCheckValue } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { AbortedError, type TargetHealth, type TargetHealthReport } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { type FixtureOptions, gatewayLb, VPC } from './fixtures.js';

const REGION = 'eu-west-1';
const APP = 'shop/app/80/http';
const API = 'shop/api/8080/http';
let emu: Elbv2Emulator;
let now = Date.parse('2030-01-01T00:00:00Z');
const clients: ElasticLoadBalancingV2Client[] = [];
const signal = new AbortController().signal;

function adapterFor(maxAttempts = 3): Elbv2Adapter {
  const c = createElbv2Client(emu, { region: REGION, maxAttempts });
  clients.push(c);
  return createElbv2Adapter({ client: c, region: REGION, cluster: 'it' });
}

const lbWith = (endpoints: FixtureOptions['endpoints']) => gatewayLb(endpoints ? { endpoints } : {});
const reconcile = (adapter: Elbv2Adapter, lb: ir.LoadBalancer) =>
  reconcileLoadBalancer<Elbv2Kinds>({ key: lb.key, lb, adapter, signal });

/** The app pool's health check as render gives it to the target group. */
function appHealthCheck(adapter: Elbv2Adapter): HealthCheckValue {
  for (const r of adapter.render(gatewayLb()).resources)
    if (r.kind === 'target-group' && r.value.pool === APP) return r.value.healthCheck;
  throw new Error('no target group for the app pool');
}

const states = (r: TargetHealthReport, pool: string) =>
  Object.fromEntries(r.targets.filter((t) => t.pool === pool).map((t) => [t.address, t.state]));
const inService = (r: TargetHealthReport, pool: string): TargetHealth[] =>
  r.targets.filter((t) => t.pool === pool && t.state === 'healthy');
const advance = (seconds: number) => {
  now += seconds * 1000;
};

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC, healthChecks: 'simulated', now: () => now });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('aws-elbv2 targetHealth', () => {
  it('follows initial → healthy → unhealthy → healthy, with ELB reason codes, per pool', async () => {
    const adapter = adapterFor();
    const lb = lbWith(undefined);
    await reconcile(adapter, lb);
    const hc = appHealthCheck(adapter);

    const first = await adapter.targetHealth!(lb, { signal });
    expect(first.complete).toBe(true);
    expect(first.targets).toEqual([
      { pool: API, address: '10.0.2.1', port: 9090, state: 'initial', reason: 'Elb.InitialHealthChecking' },
      { pool: APP, address: '10.0.1.1', port: 8080, state: 'initial', reason: 'Elb.InitialHealthChecking' },
      { pool: APP, address: '10.0.1.2', port: 8080, state: 'initial', reason: 'Elb.InitialHealthChecking' },
    ]);

    // One probe short of the threshold: still initial; the threshold-th probe makes it healthy.
    advance(hc.intervalSeconds * (hc.healthyThresholdCount - 1));
    expect(states(await adapter.targetHealth!(lb, { signal }), APP)).toEqual({
      '10.0.1.1': 'initial',
      '10.0.1.2': 'initial',
    });
    advance(hc.intervalSeconds);
    const healthy = await adapter.targetHealth!(lb, { signal });
    expect(healthy.targets.map((t) => t.state)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(healthy.targets.every((t) => t.reason === undefined)).toBe(true);

    // The pod fails its checks: unhealthy after UnhealthyThresholdCount probes, the others untouched.
    emu.service.failHealthChecks('10.0.1.2');
    advance(hc.intervalSeconds * (hc.unhealthyThresholdCount - 1));
    expect(states(await adapter.targetHealth!(lb, { signal }), APP)['10.0.1.2']).toBe('healthy');
    advance(hc.intervalSeconds);
    const failing = await adapter.targetHealth!(lb, { signal });
    expect(failing.targets.find((t) => t.address === '10.0.1.2')).toEqual({
      pool: APP,
      address: '10.0.1.2',
      port: 8080,
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
    });
    expect(states(failing, APP)['10.0.1.1']).toBe('healthy');

    emu.service.passHealthChecks('10.0.1.2');
    advance(hc.intervalSeconds * hc.healthyThresholdCount);
    expect(states(await adapter.targetHealth!(lb, { signal }), APP)['10.0.1.2']).toBe('healthy');
  });

  it('reports a deregistered target draining for the deregistration delay, then not at all', async () => {
    const adapter = adapterFor();
    await reconcile(adapter, lbWith(undefined));
    advance(appHealthCheck(adapter).intervalSeconds * 10);
    const smaller = lbWith({ app: ['10.0.1.1'], api: ['10.0.2.1'] });
    await reconcile(adapter, smaller);

    const draining = await adapter.targetHealth!(smaller, { signal });
    expect(draining.targets.find((t) => t.address === '10.0.1.2')).toMatchObject({
      pool: APP,
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
    });
    // The default delay is 300 s (Portico sets none): a second before it ends, still draining.
    advance(299);
    expect(states(await adapter.targetHealth!(smaller, { signal }), APP)['10.0.1.2']).toBe('draining');
    advance(1);
    expect(states(await adapter.targetHealth!(smaller, { signal }), APP)).toEqual({ '10.0.1.1': 'healthy' });
  });

  it('answers complete: false when a read is throttled or fails, never with targets missing as gone', async () => {
    const adapter = adapterFor(1);
    const lb = lbWith(undefined);
    await reconcile(adapter, lb);

    emu.failNext({ pattern: '^DescribeTargetHealth$', code: 'Throttling', message: 'Rate exceeded' });
    const throttled = await adapter.targetHealth!(lb, { signal });
    expect(throttled.complete).toBe(false);
    // One target group's read failed; the other's targets are still there.
    expect(throttled.targets.length).toBeGreaterThan(0);
    expect(throttled.targets.length).toBeLessThan(3);

    emu.failNext({ pattern: '^DescribeTargetGroups$', code: 'ServiceUnavailable', status: 503 });
    expect(await adapter.targetHealth!(lb, { signal })).toEqual({ targets: [], complete: false });

    emu.failNext({ pattern: '^DescribeTags$', code: 'InternalFailure', status: 500 });
    expect(await adapter.targetHealth!(lb, { signal })).toEqual({ targets: [], complete: false });

    // And when the reads go through again, everything is back.
    expect(await adapter.targetHealth!(lb, { signal })).toMatchObject({ complete: true });
    expect((await adapter.targetHealth!(lb, { signal })).targets).toHaveLength(3);

    const aborted = new AbortController();
    aborted.abort();
    await expect(adapter.targetHealth!(lb, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('reads only the load balancer’s own target groups, by name, and none it does not own', async () => {
    const adapter = adapterFor();
    const lb = lbWith(undefined);
    const names = adapter
      .render(lb)
      .resources.flatMap((r) => (r.kind === 'target-group' ? [r.value.name] : []));
    // Someone else's target group under the app pool's name: never reported as Portico's.
    const c = createElbv2Client(emu, { region: REGION });
    clients.push(c);
    await c.send(
      new CreateTargetGroupCommand({
        Name: names[0],
        Protocol: 'HTTP',
        Port: 80,
        VpcId: VPC,
        TargetType: 'ip',
      }),
    );

    emu.resetStats();
    const before = await adapter.targetHealth!(lb, { signal });
    expect(before).toEqual({ targets: [], complete: true });
    expect(Object.keys(emu.stats().byAction).sort()).toEqual(['DescribeTags', 'DescribeTargetGroups']);

    emu.resetStats();
    const none = await adapter.targetHealth!(lbWith({ app: [], api: [] }), { signal });
    expect(none.complete).toBe(true);
    expect(emu.stats().mutating).toBe(0);
  });
});

describe('a rolling update through target health', () => {
  const OLD = ['10.0.1.1', '10.0.1.2'];
  const NEW = ['10.0.1.3', '10.0.1.4'];
  const api = ['10.0.2.1'];

  /** The old pods, registered and healthy. */
  async function running(adapter: Elbv2Adapter): Promise<number> {
    await reconcile(adapter, lbWith({ app: OLD, api }));
    const interval = appHealthCheck(adapter).intervalSeconds;
    advance(interval * appHealthCheck(adapter).healthyThresholdCount);
    expect(inService(await adapter.targetHealth!(lbWith({ app: OLD, api }), { signal }), APP)).toHaveLength(
      2,
    );
    return interval;
  }

  it('registers the new pods, waits for them healthy, only then deregisters the old: never without a healthy target', async () => {
    const adapter = adapterFor();
    const interval = await running(adapter);
    const healthyCounts: number[] = [];
    const step = async (lb: ir.LoadBalancer) => {
      const report = await adapter.targetHealth!(lb, { signal });
      expect(report.complete).toBe(true);
      healthyCounts.push(inService(report, APP).length);
      return report;
    };

    const both = lbWith({ app: [...OLD, ...NEW], api });
    await reconcile(adapter, both);
    // The gate: wait, probe interval by probe interval, until every new pod is healthy.
    for (let waited = 0; ; waited++) {
      const report = await step(both);
      if (NEW.every((ip) => states(report, APP)[ip] === 'healthy')) break;
      expect(NEW.map((ip) => states(report, APP)[ip])).toEqual(['initial', 'initial']);
      expect(waited).toBeLessThan(20);
      advance(interval);
    }
    const after = lbWith({ app: NEW, api });
    await reconcile(adapter, after);
    const drained = await step(after);
    expect(states(drained, APP)).toEqual({
      '10.0.1.1': 'draining',
      '10.0.1.2': 'draining',
      '10.0.1.3': 'healthy',
      '10.0.1.4': 'healthy',
    });
    advance(300);
    expect(states(await step(after), APP)).toEqual({ '10.0.1.3': 'healthy', '10.0.1.4': 'healthy' });

    expect(healthyCounts.length).toBeGreaterThan(3);
    expect(Math.min(...healthyCounts)).toBeGreaterThanOrEqual(1);
  });

  it('without the gate, the pool has no healthy target until the new pods pass their checks', async () => {
    const adapter = adapterFor();
    await running(adapter);
    const after = lbWith({ app: NEW, api });
    await reconcile(adapter, after);
    const report = await adapter.targetHealth!(after, { signal });
    expect(inService(report, APP)).toEqual([]);
    expect(states(report, APP)).toMatchObject({ '10.0.1.3': 'initial', '10.0.1.1': 'draining' });
  });
});
