// The Gateway API v1.6 route features a URL map's route rules can express: method matches (the
// `:method` pseudo-header), CORS (corsPolicy), percentage mirrors (mirrorPercent), backend request
// timeouts (retryPolicy.perTryTimeout or the one attempt's timeout) and per-backend header filters
// (weightedBackendServices[].headerAction); and the precise notices for what it cannot.

import { describe, expect, it } from 'vitest';
import type { RouteAction, RouteRule } from '#adapters/gcp-compute/model.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

const PARAMS = { project: 'my-project', negZones: ['us-central1-a'] };

function render(routes: ir.Route[]) {
  const pools = [pool('shop/api/80'), pool('shop/site/80'), pool('shop/canary/80')].map((p) => ({
    ...p,
    endpoints: p.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' })),
  }));
  const base = loadBalancer({ providerParameters: PARAMS, pools });
  return renderGcpCompute({ ...base, listeners: [{ ...base.listeners[0]!, routes }] });
}

/** The route rules of the URL map, by the IR route they stand for. */
function rulesOf(out: ReturnType<typeof render>): Map<string, RouteRule> {
  const um = out.resources.find((r) => r.kind === 'url-map')!.value as {
    pathMatchers: { routeRules: RouteRule[] }[];
  };
  return new Map(um.pathMatchers.flatMap((p) => p.routeRules.map((r) => [r.routes![0]!, r] as const)));
}

const serviceOf = (out: ReturnType<typeof render>, poolId: string) =>
  (
    out.resources.find((r) => r.kind === 'backend-service' && (r.value as { pool?: string }).pool === poolId)!
      .value as { selfLink?: string; name: string }
  ).name;

const CORS: ir.CorsFilter = {
  type: 'CORS',
  allowOrigins: ['https://app.example.com'],
  allowCredentials: true,
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['x-token'],
  exposeHeaders: ['x-trace'],
  maxAgeSeconds: 600,
};

