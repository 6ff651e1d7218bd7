// Client certificate validation (Gateway spec.tls.frontend) and backend TLS (BackendTLSPolicy) on the
// GCP adapter end to end: translate() → render → observe → plan → apply with the real
// @google-cloud/compute client and google-auth-library's REST transport (Certificate Manager,
// Network Security) against the emulator over sockets. Trust configs, ServerTlsPolicies and
// BackendAuthenticationConfigs are created before what refers to them, changed in place, detached
// before they are deleted, and never touched when Portico does not own them.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import { loadComputeLibrary } from '#adapters/gcp-compute/internal/clients.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { certificateAuthority } from '#test/conformance/certificates.js';
import {
  emulatorClientOptions,
  type GcpComputeEmulator,
  loadCompute,
  startGcpComputeEmulator,
} from '#test/emulators/gcp-compute/index.js';
import { adapterOn, PROJECT, TLS_CAS, tlsGatewayLb } from './fixtures.js';

let emu: GcpComputeEmulator;
let adapter: GcpComputeAdapter;
const GLOBAL = `projects/${PROJECT}/locations/global`;
const { clientCa, backendCa } = TLS_CAS;

const KEY = tlsGatewayLb({}).key;
const reconcile = (lb: ir.LoadBalancer | undefined) =>
  reconcileLoadBalancer<GcpKinds>({ key: KEY, lb, adapter, signal: AbortSignal.timeout(30_000) });

/** The Certificate Manager and Network Security resources in the emulator, by collection. */
type Listed = Record<string, unknown>[];
async function locations(): Promise<{
  trustConfigs: Listed;
  serverTlsPolicies: Listed;
  backendAuthenticationConfigs: Listed;
}> {
  const base = `http://127.0.0.1:${emu.port}/v1/${GLOBAL}`;
  const list = async (c: string) =>
    ((await (await fetch(`${base}/${c}`)).json()) as Record<string, Listed>)[c] ?? [];
  return {
    trustConfigs: await list('trustConfigs'),
    serverTlsPolicies: await list('serverTlsPolicies'),
    backendAuthenticationConfigs: await list('backendAuthenticationConfigs'),
  };
}

const mutations = () =>
  Object.fromEntries(
    Object.entries(emu.stats().byMethod).filter(
      ([m]) => !/\.(get|list|aggregatedList|wait|listNetworkEndpoints)$/.test(m),
    ),
  );

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 1 });
  await loadComputeLibrary();
  adapter = adapterOn(emu);
}, 60_000);

