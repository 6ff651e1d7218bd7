// IPv6 NEG endpoints through the real @google-cloud/compute client: a dual-stack pod is one endpoint
// with ipAddress and ipv6Address, an IPv6-only one has ipv6Address (and, when it names its instance,
// the VM's primary IP filled in as GCP documents); malformed addresses are refused; the backend
// service's ipAddressSelectionPolicy decides which address health checks probe.

import { beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeEmulator } from './index.js';
import {
  type ComputeClients,
  insertHealthCheck,
  onEmulatorWithClients,
  PROJECT,
  rejection,
  succeeded,
  ZONE,
} from './test-clients.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
let clock = 0;
const project = PROJECT;
const neg = { project, zone: ZONE, networkEndpointGroup: 'neg' };
const negLink = `zones/${ZONE}/networkEndpointGroups/neg`;

onEmulatorWithClients({ operationDelayMs: 1, healthChecks: 'simulated', now: () => clock }, (started) => {
  ({ emu, c } = started);
});
beforeEach(async () => {
  clock = 0;
  await succeeded(
    c,
    c.networkEndpointGroups.insert({
      project,
      zone: ZONE,
      networkEndpointGroupResource: { name: 'neg', networkEndpointType: 'GCE_VM_IP_PORT' },
    }),
  );
});

const attach = (networkEndpoints: object[]) =>
  c.networkEndpointGroups.attachNetworkEndpoints({
    ...neg,
    networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints },
  });
const detach = (networkEndpoints: object[]) =>
  c.networkEndpointGroups.detachNetworkEndpoints({
    ...neg,
    networkEndpointGroupsDetachEndpointsRequestResource: { networkEndpoints },
  });
async function listed(): Promise<string[]> {
  const [items] = await c.networkEndpointGroups.listNetworkEndpoints(neg);
  return items.map((i) => {
    const e = i.networkEndpoint!;
    return `${e.instance ?? '-'} ${e.ipAddress ?? '-'} ${e.ipv6Address ?? '-'} ${e.port}`;
  });
}

describe('GCP Compute emulator: IPv6 NEG endpoints', () => {
  it('stores a dual-stack endpoint as one, an IPv6-only one with the VM primary IP filled in, in canonical form', async () => {
    await succeeded(
      c,
      attach([
        { instance: 'node-a', ipAddress: '10.4.0.1', ipv6Address: 'FD00:0:0:0::1', port: 8080 },
        { instance: 'node-b', ipv6Address: 'fd00::2', port: 8080 },
        { ipv6Address: 'fd00::3', port: 8080 },
      ]),
    );
    const [primary] = (await listed()).filter((l) => l.startsWith('node-b')).map((l) => l.split(' ')[1]);
    expect(primary).toMatch(/^10\.128\.\d+\.\d+$/);
    expect(await listed()).toEqual([
      'node-a 10.4.0.1 fd00::1 8080',
      `node-b ${primary} fd00::2 8080`,
      '- - fd00::3 8080',
    ]);
    // Detached as attached: GCP fills the primary IP in again, so the same endpoint is found.
    await succeeded(c, detach([{ instance: 'node-b', ipv6Address: 'fd00::2', port: 8080 }]));
    expect(await listed()).toEqual(['node-a 10.4.0.1 fd00::1 8080', '- - fd00::3 8080']);
    // The same IPv6 address with another IPv4 address is another endpoint.
    await succeeded(
      c,
      attach([{ instance: 'node-a', ipAddress: '10.4.0.9', ipv6Address: 'fd00::1', port: 8080 }]),
    );
    expect(await listed()).toHaveLength(3);
    expect((await rejection(attach([{ ipv6Address: 'fd00::3', port: 8080 }]))).message).toContain(
      'is already attached',
    );
  });

  it('refuses malformed addresses and endpoints with no address at all, naming the field', async () => {
    const cases: [object, string][] = [
      [{ ipv6Address: 'fd00::zz', port: 80 }, "'fd00::zz' is not an IPv6 address"],
      [{ ipv6Address: 'fe80::1%eth0', port: 80 }, "'fe80::1%eth0' is not an IPv6 address"],
      [{ ipv6Address: '::ffff:10.0.0.1', port: 80 }, "'::ffff:10.0.0.1' is not an IPv6 address"],
      [{ ipv6Address: '10.0.0.1', port: 80 }, "'10.0.0.1' is not an IPv6 address"],
      [{ ipAddress: 'fd00::1', port: 80 }, "'fd00::1' is not an IPv4 address"],
      [{ ipAddress: '010.0.0.1', port: 80 }, "'010.0.0.1' is not an IPv4 address"],
      [{ port: 80 }, 'an endpoint needs an ipAddress, an ipv6Address or an instance'],
    ];
    for (const [endpoint, message] of cases) {
      const e = await rejection(attach([endpoint]));
      expect(e.status).toBe(400);
      expect(e.message).toContain(message);
      expect(e.message).toContain('networkEndpoints[0].');
    }
    expect(await listed()).toEqual([]);
  });

  it('probes the IPv6 address of endpoints behind an IPV6_ONLY service, and refuses the policy on a passthrough scheme', async () => {
    await insertHealthCheck(c, { type: 'HTTP', checkIntervalSec: 1, timeoutSec: 1, healthyThreshold: 1 });
    await succeeded(
      c,
      c.backendServices.insert({
        project,
        backendServiceResource: {
          name: 'be',
          loadBalancingScheme: 'EXTERNAL_MANAGED',
          ipAddressSelectionPolicy: 'IPV6_ONLY',
          healthChecks: ['global/healthChecks/hc'],
          backends: [{ group: negLink, balancingMode: 'RATE', maxRatePerEndpoint: 1 }],
        },
      }),
    );
    await succeeded(
      c,
      attach([
        { instance: 'node-a', ipAddress: '10.4.0.1', ipv6Address: 'fd00::1', port: 8080 },
        { instance: 'node-b', ipv6Address: 'fd00::2', port: 8080 },
      ]),
    );
    emu.service.failHealthChecks('fd00::1');
    // The IPv4 address of the dual-stack endpoint is not what is probed.
    emu.service.failHealthChecks('10.4.0.9');
    clock = 5_000;
    const [health] = await c.backendServices.getHealth({
      project,
      backendService: 'be',
      resourceGroupReferenceResource: { group: negLink },
    });
    expect(health.healthStatus?.map((h) => `${h.ipv6Address} ${h.healthState}`).sort()).toEqual([
      'fd00::1 UNHEALTHY',
      'fd00::2 HEALTHY',
    ]);
    expect(health.healthStatus?.find((h) => h.ipv6Address === 'fd00::1')?.ipAddress).toBe('10.4.0.1');

    const regional = await rejection(
      c.regionBackendServices.insert({
        project,
        region: 'europe-west1',
        backendServiceResource: {
          name: 'nlb',
          loadBalancingScheme: 'EXTERNAL',
          protocol: 'TCP',
          ipAddressSelectionPolicy: 'IPV6_ONLY',
        },
      }),
    );
    expect(regional.message).toContain('IPV6_ONLY needs a proxy-based load balancing scheme');
  });
});
