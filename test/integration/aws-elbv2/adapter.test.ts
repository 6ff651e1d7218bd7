// The ELBv2 adapter end to end: the real SDK against the emulator (test/emulators/elbv2), no mocks.
// translate() → render → observe → plan → apply, via adapters/reconcile.ts.

import {
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter, type Elbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import type { Elbv2Kinds } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { AbortedError, isRetryable } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { type FixtureOptions, gatewayLb } from './fixtures.js';

const REGION = 'eu-west-1';
let emu: Elbv2Emulator;
const clients: ElasticLoadBalancingV2Client[] = [];

function client(maxAttempts = 3): ElasticLoadBalancingV2Client {
  const c = createElbv2Client(emu, { region: REGION, maxAttempts });
  clients.push(c);
  return c;
}

function adapterFor(c = client()): Elbv2Adapter {
  return createElbv2Adapter({ client: c, region: REGION, cluster: 'it' });
}

const KEY = gatewayLb().key;

function reconcile(
  adapter: Elbv2Adapter,
  lb: ir.LoadBalancer | undefined,
  signal = new AbortController().signal,
) {
  return reconcileLoadBalancer<Elbv2Kinds>({ key: KEY, lb, adapter, signal });
}

const counts = () => emu.service.counts(REGION);

/** Reset the counters, run, and return the calls made. */
async function measured<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; stats: ReturnType<Elbv2Emulator['stats']> }> {
  emu.resetStats();
  const result = await fn();
  return { result, stats: emu.stats() };
}

