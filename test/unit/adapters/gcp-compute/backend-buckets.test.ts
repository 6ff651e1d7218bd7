import { describe, expect, it } from 'vitest';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

const PARAMS = { project: 'my-project', negZones: ['us-central1-a'] };

const assets: ir.BackendBucket = {
  id: 'shop/assets',
  source: { kind: 'StorageBucket', namespace: 'shop', name: 'assets' },
  bucketName: 'shop-static-assets',
  cdn: { cacheMode: 'USE_ORIGIN_HEADERS' },
};

const toBucket = (name: string, extra: Partial<ir.Route> = {}, weight = 1): ir.Route =>
  forwardRoute(name, 'unused', {
    id: `r/${name}`,
    match: { path: { type: 'Prefix', value: `/${name}` }, headers: [], queryParams: [] },
    action: { type: 'forward', backends: [{ pool: null, bucket: 'shop/assets', weight, filters: [] }] },
    ...extra,
  });

function gateway(
  routes: ir.Route[],
  params: Record<string, unknown> = PARAMS,
  bucket = assets,
): ir.LoadBalancer {
  const zoned = pool('shop/site/80');
  zoned.endpoints = zoned.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' }));
  const base = loadBalancer({ providerParameters: params, pools: [zoned], buckets: [bucket] });
  return { ...base, listeners: [{ ...base.listeners[0]!, routes }] };
}

const site = forwardRoute('site', 'shop/site/80', { id: 'r/site' });
const values = (out: ReturnType<typeof renderGcpCompute>, kind: string) =>
  out.resources.filter((r) => r.kind === kind).map((r) => r.value as unknown as Record<string, unknown>);
const rules = (out: ReturnType<typeof renderGcpCompute>) =>
  (
    values(out, 'url-map')[0] as { pathMatchers: { routeRules: Record<string, unknown>[] }[] }
  ).pathMatchers.flatMap((p) => p.routeRules);

describe('gcp-compute render: Cloud Storage buckets', () => {
  it('renders a backend bucket (with CDN) as the route rule service, beside backend services', () => {
    const out = renderGcpCompute(gateway([toBucket('static'), site]));
    expect(out.notices).toEqual([]);
    const [bucket] = values(out, 'backend-bucket');
    expect(bucket).toMatchObject({
      bucketName: 'shop-static-assets',
      enableCdn: true,
      cdnPolicy: { cacheMode: 'USE_ORIGIN_HEADERS' },
    });
    expect(bucket!.region).toBeUndefined();
    expect(rules(out).map((r) => [r.routes, r.service])).toEqual([
      [['r/static'], `global/backendBuckets/${bucket!.name}`],
      [['r/site'], expect.stringMatching(/^global\/backendServices\//)],
    ]);
    expect(values(out, 'backend-service').map((s) => s.pool ?? 'default')).toEqual([
      'default',
      'shop/site/80',
    ]);
  });

  it('keeps a URL rewrite (routeAction beside service), and no weighted split', () => {
    const rewrite: ir.Filter = { type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/v2' } };
    const out = renderGcpCompute(gateway([toBucket('static', { filters: [rewrite] })]));
    expect(out.notices).toEqual([]);
    const [first] = rules(out);
    expect(first).toMatchObject({ service: expect.stringMatching(/^global\/backendBuckets\//) });
    expect(first!.routeAction).toEqual({ urlRewrite: { pathPrefixRewrite: '/v2' } });
  });

  it.each([
    [
      'weighted with a Service',
      toBucket('static', {
        action: {
          type: 'forward',
          backends: [
            { pool: null, bucket: 'shop/assets', weight: 50, filters: [] },
            { pool: 'shop/site/80', weight: 50, filters: [] },
          ],
        },
      }),
      'action/backend-bucket/weighted',
      'GCP splits traffic between backend services only',
    ],
    [
      'mirrored',
      toBucket('static', { filters: [{ type: 'RequestMirror', pool: 'shop/site/80', percent: 100 }] }),
      'action/backend-bucket/mirror',
      'cannot be mirrored',
    ],
    [
      'with a timeout',
      toBucket('static', { timeouts: { requestMs: 5000 } }),
      'action/backend-bucket/timeouts',
      'timeouts and retries apply to backend services',
    ],
  ])(
    'leaves out a bucket route %s, with a precise notice, and programs the rest',
    (_, route, feature, message) => {
      const out = renderGcpCompute(gateway([route, site]));
      expect(out.notices).toEqual([
        expect.objectContaining({
          severity: 'error',
          route: 'r/static',
          feature,
          message: expect.stringContaining(message),
        }),
      ]);
      expect(rules(out).flatMap((r) => r.routes)).toEqual(['r/site']);
      expect(values(out, 'backend-bucket')).toEqual([]);
    },
  );

  it('refuses buckets on a regional load balancer (backend buckets are global)', () => {
    const out = renderGcpCompute(gateway([toBucket('static'), site], { ...PARAMS, location: 'us-central1' }));
    expect(out.notices).toEqual([
      expect.objectContaining({
        route: 'r/static',
        feature: 'action/backend-bucket',
        message: expect.stringContaining('would need regionBackendBuckets'),
      }),
    ]);
    expect(values(out, 'backend-bucket')).toEqual([]);
    expect(rules(out).flatMap((r) => r.routes)).toEqual(['r/site']);
  });

  it('serves without CDN on an internal load balancer, and says so', () => {
    const internal = {
      ...PARAMS,
      loadBalancingScheme: 'INTERNAL_MANAGED',
      network: 'vpc',
      subnetwork: 'projects/my-project/regions/us-central1/subnetworks/lb',
    };
    const lb = { ...gateway([toBucket('static')], internal), scheme: 'internal' as const };
    const out = renderGcpCompute(lb);
    expect(out.notices.map((n) => [n.severity, n.feature])).toEqual([['warning', 'backend-bucket/cdn']]);
    expect(values(out, 'backend-bucket')[0]).toMatchObject({ enableCdn: false });
    expect(values(out, 'backend-bucket')[0]!.cdnPolicy).toBeUndefined();
  });

  it('names the backend bucket after the bucket it serves: a new bucket name is a new resource', () => {
    const name = (bucket: ir.BackendBucket) =>
      values(renderGcpCompute(gateway([toBucket('static')], PARAMS, bucket)), 'backend-bucket')[0]!.name;
    expect(name(assets)).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(name({ ...assets, bucketName: 'other-bucket' })).not.toBe(name(assets));
    expect(name({ ...assets, cdn: { cacheMode: 'FORCE_CACHE_ALL' } })).toBe(name(assets));
  });
});
