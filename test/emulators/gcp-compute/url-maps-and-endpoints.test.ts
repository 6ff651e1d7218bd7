// URL map validation and limits, and NEG endpoints (attach, detach, paginated listNetworkEndpoints),
// through the real @google-cloud/compute client.

import { beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeEmulator } from './index.js';
import {
  type ComputeClients,
  onEmulatorWithClients,
  PROJECT,
  rejection,
  succeeded,
  ZONE,
} from './test-clients.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
const project = PROJECT;
const be = 'global/backendServices/be';

onEmulatorWithClients(
  {
    operationDelayMs: 5,
    limits: {
      rulesPerPathMatcher: 3,
      predicatesPerPathMatcher: 6,
      endpointsPerNeg: 8,
      endpointsPerAttachCall: 5,
    },
  },
  (started) => {
    ({ emu, c } = started);
  },
);
beforeEach(async () => {
  await succeeded(c, c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'HTTP' } }));
  await succeeded(
    c,
    c.networkEndpointGroups.insert({
      project,
      zone: ZONE,
      networkEndpointGroupResource: { name: 'neg', defaultPort: 8080 },
    }),
  );
  for (const [name, scheme] of [
    ['be', 'EXTERNAL_MANAGED'],
    ['classic', 'EXTERNAL'],
  ])
    await succeeded(
      c,
      c.backendServices.insert({
        project,
        backendServiceResource: {
          name,
          loadBalancingScheme: scheme,
          healthChecks: ['global/healthChecks/hc'],
        },
      }),
    );
});

const routeRule = (priority: number, prefix: string, extra: object = {}) => ({
  priority,
  matchRules: [{ prefixMatch: prefix }],
  service: be,
  ...extra,
});
const withRules = (routeRules: object[], service = be) => ({
  name: 'um',
  defaultService: service,
  hostRules: [{ hosts: ['shop.example.com'], pathMatcher: 'pm' }],
  pathMatchers: [{ name: 'pm', defaultService: service, routeRules }],
});
const insertMap = (urlMapResource: object) => c.urlMaps.insert({ project, urlMapResource });