const mutatingActions = (s: ReturnType<Elbv2Emulator['stats']>) =>
  Object.fromEntries(Object.entries(s.byAction).filter(([a]) => !a.startsWith('Describe')));

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: 'vpc-0123456789abcdef0' });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('aws-elbv2 adapter on the emulator', () => {
  it('creates, converges, moves endpoints, adds a route and deletes everything', async () => {
    const adapter = adapterFor();
    const lb = (o: FixtureOptions = {}) => gatewayLb(o);

    const create = await measured(() => reconcile(adapter, lb()));
    expect(create.result.plan.conflicts).toEqual([]);
    expect(counts()).toEqual({ loadBalancers: 1, listeners: 1, rules: 3, targetGroups: 2 });
    expect(create.result.status.programmed).toBe(true);
    expect(create.result.status.addresses[0]?.type).toBe('Hostname');
    expect(create.result.status.addresses[0]?.value).toMatch(/\.elb\.amazonaws\.com$/);
    console.info(
      'create',
      create.stats.mutating,
      'mutating,',
      create.stats.read,
      'reads',
      mutatingActions(create.stats),
    );

    const noop = await measured(() => reconcile(adapter, lb()));
    expect(noop.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(noop.stats.mutating).toBe(0);
    // The status of an untouched load balancer comes from the observe before it: one Describe.
    expect(noop.result.status).toEqual(create.result.status);
    expect(noop.stats.byAction.DescribeLoadBalancers).toBe(1);
    console.info('no-op', noop.stats.mutating, 'mutating,', noop.stats.read, 'reads');

    // app gains an endpoint, api loses its only one: one call per changed target group.
    const endpoints = { app: ['10.0.1.1', '10.0.1.2', '10.0.1.3'], api: [] };
    const moved = await measured(() => reconcile(adapter, lb({ endpoints })));
    expect(mutatingActions(moved.stats)).toEqual({ RegisterTargets: 1, DeregisterTargets: 1 });
    console.info('endpoints', moved.stats.mutating, 'mutating,', moved.stats.read, 'reads');
    expect((await measured(() => reconcile(adapter, lb({ endpoints })))).stats.mutating).toBe(0);

    // A route ahead of the others: one CreateRule (parked) and one SetRulePriorities.
    const added = await measured(() => reconcile(adapter, lb({ endpoints, extraRoute: true })));
    expect(counts().rules).toBe(4);
    expect(mutatingActions(added.stats)).toEqual({ CreateRule: 1, SetRulePriorities: 1 });
    console.info('route added', added.stats.mutating, 'mutating', mutatingActions(added.stats));
    expect(
      (await measured(() => reconcile(adapter, lb({ endpoints, extraRoute: true })))).stats.mutating,
    ).toBe(0);

    // And gone again: the rule is deleted, the others move back.
    await reconcile(adapter, lb({ endpoints }));
    expect(counts().rules).toBe(3);
    expect((await measured(() => reconcile(adapter, lb({ endpoints })))).stats.mutating).toBe(0);

    const del = await measured(() => reconcile(adapter, undefined));
    expect(counts()).toEqual({ loadBalancers: 0, listeners: 0, rules: 0, targetGroups: 0 });
    expect(del.result.status.addresses).toEqual([]);
    console.info('delete', del.stats.mutating, 'mutating', mutatingActions(del.stats));
    expect((await measured(() => reconcile(adapter, undefined))).stats.mutating).toBe(0);
  });

  it('rewrites the Host and the path with rule transforms, converges, and drops them again', async () => {
    const adapter = adapterFor();
    const created = await reconcile(adapter, gatewayLb({ rewrite: true }));
    expect(created.notices).toEqual([]);
    const elb = client();
    const rulesNow = async () => {
      const [lbArn] = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.map(
        (l) => l.LoadBalancerArn!,
      );
      const [listener] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
        .Listeners!;
      return (await elb.send(new DescribeRulesCommand({ ListenerArn: listener!.ListenerArn! }))).Rules!;
    };
    const transformed = (await rulesNow()).filter((r) => r.Transforms !== undefined);
    expect(transformed.map((r) => r.Transforms)).toEqual([
      [
        {
          Type: 'host-header-rewrite',
          HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^.*$', Replace: 'api.internal' }] },
        },
        { Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '^/api(.*)$', Replace: '/v2$1' }] } },
      ],
    ]);
    // Observe reads the transforms back into the same content: nothing to do.
    const again = await measured(() => reconcile(adapter, gatewayLb({ rewrite: true })));
    expect(again.stats.mutating).toBe(0);
    // Without the filter the rule is another rule: created, and the rewriting one deleted.
    const plain = await measured(() => reconcile(adapter, gatewayLb()));
    expect(mutatingActions(plain.stats)).toMatchObject({ CreateRule: 1, DeleteRule: 1 });
    expect((await rulesNow()).some((r) => r.Transforms !== undefined)).toBe(false);
  });

  it('deletes after a restart (nothing remembered) with one tag-filtered scan', async () => {
    await reconcile(adapterFor(), gatewayLb());
    await reconcile(adapterFor(), undefined);
    expect(counts()).toEqual({ loadBalancers: 0, listeners: 0, rules: 0, targetGroups: 0 });
  });

  it('fails a delete after a restart when the tag-filtered scan fails part-way, and deletes on retry', async () => {
    await reconcile(adapterFor(), gatewayLb());
    const before = counts();
    emu.failNext({ pattern: '^DescribeTargetGroups$', code: 'InternalFailure', status: 500 });
    const failed = reconcile(adapterFor(client(1)), undefined);
    await expect(failed).rejects.toThrow(/could not be read whole/);
    expect(isRetryable(await failed.catch((e: unknown) => e))).toBe(true);
    expect(counts()).toEqual(before);
    await reconcile(adapterFor(), undefined);
    expect(counts()).toEqual({ loadBalancers: 0, listeners: 0, rules: 0, targetGroups: 0 });
  });

  it('never touches an unowned target group with the name render uses', async () => {
    const c = client();
    const desired = gatewayLb();
    const rendered = adapterFor().render(desired);
    const tg = rendered.resources.find((r) => r.kind === 'target-group' && r.address.includes('-app-'));
    if (tg?.kind !== 'target-group') throw new Error('no app target group rendered');
    const name = tg.value.name;
    const made = await c.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-0123456789abcdef0',
        TargetType: 'ip',
        Tags: [{ Key: 'team', Value: 'someone-else' }],
      }),
    );
    const arn = made.TargetGroups?.[0]?.TargetGroupArn ?? '';
    const adapter = adapterFor();
    const out = await reconcile(adapter, desired);
    expect(out.plan.conflicts.map((x) => x.address)).toContain(tg.address);
    expect(out.status.programmed).toBe(false);
    // The other half is programmed; the squatter is as it was.
    expect(counts().targetGroups).toBe(2);
    const untouched = async () => {
      const tags = await c.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
      expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: 'team', Value: 'someone-else' }]);
      const health = await c.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      expect(health.TargetHealthDescriptions ?? []).toEqual([]);
    };
    await untouched();
    expect((await measured(() => reconcile(adapter, desired))).stats.mutating).toBe(0);
    await reconcile(adapter, undefined);
    expect(counts().targetGroups).toBe(1);
    await untouched();
  });

  it('resumes after an abort after k calls, for every k, without duplicates', async () => {
    const counting = (k: number) => {
      const c = client();
      const ac = new AbortController();
      let n = 0;
      c.middlewareStack.add(
        (next) => async (args) => {
          const r = await next(args);
          if (++n >= k) ac.abort(new Error(`aborted after ${k} calls`));
          return r;
        },
        { step: 'initialize', name: 'abortAfterK' },
      );
      return { c, signal: ac.signal, calls: () => n };
    };
    const clean = counting(Number.POSITIVE_INFINITY);
    await reconcile(adapterFor(clean.c), gatewayLb(), clean.signal);
    const total = clean.calls();
    expect(total).toBeGreaterThan(5);
    for (let k = 1; k < total; k++) {
      emu.reset();
      const run = counting(k);
      await expect(reconcile(adapterFor(run.c), gatewayLb(), run.signal)).rejects.toBeInstanceOf(
        AbortedError,
      );
      expect(run.calls()).toBe(k);
      // A fresh process resumes.
      const fresh = adapterFor();
      await reconcile(fresh, gatewayLb());
      expect(counts(), `k=${k}`).toEqual({ loadBalancers: 1, listeners: 1, rules: 3, targetGroups: 2 });
      expect((await measured(() => reconcile(fresh, gatewayLb()))).stats.mutating, `k=${k}`).toBe(0);
    }
  });

  it('converges with 20% throttling and 5xx injected and SDK retries', async () => {
    emu.setFaults({ throttleProbability: { probability: 0.2 }, serverErrors: { probability: 0.2 } });
    const adapter = adapterFor(client(5));
    let failures = 0;
    const converge = async (lb: ir.LoadBalancer | undefined) => {
      for (let i = 0; i < 10; i++) {
        try {
          const out = await reconcile(adapter, lb);
          if (out.plan.changes.every((c) => c.action === 'noop') && out.deletesWithheld === 0) return;
        } catch (err) {
          if (!isRetryable(err)) throw err;
          failures++;
        }
      }
      throw new Error('did not converge');
    };
    await converge(gatewayLb());
    expect(emu.stats().throttled + emu.stats().injected).toBeGreaterThan(0);
    emu.clearFaults();
    expect(counts()).toEqual({ loadBalancers: 1, listeners: 1, rules: 3, targetGroups: 2 });
    expect((await measured(() => reconcile(adapter, gatewayLb()))).stats.mutating).toBe(0);
    emu.setFaults({ throttleProbability: { probability: 0.2 }, serverErrors: { probability: 0.2 } });
    await converge(undefined);
    emu.clearFaults();
    expect(counts()).toEqual({ loadBalancers: 0, listeners: 0, rules: 0, targetGroups: 0 });
    console.info('faults: reconciles that failed after SDK retries:', failures);
    // The SDK's own backoff (standard mode: about 0.5-1 s per throttled retry, jittered) is most of
    // this test's time, 15-19 s on 2 cores: more than the default 20 s allows under load.
  }, 60_000);
});
