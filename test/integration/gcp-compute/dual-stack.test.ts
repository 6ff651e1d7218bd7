// Dual-stack on GCP, end to end: translate() → render → apply with the real @google-cloud/compute client
// against the emulator, which takes `ipVersion: IPV6` on global EXTERNAL_MANAGED forwarding rules only
// and checks the address family.

import { describe, expect, it } from 'vitest';
import type * as ir from '#core/ir/load-balancer.js';
import { computeClients } from '#test/emulators/gcp-compute/test-clients.js';
import { gcpLbOf, manifests, onComputeEmulator, PROJECT, ZONES } from './fixtures.js';

const gcp = onComputeEmulator();
const { reconcile } = gcp;

/** The fixture Gateway with LoadBalancerParameters `ipFamilies` (and more gcpCompute fields). */
function lb(ipFamilies: ('IPv4' | 'IPv6')[], gcpCompute: Record<string, unknown> = {}): ir.LoadBalancer {
  const [parameters, ...rest] = manifests() as [{ spec: Record<string, unknown> }, ...unknown[]];
  const spec = {
    ...parameters.spec,
    ipFamilies,
    gcpCompute: { project: PROJECT, negZones: ZONES, ...gcpCompute },
  };
  return gcpLbOf([{ ...parameters, spec }, ...rest]);
}

/** ipVersion and address of every global forwarding rule, IPv4 first. */
async function globalRules(): Promise<{ ipVersion: string; family: number }[]> {
  const c = await computeClients(gcp.emu);
  try {
    const [rules] = await c.globalForwardingRules.list({ project: PROJECT });
    return rules
      .map((r) => ({ ipVersion: String(r.ipVersion), family: r.IPAddress?.includes(':') ? 6 : 4 }))
      .sort((a, b) => a.family - b.family);
  } finally {
    await c.close();
  }
}

const inserts = (s: { byMethod: Record<string, number> }) =>
  Object.entries(s.byMethod).filter(([m]) => m.endsWith('.insert'));

describe('gcp-compute dual-stack on the emulator', () => {
  it('serves a dual-stack global external Application LB with an IPV6 forwarding rule beside the IPv4 one', {
    timeout: 60_000,
  }, async () => {
    const first = await reconcile(lb(['IPv4', 'IPv6']));
    expect(first.result.notices.filter((n) => n.feature?.includes('ip-family'))).toEqual([]);
    expect(first.result.status.programmed).toBe(true);
    expect(await globalRules()).toEqual([
      { ipVersion: 'IPV4', family: 4 },
      { ipVersion: 'IPV6', family: 6 },
    ]);
    // Both addresses are the load balancer's.
    expect(first.result.status.addresses.map((a) => (a.value.includes(':') ? 6 : 4)).sort()).toEqual([4, 6]);

    const again = await reconcile(lb(['IPv4', 'IPv6']));
    expect(again.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(again.stats.mutating).toBe(0);
  });

  it('serves an IPv6-only load balancer with the IPv6 rule only, and adds the IPv4 rule alone for dual-stack', {
    timeout: 60_000,
  }, async () => {
    await reconcile(lb(['IPv6']));
    expect(await globalRules()).toEqual([{ ipVersion: 'IPV6', family: 6 }]);
    expect((await reconcile(lb(['IPv6']))).stats.mutating).toBe(0);

    const both = await reconcile(lb(['IPv6', 'IPv4']));
    expect(inserts(both.stats)).toEqual([['globalForwardingRules.insert', 1]]);
    expect((await globalRules()).map((r) => r.ipVersion)).toEqual(['IPV4', 'IPV6']);
  });

  it('serves a regional dual-stack load balancer on IPv4 and says why; refuses a regional IPv6-only one', {
    timeout: 60_000,
  }, async () => {
    const regional = { location: 'europe-west1' };
    const dual = await reconcile(lb(['IPv4', 'IPv6'], regional));
    const notice = dual.result.notices.find((n) => n.feature === 'load-balancer/ip-family/IPv6');
    expect(notice?.severity).toBe('warning');
    expect(notice?.message).toMatch(/global external Application LB only/);
    expect(dual.result.status.programmed).toBe(true);
    expect(dual.result.status.addresses.every((a) => !a.value.includes(':'))).toBe(true);

    const v6only = await reconcile(lb(['IPv6'], regional));
    expect(v6only.result.notices.find((n) => n.feature === 'load-balancer/ip-family/IPv6')?.severity).toBe(
      'error',
    );
    expect(v6only.result.status.addresses).toEqual([]);
  });
});
