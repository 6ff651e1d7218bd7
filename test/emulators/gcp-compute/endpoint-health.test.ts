// backendServices.getHealth and listNetworkEndpoints' health through the real @google-cloud/compute
// client: `instant` health (every attached endpoint HEALTHY) and `simulated` health on the test's clock
// (probes start when the NEG becomes a backend; UNKNOWN → HEALTHY → UNHEALTHY; DRAINING after a detach
// for the service's connection draining), and the errors GCP gives for a group that is not a backend.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GcpComputeEmulator, startGcpComputeEmulator } from './index.js';
import {
  type ComputeClients,
  computeClients,
  insertHealthCheck,
  PROJECT as project,
  rejection,
  succeeded,
  ZONE,
} from './test-clients.js';

const NEG = `zones/${ZONE}/networkEndpointGroups/neg`;
let now = Date.parse('2030-01-01T00:00:00Z');
const advance = (seconds: number) => {
  now += seconds * 1000;
};
const emulators: GcpComputeEmulator[] = [];
const clients: ComputeClients[] = [];

/** An emulator with a health check (interval 5 s, 2 to healthy, 3 to unhealthy), a NEG with two endpoints and a service. */
async function setUp(healthChecks: 'instant' | 'simulated', backends: boolean) {
  const emu = await startGcpComputeEmulator({ operationDelayMs: 0, healthChecks, now: () => now });
  const c = await computeClients(emu);
  emulators.push(emu);
  clients.push(c);
  await insertHealthCheck(c, {
    type: 'HTTP',
    checkIntervalSec: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  });
  await succeeded(
    c,
    c.networkEndpointGroups.insert({
      project,
      zone: ZONE,
      networkEndpointGroupResource: { name: 'neg', defaultPort: 8080 },
    }),
  );
  await succeeded(
    c,
    c.networkEndpointGroups.attachNetworkEndpoints({
      project,
      zone: ZONE,
      networkEndpointGroup: 'neg',
      networkEndpointGroupsAttachEndpointsRequestResource: {
        networkEndpoints: [{ ipAddress: '10.0.0.1' }, { ipAddress: '10.0.0.2', port: 9090 }],
      },
    }),
  );
  await succeeded(
    c,
    c.backendServices.insert({
      project,
      backendServiceResource: {
        name: 'be',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        healthChecks: ['global/healthChecks/hc'],
        connectionDraining: { drainingTimeoutSec: 10 },
        backends: backends ? [{ group: NEG, balancingMode: 'RATE', maxRatePerEndpoint: 100 }] : [],
      },
    }),
  );
  const getHealth = async () =>
    (
      await c.backendServices.getHealth({
        project,
        backendService: 'be',
        resourceGroupReferenceResource: { group: NEG },
      })
    )[0].healthStatus?.map((h) => `${h.ipAddress}:${h.port} ${h.healthState}`) ?? [];
  return { emu, c, getHealth };
}

afterAll(async () => {
  for (const c of clients) await c.close();
  for (const e of emulators) await e.close();
});

describe('endpoint health', () => {
  let instant: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    instant = await setUp('instant', true);
  }, 60_000);

  it('is HEALTHY at once by default, in getHealth and in listNetworkEndpoints', async () => {
    expect(await instant.getHealth()).toEqual(['10.0.0.1:8080 HEALTHY', '10.0.0.2:9090 HEALTHY']);
    const listed = [];
    for await (const e of instant.c.networkEndpointGroups.listNetworkEndpointsAsync(
      {
        project,
        zone: ZONE,
        networkEndpointGroup: 'neg',
        networkEndpointGroupsListEndpointsRequestResource: { healthStatus: 'SHOW' },
      },
      { autoPaginate: false },
    ))
      listed.push(e.healths?.map((h) => h.healthState));
    expect(listed).toEqual([['HEALTHY'], ['HEALTHY']]);
  });

  it('simulated: a group that is not a backend is an error; probes start when it becomes one, then follow the thresholds', async () => {
    const sim = await setUp('simulated', false);
    // Not a backend yet: GCP answers 400 (and 404 for a NEG that does not exist).
    const notBackend = await rejection(
      sim.c.backendServices.getHealth({
        project,
        backendService: 'be',
        resourceGroupReferenceResource: { group: NEG },
      }),
    );
    expect(notBackend).toMatchObject({ status: 400 });
    expect(notBackend.message).toContain('is not a backend of');
    const missing = await rejection(
      sim.c.backendServices.getHealth({
        project,
        backendService: 'be',
        resourceGroupReferenceResource: { group: `zones/${ZONE}/networkEndpointGroups/nope` },
      }),
    );
    expect(missing).toMatchObject({ status: 404 });
    advance(600);
    // Now the NEG becomes a backend: its endpoints, attached long ago, are probed from here on.
    const [service] = await sim.c.backendServices.get({ project, backendService: 'be' });
    await succeeded(
      sim.c,
      sim.c.backendServices.patch({
        project,
        backendService: 'be',
        backendServiceResource: {
          backends: [{ group: NEG, balancingMode: 'RATE', maxRatePerEndpoint: 100 }],
          fingerprint: service.fingerprint,
        },
      }),
    );
    expect(await sim.getHealth()).toEqual(['10.0.0.1:8080 UNKNOWN', '10.0.0.2:9090 UNKNOWN']);
    advance(5);
    expect(await sim.getHealth()).toEqual(['10.0.0.1:8080 UNKNOWN', '10.0.0.2:9090 UNKNOWN']);
    advance(5);
    expect(await sim.getHealth()).toEqual(['10.0.0.1:8080 HEALTHY', '10.0.0.2:9090 HEALTHY']);

    sim.emu.service.failHealthChecks('10.0.0.2');
    advance(10);
    expect(await sim.getHealth()).toEqual(['10.0.0.1:8080 HEALTHY', '10.0.0.2:9090 HEALTHY']);
    advance(5);
    expect(await sim.getHealth()).toEqual(['10.0.0.1:8080 HEALTHY', '10.0.0.2:9090 UNHEALTHY']);

    await succeeded(
      sim.c,
      sim.c.networkEndpointGroups.detachNetworkEndpoints({
        project,
        zone: ZONE,
        networkEndpointGroup: 'neg',
        networkEndpointGroupsDetachEndpointsRequestResource: {
          networkEndpoints: [{ ipAddress: '10.0.0.1', port: 8080 }],
        },
      }),
    );
    advance(9);
    expect(await sim.getHealth()).toEqual(['10.0.0.2:9090 UNHEALTHY', '10.0.0.1:8080 DRAINING']);
    advance(1);
    expect(await sim.getHealth()).toEqual(['10.0.0.2:9090 UNHEALTHY']);
  });
});
