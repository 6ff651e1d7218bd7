// infra/gcp/portico-role.yaml is the minimal role, proven against what the adapter does: the adapter
// runs global, regional and passthrough load balancers through their lifecycles on the Compute
// emulator (TLS rotation, certificate maps, labels, a security policy, buckets, routes and endpoints
// changing, resync's listing, deletes), every method the emulator counted is mapped to its IAM
// permission, and the role must allow each one and allow no Compute method that was never called
// (`use` / `useReadOnly` on referenced resources aside: the caller needs them, no method is theirs).
// Certificate Manager trust configs and Network Security policies (client certificates, backend TLS)
// are held to the same rule.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from '#test/emulators/gcp-compute/index.js';
import { selfSignedCertificate } from '../../conformance/certificates.js';
import {
  adapterOn,
  bucketGatewayLb,
  type FixtureOptions,
  gatewayLb,
  inventory,
  passthroughLb,
  REGION,
  TLS_CAS,
  tlsGatewayLb,
} from './fixtures.js';

const ROLE = new URL('../../../infra/gcp/portico-role.yaml', import.meta.url);

/**
 * The IAM permission of a Compute method as the emulator names it (`urlMaps.insert`): insert is
 * create, patch is update, aggregatedList is list, an operation's wait is its get; every other
 * method (get, list, delete, update, set*, attach/detach/listNetworkEndpoints) has its own name.
 */
function permissionOf(method: string): string {
  // Network Services methods are named `networkservices.<collection>.<verb>` already.
  const api = method.startsWith('networkservices.') ? 'networkservices' : 'compute';
  const [collection, verb] = method.replace(/^networkservices\./, '').split('.') as [string, string];
  // Certificate Manager and Network Security (REST): create, get, list, update (patch), delete.
  const other = LOCATION_PERMISSIONS[collection];
  if (other) return `${other}.${verb === 'patch' ? 'update' : verb}`;
  const action =
    { insert: 'create', patch: 'update', aggregatedList: 'list' }[verb] ??
    (collection.endsWith('Operations') && verb === 'wait' ? 'get' : verb);
  return `${api}.${collection}.${action}`;
}

/** The IAM collection of each Certificate Manager and Network Security collection the emulator counts. */
const LOCATION_PERMISSIONS: Record<string, string> = {
  trustConfigs: 'certificatemanager.trustconfigs',
  serverTlsPolicies: 'networksecurity.serverTlsPolicies',
  backendAuthenticationConfigs: 'networksecurity.backendAuthenticationConfigs',
  // Both APIs' operations share the emulator's path; the adapter polls them for each.
  locationOperations: 'certificatemanager.operations',
};

/** Permissions no method of the adapter's stands for: its resources' references need them. */
const REFERENCE_ONLY = /\.(use|useReadOnly)$/;

let emu: GcpComputeEmulator;
let a: GcpComputeAdapter;
const called = new Set<string>();

beforeAll(async () => {
  // operations finish after 2 ms: each mutation's operation is waited on
  emu = await startGcpComputeEmulator({ operationDelayMs: 2 });
  a = adapterOn(emu);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await emu?.close();
});

async function converge(lb: ir.LoadBalancer | undefined, key = lb?.key) {
  emu.resetStats();
  const out = await reconcileLoadBalancer<GcpKinds>({
    key: key!,
    lb,
    adapter: a,
    signal: new AbortController().signal,
  });
  for (const m of Object.keys(emu.stats().byMethod)) called.add(m);
  expect(out.plan.conflicts).toEqual([]);
  expect(out.status.programmed, JSON.stringify(out.status)).toBe(true);
}

