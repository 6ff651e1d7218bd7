// IPv6 NEG endpoints, end to end: translate() of a Gateway whose `app` Service is dual-stack or
// IPv6-only (one EndpointSlice per family, pods named by targetRef) → render → apply with the real
// @google-cloud/compute client against the emulator, which checks the addresses and fills in the VM
// primary IP of an IPv6-only endpoint that names its node, as GCP does.

import { describe, expect, it } from 'vitest';
import { gcpLbOf, manifests, onComputeEmulator, PROJECT, ZONES } from './fixtures.js';

const gcp = onComputeEmulator();
const { reconcile } = gcp;

interface Pod {
  name: string;
  v4?: string;
  v6?: string;
  zone: string;
}

const PODS: Pod[] = [
  { name: 'app-1', v4: '10.0.1.1', v6: 'fd00::1:1', zone: ZONES[0]! },
  { name: 'app-2', v4: '10.0.1.2', v6: 'fd00::1:2', zone: ZONES[1]! },
];

/** The `app` Service (port 80 → 8080) with one EndpointSlice per family its pods have. */
function appService(pods: Pod[], ipFamilies: ('IPv4' | 'IPv6')[]): unknown[] {
  const slice = (family: 'IPv4' | 'IPv6') => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `app-${family.toLowerCase()}`,
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': 'app' },
    },
    addressType: family,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: pods.flatMap((p) => {
      const address = family === 'IPv4' ? p.v4 : p.v6;
      return address
        ? [
            {
              addresses: [address],
              zone: p.zone,
              nodeName: `node-${p.zone.slice(-1)}`,
              targetRef: { kind: 'Pod', namespace: 'shop', name: p.name },
              conditions: { ready: true },
            },
          ]
        : [];
    }),
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: 'shop' },
      spec: {
        ipFamilies,
        ipFamilyPolicy: ipFamilies.length > 1 ? 'RequireDualStack' : 'SingleStack',
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    },
    ...ipFamilies.map(slice),
  ];
}

/** The fixture Gateway with its `app` Service replaced; `lbFamilies` are the load balancer's own. */
function lb(pods: Pod[], serviceFamilies: ('IPv4' | 'IPv6')[], lbFamilies?: ('IPv4' | 'IPv6')[]) {
  const objects = manifests().filter((o) => {
    const m = (o as { kind: string; metadata: { name: string } }).metadata;
    return m.name !== 'app' && m.name !== 'app-abc';
  }) as [{ spec: Record<string, unknown> }, ...unknown[]];
  const [parameters, ...rest] = objects;
  const withFamilies = lbFamilies
    ? { ...parameters, spec: { ...parameters.spec, ipFamilies: lbFamilies } }
    : parameters;
  return gcpLbOf([withFamilies, ...rest, ...appService(pods, serviceFamilies)]);
}

/** Every endpoint of the `app` NEGs as the emulator holds it: `instance ipAddress ipv6Address port`. */
function appEndpoints(): string[] {
  const out: string[] = [];
  for (const e of gcp.emu.service.store.inProject(PROJECT))
    if (e.ref.collection === 'networkEndpointGroups' && e.ref.name.includes('app'))
      for (const ep of gcp.emu.service.endpoints.of(e.value.selfLink as string).values())
        out.push(`${ep.instance ?? '-'} ${ep.ipAddress ?? '-'} ${ep.ipv6Address ?? '-'} ${ep.port}`);
  return out.sort();
}

/** The `app` backend service's ipAddressSelectionPolicy (absent = IPv4). */
function appSelection(): unknown {
  const service = gcp.emu.service.store
    .inProject(PROJECT)
    .find((e) => e.ref.collection === 'backendServices' && e.ref.name.includes('app'));
  if (!service) throw new Error('no app backend service');
  return service.value.ipAddressSelectionPolicy;
}

const mutations = (s: { byMethod: Record<string, number> }) =>
  Object.fromEntries(
    Object.entries(s.byMethod).filter(([m]) => !/\.(get|list\w*|wait|aggregatedList)$/.test(m)),
  );

