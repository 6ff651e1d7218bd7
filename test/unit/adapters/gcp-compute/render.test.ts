import { describe, expect, it } from 'vitest';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { GCP_NAME_MAX, GCP_NAME_PATTERN, parseOwnershipDescription } from '#core/naming/index.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

const PARAMS = { project: 'my-project', negZones: ['us-central1-a', 'us-central1-b'] };

const m = (path?: ir.PathMatch, extra: Partial<ir.Match> = {}): ir.Match => ({
  ...(path ? { path } : {}),
  headers: [],
  queryParams: [],
  ...extra,
});

function gateway(routes: ir.Route[], over: Partial<ir.LoadBalancer> = {}): ir.LoadBalancer {
  const zoned = (p: ir.BackendPool) => ({
    ...p,
    endpoints: p.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' })),
  });
  const pools = [pool('shop/api/80'), pool('shop/site/80'), pool('shop/canary/80')].map(zoned);
  const base = loadBalancer({ providerParameters: PARAMS, pools });
  return { ...base, listeners: [{ ...base.listeners[0]!, routes }], ...over };
}

const byKind = <K extends string>(r: { resources: { kind: string; value: unknown }[] }, kind: K) =>
  r.resources.filter((x) => x.kind === kind).map((x) => x.value as Record<string, unknown>);