/** One Gateway through everything its parameters and routes can change, then deleted. */
async function lifecycle(base: FixtureOptions) {
  const pem = (hosts: string[]) => {
    const c = selfSignedCertificate(hosts);
    return { cert: c.certPem, key: c.keyPem };
  };
  const [one, two] = [pem(['shop.example.com']), pem(['shop.example.com', 'www.shop.example.com'])];
  const lb = (o: FixtureOptions, bucket = false, cdn?: Record<string, unknown>) =>
    bucket ? bucketGatewayLb(true, { ...base, ...o, ...(cdn ? { cdn } : {}) }) : gatewayLb({ ...base, ...o });
  const key = lb({}).key;
  await converge(lb({ tls: one }));
  await converge(lb({ tls: two, extraRoute: true }));
  await converge(lb({ tls: two, endpoints: { app: ['10.0.1.9'], api: ['10.0.2.9'] } }));
  // a health check and the backend services change in place (a path; a NEG zone fewer)
  await converge(lb({ tls: two, healthCheckPath: '/ready', zones: ['europe-west1-b'] }));
  const labelled = { ...base.gcpCompute, labels: { team: 'shop' }, securityPolicy: 'edge-policy' };
  await converge(lb({ tls: two, gcpCompute: labelled }));
  // PreferClose: a Network Services policy on global load balancers (created, then deleted)
  await converge(lb({ tls: two, gcpCompute: labelled, preferClose: true }));
  await converge(lb({ tls: two, gcpCompute: labelled }));
  if (base.gcpCompute?.location === undefined) {
    // client certificate validation and BackendTLSPolicies on, changed in place, and off again
    await converge(tlsGatewayLb({ frontend: 'AllowValidOnly', backendTls: true }));
    await converge(tlsGatewayLb({ frontend: 'AllowInsecureFallback', backendTls: true }));
    const rotated = `${TLS_CAS.clientCa.certPem}${TLS_CAS.backendCa.certPem}`;
    await converge(
      tlsGatewayLb({ frontend: 'AllowInsecureFallback', clientCaPem: rotated, backendTls: true }),
    );
    await converge(tlsGatewayLb({ backendTls: true, apiSystemTrust: true }));
    await converge(tlsGatewayLb({}));
    const map = { ...labelled, certificates: { source: 'certificateMap', map: 'shop-map' } };
    await converge(lb({ tls: two, gcpCompute: map }));
    await converge(lb({ gcpCompute: map }, true));
    await converge(lb({ gcpCompute: map }, true, { enabled: true, cacheMode: 'FORCE_CACHE_ALL' }));
  }
  expect((await a.listOwnedKeys!('it', { signal: new AbortController().signal })).keys).toContain(key);
  await converge(undefined, key);
  expect(inventory(emu)).toEqual({});
}

describe('infra/gcp/portico-role.yaml', () => {
  it('allows every Compute method the adapter calls, and no other method', { timeout: 60_000 }, async () => {
    await lifecycle({});
    await lifecycle({ gcpCompute: { location: REGION } });
    const nlb = ['10.4.0.1@node-b1@europe-west1-b'];
    await converge(passthroughLb(nlb));
    await converge(passthroughLb([...nlb, '10.4.0.2@node-c1@europe-west1-c']));
    await converge(undefined, passthroughLb(nlb).key);

    const role = parseYaml(readFileSync(ROLE, 'utf8')) as { includedPermissions: string[] };
    const allowed = new Set(role.includedPermissions);
    const needed = new Set([...called].map(permissionOf));
    expect([...needed].filter((p) => !allowed.has(p)).sort(), 'called, but not in the role').toEqual([]);
    const unused = [...allowed].filter(
      (p) =>
        /^(compute|certificatemanager\.trustconfigs|networksecurity)\./.test(p) &&
        !REFERENCE_ONLY.test(p) &&
        // Network Security's operations: polled like Certificate Manager's (one path in the emulator).
        p !== 'networksecurity.operations.get' &&
        !needed.has(p),
    );
    expect(unused.sort(), 'in the role, but never called').toEqual([]);
    // the role names nothing twice, and only Compute, Certificate Manager, Network Security and Network Services permissions
    expect(role.includedPermissions.length).toBe(allowed.size);
    for (const p of allowed)
      expect(p).toMatch(
        /^(compute|certificatemanager|networksecurity|networkservices)\.[a-zA-Z]+\.[a-zA-Z]+$/,
      );
  });

  it('maps methods to permissions as IAM names them', () => {
    expect(
      [
        'urlMaps.insert',
        'regionBackendServices.patch',
        'forwardingRules.aggregatedList',
        'zoneOperations.wait',
      ].map(permissionOf),
    ).toEqual([
      'compute.urlMaps.create',
      'compute.regionBackendServices.update',
      'compute.forwardingRules.list',
      'compute.zoneOperations.get',
    ]);
    expect(permissionOf('targetHttpsProxies.setSslCertificates')).toBe(
      'compute.targetHttpsProxies.setSslCertificates',
    );
    expect(permissionOf('networkEndpointGroups.attachNetworkEndpoints')).toBe(
      'compute.networkEndpointGroups.attachNetworkEndpoints',
    );
  });
});
