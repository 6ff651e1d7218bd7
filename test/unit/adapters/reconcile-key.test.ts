import { describe, expect, it } from 'vitest';
import { createFakeAdapter, type FakeAdapter } from '#adapters/fake/adapter.js';
import { DeleteUnconfirmedError, type ReconcileKeyInput, reconcileKey } from '#adapters/reconcile-key.js';
import { isRetryable } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from './ir-fixture.js';

const signal = new AbortController().signal;

/** Two providers, each a fake on its own cloud. */
function twoProviders() {
  const haproxy = createFakeAdapter();
  const elbv2 = createFakeAdapter();
  const adapters = { haproxy, 'aws-elbv2': elbv2 };
  const run = (lb: ir.LoadBalancer | undefined, extra: Partial<ReconcileKeyInput> = {}) =>
    reconcileKey({ key: KEY, lb, adapters, allowDeletes: true, signal, ...extra });
  return { haproxy, elbv2, run };
}

const KEY = loadBalancer().key;
const addresses = (a: FakeAdapter) => a.cloud.all().map((r) => r.address);
const deletes = (a: FakeAdapter, from = 0) => a.cloud.calls.slice(from).filter((c) => c.startsWith('delete'));

describe('adapters: reconcileKey', () => {
  it('programs the load balancer on its provider and reports its programmed state', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    const result = await run(loadBalancer());
    expect(result).toMatchObject({ outcome: 'reconciled', provider: 'haproxy', deletesWithheld: 0 });
    if (result.outcome !== 'reconciled') throw new Error(result.outcome);
    expect(result.state.programmed).toBe(true);
    expect(result.plans.map((p) => p.provider)).toEqual(['haproxy', 'aws-elbv2']);
    expect(addresses(haproxy).length).toBeGreaterThan(0);
    expect(elbv2.cloud.all()).toEqual([]);
  });

  it('removes a load balancer from the provider it moved away from', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    await run(loadBalancer());
    const onHaproxy = addresses(haproxy);
    const moved = await run(loadBalancer({ provider: 'aws-elbv2' }));
    expect(moved).toMatchObject({ outcome: 'reconciled', provider: 'aws-elbv2' });
    expect(haproxy.cloud.all()).toEqual([]);
    expect(addresses(elbv2).sort()).toEqual(onHaproxy.sort());
  });

  it('deletes a load balancer that should no longer exist from every provider', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    await run(loadBalancer());
    await run(loadBalancer({ key: 'prod/Gateway/shop/other', provider: 'aws-elbv2' }), {
      key: 'prod/Gateway/shop/other',
    });
    const result = await run(undefined);
    expect(result.outcome).toBe('deleted');
    expect(haproxy.cloud.all()).toEqual([]);
    expect(elbv2.cloud.all().length).toBeGreaterThan(0); // another key's: untouched
  });

  it('fails a delete whose observe is incomplete, deletes nothing, and finishes on a complete one', async () => {
    const { haproxy, run } = twoProviders();
    await run(loadBalancer());
    const before = haproxy.cloud.all();
    haproxy.cloud.failObserves(1);
    const calls = haproxy.cloud.calls.length;
    const failed = run(undefined);
    await expect(failed).rejects.toThrow(DeleteUnconfirmedError);
    await expect(failed).rejects.toThrow(/could not confirm the deletes on haproxy/);
    expect(isRetryable(await failed.catch((e: unknown) => e))).toBe(true);
    expect(deletes(haproxy, calls)).toEqual([]);
    expect(haproxy.cloud.all()).toEqual(before);

    expect((await run(undefined)).outcome).toBe('deleted');
    expect(haproxy.cloud.all()).toEqual([]);
  });

  it('fails a move whose old provider cannot be read in full, after programming the new one', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    await run(loadBalancer());
    haproxy.cloud.failObserves(1);
    await expect(run(loadBalancer({ provider: 'aws-elbv2' }))).rejects.toThrow(DeleteUnconfirmedError);
    expect(elbv2.cloud.all().length).toBeGreaterThan(0);
    expect(haproxy.cloud.all().length).toBeGreaterThan(0);
    await run(loadBalancer({ provider: 'aws-elbv2' }));
    expect(haproxy.cloud.all()).toEqual([]);
  });

  it('fails an update whose observe is incomplete and had to withhold deletes, after the rest', async () => {
    const { haproxy, run } = twoProviders();
    await run(loadBalancer());
    // The api route and its pool go, the site route changes: the observe reads every resource but
    // cannot vouch for its picture.
    const smaller = loadBalancer({ pools: [pool('shop/site/80', 'HTTP', ['10.0.0.9'])] });
    smaller.listeners[0]!.routes = [forwardRoute('site', 'shop/site/80')];
    haproxy.cloud.failObserves(1, () => true);
    const calls = haproxy.cloud.calls.length;
    await expect(run(smaller)).rejects.toThrow(DeleteUnconfirmedError);
    expect(deletes(haproxy, calls)).toEqual([]);
    expect(haproxy.cloud.calls.slice(calls).filter((c) => c.startsWith('update')).length).toBeGreaterThan(0);

    const done = await run(smaller);
    expect(done).toMatchObject({ outcome: 'reconciled', deletesWithheld: 0 });
    expect(deletes(haproxy, calls).length).toBeGreaterThan(0);
    expect(addresses(haproxy).some((a) => a.includes('api'))).toBe(false);
  });

  it('succeeds with an incomplete observe that had nothing to withhold', async () => {
    const { haproxy, run } = twoProviders();
    await run(loadBalancer());
    haproxy.cloud.failObserves(1, () => true);
    expect(await run(loadBalancer())).toMatchObject({ outcome: 'reconciled', deletesWithheld: 0 });
  });

  it('withholds deletes without failing while deletes are not allowed (incomplete snapshot)', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    await run(loadBalancer());
    const before = haproxy.cloud.all();
    expect(await run(undefined, { allowDeletes: false })).toEqual({ outcome: 'left-alone', key: KEY });
    const moved = await run(loadBalancer({ provider: 'aws-elbv2' }), { allowDeletes: false });
    expect(moved).toMatchObject({ outcome: 'reconciled', deletesWithheld: 0 });
    expect(haproxy.cloud.all()).toEqual(before); // not removed from the old provider yet
    expect(elbv2.cloud.all().length).toBeGreaterThan(0);
    const smaller = loadBalancer({ provider: 'aws-elbv2', pools: [pool('shop/api/80')] });
    smaller.listeners[0]!.routes = [forwardRoute('api', 'shop/api/80')];
    const withheld = await run(smaller, { allowDeletes: false });
    expect(withheld).toMatchObject({ outcome: 'reconciled' });
    expect(withheld.outcome === 'reconciled' && withheld.deletesWithheld).toBeGreaterThan(0);
  });

  it('leaves a held key alone, and reports a provider that has no adapter here', async () => {
    const { haproxy, elbv2, run } = twoProviders();
    await run(loadBalancer());
    const calls = [haproxy.cloud.calls.length, elbv2.cloud.calls.length];
    expect(await run(undefined, { heldReason: 'invalid listener' })).toEqual({
      outcome: 'held',
      key: KEY,
      reason: 'invalid listener',
    });
    const unavailable = await run(loadBalancer({ provider: 'gcp-compute' }));
    expect(unavailable).toMatchObject({
      outcome: 'provider-unavailable',
      provider: 'gcp-compute',
      state: { programmed: false, message: 'provider gcp-compute is not available here' },
    });
    expect([haproxy.cloud.calls.length, elbv2.cloud.calls.length]).toEqual(calls);
  });
});
