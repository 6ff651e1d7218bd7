// The Compute emulator through the real @google-cloud/compute client: the HTTP load-balancer chain
// (health check → NEG → backend service → URL map → target proxy → forwarding rule), operations that
// run PENDING → RUNNING → DONE, references, fingerprints, in-use deletes, pagination, TLS certificates.

import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../conformance/certificates.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from './index.js';
import {
  type ComputeClients,
  computeClients,
  done,
  insertHealthCheck,
  link,
  onEmulatorWithClients,
  PROJECT,
  REGION,
  rejection,
  succeeded,
  ZONE,
} from './test-clients.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
const project = PROJECT;

// NEG inserts stay running long enough for the "not ready meanwhile" check on a loaded machine.
onEmulatorWithClients(
  {
    operationDelayMs: 30,
    operationDelays: [{ pattern: /^networkEndpointGroups\.insert$/, ms: 1000 }],
  },
  (started) => {
    ({ emu, c } = started);
  },
);

/** health check → NEG → backend service → URL map → HTTP proxy → forwarding rule, all global. */
async function globalChain(): Promise<void> {
  await insertHealthCheck(c, {
    type: 'HTTP',
    httpHealthCheck: { portSpecification: 'USE_SERVING_PORT', requestPath: '/healthz' },
  });
  await succeeded(
    c,
    c.networkEndpointGroups.insert({
      project,
      zone: ZONE,
      networkEndpointGroupResource: { name: 'neg', networkEndpointType: 'GCE_VM_IP_PORT' },
    }),
  );
  await succeeded(
    c,
    c.backendServices.insert({
      project,
      backendServiceResource: {
        name: 'be',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTP',
        healthChecks: ['global/healthChecks/hc'],
        backends: [
          {
            group: `zones/${ZONE}/networkEndpointGroups/neg`,
            balancingMode: 'RATE',
            maxRatePerEndpoint: 100,
          },
        ],
      },
    }),
  );
  await succeeded(
    c,
    c.urlMaps.insert({
      project,
      urlMapResource: { name: 'um', defaultService: link('global/backendServices/be') },
    }),
  );
  await succeeded(
    c,
    c.targetHttpProxies.insert({
      project,
      targetHttpProxyResource: { name: 'tp', urlMap: 'global/urlMaps/um' },
    }),
  );
  await succeeded(
    c,
    c.globalForwardingRules.insert({
      project,
      forwardingRuleResource: {
        name: 'fr',
        target: 'global/targetHttpProxies/tp',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        portRange: '80',
      },
    }),
  );
}

