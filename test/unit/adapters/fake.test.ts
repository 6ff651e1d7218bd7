import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeAdapter, type FakeAdapter } from '#adapters/fake/adapter.js';
import { FakeCloud } from '#adapters/fake/cloud.js';
import { fakeLbName } from '#adapters/fake/naming.js';
import type { FakeRoute } from '#adapters/fake/resources.js';
import { AbortedError, ConflictError, isRetryable, NotOwnedError } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { ownershipTags } from '#core/naming/ownership-tags.js';
import { executionSteps } from '#core/plan/execution-steps.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { isEmptyPlan } from '#core/plan/plan-summary.js';
import { forwardRoute, loadBalancer, pool } from './ir-fixture.js';

const signal = new AbortController().signal;

/** One level-triggered reconcile: render → observe → plan → apply. */
async function reconcile(adapter: FakeAdapter, lb: ir.LoadBalancer) {
  const rendered = adapter.render(lb);
  const observed = await adapter.observe(lb.key, { signal, desired: [] });
  const plan = planChanges(rendered.resources, observed.resources, adapter.diffSpec, { lbKey: lb.key });
  const status = await adapter.apply(plan, { signal });
  return { rendered, plan, status };
}

async function planFor(adapter: FakeAdapter, lb: ir.LoadBalancer) {
  const observed = await adapter.observe(lb.key, { signal, desired: [] });
  return planChanges(adapter.render(lb).resources, observed.resources, adapter.diffSpec, { lbKey: lb.key });
}

/** The cloud as address → value, failing on duplicates. */
function cloudState(adapter: FakeAdapter): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const r of adapter.cloud.all()) {
    expect(state, `duplicate at ${r.address}`).not.toHaveProperty([r.address]);
    state[r.address] = r.value;
  }
  return state;
}