describe('gcp-compute render', () => {
  const routes: ir.Route[] = [
    forwardRoute('exact', 'shop/api/80', {
      hostname: 'a.example.com',
      match: m({ type: 'Exact', value: '/login' }),
    }),
    forwardRoute('api', 'shop/api/80', {
      id: 'HTTPRoute/shop/api/rule/0/match/0/host/a.example.com',
      hostname: 'a.example.com',
      match: m(
        { type: 'Prefix', value: '/api/' },
        {
          headers: [{ name: 'x-env', type: 'Exact', value: 'beta' }],
          queryParams: [{ name: 'v', type: 'Exact', value: '2' }],
        },
      ),
      filters: [
        {
          type: 'RequestHeaderModifier',
          set: [{ name: 'x-a', value: '1' }],
          add: [{ name: 'x-b', value: '2' }],
          remove: ['x-c'],
        },
        { type: 'ResponseHeaderModifier', set: [], add: [], remove: ['server'] },
      ],
      action: {
        type: 'forward',
        backends: [
          { pool: 'shop/api/80', weight: 90, filters: [] },
          { pool: 'shop/canary/80', weight: 10, filters: [] },
        ],
      },
    }),
    forwardRoute('wild', 'shop/site/80', { hostname: '*.example.com' }),
    forwardRoute('old', 'shop/site/80', {
      id: 'HTTPRoute/shop/old/rule/0/match/0',
      match: m({ type: 'Prefix', value: '/old' }),
      action: {
        type: 'redirect',
        scheme: 'https',
        path: { type: 'ReplacePrefixMatch', value: '/new' },
        statusCode: 308,
      },
    }),
    forwardRoute('site', 'shop/site/80', { id: 'HTTPRoute/shop/site/rule/0/match/0' }),
  ];
  const r = renderGcpCompute(gateway(routes));

  it('renders one URL map with a host rule and path matcher per hostname, rules in IR order', () => {
    expect(r.notices).toEqual([]);
    const [um] = byKind(r, 'url-map') as {
      hostRules: { hosts: string[]; pathMatcher: string }[];
      pathMatchers: { name: string; defaultService: string; routeRules: Record<string, unknown>[] }[];
      defaultService: string;
    }[];
    expect(um!.hostRules.map((h) => h.hosts)).toEqual([['a.example.com'], ['*.example.com'], ['*']]);
    const [a, wild, any] = um!.pathMatchers;
    expect(a!.defaultService).toBe(um!.defaultService);
    expect(a!.routeRules.map((x) => x.priority)).toEqual([1, 2]);
    expect(a!.routeRules[0]!.matchRules).toEqual([{ fullPathMatch: '/login' }]);
    // Element-wise prefix: the path itself or anything below `/api/`.
    expect(a!.routeRules[1]!.matchRules).toEqual([
      {
        fullPathMatch: '/api',
        headerMatches: [{ headerName: 'x-env', exactMatch: 'beta' }],
        queryParameterMatches: [{ name: 'v', exactMatch: '2' }],
      },
      {
        prefixMatch: '/api/',
        headerMatches: [{ headerName: 'x-env', exactMatch: 'beta' }],
        queryParameterMatches: [{ name: 'v', exactMatch: '2' }],
      },
    ]);
    const weighted = (
      a!.routeRules[1]!.routeAction as {
        weightedBackendServices: { backendService: string; weight: number }[];
      }
    ).weightedBackendServices;
    expect(weighted.map((w) => w.weight)).toEqual([90, 10]);
    expect(weighted[0]!.backendService).toMatch(/^global\/backendServices\/k8s-api-80-/);
    expect(a!.routeRules[1]!.headerAction).toEqual({
      requestHeadersToAdd: [
        { headerName: 'x-a', headerValue: '1', replace: true },
        { headerName: 'x-b', headerValue: '2', replace: false },
      ],
      requestHeadersToRemove: ['x-c'],
      responseHeadersToRemove: ['server'],
    });
    expect(wild!.routeRules).toHaveLength(1);
    // A prefix redirect becomes two rules: the exact path is replaced whole, the rest keeps its tail.
    expect(any!.routeRules.slice(0, 2).map((x) => x.urlRedirect)).toEqual([
      {
        redirectResponseCode: 'PERMANENT_REDIRECT',
        httpsRedirect: true,
        pathRedirect: '/new',
        stripQuery: false,
      },
      {
        redirectResponseCode: 'PERMANENT_REDIRECT',
        httpsRedirect: true,
        prefixRedirect: '/new/',
        stripQuery: false,
      },
    ]);
    expect(any!.routeRules[2]!.matchRules).toEqual([{ prefixMatch: '/' }]);
    expect(any!.routeRules.map((x) => x.priority)).toEqual([1, 2, 3]);
  });

  it('renders a forwarding rule → proxy → URL map chain and per-pool services, health checks and zonal NEGs', () => {
    const [fr] = byKind(r, 'forwarding-rule');
    expect(fr).toMatchObject({
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      IPProtocol: 'TCP',
      portRange: '80-80',
    });
    expect(fr!.target).toMatch(/^global\/targetHttpProxies\//);
    expect(byKind(r, 'target-http-proxy')[0]!.urlMap).toMatch(/^global\/urlMaps\//);
    const services = byKind(r, 'backend-service');
    // Three pools and the empty default service.
    expect(services.map((s) => s.pool ?? 'default').sort()).toEqual([
      'default',
      'shop/api/80',
      'shop/canary/80',
      'shop/site/80',
    ]);
    const api = services.find((s) => s.pool === 'shop/api/80')!;
    expect((api.backends as { group: string }[]).map((b) => b.group.replace(/\/k8s.*/, ''))).toEqual([
      'zones/us-central1-a/networkEndpointGroups',
      'zones/us-central1-b/networkEndpointGroups',
    ]);
    expect(byKind(r, 'network-endpoint-group')).toHaveLength(6);
    expect(byKind(r, 'health-check')[0]).toMatchObject({
      type: 'HTTP',
      httpHealthCheck: { portSpecification: 'USE_SERVING_PORT', requestPath: '/healthz' },
    });
  });

  it('puts endpoints without a NEG zone in the first zone, and says so', () => {
    const lb = gateway([forwardRoute('site', 'shop/site/80')]);
    lb.pools[1]!.endpoints = [
      { ...lb.pools[1]!.endpoints[0]!, address: '10.0.0.2', zone: 'us-central1-b', nodeName: 'node-b' },
      { ...lb.pools[1]!.endpoints[0]!, address: '10.0.0.3', zone: 'europe-west1-b' },
    ];
    const out = renderGcpCompute(lb);
    const sets = byKind(out, 'neg-endpoints') as {
      zone: string;
      endpoints: { ipAddress: string; instance?: string }[];
    }[];
    expect(sets.map((s) => [s.zone, s.endpoints.map((e) => e.ipAddress)])).toEqual([
      ['us-central1-a', ['10.0.0.3']],
      ['us-central1-b', ['10.0.0.2']],
    ]);
    expect(sets[1]!.endpoints[0]!.instance).toBe('node-b');
    expect(out.notices.map((n) => n.feature)).toEqual(['neg/zone']);
  });

  it('names every resource validly within 63 characters and marks it as owned', () => {
    const long = gateway(routes, {
      key: `prod/Gateway/${'n'.repeat(60)}/${'w'.repeat(60)}`,
      source: { kind: 'Gateway', namespace: 'n'.repeat(60), name: 'w'.repeat(60) },
    });
    for (const out of [r, renderGcpCompute(long)])
      for (const res of out.resources) {
        if (res.kind === 'neg-endpoints') continue;
        const v = res.value as { name: string; description: string };
        expect(v.name.length).toBeLessThanOrEqual(GCP_NAME_MAX);
        expect(v.name).toMatch(GCP_NAME_PATTERN);
        const tags = parseOwnershipDescription(v.description);
        expect(tags?.['portico.dev/role']).toBe(res.kind);
        expect(tags?.['portico.dev/cluster']).toBe('prod');
      }
    const fr = byKind(r, 'forwarding-rule')[0]!;
    expect(fr.labels).toMatchObject({ 'portico-managed-by': 'portico', 'portico-cluster': 'prod' });
  });

  it('leaves out what GCP cannot express, route by route', () => {
    const out = renderGcpCompute(
      gateway([
        forwardRoute('fixed', 'shop/api/80', {
          action: { type: 'fixed-response', statusCode: 404, reason: 'not found' },
        }),
        forwardRoute('regex', 'shop/api/80', {
          id: 'r/regex',
          match: m({ type: 'RegularExpression', value: '/v[0-9]+' }),
        }),
        forwardRoute('port', 'shop/api/80', {
          id: 'r/port',
          action: { type: 'redirect', port: 8443, statusCode: 302 },
        }),
        forwardRoute('site', 'shop/site/80', { id: 'r/site' }),
      ]),
    );
    expect(out.notices.map((n) => [n.route, n.feature])).toEqual([
      ['HTTPRoute/shop/fixed/rule/0/match/0', 'action/fixed-response'],
      ['r/regex', 'match/path/RegularExpression'],
      ['r/port', 'action/redirect/port'],
    ]);
    const um = byKind(out, 'url-map')[0] as { pathMatchers: { routeRules: unknown[] }[] };
    expect(um.pathMatchers[0]!.routeRules).toHaveLength(1);
    // A regional load balancer has regexMatch.
    const regional = renderGcpCompute(
      gateway(
        [
          forwardRoute('regex', 'shop/api/80', {
            match: m({ type: 'RegularExpression', value: '/v[0-9]+' }),
          }),
        ],
        {
          providerParameters: { ...PARAMS, location: 'us-central1' },
        },
      ),
    );
    expect(regional.notices).toEqual([]);
    expect(JSON.stringify(byKind(regional, 'url-map'))).toContain('"regexMatch":"/v[0-9]+"');
  });

  it('leaves out routes with values GCP would refuse (refusing the whole URL map), and only them', () => {
    const out = renderGcpCompute(
      gateway([
        forwardRoute('host', 'shop/api/80', { id: 'r/host', hostname: 'bad host.example.com' }),
        forwardRoute('crlf', 'shop/api/80', {
          id: 'r/crlf',
          match: m(
            { type: 'Prefix', value: '/c' },
            { headers: [{ name: 'x-a', type: 'Exact', value: 'ok\r\nX-Injected: 1' }] },
          ),
        }),
        forwardRoute('space', 'shop/api/80', { id: 'r/space', match: m({ type: 'Prefix', value: '/a b' }) }),
        forwardRoute('site', 'shop/site/80', { id: 'r/site' }),
      ]),
    );
    expect(out.notices.map((n) => [n.route, n.feature])).toEqual([
      ['r/host', 'match/hostname'],
      ['r/crlf', 'match/headers'],
      ['r/space', 'match/path'],
    ]);
    const um = byKind(out, 'url-map')[0] as {
      hostRules: { hosts: string[] }[];
      pathMatchers: { routeRules: { routes: string[] }[] }[];
    };
    expect(um.hostRules.map((h) => h.hosts)).toEqual([['*']]);
    expect(um.pathMatchers[0]!.routeRules.flatMap((r) => r.routes)).toEqual(['r/site']);
  });

  it('drops the lowest-precedence routes of a host past a limit, and renders the rest', () => {
    const out = renderGcpCompute(
      gateway([
        forwardRoute('a', 'shop/api/80', { id: 'r/a', match: m({ type: 'Exact', value: '/a' }) }),
        forwardRoute('b', 'shop/api/80', { id: 'r/b', match: m({ type: 'Exact', value: '/b' }) }),
        forwardRoute('c', 'shop/site/80', { id: 'r/c', match: m({ type: 'Exact', value: '/c' }) }),
        forwardRoute('d', 'shop/api/80', { id: 'r/d', hostname: 'd.example.com' }),
      ]),
      { limits: { rulesPerPathMatcher: 2 } },
    );
    expect(out.notices.map((n) => [n.route, n.code, n.feature])).toEqual([
      ['r/c', 'LimitExceeded', 'url-map/path-matcher'],
    ]);
    const um = byKind(out, 'url-map')[0] as { pathMatchers: { routeRules: { routes: string[] }[] }[] };
    expect(um.pathMatchers.map((p) => p.routeRules.flatMap((x) => x.routes))).toEqual([
      ['r/a', 'r/b'],
      ['r/d'],
    ]);
    // The site pool is used by no accepted route: no backend service for it.
    expect(byKind(out, 'backend-service').some((s) => s.pool === 'shop/site/80')).toBe(false);
  });

  it('renders nothing for invalid parameters, with one notice per problem', () => {
    const out = renderGcpCompute(gateway(routes, { providerParameters: { project: 'X', negZones: [] } }));
    expect(out.resources).toEqual([]);
    expect(out.notices.map((n) => n.field).sort()).toEqual(['gcpCompute.negZones', 'gcpCompute.project']);
  });

  it('uploads TLS Secrets as SslCertificates named by their content', () => {
    const cert = (pem: string): ir.Certificate => ({
      secret: 'shop/tls',
      hostnames: [],
      certificatePem: pem,
      privateKeyPem: 'KEY',
    });
    const https = (pem: string) =>
      renderGcpCompute(
        gateway([], {
          listeners: [
            {
              id: 'HTTPS-443',
              sources: [],
              port: 443,
              protocol: 'HTTPS',
              tls: { mode: 'Terminate', certificates: [cert(pem)] },
              routes: [forwardRoute('site', 'shop/site/80')],
            },
          ],
        }),
      );
    const one = https('CERT-1');
    const two = https('CERT-2');
    const name = (o: typeof one) => byKind(o, 'ssl-certificate')[0]!.name as string;
    expect(name(one)).not.toBe(name(two));
    expect(byKind(one, 'target-https-proxy')[0]!.sslCertificates).toEqual([
      `global/sslCertificates/${name(one)}`,
    ]);
    const noKey = renderGcpCompute(
      gateway([], {
        listeners: [
          {
            id: 'HTTPS-443',
            sources: [],
            port: 443,
            protocol: 'HTTPS',
            tls: {
              mode: 'Terminate',
              certificates: [{ ...cert('C'), privateKeyPem: undefined as unknown as string }],
            },
            routes: [],
          },
        ],
      }),
    );
    expect(noKey.notices.map((n) => n.feature)).toEqual(['listener/certificate-key']);
    expect(noKey.resources).toEqual([]);
  });
});