describe('GCP Compute emulator: URL maps', () => {
  it('accepts route rules with header, query and weighted backends, redirects, rewrites and header actions', async () => {
    await succeeded(
      c,
      insertMap(
        withRules([
          routeRule(0, '/api/', {
            matchRules: [
              {
                prefixMatch: '/api/',
                headerMatches: [{ headerName: 'x-canary', exactMatch: '1' }],
                queryParameterMatches: [{ name: 'v', presentMatch: true }],
              },
            ],
            service: undefined,
            routeAction: {
              weightedBackendServices: [
                { backendService: be, weight: 90 },
                { backendService: be, weight: 10 },
              ],
              urlRewrite: { pathPrefixRewrite: '/' },
            },
            headerAction: {
              requestHeadersToAdd: [{ headerName: 'x-from', headerValue: 'lb', replace: true }],
            },
          }),
          {
            priority: 5,
            matchRules: [{ fullPathMatch: '/old' }],
            urlRedirect: { pathRedirect: '/new', redirectResponseCode: 'FOUND' },
          },
        ]),
      ),
    );
    const [um] = await c.urlMaps.get({ project, urlMap: 'um' });
    expect(
      um.pathMatchers?.[0]?.routeRules?.[0]?.routeAction?.weightedBackendServices?.[1]?.backendService,
    ).toMatch(/\/global\/backendServices\/be$/);
  });

  it.each([
    [
      'both path and route rules',
      {
        ...withRules([routeRule(1, '/a')]),
        pathMatchers: [
          {
            name: 'pm',
            defaultService: be,
            routeRules: [routeRule(1, '/a')],
            pathRules: [{ paths: ['/b'], service: be }],
          },
        ],
      },
      'only one of pathRules or routeRules',
    ],
    ['a duplicate priority', withRules([routeRule(1, '/a'), routeRule(1, '/b')]), 'priority 1 is used twice'],
    ['a prefix without /', withRules([routeRule(1, 'a')]), "'a' must start with /"],
    [
      'two path matches',
      withRules([{ priority: 1, matchRules: [{ prefixMatch: '/a', fullPathMatch: '/a' }], service: be }]),
      'only one of',
    ],
    [
      'a redirect with a service',
      withRules([{ ...routeRule(1, '/a'), urlRedirect: { httpsRedirect: true } }]),
      'urlRedirect excludes service',
    ],
    [
      'a host rule to a missing matcher',
      { ...withRules([]), hostRules: [{ hosts: ['x.example.com'], pathMatcher: 'nope' }] },
      "no path matcher named 'nope'",
    ],
    [
      'a host in two host rules',
      {
        ...withRules([]),
        hostRules: [
          { hosts: ['a.example.com'], pathMatcher: 'pm' },
          { hosts: ['A.example.com'], pathMatcher: 'pm' },
        ],
      },
      'already used by resource.hostRules[0]',
    ],
    [
      'a bad path',
      {
        ...withRules([]),
        pathMatchers: [{ name: 'pm', defaultService: be, pathRules: [{ paths: ['/a/*/b'], service: be }] }],
      },
      'may end with /* only',
    ],
    ['no default', { name: 'um' }, 'one of defaultService'],
    [
      'route rules on the classic scheme',
      withRules(
        [routeRule(1, '/a', { service: 'global/backendServices/classic' })],
        'global/backendServices/classic',
      ),
      'EXTERNAL (classic)',
    ],
    [
      'mixed schemes',
      withRules([routeRule(1, '/a', { service: 'global/backendServices/classic' })]),
      'different load balancing schemes',
    ],
    [
      'too many route rules (limit 3)',
      withRules([1, 2, 3, 4].map((p) => routeRule(p, `/${p}`))),
      'at most 3 path rules or route rules',
    ],
    [
      'too many predicates (limit 6)',
      withRules(
        [1, 2].map((p) =>
          routeRule(p, `/${p}`, {
            matchRules: [
              {
                prefixMatch: '/',
                headerMatches: [1, 2, 3].map((h) => ({ headerName: `h${h}`, presentMatch: true })),
              },
            ],
          }),
        ),
      ),
      '8 predicates',
    ],
    [
      'CORS origin regexes outside INTERNAL_SELF_MANAGED',
      withRules([
        routeRule(1, '/a', {
          service: undefined,
          routeAction: {
            weightedBackendServices: [{ backendService: be, weight: 1 }],
            corsPolicy: { allowOriginRegexes: ['https://.*[.]example[.]com'], disabled: false },
          },
        }),
      ]),
      'allowOriginRegexes can only be used with the INTERNAL_SELF_MANAGED',
    ],
    [
      'a mirror percent above 100',
      withRules([
        routeRule(1, '/a', {
          service: undefined,
          routeAction: {
            weightedBackendServices: [{ backendService: be, weight: 1 }],
            requestMirrorPolicy: { backendService: be, mirrorPercent: 150 },
          },
        }),
      ]),
      'between 0.0 and 100.0',
    ],
    [
      'an unknown retry condition',
      withRules([
        routeRule(1, '/a', {
          service: undefined,
          routeAction: {
            weightedBackendServices: [{ backendService: be, weight: 1 }],
            retryPolicy: { retryConditions: ['on-teapot'], numRetries: 1 },
          },
        }),
      ]),
      "'on-teapot'. Must be one of",
    ],
    [
      'a zero per-try timeout',
      withRules([
        routeRule(1, '/a', {
          service: undefined,
          routeAction: {
            weightedBackendServices: [{ backendService: be, weight: 1 }],
            retryPolicy: { retryConditions: ['5xx'], numRetries: 1, perTryTimeout: { seconds: '0' } },
          },
        }),
      ]),
      "retryPolicy.perTryTimeout': must be positive",
    ],
    [
      'a pseudo-header the URL map does not know',
      withRules([
        routeRule(1, '/a', {
          matchRules: [{ prefixMatch: '/a', headerMatches: [{ headerName: ':status', exactMatch: '200' }] }],
        }),
      ]),
      "':status' is not an HTTP header name",
    ],
  ])('rejects %s', async (_what, body, message) => {
    const r = await rejection(insertMap(body));
    expect(r.status).toBe(400);
    expect(r.message).toContain(message);
  });

  it('the classic scheme keeps path rules and URL rewrites, as GCP allows', async () => {
    const classic = 'global/backendServices/classic';
    await succeeded(
      c,
      insertMap({
        name: 'um',
        defaultService: classic,
        hostRules: [{ hosts: ['*'], pathMatcher: 'pm' }],
        pathMatchers: [
          {
            name: 'pm',
            defaultService: classic,
            pathRules: [
              {
                paths: ['/foo', '/foo/*'],
                service: classic,
                routeAction: { urlRewrite: { pathPrefixRewrite: '/' } },
              },
            ],
          },
        ],
      }),
    );
  });
});