afterAll(async () => {
  await adapter?.close();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('gcp-compute: client certificate validation', () => {
  it('puts a ServerTlsPolicy with the CA trust config on the HTTPS proxy, and is steady afterwards', async () => {
    const out = await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    expect(out.status.programmed).toBe(true);
    const { trustConfigs, serverTlsPolicies } = await locations();
    expect(trustConfigs).toHaveLength(1);
    const anchors = (trustConfigs[0]!.trustStores as { trustAnchors: { pemCertificate: string }[] }[])[0]!
      .trustAnchors;
    expect(anchors.map((a) => a.pemCertificate.trim())).toEqual([clientCa.certPem.trim()]);
    expect(serverTlsPolicies).toHaveLength(1);
    expect(serverTlsPolicies[0]!.mtlsPolicy).toEqual({
      clientValidationMode: 'REJECT_INVALID',
      clientValidationTrustConfig: trustConfigs[0]!.name,
    });
    const proxies = emu.service.store
      .inProject(PROJECT)
      .filter((e) => e.ref.collection === 'targetHttpsProxies');
    expect(proxies.map((p) => p.value.serverTlsPolicy)).toEqual([serverTlsPolicies[0]!.name]);
    // Observed as rendered: a second reconcile changes nothing.
    emu.resetStats();
    const again = await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    expect(again.status.programmed).toBe(true);
    expect(mutations()).toEqual({});
  });

  it('maps AllowInsecureFallback to ALLOW_INVALID_OR_MISSING_CLIENT_CERT, patching the policy in place', async () => {
    await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    emu.resetStats();
    await reconcile(tlsGatewayLb({ frontend: 'AllowInsecureFallback' }));
    expect(mutations()).toEqual({ 'serverTlsPolicies.patch': 1 });
    const { serverTlsPolicies } = await locations();
    expect((serverTlsPolicies[0]!.mtlsPolicy as Record<string, unknown>).clientValidationMode).toBe(
      'ALLOW_INVALID_OR_MISSING_CLIENT_CERT',
    );
  });

  it('rotates the CA in place: the trust config is patched, nothing is recreated', async () => {
    await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    const rotated = certificateAuthority();
    emu.resetStats();
    await reconcile(
      tlsGatewayLb({ frontend: 'AllowValidOnly', clientCaPem: `${clientCa.certPem}${rotated.certPem}` }),
    );
    expect(mutations()).toEqual({ 'trustConfigs.patch': 1 });
    const { trustConfigs } = await locations();
    const anchors = (trustConfigs[0]!.trustStores as { trustAnchors: unknown[] }[])[0]!.trustAnchors;
    expect(anchors).toHaveLength(2);
  });

  it('turning validation off detaches the policy from the proxy before deleting it and its trust config', async () => {
    await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    emu.resetStats();
    const out = await reconcile(tlsGatewayLb({}));
    expect(out.status.programmed).toBe(true);
    const order = emu.calls.map((c) => c.method).filter((m) => /\.(patch|delete)$/.test(m));
    expect(order).toEqual(['targetHttpsProxies.patch', 'serverTlsPolicies.delete', 'trustConfigs.delete']);
    expect(await locations()).toEqual({
      trustConfigs: [],
      serverTlsPolicies: [],
      backendAuthenticationConfigs: [],
    });
    const proxy = emu.service.store.inProject(PROJECT).find((e) => e.ref.collection === 'targetHttpsProxies');
    expect(proxy?.value.serverTlsPolicy).toBeUndefined();
  });

  it('a CA certificate Certificate Manager would refuse (over 5 kB) leaves the listener out with a notice', async () => {
    const huge = `-----BEGIN CERTIFICATE-----\n${'QUJD'.repeat(1500)}\n-----END CERTIFICATE-----\n`;
    const out = await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly', clientCaPem: huge }));
    const notice = out.notices.find((n) => n.feature === 'listener/client-validation');
    expect(notice?.severity).toBe('error');
    expect(notice?.message).toMatch(/larger than Certificate Manager's 5120 bytes/);
    // Served unchecked it would admit clients it should refuse: no HTTPS proxy, no trust config.
    const collections = emu.service.store.inProject(PROJECT).map((e) => e.ref.collection);
    expect(collections).not.toContain('targetHttpsProxies');
    expect(collections).toContain('targetHttpProxies');
    expect((await locations()).trustConfigs).toEqual([]);
    expect(emu.stats().byMethod['trustConfigs.create']).toBeUndefined();
  });
});

describe('gcp-compute: backend TLS (BackendTLSPolicy)', () => {
  it('verifies backends: tlsSettings, a BackendAuthenticationConfig per pool, the CA trust config or the public roots', async () => {
    const out = await reconcile(tlsGatewayLb({ backendTls: true }));
    expect(out.status.programmed).toBe(true);
    const { trustConfigs, backendAuthenticationConfigs } = await locations();
    expect(trustConfigs).toHaveLength(1);
    const byRoots = Object.fromEntries(
      backendAuthenticationConfigs.map((c) => [String(c.wellKnownRoots), c]),
    );
    expect(byRoots.NONE?.trustConfig).toBe(trustConfigs[0]!.name);
    expect(byRoots.PUBLIC_ROOTS?.trustConfig).toBeUndefined();
    const services = emu.service.store
      .inProject(PROJECT)
      .filter((e) => e.ref.collection === 'backendServices' && e.value.tlsSettings !== undefined)
      .map((e) => ({ protocol: e.value.protocol, tls: e.value.tlsSettings }));
    expect(services).toHaveLength(2);
    expect(services).toContainEqual({
      protocol: 'HTTPS',
      tls: {
        sni: 'api.internal',
        subjectAltNames: [{ dnsName: 'api.shop.svc' }],
        authenticationConfig: byRoots.NONE!.name,
      },
    });
    expect(services).toContainEqual({
      protocol: 'HTTPS',
      tls: { sni: 'app.example.com', authenticationConfig: byRoots.PUBLIC_ROOTS!.name },
    });
    emu.resetStats();
    await reconcile(tlsGatewayLb({ backendTls: true }));
    expect(mutations()).toEqual({});
  });

  it('a policy moving from a CA bundle to the system roots patches the authentication config, then drops the trust config', async () => {
    await reconcile(tlsGatewayLb({ backendTls: true }));
    emu.resetStats();
    await reconcile(tlsGatewayLb({ backendTls: true, apiSystemTrust: true }));
    expect(mutations()).toEqual({ 'backendAuthenticationConfigs.patch': 1, 'trustConfigs.delete': 1 });
    const { trustConfigs, backendAuthenticationConfigs } = await locations();
    expect(trustConfigs).toEqual([]);
    expect(backendAuthenticationConfigs.map((c) => [c.wellKnownRoots, c.trustConfig])).toEqual([
      ['PUBLIC_ROOTS', undefined],
      ['PUBLIC_ROOTS', undefined],
    ]);
  });

  it('deleting the load balancer removes everything, children first, and leaves what Portico does not own', async () => {
    // Someone else's trust config in the project.
    const foreign = await fetch(
      `http://127.0.0.1:${emu.port}/v1/${GLOBAL}/trustConfigs?trustConfigId=someone-elses`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ trustStores: [{ trustAnchors: [{ pemCertificate: backendCa.certPem }] }] }),
      },
    );
    expect(foreign.status).toBe(200);
    await reconcile(tlsGatewayLb({ backendTls: true, frontend: 'AllowValidOnly' }));
    emu.resetStats();
    await reconcile(undefined);
    expect(emu.service.store.inProject(PROJECT)).toEqual([]);
    // The emulator refuses to delete what is still referenced: no refusal means children went first.
    expect(emu.calls.filter((c) => c.status !== 200)).toEqual([]);
    const deletes = emu.calls.map((c) => c.method).filter((m) => m.endsWith('.delete'));
    expect(deletes.indexOf('serverTlsPolicies.delete')).toBeGreaterThan(
      deletes.indexOf('targetHttpsProxies.delete'),
    );
    expect(deletes.lastIndexOf('trustConfigs.delete')).toBe(deletes.length - 1);
    const left = await locations();
    expect(left.trustConfigs.map((t) => t.name)).toEqual([`${GLOBAL}/trustConfigs/someone-elses`]);
    expect(left.serverTlsPolicies).toEqual([]);
    expect(left.backendAuthenticationConfigs).toEqual([]);
  });

  it('a project where Certificate Manager, Network Security and Network Services are not enabled still deletes its load balancers', async () => {
    await reconcile(tlsGatewayLb({}));
    const disabled = (api: string) => ({
      status: 403,
      reason: 'forbidden',
      message: `${api} API has not been used in project 1234 before or it is disabled. Enable it and retry.`,
    });
    emu.failNext({ pattern: '^trustConfigs\\.list$', ...disabled('Certificate Manager') });
    emu.failNext({ pattern: '^serverTlsPolicies\\.list$', ...disabled('Network Security') });
    emu.failNext({ pattern: '^backendAuthenticationConfigs\\.list$', ...disabled('Network Security') });
    emu.failNext({
      pattern: '^networkservices\\.serviceLbPolicies\\.list$',
      ...disabled('Network Services'),
    });
    const out = await reconcile(undefined);
    expect(out.status.errors ?? []).toEqual([]);
    expect(emu.service.store.inProject(PROJECT)).toEqual([]);
    expect(emu.calls.filter((c) => c.status === 403).map((c) => c.method)).toEqual([
      'trustConfigs.list',
      'serverTlsPolicies.list',
      'backendAuthenticationConfigs.list',
      'networkservices.serviceLbPolicies.list',
    ]);
  });

  it('never adopts a trust config of the same name that Portico does not own', async () => {
    const lb = tlsGatewayLb({ backendTls: true });
    const rendered = adapter.render(lb).resources.find((r) => r.kind === 'trust-config')!;
    const taken = await fetch(
      `http://127.0.0.1:${emu.port}/v1/${GLOBAL}/trustConfigs?trustConfigId=${rendered.value.name}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          description: 'not portico',
          trustStores: [{ trustAnchors: [{ pemCertificate: clientCa.certPem }] }],
        }),
      },
    );
    expect(taken.status).toBe(200);
    const out = await reconcile(lb);
    expect(out.status.programmed).toBe(false);
    const { trustConfigs } = await locations();
    expect(trustConfigs.find((t) => String(t.name).endsWith(rendered.value.name))?.description).toBe(
      'not portico',
    );
  });
});

describe('the emulator refuses what the real APIs refuse', () => {
  const post = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${emu.port}/v1/${GLOBAL}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('deleting a trust config in use fails with FAILED_PRECONDITION', async () => {
    await reconcile(tlsGatewayLb({ frontend: 'AllowValidOnly' }));
    const { trustConfigs } = await locations();
    const res = await fetch(`http://127.0.0.1:${emu.port}/v1/${String(trustConfigs[0]!.name)}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
  });

  it('refuses malformed trust anchors, a second trust store, unknown fields and bad ids', async () => {
    const bad = [
      await post('trustConfigs?trustConfigId=x1', {
        trustStores: [{ trustAnchors: [{ pemCertificate: 'junk' }] }],
      }),
      await post('trustConfigs?trustConfigId=x2', {
        trustStores: [
          {
            trustAnchors: [
              {
                pemCertificate: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(6000)}\n-----END CERTIFICATE-----\n`,
              },
            ],
          },
        ],
      }),
      await post('trustConfigs?trustConfigId=x3', { trustStores: [{}, {}] }),
      await post('trustConfigs?trustConfigId=x4', { surprise: true }),
      await post('trustConfigs?trustConfigId=Bad_Id', {}),
      await post('serverTlsPolicies?serverTlsPolicyId=p1', {
        mtlsPolicy: { clientValidationMode: 'REJECT_INVALID' },
      }),
      await post('backendAuthenticationConfigs?backendAuthenticationConfigId=b1', {
        trustConfig: `${GLOBAL}/trustConfigs/missing`,
      }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(await locations()).toEqual({
      trustConfigs: [],
      serverTlsPolicies: [],
      backendAuthenticationConfigs: [],
    });
  });

  it('a backend service cannot refer to a BackendAuthenticationConfig that does not exist', async () => {
    const { v1 } = await loadCompute();
    const services = new v1.BackendServicesClient(await emulatorClientOptions(emu));
    try {
      await expect(
        services.insert({
          project: PROJECT,
          backendServiceResource: {
            name: 'bs',
            loadBalancingScheme: 'EXTERNAL_MANAGED',
            protocol: 'HTTPS',
            tlsSettings: {
              sni: 'a.example',
              authenticationConfig: `${GLOBAL}/backendAuthenticationConfigs/none`,
            },
          },
        }),
      ).rejects.toThrow(/not found/);
    } finally {
      await services.close();
    }
  });
});