describe('adapters: fake', () => {
  it('converges: render → observe → plan → apply, and the next plan is a no-op', async () => {
    // Prepare
    const adapter = createFakeAdapter();
    const lb = loadBalancer();
    // Act
    const first = await reconcile(adapter, lb);
    const second = await planFor(adapter, lb);
    // Assess
    expect(first.plan.changes.map((c) => c.action)).toEqual(Array(6).fill('create'));
    expect(first.status).toEqual({
      key: lb.key,
      addresses: [{ type: 'Hostname', value: `${fakeLbName(lb.key)}.fake.portico.test` }],
      programmed: true,
      listeners: [{ id: 'HTTP-80', programmed: true }],
    });
    expect(isEmptyPlan(second)).toBe(true);
    expect(Object.keys(cloudState(adapter)).sort()).toEqual(
      first.rendered.resources.map((r) => r.address).sort(),
    );
    expect(adapter.cloud.calls[0]).toBe('list');
    expect(adapter.cloud.calls.slice(1, 3)).toEqual([
      `create fake/load-balancer/${fakeLbName(lb.key)}`,
      `create fake/listener/${fakeLbName(lb.key)}/HTTP-80`,
    ]);
  });

  it('tags every resource it creates with its ownership', async () => {
    const adapter = createFakeAdapter();
    await reconcile(adapter, loadBalancer());
    for (const r of adapter.cloud.all())
      expect(r.tags).toEqual(
        ownershipTags({ cluster: 'prod', lbKey: 'prod/Gateway/shop/web', role: r.kind }),
      );
  });

  it('follows changes: endpoint churn is one pool update; a protocol change replaces create-first', async () => {
    const adapter = createFakeAdapter();
    await reconcile(adapter, loadBalancer());
    const churn = loadBalancer({
      pools: [pool('shop/api/80', 'HTTP', ['10.0.0.1', '10.0.0.2']), pool('shop/site/80')],
    });
    const calls = adapter.cloud.calls.length;
    const { plan } = await reconcile(adapter, churn);
    expect(
      plan.changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.kind, c.changedPaths]),
    ).toEqual([['update', 'pool', ['targets']]]);
    expect(adapter.cloud.calls.slice(calls + 1)).toHaveLength(1);

    const grpc = loadBalancer({ pools: [pool('shop/api/80', 'GRPC'), pool('shop/site/80')] });
    const replaced = await reconcile(adapter, grpc);
    expect(
      replaced.plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.kind}`),
    ).toEqual(['replace pool', 'update route']);
    expect(isEmptyPlan(await planFor(adapter, grpc))).toBe(true);
    cloudState(adapter);
  });

  it('replaces the load balancer delete-first with everything hanging off it', async () => {
    const adapter = createFakeAdapter();
    await reconcile(adapter, loadBalancer());
    const internal = loadBalancer({ scheme: 'internal' });
    const { plan } = await reconcile(adapter, internal);
    expect(plan.changes.filter((c) => c.action === 'replace').map((c) => c.kind)).toEqual([
      'load-balancer',
      'listener',
      'route',
      'route',
    ]);
    expect(isEmptyPlan(await planFor(adapter, internal))).toBe(true);
  });

  it('deletes everything it owns when the load balancer goes away', async () => {
    const adapter = createFakeAdapter();
    const lb = loadBalancer();
    await reconcile(adapter, lb);
    const observed = await adapter.observe(lb.key, { signal, desired: [] });
    const plan = planChanges([], observed.resources, adapter.diffSpec, { lbKey: lb.key });
    const status = await adapter.apply(plan, { signal });
    expect(adapter.cloud.all()).toEqual([]);
    expect(status.addresses).toEqual([]);
  });

  it('converges without duplicates after a failure at any step', async () => {
    const before = loadBalancer();
    const after = loadBalancer({
      scheme: 'internal',
      listeners: [
        {
          ...before.listeners[0]!,
          routes: [forwardRoute('site', 'shop/site/80'), forwardRoute('new', 'shop/new/80')],
        },
      ],
      pools: [pool('shop/new/80'), pool('shop/site/80', 'GRPC', ['10.0.0.9'])],
    });
    const dry = createFakeAdapter();
    await reconcile(dry, before);
    const total = executionSteps(await planFor(dry, after)).length;
    expect(total).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.nat(total - 1), fc.integer({ min: 1, max: 3 }), async (k, times) => {
        // Prepare
        const adapter = createFakeAdapter();
        await reconcile(adapter, before);
        adapter.cloud.injectFailure({ afterCalls: k, times });
        // Act: reconcile until it succeeds, as the queue would redeliver.
        let failures = 0;
        for (;;) {
          try {
            await reconcile(adapter, after);
            break;
          } catch (err) {
            expect(isRetryable(err)).toBe(true);
            failures++;
          }
        }
        // Every injected failure hit a reconcile that still had work to do.
        expect(failures).toBe(times);
        // Assess
        expect(isEmptyPlan(await planFor(adapter, after))).toBe(true);
        const rendered = adapter.render(after).resources;
        expect(cloudState(adapter)).toEqual(Object.fromEntries(rendered.map((r) => [r.address, r.value])));
      }),
      { numRuns: 60 },
    );
  });

  it('leaves unowned resources alone: a squatter is a conflict, a stranger is ignored', async () => {
    // Prepare
    const cloud = new FakeCloud();
    const lb = loadBalancer();
    const adapter = createFakeAdapter({ cloud });
    const squatted = adapter.render(lb).resources.find((r) => r.kind === 'pool')!;
    const squatter = cloud.seed({
      address: squatted.address,
      kind: 'pool',
      value: { ...squatted.value, port: 1 },
    });
    const stranger = cloud.seed({
      address: `fake/pool/${fakeLbName(lb.key)}/hand-made`,
      kind: 'pool',
      value: { protocol: 'TCP', port: 22, healthCheck: squatted.value as never, targets: [] },
      tags: { team: 'db' },
    });
    const otherCluster = cloud.seed({
      address: 'fake/load-balancer/someone-else',
      kind: 'load-balancer',
      value: { scheme: 'internal', sourceRanges: [] },
      tags: ownershipTags({ cluster: 'staging', lbKey: 'staging/Gateway/shop/web', role: 'load-balancer' }),
    });
    // Act
    const { plan, status } = await reconcile(adapter, lb);
    const again = await planFor(adapter, lb);
    // Assess
    // The squatted pool, and the route that would send traffic to it.
    const route = adapter
      .render(lb)
      .resources.find((r) => r.kind === 'route' && (r.value as FakeRoute).pools.includes(squatted.address))!;
    expect(plan.conflicts.map((c) => [c.address, c.blockedBy]).sort()).toEqual(
      [
        [squatted.address, undefined],
        [route.address, squatted.address],
      ].sort(),
    );
    expect(cloudState(adapter)).not.toHaveProperty([route.address]);
    expect(status.programmed).toBe(false);
    expect(status.errors).toEqual(plan.conflicts.map((c) => ({ address: c.address, message: c.reason })));
    for (const seeded of [squatter, stranger, otherCluster]) expect(cloud.get(seeded.id)).toEqual(seeded);
    expect(plan.changes.some((c) => c.id === squatter.id || c.id === stranger.id)).toBe(false);
    expect(isEmptyPlan(again)).toBe(true);
    expect(again.conflicts).toHaveLength(2);
  });

  it('refuses to touch a resource whose tags changed after the plan', async () => {
    const adapter = createFakeAdapter();
    const lb = loadBalancer();
    await reconcile(adapter, lb);
    const observed = await adapter.observe(lb.key, { signal, desired: [] });
    const plan = planChanges([], observed.resources, adapter.diffSpec, { lbKey: lb.key });
    // Someone strips the tags of a route between observe and apply.
    const victim = adapter.cloud.all().find((r) => r.kind === 'route')!;
    const copy = createFakeAdapter({ cloud: adapter.cloud });
    adapter.cloud.delete(victim.id);
    const impostor = adapter.cloud.seed({ address: victim.address, kind: victim.kind, value: victim.value });
    const tampered = {
      ...plan,
      changes: plan.changes.map((c) => (c.address === victim.address ? { ...c, id: impostor.id } : c)),
    };
    await expect(copy.apply(tampered, { signal })).rejects.toBeInstanceOf(NotOwnedError);
    expect(adapter.cloud.get(impostor.id)).toEqual(impostor);
  });

  it('stops at once when the signal fires', async () => {
    const adapter = createFakeAdapter();
    const lb = loadBalancer();
    const plan = await planFor(adapter, lb);
    const controller = new AbortController();
    controller.abort();
    await expect(adapter.apply(plan, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(adapter.observe(lb.key, { signal: controller.signal, desired: [] })).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it('the cloud enforces references and unique load balancer names', () => {
    const cloud = new FakeCloud();
    const listener = {
      address: 'fake/listener/x/HTTP-80',
      kind: 'listener' as const,
      value: { loadBalancer: 'fake/load-balancer/x', port: 80, protocol: 'HTTP' as const },
    };
    const lb = {
      address: 'fake/load-balancer/x',
      kind: 'load-balancer' as const,
      value: { scheme: 'internal' as const, sourceRanges: [] },
    };
    expect(() => cloud.create(listener, {})).toThrow(ConflictError);
    cloud.create(lb, {});
    expect(() => cloud.create(lb, {})).toThrow(ConflictError);
    cloud.create(listener, {});
    const lbId = cloud.all()[0]!.id;
    expect(() => cloud.delete(lbId)).toThrow(/in use/);
    cloud.delete('fake-9999');
    expect(cloud.calls.at(-1)).toBe('delete fake-9999');
  });

  it('reports unsupported features and leaves the offending route out whole', () => {
    const adapter = createFakeAdapter({ capabilities: { filters: ['RequestHeaderModifier'] } });
    const lb = loadBalancer();
    const withRewrite: ir.LoadBalancer = {
      ...lb,
      listeners: [
        {
          ...lb.listeners[0]!,
          routes: [
            forwardRoute('api', 'shop/api/80', {
              filters: [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/' } }],
            }),
            forwardRoute('site', 'shop/site/80'),
          ],
        },
      ],
    };
    const { resources, notices } = adapter.render(withRewrite);
    expect(notices).toEqual([
      expect.objectContaining({
        code: 'UnsupportedValue',
        feature: 'filter/URLRewrite',
        route: 'HTTPRoute/shop/api/rule/0/match/0',
        source: { kind: 'HTTPRoute', namespace: 'shop', name: 'api', rule: 0, match: 0 },
      }),
    ]);
    expect(resources.filter((r) => r.kind === 'route')).toHaveLength(1);
  });
});
