// observe on the emulator, from a fresh adapter each time (a cold Lambda container): it reads one
// load balancer by the names render gives it, whatever else the region holds, and it never reports
// less than what exists: a read that fails makes the reconcile fail (and retry), never an absence.

import {
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter, type Elbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import type { Elbv2Kinds } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { isRetryable } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { ALB_PARAMETERS, gatewayLb, VPC } from './fixtures.js';

const REGION = 'eu-west-1';
const OTHERS = 200;
let emu: Elbv2Emulator;
const clients: ElasticLoadBalancingV2Client[] = [];
const signal = new AbortController().signal;

function client(maxAttempts = 3): ElasticLoadBalancingV2Client {
  const c = createElbv2Client(emu, { region: REGION, maxAttempts });
  clients.push(c);
  return c;
}

const adapterFor = (c = client()): Elbv2Adapter =>
  createElbv2Adapter({ client: c, region: REGION, cluster: 'it' });
const LB = gatewayLb();
const reconcile = (adapter: Elbv2Adapter, lb: ir.LoadBalancer | undefined) =>
  reconcileLoadBalancer<Elbv2Kinds>({ key: LB.key, lb, adapter, signal });
const counts = () => emu.service.counts(REGION);
const EVERYTHING = { loadBalancers: 1, listeners: 1, rules: 3, targetGroups: 2 };
const NOTHING = { loadBalancers: 0, listeners: 0, rules: 0, targetGroups: 0 };

/** A cold observe of the fixture's key: the read calls it made, by action, and what it saw. */
async function coldObserve(desired: boolean) {
  const adapter = adapterFor();
  emu.resetStats();
  const observed = await adapter.observe(LB.key, {
    signal,
    desired: desired ? adapter.render(LB).resources : [],
  });
  const stats = emu.stats();
  return { observed, reads: stats.read, byAction: stats.byAction };
}

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC, limits: { loadBalancersPerRegion: OTHERS + 10 } });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('aws-elbv2 observe', () => {
  it(`reads one load balancer by name from a fresh adapter, with ${OTHERS} other load balancers in the region`, async () => {
    await reconcile(adapterFor(), LB);
    const alone = await coldObserve(true);
    expect(alone.observed.complete).toBe(true);
    expect(
      alone.observed.resources
        .filter((r) => r.owned)
        .map((r) => r.kind)
        .sort(),
    ).toEqual([
      'listener',
      'load-balancer',
      'rule',
      'rule',
      'rule',
      'target-group',
      'target-group',
      'targets',
      'targets',
    ]);

    const c = client();
    for (let i = 0; i < OTHERS; i++)
      await c.send(
        new CreateLoadBalancerCommand({
          Name: `other-${i}`,
          Subnets: ALB_PARAMETERS.spec.awsElbv2.subnets,
          Tags: [{ Key: 'team', Value: 'someone-else' }],
        }),
      );
    expect(counts().loadBalancers).toBe(OTHERS + 1);

    const crowded = await coldObserve(true);
    // The same calls, one by one, as with the load balancer alone: nothing is listed region-wide.
    expect(crowded.byAction).toEqual(alone.byAction);
    expect(crowded.byAction.DescribeLoadBalancers).toBe(1);
    expect(crowded.reads).toBeLessThan(20);
    expect(crowded.observed.resources).toEqual(alone.observed.resources);
    console.info(
      'cold observe with',
      OTHERS,
      'other load balancers:',
      crowded.reads,
      'reads',
      crowded.byAction,
    );
  });

  it('scans the region by tags only when the names are not known: for a delete', async () => {
    await reconcile(adapterFor(), LB);
    const del = await coldObserve(false);
    expect(del.observed.complete).toBe(true);
    expect(del.observed.resources.filter((r) => r.owned)).toHaveLength(9);
    // Pages of every load balancer and target group of the region, then their tags.
    expect(del.byAction.DescribeLoadBalancers).toBe(1);
    expect(del.byAction.DescribeTargetGroups).toBeGreaterThanOrEqual(2);
  });

  const THROTTLED = [
    'DescribeLoadBalancers',
    'DescribeTags',
    'DescribeTargetGroups',
    'DescribeListeners',
    'DescribeRules',
    'DescribeLoadBalancerAttributes',
    'DescribeTargetHealth',
  ];
  const patterns: [string, string][] = [
    ...THROTTLED.map((a): [string, string] => [a, `^${a}$`]),
    ['all of them together', `^(${THROTTLED.join('|')})$`],
  ];

  it.each(patterns)(
    'fails a delete from a fresh adapter while %s is throttled, then deletes on retry',
    async (_, pattern) => {
      await reconcile(adapterFor(), LB);
      emu.setFaults({ throttleProbability: { pattern, probability: 1 } });
      // The observe of a delete could not finish: the reconcile fails (retryable), nothing is deleted.
      const failed = await reconcile(adapterFor(client(2)), undefined).then(
        (out) => out,
        (err: unknown) => err,
      );
      expect(failed).toBeInstanceOf(Error);
      expect(isRetryable(failed)).toBe(true);
      expect(counts()).toEqual(EVERYTHING);
      // A fresh observe of the delete never says complete while it misses what exists.
      try {
        const seen = await adapterFor(client(1)).observe(LB.key, { signal, desired: [] });
        expect(!seen.complete || seen.resources.filter((r) => r.owned).length === 9).toBe(true);
      } catch (err) {
        expect(isRetryable(err)).toBe(true);
      }

      emu.clearFaults();
      await reconcile(adapterFor(), undefined);
      expect(counts()).toEqual(NOTHING);
    },
  );

  it.each(patterns)(
    'fails an update from a fresh adapter while %s is throttled, changing nothing',
    async (_, pattern) => {
      await reconcile(adapterFor(), LB);
      emu.setFaults({ throttleProbability: { pattern, probability: 1 } });
      emu.resetStats();
      const failed = await reconcile(adapterFor(client(2)), gatewayLb({ extraRoute: true })).then(
        (out) => out,
        (err: unknown) => err,
      );
      expect(isRetryable(failed)).toBe(true);
      expect(emu.stats().mutating).toBe(0);
      emu.clearFaults();
      await reconcile(adapterFor(), gatewayLb({ extraRoute: true }));
      expect(counts()).toEqual({ ...EVERYTHING, rules: 4 });
    },
  );
});
