// What render produces is what the Compute API accepts: every rendered resource is inserted, in
// reference order, through the real @google-cloud/compute client into the stateful emulator, which
// validates like GCP does (URL map rules, schemes, NEG backends, health checks, limits).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import type { Resource } from '#core/plan/types.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from '#test/emulators/gcp-compute/index.js';
import {
  type ComputeClients,
  computeClients,
  PROJECT,
  REGION,
  succeeded,
  ZONE,
} from '#test/emulators/gcp-compute/test-clients.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
const project = PROJECT;

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 1 });
  c = await computeClients(emu);
}, 60_000);
afterAll(async () => {
  await c?.close();
  await emu?.close();
});

/** The value without Portico's own fields (IR route ids, pool, scope), as apply would send it. */
const body = (v: object) =>
  JSON.parse(
    JSON.stringify(v, (k, x) => (['routes', 'pool', 'secret', 'zone', 'region'].includes(k) ? undefined : x)),
  );

const ORDER: GcpKinds['kind'][] = [
  'backend-bucket',
  'health-check',
  'network-endpoint-group',
  'neg-endpoints',
  'backend-service',
  'url-map',
  'target-http-proxy',
  'forwarding-rule',
];

async function insert(r: Resource<GcpKinds>): Promise<void> {
  const region = 'region' in r.value ? r.value.region : undefined;
  switch (r.kind) {
    case 'backend-bucket':
      await succeeded(c, c.backendBuckets.insert({ project, backendBucketResource: body(r.value) }));
      return;
    case 'health-check':
      if (region !== undefined)
        await succeeded(
          c,
          c.regionHealthChecks.insert({ project, region, healthCheckResource: body(r.value) }),
        );
      else await succeeded(c, c.healthChecks.insert({ project, healthCheckResource: body(r.value) }));
      return;
    case 'network-endpoint-group':
      await succeeded(
        c,
        c.networkEndpointGroups.insert({
          project,
          zone: r.value.zone,
          networkEndpointGroupResource: body(r.value),
        }),
      );
      return;
    case 'neg-endpoints':
      if (r.value.endpoints.length > 0)
        await succeeded(
          c,
          c.networkEndpointGroups.attachNetworkEndpoints({
            project,
            zone: r.value.zone,
            networkEndpointGroup: r.value.networkEndpointGroup,
            networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints: r.value.endpoints },
          }),
        );
      return;
    case 'backend-service':
      if (region !== undefined)
        await succeeded(
          c,
          c.regionBackendServices.insert({ project, region, backendServiceResource: body(r.value) }),
        );
      else await succeeded(c, c.backendServices.insert({ project, backendServiceResource: body(r.value) }));
      return;
    case 'url-map':
      await succeeded(c, c.urlMaps.insert({ project, urlMapResource: body(r.value) }));
      return;
    case 'target-http-proxy':
      await succeeded(c, c.targetHttpProxies.insert({ project, targetHttpProxyResource: body(r.value) }));
      return;
    case 'forwarding-rule':
      if (region !== undefined)
        await succeeded(
          c,
          c.forwardingRules.insert({ project, region, forwardingRuleResource: body(r.value) }),
        );
      else
        await succeeded(
          c,
          c.globalForwardingRules.insert({ project, forwardingRuleResource: body(r.value) }),
        );
      return;
    default:
      throw new Error(`not inserted here: ${r.kind}`);
  }
}

