import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EVERY_CAPABILITY,
  KeptRouteChecks,
  unsupportedFeatures,
  withoutUnsupported,
} from '#adapters/capabilities.js';
import type { Capabilities } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from './ir-fixture.js';

const caps = (c: Partial<Capabilities>): Capabilities => ({ ...EVERY_CAPABILITY, ...c });
const features = (lb: ir.LoadBalancer, c: Partial<Capabilities>) =>
  unsupportedFeatures(lb, caps(c)).map((n) => n.feature);

function withRoutes(...routes: ir.Route[]): ir.LoadBalancer {
  const lb = loadBalancer();
  return { ...lb, listeners: [{ ...lb.listeners[0]!, routes }] };
}

describe('adapters: unsupportedFeatures', () => {
  it('finds nothing when everything is declared', () => {
    expect(unsupportedFeatures(loadBalancer(), EVERY_CAPABILITY)).toEqual([]);
  });

  it('names the route, listener and source of each unsupported feature', () => {
    const lb = withRoutes(
      forwardRoute('a', 'shop/api/80', {
        match: {
          path: { type: 'RegularExpression', value: '/v[0-9]+' },
          headers: [{ name: 'x', type: 'RegularExpression', value: '.*' }],
          queryParams: [{ name: 'q', type: 'Exact', value: '1' }],
          method: 'GET',
        },
      }),
    );
    const notices = unsupportedFeatures(
      lb,
      caps({
        pathMatch: ['Exact', 'Prefix'],
        headerMatch: ['Exact'],
        queryParamMatch: [],
        methodMatch: false,
      }),
      'haproxy',
    );
    expect(notices.map((n) => n.feature)).toEqual([
      'match/path/RegularExpression',
      'match/headers/RegularExpression',
      'match/query/Exact',
      'match/method',
    ]);
    expect(notices[0]).toEqual({
      severity: 'error',
      code: 'UnsupportedValue',
      feature: 'match/path/RegularExpression',
      source: { kind: 'HTTPRoute', namespace: 'shop', name: 'a', rule: 0, match: 0 },
      listener: 'HTTP-80',
      route: 'HTTPRoute/shop/a/rule/0/match/0',
      message: 'the haproxy provider does not support RegularExpression path matches',
    });
  });

  it('checks filters, per-backend filters, actions, weights, timeouts and pool protocols', () => {
    const lb = {
      ...withRoutes(
        forwardRoute('f', 'shop/api/80', {
          filters: [
            {
              type: 'URLRewrite',
              hostname: 'x.example.com',
              path: { type: 'ReplacePrefixMatch', value: '/' },
            },
            { type: 'RequestMirror', pool: 'shop/grpc/80', percent: 100 },
          ],
          timeouts: { requestMs: 1000, backendRequestMs: 500 },
        }),
        forwardRoute('w', 'shop/api/80', {
          action: {
            type: 'forward',
            backends: [
              {
                pool: 'shop/api/80',
                weight: 1,
                filters: [{ type: 'ResponseHeaderModifier', set: [], add: [], remove: ['x'] }],
              },
              { pool: 'shop/site/80', weight: 1, filters: [] },
              { pool: null, weight: 1, filters: [] },
            ],
          },
        }),
        forwardRoute('r', 'shop/api/80', {
          action: { type: 'redirect', statusCode: 307, path: { type: 'ReplaceFullPath', value: '/' } },
        }),
        forwardRoute('x', 'shop/api/80', {
          action: { type: 'fixed-response', statusCode: 404, reason: 'nope' },
        }),
      ),
    };
    lb.pools = [...lb.pools, pool('shop/grpc/80', 'GRPC')];
    expect(
      features(lb, {
        filters: ['URLRewrite', 'RequestMirror'],
        urlRewrite: { hostname: false, path: ['ReplaceFullPath'] },
        backendFilters: false,
        poolProtocols: ['HTTP'],
        timeouts: { request: false, backendRequest: false },
        weightedBackends: false,
        maxBackendsPerRoute: 2,
        redirect: { supported: true, path: [], statusCodes: [301, 302] },
        fixedResponse: false,
      }),
    ).toEqual([
      'filter/URLRewrite/hostname',
      'filter/URLRewrite/path/ReplacePrefixMatch',
      'pool/protocol/GRPC',
      'timeouts/request',
      'timeouts/backend-request',
      'action/weighted-backends',
      'action/backends',
      'action/backend-filters',
      'filter/ResponseHeaderModifier',
      'action/redirect/path/ReplaceFullPath',
      'action/redirect/status/307',
      'action/fixed-response',
    ]);
  });

  it('checks listeners, limits and the load balancer itself', () => {
    const base = loadBalancer();
    const tls: ir.Listener = {
      id: 'TLS-443',
      sources: [{ kind: 'Gateway', namespace: 'shop', name: 'web', section: 'tls' }],
      port: 443,
      protocol: 'TLS',
      tls: { mode: 'Passthrough', certificates: [] },
      routes: [],
    };
    const lb: ir.LoadBalancer = {
      ...base,
      sourceRanges: ['10.0.0.0/8'],
      requestedAddresses: [{ type: 'NamedAddress', value: 'my-ip' }],
      listeners: [...base.listeners, tls],
    };
    const notices = unsupportedFeatures(
      lb,
      caps({
        sourceRanges: false,
        requestedAddressTypes: ['IPAddress'],
        listenerProtocols: ['HTTP', 'HTTPS'],
        tlsPassthrough: false,
        maxListeners: 1,
        maxRoutesPerListener: 1,
      }),
    );
    expect(notices.map((n) => [n.code, n.feature, n.listener, n.route])).toEqual([
      ['UnsupportedValue', 'load-balancer/source-ranges', undefined, undefined],
      ['UnsupportedValue', 'load-balancer/address/NamedAddress', undefined, undefined],
      ['LimitExceeded', 'listener/routes', 'HTTP-80', 'HTTPRoute/shop/site/rule/0/match/0'],
      ['LimitExceeded', 'load-balancer/listeners', 'TLS-443', undefined],
      ['UnsupportedProtocol', 'listener/protocol/TLS', 'TLS-443', undefined],
      ['UnsupportedValue', 'listener/tls-passthrough', 'TLS-443', undefined],
    ]);
  });
});