describe('GCP Compute emulator: resources and operations', () => {
  it('builds the global HTTP chain; references come back as self links, defaults filled in', async () => {
    await globalChain();
    const [bs] = await c.backendServices.get({ project, backendService: 'be' });
    expect(bs.selfLink).toBe(link('global/backendServices/be'));
    expect(bs.healthChecks).toEqual([link('global/healthChecks/hc')]);
    expect(bs.backends?.[0]?.group).toBe(link(`zones/${ZONE}/networkEndpointGroups/neg`));
    expect(bs.timeoutSec).toBe(30);
    expect(bs.fingerprint).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const [fr] = await c.globalForwardingRules.get({ project, forwardingRule: 'fr' });
    expect(fr.portRange).toBe('80-80');
    expect(fr.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(fr.target).toBe(link('global/targetHttpProxies/tp'));
    const [hc] = await c.healthChecks.get({ project, healthCheck: 'hc' });
    expect([hc.checkIntervalSec, hc.timeoutSec, hc.httpHealthCheck?.port ?? undefined]).toEqual([
      5,
      5,
      undefined,
    ]);
  });

  it('operations read PENDING or RUNNING first, DONE after wait; the resource is not ready meanwhile', async () => {
    await succeeded(
      c,
      c.healthChecks.insert({
        project,
        healthCheckResource: { name: 'hc', type: 'TCP', tcpHealthCheck: { port: 8080 } },
      }),
    );
    const [lro] = await c.networkEndpointGroups.insert({
      project,
      zone: ZONE,
      networkEndpointGroupResource: { name: 'slow' },
    });
    const first = lro.latestResponse as unknown as { status: string; name: string; zone: string };
    expect(['PENDING', 'RUNNING']).toContain(first.status);
    expect(first.zone).toBe(link(`zones/${ZONE}`));
    // A backend service cannot use the NEG before its insert is DONE.
    const early = await rejection(
      c.backendServices.insert({
        project,
        backendServiceResource: {
          name: 'be',
          healthChecks: ['global/healthChecks/hc'],
          loadBalancingScheme: 'EXTERNAL_MANAGED',
          backends: [
            {
              group: `zones/${ZONE}/networkEndpointGroups/slow`,
              balancingMode: 'RATE',
              maxRatePerEndpoint: 1,
            },
          ],
        },
      }),
    );
    expect(early.status).toBe(400);
    expect(early.message).toContain('is not ready');
    const [op] = await c.zoneOperations.wait({ project, zone: ZONE, operation: first.name });
    expect(op.status).toBe('DONE');
    expect(op.progress).toBe(100);
    expect(op.targetLink).toBe(link(`zones/${ZONE}/networkEndpointGroups/slow`));
    const [got] = await c.zoneOperations.get({ project, zone: ZONE, operation: first.name });
    expect(got.status).toBe('DONE');
  });

  it('waits on regional operations, and regional resources reference their own region only', async () => {
    const op = await succeeded(
      c,
      c.regionHealthChecks.insert({
        project,
        region: REGION,
        healthCheckResource: { name: 'rhc', type: 'HTTP' },
      }),
    );
    expect(op.region).toBe(link(`regions/${REGION}`));
    await succeeded(
      c,
      c.networkEndpointGroups.insert({ project, zone: ZONE, networkEndpointGroupResource: { name: 'neg' } }),
    );
    const other = await rejection(
      c.regionBackendServices.insert({
        project,
        region: 'us-east1',
        backendServiceResource: {
          name: 'be',
          loadBalancingScheme: 'INTERNAL_MANAGED',
          healthChecks: [`regions/${REGION}/healthChecks/rhc`],
        },
      }),
    );
    expect(other.status).toBe(400);
    expect(other.message).toContain('is not in a scope regions/us-east1 can use');
    await succeeded(
      c,
      c.regionBackendServices.insert({
        project,
        region: REGION,
        backendServiceResource: {
          name: 'be',
          loadBalancingScheme: 'INTERNAL_MANAGED',
          healthChecks: [`regions/${REGION}/healthChecks/rhc`],
          backends: [
            {
              group: `zones/${ZONE}/networkEndpointGroups/neg`,
              balancingMode: 'RATE',
              maxRatePerEndpoint: 5,
            },
          ],
        },
      }),
    );
    await succeeded(
      c,
      c.regionUrlMaps.insert({
        project,
        region: REGION,
        urlMapResource: { name: 'um', defaultService: `regions/${REGION}/backendServices/be` },
      }),
    );
    const [um] = await c.regionUrlMaps.get({ project, region: REGION, urlMap: 'um' });
    expect(um.region).toBe(link(`regions/${REGION}`));
    expect(um.defaultService).toBe(link(`regions/${REGION}/backendServices/be`));
  });

  it('rejects bad names (400), existing names (409), missing references and resources (404)', async () => {
    const bad = await rejection(
      c.healthChecks.insert({ project, healthCheckResource: { name: 'Bad_Name', type: 'TCP' } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.message).toContain("Invalid value for field 'resource.name'");
    const long = await rejection(
      c.healthChecks.insert({ project, healthCheckResource: { name: `a${'b'.repeat(63)}`, type: 'TCP' } }),
    );
    expect(long.status).toBe(400);
    await succeeded(c, c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'TCP' } }));
    const again = await rejection(
      c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'TCP' } }),
    );
    expect(again).toMatchObject({
      status: 409,
      message: `The resource 'projects/${project}/global/healthChecks/hc' already exists`,
    });
    const missing = await rejection(
      c.urlMaps.insert({
        project,
        urlMapResource: { name: 'um', defaultService: 'global/backendServices/nope' },
      }),
    );
    expect(missing).toMatchObject({
      status: 404,
      message: `The resource 'projects/${project}/global/backendServices/nope' was not found`,
    });
    const wrongKind = await rejection(
      c.urlMaps.insert({ project, urlMapResource: { name: 'um', defaultService: 'global/healthChecks/hc' } }),
    );
    expect(wrongKind.status).toBe(400);
    expect((await rejection(c.urlMaps.get({ project, urlMap: 'nope' }))).status).toBe(404);
  });

  it('updates need the current fingerprint: missing is 400, stale is 412; a fresh one succeeds', async () => {
    await globalChain();
    const [um] = await c.urlMaps.get({ project, urlMap: 'um' });
    const body = {
      name: 'um',
      defaultService: um.defaultService,
      hostRules: [{ hosts: ['a.example.com'], pathMatcher: 'pm' }],
      pathMatchers: [{ name: 'pm', defaultService: um.defaultService }],
    };
    expect((await rejection(c.urlMaps.update({ project, urlMap: 'um', urlMapResource: body }))).status).toBe(
      400,
    );
    await succeeded(
      c,
      c.urlMaps.update({ project, urlMap: 'um', urlMapResource: { ...body, fingerprint: um.fingerprint } }),
    );
    const stale = await rejection(
      c.urlMaps.update({ project, urlMap: 'um', urlMapResource: { ...body, fingerprint: um.fingerprint } }),
    );
    expect(stale.status).toBe(412);
    const [fresh] = await c.urlMaps.get({ project, urlMap: 'um' });
    expect(fresh.fingerprint).not.toBe(um.fingerprint);
    expect(fresh.hostRules?.[0]?.hosts).toEqual(['a.example.com']);
    expect(fresh.id).toBe(um.id);
    // PATCH merges: only the fields sent change.
    await succeeded(
      c,
      c.backendServices.patch({
        project,
        backendService: 'be',
        backendServiceResource: {
          timeoutSec: 90,
          fingerprint: (await c.backendServices.get({ project, backendService: 'be' }))[0].fingerprint,
        },
      }),
    );
    const [bs] = await c.backendServices.get({ project, backendService: 'be' });
    expect([bs.timeoutSec, bs.healthChecks?.length]).toEqual([90, 1]);
  });

  it('refuses to delete what another resource uses, and deletes in reverse order', async () => {
    await globalChain();
    const inUse = await rejection(c.urlMaps.delete({ project, urlMap: 'um' }));
    expect(inUse.status).toBe(400);
    expect(inUse.message).toBe(
      `The url_map resource 'projects/${project}/global/urlMaps/um' is already being used by 'projects/${project}/global/targetHttpProxies/tp'`,
    );
    expect((await rejection(c.healthChecks.delete({ project, healthCheck: 'hc' }))).message).toContain(
      'backendServices/be',
    );
    await succeeded(c, c.globalForwardingRules.delete({ project, forwardingRule: 'fr' }));
    await succeeded(c, c.targetHttpProxies.delete({ project, targetHttpProxy: 'tp' }));
    await succeeded(c, c.urlMaps.delete({ project, urlMap: 'um' }));
    await succeeded(c, c.backendServices.delete({ project, backendService: 'be' }));
    await succeeded(c, c.networkEndpointGroups.delete({ project, zone: ZONE, networkEndpointGroup: 'neg' }));
    await succeeded(c, c.healthChecks.delete({ project, healthCheck: 'hc' }));
    expect(emu.service.store.inProject(project)).toEqual([]);
  });

  it('lists in pages of maxResults; list() follows the page tokens', async () => {
    for (let i = 0; i < 7; i++)
      await succeeded(
        c,
        c.healthChecks.insert({ project, healthCheckResource: { name: `hc-${i}`, type: 'TCP' } }),
      );
    emu.resetStats();
    const [items] = await c.healthChecks.list({ project, maxResults: 3 });
    expect(items.map((h) => h.name)).toEqual(['hc-0', 'hc-1', 'hc-2', 'hc-3', 'hc-4', 'hc-5', 'hc-6']);
    expect(emu.stats().byMethod['healthChecks.list']).toBe(3);
    const [firstPage, , raw] = await c.healthChecks.list({ project, maxResults: 3 }, { autoPaginate: false });
    expect(firstPage).toHaveLength(3);
    expect(raw?.nextPageToken).toBeTruthy();
    expect((await rejection(c.healthChecks.list({ project, maxResults: 501 }))).status).toBe(400);
  });

  it('an operation can end in error: the change is undone and the caller sees the error', async () => {
    emu.failNextOperation({
      pattern: '^healthChecks\\.insert$',
      code: 'QUOTA_EXCEEDED',
      message: 'Quota exceeded (injected)',
    });
    const op = await done(
      c,
      c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'TCP' } }),
    );
    expect(op.error?.errors?.[0]).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: 'Quota exceeded (injected)',
    });
    expect((await rejection(c.healthChecks.get({ project, healthCheck: 'hc' }))).status).toBe(404);
    await expect(
      succeeded(c, c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'TCP' } })),
    ).resolves.toBeDefined();
  });

  it('enforces project quotas per collection with quotaExceeded', async () => {
    const small = await startGcpComputeEmulator({ quotas: { healthChecks: 1 }, operationDelayMs: 0 });
    const sc = await computeClients(small);
    try {
      await succeeded(
        sc,
        sc.healthChecks.insert({ project, healthCheckResource: { name: 'one', type: 'TCP' } }),
      );
      const over = await rejection(
        sc.healthChecks.insert({ project, healthCheckResource: { name: 'two', type: 'TCP' } }),
      );
      expect(over.status).toBe(403);
      expect(over.message).toContain("Quota 'HEALTH_CHECKS' exceeded.  Limit: 1.0 globally.");
    } finally {
      await sc.close();
      await small.close();
    }
  });

  it('SSL certificates: parsed, key checked, never returned; HTTPS proxies take up to 15; addresses show their users', async () => {
    const pair = selfSignedCertificate(['shop.example.com', 'www.example.com']);
    await succeeded(
      c,
      c.sslCertificates.insert({
        project,
        sslCertificateResource: { name: 'cert', certificate: pair.certPem, privateKey: pair.keyPem },
      }),
    );
    const [cert] = await c.sslCertificates.get({ project, sslCertificate: 'cert' });
    expect(cert.subjectAlternativeNames).toEqual(['shop.example.com', 'www.example.com']);
    expect(cert.privateKey ?? undefined).toBeUndefined();
    expect(Date.parse(cert.expireTime!)).toBeGreaterThan(Date.now());
    const other = selfSignedCertificate(['other.example.com']);
    const mismatch = await rejection(
      c.sslCertificates.insert({
        project,
        sslCertificateResource: { name: 'bad', certificate: pair.certPem, privateKey: other.keyPem },
      }),
    );
    expect(mismatch.message).toContain('does not match');

    await globalChain();
    const tooMany = await rejection(
      c.targetHttpsProxies.insert({
        project,
        targetHttpsProxyResource: {
          name: 'tps',
          urlMap: 'global/urlMaps/um',
          sslCertificates: Array.from({ length: 16 }, () => 'global/sslCertificates/cert'),
        },
      }),
    );
    expect(tooMany.message).toContain('at most 15 SSL certificates');
    await succeeded(
      c,
      c.targetHttpsProxies.insert({
        project,
        targetHttpsProxyResource: {
          name: 'tps',
          urlMap: 'global/urlMaps/um',
          sslCertificates: ['global/sslCertificates/cert'],
        },
      }),
    );
    await succeeded(c, c.globalAddresses.insert({ project, addressResource: { name: 'ip' } }));
    await succeeded(
      c,
      c.globalForwardingRules.insert({
        project,
        forwardingRuleResource: {
          name: 'fs',
          target: 'global/targetHttpsProxies/tps',
          loadBalancingScheme: 'EXTERNAL_MANAGED',
          IPAddress: 'global/addresses/ip',
        },
      }),
    );
    const [ip] = await c.globalAddresses.get({ project, address: 'ip' });
    expect(ip.status).toBe('IN_USE');
    expect(ip.users).toEqual([link('global/forwardingRules/fs')]);
    const [fs] = await c.globalForwardingRules.get({ project, forwardingRule: 'fs' });
    expect([fs.IPAddress, fs.portRange]).toEqual([ip.address, '443-443']);
    expect((await rejection(c.sslCertificates.delete({ project, sslCertificate: 'cert' }))).status).toBe(400);
    expect((await rejection(c.globalAddresses.delete({ project, address: 'ip' }))).status).toBe(400);
    // setUrlMap (no /global/ in its path) swaps the URL map without a fingerprint.
    await succeeded(
      c,
      c.urlMaps.insert({
        project,
        urlMapResource: { name: 'um2', defaultUrlRedirect: { httpsRedirect: true } },
      }),
    );
    await succeeded(
      c,
      c.targetHttpsProxies.setUrlMap({
        project,
        targetHttpsProxy: 'tps',
        urlMapReferenceResource: { urlMap: 'global/urlMaps/um2' },
      }),
    );
    expect((await c.targetHttpsProxies.get({ project, targetHttpsProxy: 'tps' }))[0].urlMap).toBe(
      link('global/urlMaps/um2'),
    );
  });

  it('a forwarding rule must match the scheme of the backend services behind its proxy', async () => {
    await globalChain();
    const wrong = await rejection(
      c.globalForwardingRules.insert({
        project,
        forwardingRuleResource: { name: 'classic', target: 'global/targetHttpProxies/tp' },
      }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.message).toContain("'EXTERNAL' does not match the EXTERNAL_MANAGED backend services");
  });
});