describe('gcp-compute render → the Compute API', () => {
  it('accepts a Gateway with hosts, matches, weights, redirects, rewrites, header actions, retries and timeouts', async () => {
    const m = (path: ir.PathMatch, extra: Partial<ir.Match> = {}): ir.Match => ({
      path,
      headers: [],
      queryParams: [],
      ...extra,
    });
    const zoned = (p: ir.BackendPool) => ({
      ...p,
      endpoints: p.endpoints.map((e) => ({ ...e, zone: ZONE, nodeName: 'node-1' })),
    });
    const base = loadBalancer({
      providerParameters: { project, negZones: [ZONE] },
      pools: [
        pool('shop/api/80', 'HTTP', ['10.0.0.1', '10.0.0.2']),
        pool('shop/site/80'),
        pool('shop/canary/80'),
      ].map(zoned),
    });
    const routes: ir.Route[] = [
      forwardRoute('exact', 'shop/api/80', {
        hostname: 'a.example.com',
        match: m({ type: 'Exact', value: '/login' }),
      }),
      forwardRoute('api', 'shop/api/80', {
        id: 'r/api',
        hostname: 'a.example.com',
        match: m(
          { type: 'Prefix', value: '/api' },
          {
            headers: [{ name: 'x-env', type: 'Exact', value: 'beta' }],
            queryParams: [{ name: 'v', type: 'Exact', value: '2' }],
          },
        ),
        filters: [
          { type: 'RequestHeaderModifier', set: [{ name: 'x-a', value: '1' }], add: [], remove: ['x-c'] },
          {
            type: 'URLRewrite',
            hostname: 'internal.example.com',
            path: { type: 'ReplacePrefixMatch', value: '/v2' },
          },
          { type: 'RequestMirror', pool: 'shop/site/80', percent: 100 },
        ],
        timeouts: { requestMs: 1500 },
        retry: { attempts: 2, codes: [502, 503, 504] },
        action: {
          type: 'forward',
          backends: [
            { pool: 'shop/api/80', weight: 9000, filters: [] },
            { pool: 'shop/canary/80', weight: 1000, filters: [] },
          ],
        },
      }),
      forwardRoute('wild', 'shop/site/80', { id: 'r/wild', hostname: '*.example.com' }),
      forwardRoute('old', 'shop/site/80', {
        id: 'r/old',
        match: m({ type: 'Prefix', value: '/old' }),
        action: {
          type: 'redirect',
          scheme: 'https',
          hostname: 'new.example.com',
          path: { type: 'ReplacePrefixMatch', value: '/new' },
          statusCode: 301,
        },
      }),
      forwardRoute('site', 'shop/site/80', { id: 'r/site' }),
    ];
    const lb = { ...base, listeners: [{ ...base.listeners[0]!, routes }] };
    const rendered = renderGcpCompute(lb);
    expect(rendered.notices).toEqual([]);
    const ordered = [...rendered.resources].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    for (const r of ordered) await insert(r);

    const um = rendered.resources.find((r) => r.kind === 'url-map')!;
    const [stored] = await c.urlMaps.get({ project, urlMap: um.value.name });
    expect(stored.pathMatchers?.map((p) => p.routeRules?.length)).toEqual([3, 1, 3]);
    const [api] = await c.backendServices.list({ project });
    expect(api.length).toBe(4);
    const neg = rendered.resources.find((r) => r.kind === 'network-endpoint-group')!;
    const [endpoints] = await c.networkEndpointGroups.listNetworkEndpoints({
      project,
      zone: ZONE,
      networkEndpointGroup: neg.value.name,
    });
    expect(endpoints.length).toBeGreaterThan(0);
  });

  it('accepts the v1.6 route features: method, CORS, percentage mirror, per-try timeout, per-backend headers', async () => {
    const zoned = (p: ir.BackendPool) => ({
      ...p,
      endpoints: p.endpoints.map((e) => ({ ...e, zone: ZONE, nodeName: 'node-1' })),
    });
    const base = loadBalancer({
      key: 'prod/Gateway/shop/v16',
      providerParameters: { project, negZones: [ZONE] },
      pools: [pool('shop/api/80'), pool('shop/mirror/80'), pool('shop/canary/80')].map(zoned),
    });
    const route = forwardRoute('v16', 'shop/api/80', {
      id: 'r/v16',
      match: { path: { type: 'Exact', value: '/orders' }, headers: [], queryParams: [], method: 'POST' },
      filters: [
        { type: 'RequestMirror', pool: 'shop/mirror/80', percent: 25.5 },
        {
          type: 'CORS',
          allowOrigins: ['https://app.example.com', '*'],
          allowCredentials: false,
          allowMethods: ['POST'],
          allowHeaders: [],
          exposeHeaders: ['x-trace'],
          maxAgeSeconds: 5,
        },
      ],
      timeouts: { requestMs: 9000, backendRequestMs: 1250 },
      retry: { attempts: 2, codes: [502, 503, 504] },
      action: {
        type: 'forward',
        backends: [
          {
            pool: 'shop/api/80',
            weight: 4,
            filters: [
              {
                type: 'ResponseHeaderModifier',
                set: [{ name: 'x-lane', value: 'api' }],
                add: [],
                remove: [],
              },
            ],
          },
          { pool: 'shop/canary/80', weight: 1, filters: [] },
        ],
      },
    });
    const rendered = renderGcpCompute({ ...base, listeners: [{ ...base.listeners[0]!, routes: [route] }] });
    expect(rendered.notices).toEqual([]);
    const ordered = [...rendered.resources].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    for (const r of ordered) await insert(r);

    const um = rendered.resources.find((r) => r.kind === 'url-map')!;
    const [stored] = await c.urlMaps.get({ project, urlMap: um.value.name });
    const rule = stored.pathMatchers?.[0]?.routeRules?.[0];
    expect(rule?.matchRules?.[0]?.headerMatches).toEqual([
      expect.objectContaining({ headerName: ':method', exactMatch: 'POST' }),
    ]);
    const action = rule?.routeAction;
    expect(action?.requestMirrorPolicy?.mirrorPercent).toBe(25.5);
    expect(action?.corsPolicy).toMatchObject({
      allowOrigins: ['https://app.example.com', '*'],
      allowMethods: ['POST'],
      exposeHeaders: ['x-trace'],
      maxAge: 5,
    });
    expect(action?.timeout).toMatchObject({ seconds: '9' });
    expect(action?.retryPolicy).toMatchObject({
      retryConditions: ['connect-failure', 'gateway-error'],
      numRetries: 2,
      perTryTimeout: { seconds: '1', nanos: 250_000_000 },
    });
    expect(action?.weightedBackendServices?.map((w) => w.headerAction?.responseHeadersToAdd)).toEqual([
      [expect.objectContaining({ headerName: 'x-lane', headerValue: 'api', replace: true })],
      undefined,
    ]);
  });

  it('accepts backend buckets as route rule services, with a URL rewrite beside one', async () => {
    const bucket: ir.BackendBucket = {
      id: 'shop/assets',
      source: { kind: 'StorageBucket', namespace: 'shop', name: 'assets' },
      bucketName: 'shop-static-assets',
      cdn: { cacheMode: 'CACHE_ALL_STATIC' },
    };
    const toBucket = (name: string, filters: ir.Filter[] = []) =>
      forwardRoute(name, 'unused', {
        id: `r/${name}`,
        match: { path: { type: 'Prefix', value: `/${name}` }, headers: [], queryParams: [] },
        filters,
        action: { type: 'forward', backends: [{ pool: null, bucket: bucket.id, weight: 1, filters: [] }] },
      });
    const base = loadBalancer({
      key: 'prod/Gateway/shop/static',
      providerParameters: { project, negZones: [ZONE] },
      pools: [],
      buckets: [bucket],
    });
    const routes = [
      toBucket('assets'),
      toBucket('docs', [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/site' } }]),
    ];
    const rendered = renderGcpCompute({ ...base, listeners: [{ ...base.listeners[0]!, routes }] });
    expect(rendered.notices).toEqual([]);
    const ordered = [...rendered.resources].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    for (const r of ordered) await insert(r);
    const [buckets] = await c.backendBuckets.list({ project });
    expect(buckets.map((b) => [b.bucketName, b.enableCdn])).toEqual([['shop-static-assets', true]]);
  });

  it.each([
    ['external TCP', 'internet-facing', 'TCP', {}],
    [
      'internal UDP',
      'internal',
      'UDP',
      {
        network: 'default',
        subnetwork: `projects/${PROJECT}/regions/${REGION}/subnetworks/default`,
      },
    ],
  ] as const)(
    'accepts a passthrough Network Load Balancer (%s) with GCE_VM_IP NEGs of nodes',
    async (_, scheme, protocol, extra) => {
      const p = pool(`db/dns-${protocol.toLowerCase()}/53`, protocol, ['10.4.0.1', '10.4.0.2', '10.4.0.3']);
      p.endpoints = p.endpoints.map((e, i) => ({ ...e, zone: ZONE, nodeName: `node-${i % 2}` }));
      p.healthCheck = { ...p.healthCheck, protocol: 'TCP', port: 8053, path: undefined };
      const route = forwardRoute('dns', p.id, { id: `Service/db/dns/${protocol}` });
      const lb: ir.LoadBalancer = {
        ...loadBalancer({
          key: `prod/Service/db/dns-${protocol.toLowerCase()}`,
          scheme,
          providerParameters: { project, location: REGION, negZones: [ZONE], ...extra },
          pools: [p],
        }),
        listeners: [{ id: `${protocol}-53`, sources: [], port: 53, protocol, routes: [route] }],
      };
      const rendered = renderGcpCompute(lb);
      expect(rendered.notices).toEqual([]);
      const ordered = [...rendered.resources].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
      for (const r of ordered) await insert(r);
      const fr = rendered.resources.find((r) => r.kind === 'forwarding-rule')!;
      const [stored] = await c.forwardingRules.get({
        project,
        region: REGION,
        forwardingRule: fr.value.name,
      });
      expect(stored.IPProtocol).toBe(protocol);
      expect(stored.backendService).toMatch(/\/regions\/europe-west1\/backendServices\//);
      const neg = rendered.resources.find((r) => r.kind === 'network-endpoint-group')!;
      const [endpoints] = await c.networkEndpointGroups.listNetworkEndpoints({
        project,
        zone: ZONE,
        networkEndpointGroup: neg.value.name,
      });
      expect(endpoints.map((e) => e.networkEndpoint?.instance).sort()).toEqual(['node-0', 'node-1']);
    },
  );
});