describe('gcp-compute route features', () => {
  it('matches a method with the :method pseudo-header', () => {
    const out = render([
      forwardRoute('post', 'shop/api/80', {
        match: { path: { type: 'Exact', value: '/x' }, headers: [], queryParams: [], method: 'POST' },
      }),
    ]);
    expect(out.notices).toEqual([]);
    const rule = rulesOf(out).get('HTTPRoute/shop/post/rule/0/match/0')!;
    expect(rule.matchRules).toEqual([
      { fullPathMatch: '/x', headerMatches: [{ headerName: ':method', exactMatch: 'POST' }] },
    ]);
  });

  it('renders CORS as the route action corsPolicy, and refuses subdomain-wildcard origins precisely', () => {
    const out = render([
      forwardRoute('cors', 'shop/api/80', { filters: [CORS] }),
      forwardRoute('wild', 'shop/site/80', {
        filters: [{ ...CORS, allowOrigins: ['https://*.example.com'] }],
      }),
    ]);
    expect(out.notices.map((n) => [n.route, n.feature, n.message])).toEqual([
      [
        'HTTPRoute/shop/wild/rule/0/match/0',
        'filter/CORS/origin-wildcards',
        'the gcp-compute provider does not support CORS origins with a subdomain wildcard',
      ],
    ]);
    expect(rulesOf(out).get('HTTPRoute/shop/cors/rule/0/match/0')!.routeAction!.corsPolicy).toEqual({
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['x-token'],
      exposeHeaders: ['x-trace'],
      maxAge: 600,
      allowCredentials: true,
      disabled: false,
    });
  });

  it('with credentials, a `*` method list is spelled out and `*` header lists are refused: GCP sends them as written, and browsers read `*` literally then', () => {
    const any = { ...CORS, allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: [], exposeHeaders: [] };
    const out = render([
      forwardRoute('any', 'shop/api/80', { filters: [any] }),
      forwardRoute('open', 'shop/site/80', {
        filters: [{ ...any, allowCredentials: false, allowHeaders: ['*'] }],
      }),
      forwardRoute('headers', 'shop/canary/80', { filters: [{ ...any, allowHeaders: ['*'] }] }),
      forwardRoute('expose', 'shop/canary/80', {
        id: 'r/expose',
        filters: [{ ...any, exposeHeaders: ['*'] }],
      }),
    ]);
    expect(out.notices.map((n) => [n.route, n.feature])).toEqual([
      ['HTTPRoute/shop/headers/rule/0/match/0', 'filter/CORS/credentials-wildcard'],
      ['r/expose', 'filter/CORS/credentials-wildcard'],
    ]);
    const rules = rulesOf(out);
    // `*` origins: the load balancer (Envoy) answers with the request's Origin, as credentials need.
    expect(rules.get('HTTPRoute/shop/any/rule/0/match/0')!.routeAction!.corsPolicy).toEqual({
      allowOrigins: ['*'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
      maxAge: 600,
      allowCredentials: true,
      disabled: false,
    });
    // Without credentials `*` means any, as written.
    expect(rules.get('HTTPRoute/shop/open/rule/0/match/0')!.routeAction!.corsPolicy).toMatchObject({
      allowMethods: ['*'],
      allowHeaders: ['*'],
      allowCredentials: false,
    });
  });

  it('mirrors a percentage of requests with mirrorPercent, and refuses a second mirror', () => {
    const out = render([
      forwardRoute('half', 'shop/api/80', {
        filters: [{ type: 'RequestMirror', pool: 'shop/site/80', percent: 12.5 }],
      }),
      forwardRoute('two', 'shop/api/80', {
        id: 'r/two',
        filters: [
          { type: 'RequestMirror', pool: 'shop/site/80', percent: 100 },
          { type: 'RequestMirror', pool: 'shop/canary/80', percent: 100 },
        ],
      }),
    ]);
    expect(out.notices.map((n) => [n.route, n.feature])).toEqual([
      ['r/two', 'filter/RequestMirror/multiple'],
    ]);
    const action = rulesOf(out).get('HTTPRoute/shop/half/rule/0/match/0')!.routeAction!;
    expect(action.requestMirrorPolicy).toEqual({
      backendService: expect.stringContaining(serviceOf(out, 'shop/site/80')),
      mirrorPercent: 12.5,
    });
  });

  it('bounds each attempt by the backend request timeout: perTryTimeout with retries, else the smaller timeout', () => {
    const out = render([
      forwardRoute('retried', 'shop/api/80', {
        id: 'r/retried',
        timeouts: { requestMs: 10_000, backendRequestMs: 2_500 },
        retry: { attempts: 3, codes: [] },
      }),
      forwardRoute('once', 'shop/api/80', {
        id: 'r/once',
        timeouts: { requestMs: 10_000, backendRequestMs: 2_500 },
      }),
      forwardRoute('backend-only', 'shop/api/80', {
        id: 'r/backend-only',
        timeouts: { backendRequestMs: 7_000 },
      }),
    ]);
    expect(out.notices).toEqual([]);
    const rules = rulesOf(out);
    const action = (id: string) => rules.get(id)!.routeAction as RouteAction;
    expect(action('r/retried').timeout).toEqual({ seconds: '10' });
    expect(action('r/retried').retryPolicy).toEqual({
      retryConditions: ['connect-failure'],
      numRetries: 3,
      perTryTimeout: { seconds: '2', nanos: 500_000_000 },
    });
    expect(action('r/once').timeout).toEqual({ seconds: '2', nanos: 500_000_000 });
    expect(action('r/once').retryPolicy).toBeUndefined();
    expect(action('r/backend-only').timeout).toEqual({ seconds: '7' });
  });

  it('puts header filters of one backend on its weighted entry, and refuses its other filters', () => {
    const out = render([
      forwardRoute('split', 'shop/api/80', {
        id: 'r/split',
        action: {
          type: 'forward',
          backends: [
            {
              pool: 'shop/api/80',
              weight: 3,
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  set: [{ name: 'x-lane', value: 'api' }],
                  add: [],
                  remove: [],
                },
                { type: 'ResponseHeaderModifier', set: [], add: [], remove: ['server'] },
              ],
            },
            { pool: 'shop/canary/80', weight: 1, filters: [] },
          ],
        },
      }),
      forwardRoute('single', 'shop/site/80', {
        id: 'r/single',
        action: {
          type: 'forward',
          backends: [
            {
              pool: 'shop/site/80',
              weight: 1,
              filters: [
                { type: 'RequestHeaderModifier', set: [], add: [{ name: 'x-a', value: '1' }], remove: [] },
              ],
            },
          ],
        },
      }),
      forwardRoute('rewrite', 'shop/site/80', {
        id: 'r/rewrite',
        action: {
          type: 'forward',
          backends: [
            {
              pool: 'shop/site/80',
              weight: 1,
              filters: [{ type: 'URLRewrite', hostname: 'internal.example.com' }],
            },
          ],
        },
      }),
    ]);
    expect(out.notices.map((n) => [n.route, n.feature, n.message])).toEqual([
      [
        'r/rewrite',
        'action/backend-filters/URLRewrite',
        'route r/rewrite left out: the URLRewrite filter on one backend: GCP has per-backend header actions only',
      ],
    ]);
    const rules = rulesOf(out);
    const split = rules.get('r/split')!.routeAction!.weightedBackendServices!;
    expect(split.map((w) => [w.weight, w.headerAction])).toEqual([
      [
        3,
        {
          requestHeadersToAdd: [{ headerName: 'x-lane', headerValue: 'api', replace: true }],
          responseHeadersToRemove: ['server'],
        },
      ],
      [1, undefined],
    ]);
    // One backend with a header filter still needs the weighted form: `service` has no header action.
    const single = rules.get('r/single')!;
    expect(single.service).toBeUndefined();
    expect(single.routeAction!.weightedBackendServices![0]!.headerAction).toEqual({
      requestHeadersToAdd: [{ headerName: 'x-a', headerValue: '1', replace: false }],
    });
  });

  it('refuses untrusted CORS and per-backend header values GCP would reject', () => {
    const out = render([
      forwardRoute('cors', 'shop/api/80', {
        id: 'r/cors',
        filters: [{ ...CORS, allowHeaders: ['x-a\r\nx-b: 1'] }],
      }),
      forwardRoute('header', 'shop/api/80', {
        id: 'r/header',
        action: {
          type: 'forward',
          backends: [
            {
              pool: 'shop/api/80',
              weight: 1,
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  set: [{ name: 'bad name', value: 'x' }],
                  add: [],
                  remove: [],
                },
              ],
            },
          ],
        },
      }),
    ]);
    expect(out.notices.map((n) => [n.route, n.feature])).toEqual([
      ['r/cors', 'filter/CORS'],
      ['r/header', 'filter/RequestHeaderModifier'],
    ]);
  });
});
