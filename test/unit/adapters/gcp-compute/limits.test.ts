import { describe, expect, it } from 'vitest';
import { GCP_LIMITS } from '#adapters/gcp-compute/capabilities.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

// Every limit GCP documents for what render builds is checked before any call: what is over a limit
// is left out with a LimitExceeded notice naming it, and everything else is rendered.

const PARAMS = { project: 'my-project', negZones: ['us-central1-a'] };
const zoned = (id: string, addresses?: string[]) => {
  const p = pool(id, 'HTTP', addresses);
  p.endpoints = p.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' }));
  return p;
};
const exact = (name: string, poolId: string, extra: Partial<ir.Route> = {}) =>
  forwardRoute(name, poolId, {
    id: `r/${name}`,
    match: { path: { type: 'Exact', value: `/${name}` }, headers: [], queryParams: [] },
    ...extra,
  });

function gateway(routes: ir.Route[], pools: ir.BackendPool[]): ir.LoadBalancer {
  const base = loadBalancer({ providerParameters: PARAMS, pools });
  return { ...base, listeners: [{ ...base.listeners[0]!, routes }] };
}

const limitNotices = (out: ReturnType<typeof renderGcpCompute>) =>
  out.notices
    .filter((n) => n.code === 'LimitExceeded')
    .map((n) => [n.route ?? n.listener ?? n.pool, n.feature]);
const ruleRoutes = (out: ReturnType<typeof renderGcpCompute>) =>
  (
    out.resources.find((r) => r.kind === 'url-map')!.value as {
      pathMatchers: { routeRules: { routes: string[] }[] }[];
    }
  ).pathMatchers.flatMap((p) => p.routeRules.flatMap((r) => r.routes));

describe('gcp-compute render: limits', () => {
  const pools = ['a', 'b', 'c', 'd'].map((x) => zoned(`shop/${x}/80`));

  it('host rules (and path matchers) per URL map', () => {
    const routes = ['a', 'b', 'c'].map((x) => exact(x, `shop/${x}/80`, { hostname: `${x}.example.com` }));
    const out = renderGcpCompute(gateway(routes, pools), { limits: { hostRulesPerUrlMap: 2 } });
    expect(limitNotices(out)).toEqual([['r/c', 'url-map/host-rules']]);
    expect(ruleRoutes(out)).toEqual(['r/a', 'r/b']);
  });

  it('match conditions per path matcher: a route whose header and query matches do not fit is left out, and those after it', () => {
    const headers = [{ name: 'x-a', type: 'Exact' as const, value: '1' }];
    const routes = [
      exact('a', 'shop/a/80'),
      exact('b', 'shop/b/80', { match: { path: { type: 'Exact', value: '/b' }, headers, queryParams: [] } }),
      exact('c', 'shop/c/80'),
    ];
    // a: 1 predicate, b: 2 (path + header): b would make 3.
    const out = renderGcpCompute(gateway(routes, pools), { limits: { predicatesPerPathMatcher: 2 } });
    expect(limitNotices(out)).toEqual([
      ['r/b', 'url-map/path-matcher'],
      ['r/c', 'url-map/path-matcher'],
    ]);
    expect(ruleRoutes(out)).toEqual(['r/a']);
  });

  it('backend services per URL map (the default service counts): a route that would add one too many is left out', () => {
    const routes = [
      exact('a', 'shop/a/80'),
      exact('b', 'shop/b/80'),
      exact('a2', 'shop/a/80'),
      exact('c', 'shop/c/80'),
    ];
    const out = renderGcpCompute(gateway(routes, pools), { limits: { servicesPerUrlMap: 3 } });
    expect(limitNotices(out)).toEqual([['r/c', 'url-map/backend-services']]);
    expect(out.notices.find((n) => n.route === 'r/c')!.message).toContain(
      'at most 3 backend services and buckets per URL map',
    );
    expect(ruleRoutes(out)).toEqual(['r/a', 'r/b', 'r/a2']);
    expect(out.resources.filter((r) => r.kind === 'backend-service')).toHaveLength(3);
  });

  it('certificates per target proxy: a listener with more than GCP allows is refused whole', () => {
    const certificates = Array.from({ length: GCP_LIMITS.sslCertificatesPerTargetProxy + 1 }, (_, i) => ({
      secret: `shop/tls-${i}`,
      hostnames: [],
      certificatePem: `CERT-${i}`,
      privateKeyPem: `KEY-${i}`,
    }));
    const lb = gateway([exact('a', 'shop/a/80')], pools);
    const out = renderGcpCompute({
      ...lb,
      listeners: [
        ...lb.listeners,
        {
          id: 'HTTPS-443',
          sources: [],
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificates },
          routes: [exact('a', 'shop/a/80')],
        },
      ],
    });
    expect(limitNotices(out)).toEqual([['HTTPS-443', 'listener/certificates']]);
    expect(out.resources.filter((r) => r.kind === 'ssl-certificate')).toEqual([]);
    expect(out.resources.filter((r) => r.kind === 'target-http-proxy')).toHaveLength(1);
  });

  it('endpoints per NEG: the ones over the limit are left out with a notice, the rest attached', () => {
    const big = zoned('shop/a/80', ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const out = renderGcpCompute(gateway([exact('a', 'shop/a/80')], [big]), {
      limits: { endpointsPerNeg: 2 },
    });
    expect(limitNotices(out)).toEqual([['shop/a/80', 'neg/endpoints']]);
    const attached = out.resources.find((r) => r.kind === 'neg-endpoints')!.value as { endpoints: unknown[] };
    expect(attached.endpoints).toHaveLength(2);
  });
});
