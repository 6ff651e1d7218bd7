// PreferClose on GCP, end to end: translate() of a Gateway whose `app` Service has
// `trafficDistribution: PreferClose` → render → apply, the Compute calls through the real
// @google-cloud/compute client and the Network Services ServiceLbPolicy through google-auth-library's
// client (adapters/gcp-compute/internal/google-rest.ts), both against the emulator, which keeps a policy from
// being deleted while a backend service names it and only lets a backend service name one that exists.

import { PassThroughClient } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { PREFER_CLOSE_MAX_RATE } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { adapterOn, gcpLbOf, inventory, manifests, onComputeEmulator, PROJECT } from './fixtures.js';

const gcp = onComputeEmulator();
const { reconcile } = gcp;

/** The fixture Gateway; `app` prefers close endpoints when asked. */
function lb(preferClose: boolean, gcpCompute: Record<string, unknown> = {}): ir.LoadBalancer {
  const objects = manifests({ gcpCompute }).map((o) => {
    const obj = o as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    return preferClose && obj.kind === 'Service' && obj.metadata.name === 'app'
      ? { ...obj, spec: { ...obj.spec, trafficDistribution: 'PreferClose' } }
      : obj;
  });
  return gcpLbOf(objects);
}

const policies = () => [...gcp.emu.networkServices.policies.values()];

function appService() {
  const s = gcp.emu.service.store
    .inProject(PROJECT)
    .find((e) => e.ref.collection === 'backendServices' && e.ref.name.includes('app'));
  if (!s) throw new Error('no app backend service');
  return s.value as { serviceLbPolicy?: string; backends: { maxRatePerEndpoint: number }[] };
}

/** Mutating calls in order, by method. */
const mutations = () =>
  gcp.emu.calls
    .map((c) => c.method)
    .filter((m) => /\.(create|patch|delete|insert|update)$/.test(m) && !m.endsWith('operations.get'));

describe('gcp-compute PreferClose on the emulator', () => {
  it('gives the pool a WATERFALL_BY_ZONE policy, converges, and removes it after the backend service lets go', {
    timeout: 60_000,
  }, async () => {
    const first = await reconcile(lb(true));
    expect(first.result.status.programmed).toBe(true);
    expect(first.result.notices.filter((n) => n.feature?.includes('topology'))).toEqual([]);
    expect(policies()).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(`^projects/${PROJECT}/locations/global/serviceLbPolicies/k8s-app-80-`),
        loadBalancingAlgorithm: 'WATERFALL_BY_ZONE',
        description: expect.stringContaining('"portico.dev/lb-key":"it/Gateway/shop/web"'),
      }),
    ]);
    const policyName = String(policies()[0]!.name);
    expect(appService().serviceLbPolicy).toBe(`//networkservices.googleapis.com/${policyName}`);
    expect(appService().backends.map((b) => b.maxRatePerEndpoint)).toEqual([
      PREFER_CLOSE_MAX_RATE,
      PREFER_CLOSE_MAX_RATE,
    ]);
    // (The emulator refuses a backend service naming a policy that does not exist yet: the policy came first.)

    const again = await reconcile(lb(true));
    expect(again.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(again.stats.mutating).toBe(0);

    // PreferClose removed: the backend service drops the policy first, then the policy goes.
    await reconcile(lb(false));
    expect(mutations()).toEqual(['backendServices.update', 'networkservices.serviceLbPolicies.delete']);
    expect(policies()).toEqual([]);
    expect(appService().serviceLbPolicy).toBeUndefined();
    expect(appService().backends.map((b) => b.maxRatePerEndpoint)).toEqual([1, 1]);
  });

  it('retries Network Services calls that are rate limited or fail with 5xx, and stops on a 400', {
    timeout: 60_000,
  }, async () => {
    gcp.emu.failNext({
      pattern: '^networkservices\\.serviceLbPolicies\\.create$',
      status: 429,
      reason: 'rateLimitExceeded',
    });
    gcp.emu.failNext({
      pattern: '^networkservices\\.operations\\.get$',
      status: 503,
      reason: 'backendError',
    });
    const r = await reconcile(lb(true));
    expect(r.result.status.programmed).toBe(true);
    expect(r.stats.byMethod['networkservices.serviceLbPolicies.create']).toBe(2);
    expect(policies()).toHaveLength(1);

    gcp.emu.reset();
    gcp.emu.failNext({
      pattern: '^networkservices\\.serviceLbPolicies\\.create$',
      status: 400,
      reason: 'invalid',
    });
    await expect(reconcile(lb(true))).rejects.toThrow(/service-lb-policy create .*: HTTP 400/);
    expect(gcp.emu.stats().byMethod['networkservices.serviceLbPolicies.create']).toBe(1);
  });

  it('deletes the policy with the load balancer, found by its marker', { timeout: 60_000 }, async () => {
    await reconcile(lb(true));
    expect(policies()).toHaveLength(1);
    const gone = await reconcile(lb(true), { delete: true });
    expect(gone.result.status.programmed).toBe(true);
    expect(policies()).toEqual([]);
    expect(inventory(gcp.emu)).toEqual({});
    expect(gone.stats.byMethod['networkservices.serviceLbPolicies.list']).toBe(1);
  });

  it('never touches a policy it does not own, and reports a regional load balancer instead of a policy', {
    timeout: 60_000,
  }, async () => {
    // Someone else's policy by the name render gives.
    const desired = lb(true);
    const name = (await adapterOn(gcp.emu).render(desired)).resources.find(
      (r) => r.kind === 'service-lb-policy',
    )!.value.name;
    const rest = new PassThroughClient();
    await rest.request({
      url: `http://127.0.0.1:${gcp.emu.port}/v1/projects/${PROJECT}/locations/global/serviceLbPolicies?serviceLbPolicyId=${name}`,
      method: 'POST',
      data: { description: 'team-b', loadBalancingAlgorithm: 'SPRAY_TO_WORLD' },
    });
    await new Promise((r) => setTimeout(r, 20));
    const conflict = await reconcile(desired);
    expect(conflict.result.status.programmed).toBe(false);
    expect(conflict.result.plan.conflicts.map((c) => c.address)).toContain(
      `gcp-compute/service-lb-policy/${name}`,
    );
    expect(policies()).toEqual([
      expect.objectContaining({ description: 'team-b', loadBalancingAlgorithm: 'SPRAY_TO_WORLD' }),
    ]);
    expect(conflict.stats.byMethod['networkservices.serviceLbPolicies.patch']).toBeUndefined();
    expect(conflict.stats.byMethod['networkservices.serviceLbPolicies.delete']).toBeUndefined();

    gcp.emu.reset();
    const regional = await reconcile(lb(true, { location: 'europe-west1' }));
    const notice = regional.result.notices.find((n) => n.feature === 'pool/topology/PreferClose');
    expect(notice?.severity).toBe('warning');
    expect(notice?.message).toContain('service load balancing policies apply to global load balancers only');
    expect(regional.result.status.programmed).toBe(true);
    expect(policies()).toEqual([]);
  });
});