describe('GCP Compute emulator: NEG endpoints', () => {
  const neg = { project, zone: ZONE, networkEndpointGroup: 'neg' };
  const endpoints = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      ipAddress: `10.4.0.${from + i}`,
      instance: `node-${(from + i) % 3}`,
    }));

  it('attaches and detaches in zonal operations; lists endpoints in pages; size follows', async () => {
    await succeeded(
      c,
      c.networkEndpointGroups.attachNetworkEndpoints({
        ...neg,
        networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints: endpoints(1, 5) },
      }),
    );
    await succeeded(
      c,
      c.networkEndpointGroups.attachNetworkEndpoints({
        ...neg,
        networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints: endpoints(6, 2) },
      }),
    );
    await succeeded(
      c,
      c.networkEndpointGroups.detachNetworkEndpoints({
        ...neg,
        networkEndpointGroupsDetachEndpointsRequestResource: {
          networkEndpoints: endpoints(1, 2).map((e) => ({ ...e, port: 8080 })),
        },
      }),
    );
    emu.resetStats();
    const [listed] = await c.networkEndpointGroups.listNetworkEndpoints({ ...neg, maxResults: 2 });
    expect(listed.map((e) => `${e.networkEndpoint?.ipAddress}:${e.networkEndpoint?.port}`)).toEqual([
      '10.4.0.3:8080',
      '10.4.0.4:8080',
      '10.4.0.5:8080',
      '10.4.0.6:8080',
      '10.4.0.7:8080',
    ]);
    expect(emu.stats().byMethod['networkEndpointGroups.listNetworkEndpoints']).toBe(3);
    const [got] = await c.networkEndpointGroups.get(neg);
    expect(got.size).toBe(5);
  });

  it('rejects more than 5 endpoints per call, a NEG over its limit, duplicates and detaching what is not attached', async () => {
    const attach = (networkEndpoints: object[]) =>
      c.networkEndpointGroups.attachNetworkEndpoints({
        ...neg,
        networkEndpointGroupsAttachEndpointsRequestResource: { networkEndpoints },
      });
    expect((await rejection(attach(endpoints(1, 6)))).message).toContain(
      'at most 5 network endpoints per call',
    );
    await succeeded(c, attach(endpoints(1, 5)));
    expect((await rejection(attach(endpoints(5, 1)))).message).toContain('is already attached');
    await succeeded(c, attach(endpoints(6, 3)));
    expect((await rejection(attach(endpoints(20, 1)))).message).toContain('at most 8 endpoints');
    const detach = await rejection(
      c.networkEndpointGroups.detachNetworkEndpoints({
        ...neg,
        networkEndpointGroupsDetachEndpointsRequestResource: { networkEndpoints: endpoints(30, 1) },
      }),
    );
    expect(detach.message).toContain('is not attached');
    expect((await rejection(attach([{ ipAddress: 'not-an-ip' }]))).status).toBe(400);
  });
});