describe('gcp-compute IPv6 NEG endpoints on the emulator', () => {
  it('registers each dual-stack pod once with both addresses; IPv4 stays the family the proxies use', {
    timeout: 60_000,
  }, async () => {
    const first = await reconcile(lb(PODS, ['IPv4', 'IPv6']));
    expect(first.result.status.programmed).toBe(true);
    expect(first.result.notices.filter((n) => n.feature?.startsWith('neg/'))).toEqual([]);
    expect(appEndpoints()).toEqual(['node-b 10.0.1.1 fd00::1:1 8080', 'node-c 10.0.1.2 fd00::1:2 8080']);
    expect(appSelection()).toBeUndefined();
    expect((await reconcile(lb(PODS, ['IPv4', 'IPv6']))).stats.mutating).toBe(0);

    // An IPv6-first load balancer prefers the pods' IPv6 addresses: one backend service update.
    const v6First = await reconcile(lb(PODS, ['IPv4', 'IPv6'], ['IPv6', 'IPv4']));
    expect(appSelection()).toBe('PREFER_IPV6');
    expect(mutations(v6First.stats)).toMatchObject({ 'backendServices.update': 1 });
    expect(mutations(v6First.stats)['networkEndpointGroups.attachNetworkEndpoints']).toBeUndefined();
  });

  it('registers IPv6-only pods by their IPv6 address (IPV6_ONLY), keeps them on a no-op, and pairs them when the Service becomes dual-stack', {
    timeout: 60_000,
  }, async () => {
    const v6Pods = PODS.map(({ v4: _v4, ...p }) => p);
    const first = await reconcile(lb(v6Pods, ['IPv6']));
    expect(first.result.status.programmed).toBe(true);
    expect(first.result.notices.filter((n) => n.feature?.startsWith('neg/'))).toEqual([]);
    expect(appSelection()).toBe('IPV6_ONLY');
    // GCP filled in the nodes' primary IPs; Portico named none.
    const endpoints = appEndpoints();
    expect(endpoints.map((e) => e.split(' ')[2])).toEqual(['fd00::1:1', 'fd00::1:2']);
    expect(endpoints.every((e) => /^node-[bc] 10\.128\./.test(e))).toBe(true);

    // The filled-in IPv4 address is not a difference: nothing to do.
    const again = await reconcile(lb(v6Pods, ['IPv6']));
    expect(again.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(again.stats.mutating).toBe(0);

    // Readiness reads the pods by the addresses their endpoints carry.
    const health = await again.adapter.targetHealth!(lb(v6Pods, ['IPv6']), {
      signal: new AbortController().signal,
    });
    expect(
      health.targets.filter((t) => t.pool === 'shop/app/80/http').map((t) => `${t.address} ${t.state}`),
    ).toEqual(['fd00::1:1 healthy', 'fd00::1:2 healthy']);

    const dual = await reconcile(lb(PODS, ['IPv6', 'IPv4']));
    expect(appEndpoints()).toEqual(['node-b 10.0.1.1 fd00::1:1 8080', 'node-c 10.0.1.2 fd00::1:2 8080']);
    expect(mutations(dual.stats)).toEqual({
      'networkEndpointGroups.attachNetworkEndpoints': 2,
      'networkEndpointGroups.detachNetworkEndpoints': 2,
      'backendServices.update': 1,
    });
    expect(appSelection()).toBeUndefined();
  });

  it('leaves IPv6-only pods out, with a warning, when the pool also has IPv4-only pods', {
    timeout: 60_000,
  }, async () => {
    const mixed: Pod[] = [
      { name: 'app-1', v4: '10.0.1.1', zone: ZONES[0]! },
      { name: 'app-2', v6: 'fd00::1:2', zone: ZONES[1]! },
    ];
    const r = await reconcile(lb(mixed, ['IPv4', 'IPv6']));
    const warning = r.result.notices.find((n) => n.feature === 'neg/ipv6');
    expect(warning?.severity).toBe('warning');
    expect(warning?.message).toContain('1 IPv6 endpoint(s) of pods without an IPv4 endpoint left out');
    expect(appEndpoints()).toEqual(['node-b 10.0.1.1 - 8080']);
    expect(appSelection()).toBeUndefined();
  });
});