describe('adapters: unsupportedFeatures with kept route checks', () => {
  it('finds what a call without them finds, as routes, pools and capabilities change', () => {
    const kept = new KeptRouteChecks();
    const grpcOnly = caps({ poolProtocols: ['HTTP'] });
    const [api, site] = [forwardRoute('api', 'shop/api/80'), forwardRoute('site', 'shop/site/80')];
    const same = (lb: ir.LoadBalancer, c: Capabilities) => {
      const notices = unsupportedFeatures(lb, c, 'test', kept);
      expect(notices).toEqual(unsupportedFeatures(lb, c, 'test'));
      return notices.map((n) => `${n.route ?? ''} ${n.feature}`);
    };
    const pools = [pool('shop/api/80'), pool('shop/site/80')];
    expect(same({ ...withRoutes(api, site), pools }, grpcOnly)).toEqual([]);
    // The same route objects, a pool now GRPC: its route's check is made again.
    const grpc = [pool('shop/api/80', 'GRPC'), pool('shop/site/80')];
    expect(same({ ...withRoutes(api, site), pools: grpc }, grpcOnly)).toEqual([
      `${api.id} pool/protocol/GRPC`,
    ]);
    expect(same({ ...withRoutes(site), pools: grpc }, grpcOnly)).toEqual([]);
    expect(same({ ...withRoutes(site, api), pools: grpc }, grpcOnly)).toEqual([
      `${api.id} pool/protocol/GRPC`,
    ]);
    // A pool that comes or goes keeps the checks; one that changes under a kept route drops them.
    const more = [...grpc, pool('shop/new/80')];
    expect(same({ ...withRoutes(site, api), pools: more }, grpcOnly)).toEqual([
      `${api.id} pool/protocol/GRPC`,
    ]);
    const back = [pool('shop/api/80'), pool('shop/site/80'), pool('shop/new/80')];
    expect(same({ ...withRoutes(site, api), pools: back }, grpcOnly)).toEqual([]);
    // Other capabilities: every route checked again.
    expect(same({ ...withRoutes(site, api), pools: grpc }, EVERY_CAPABILITY)).toEqual([]);
  });

  it('finds what a call without them finds for any sequence of route lists (adds, removals, moves, twins)', () => {
    const c = caps({ pathMatch: ['Prefix'], methodMatch: false });
    const routes = [
      forwardRoute('plain', 'shop/api/80'),
      forwardRoute('regex', 'shop/api/80', {
        match: { path: { type: 'RegularExpression', value: '/r' }, headers: [], queryParams: [] },
      }),
      forwardRoute('method', 'shop/site/80', {
        match: { path: { type: 'Prefix', value: '/m' }, headers: [], queryParams: [], method: 'GET' },
      }),
      forwardRoute('site', 'shop/site/80'),
      forwardRoute('other', 'shop/site/80'),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...routes), { maxLength: 7 }), { maxLength: 12 }),
        (lists) => {
          const kept = new KeptRouteChecks();
          for (const list of lists) {
            const lb = withRoutes(...list);
            expect(unsupportedFeatures(lb, c, 'test', kept)).toEqual(unsupportedFeatures(lb, c, 'test'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('adapters: withoutUnsupported', () => {
  it('drops offending routes whole, listeners whole, and pools it cannot program', () => {
    const lb = { ...loadBalancer(), pools: [pool('shop/api/80', 'GRPC'), pool('shop/site/80')] };
    const notices = unsupportedFeatures(lb, caps({ poolProtocols: ['HTTP'] }));
    const kept = withoutUnsupported(lb, notices);
    expect(kept.listeners[0]!.routes.map((r) => r.source.name)).toEqual(['site']);
    expect(kept.pools.map((p) => p.id)).toEqual(['shop/site/80']);

    const noHttp = withoutUnsupported(lb, unsupportedFeatures(lb, caps({ listenerProtocols: ['TCP'] })));
    expect(noHttp.listeners).toEqual([]);
  });

  it('renders nothing when the load balancer itself cannot be honoured', () => {
    const lb = { ...loadBalancer(), sourceRanges: ['10.0.0.0/8'] };
    const kept = withoutUnsupported(lb, unsupportedFeatures(lb, caps({ sourceRanges: false })));
    expect(kept.listeners).toEqual([]);
    expect(kept.pools).toEqual([]);
  });

  it('drops only the pool for a notice that names a pool and nothing else', () => {
    const lb = { ...loadBalancer(), pools: [pool('shop/api/80'), pool('shop/site/80')] };
    const [notice] = unsupportedFeatures(lb, caps({ listenerProtocols: ['TCP'] }));
    const kept = withoutUnsupported(lb, [
      { ...notice!, listener: undefined, route: undefined, pool: 'shop/api/80' },
    ]);
    expect(kept.listeners.length).toBe(lb.listeners.length);
    expect(kept.pools.map((p) => p.id)).toEqual(['shop/site/80']);
  });

  it('returns the same load balancer when nothing is unsupported', () => {
    const lb = loadBalancer();
    expect(withoutUnsupported(lb, [])).toBe(lb);
  });
});
