import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { boundTo } from '#adapters/haproxy/model.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { CANARY, HAPROXY_BIN, writeFiles } from './haproxy-check.js';

// Real HAProxy, real HTTP: the routing semantics of the IR (host first, no fall-through,
// element-wise prefixes, IR order) and hostile header values arriving byte for byte.

const BIND = '127.0.0.9';
const PORT = 20990;
const BIG_HEADERS = [1, 2, 3, 4].map((i) => ({ name: `X-Big-${i}`, value: String(i).repeat(4096) }));
// Just under MAX_ADDED_HEADER_BYTES once names and per-header overhead are counted.
const MAX_HEADERS = [
  ...[1, 2, 3, 4, 5, 6, 7].map((i) => ({ name: `X-Max-${i}`, value: 'm'.repeat(4096) })),
  { name: 'X-Max-8', value: 'm'.repeat(3700) },
];
const HOSTILE = `%[env(PORTICO_CANARY)] $PORTICO_CANARY "\${PORTICO_CANARY}" it's # \\ ; {`;

const route = (id: string, extra: Partial<ir.Route>): ir.Route => ({
  id,
  source: { kind: 'HTTPRoute', namespace: 'live', name: id, rule: 0, match: 0 },
  wildcard: 'any-depth',
  match: { headers: [], queryParams: [] },
  filters: [],
  action: { type: 'forward', backends: [{ pool: 'live/echo/80', weight: 1, filters: [] }] },
  ...extra,
});
const prefix = (value: string) => ({
  path: { type: 'Prefix' as const, value },
  headers: [],
  queryParams: [],
});

function lb(echoPort: number): ir.LoadBalancer {
  return {
    key: 'live/Gateway/live/gw',
    cluster: 'live',
    source: { kind: 'Gateway', namespace: 'live', name: 'gw' },
    provider: 'haproxy',
    scheme: 'internal',
    requestedAddresses: [],
    sourceRanges: [],
    providerParameters: {},
    listeners: [
      {
        id: `HTTP-${PORT}`,
        sources: [],
        port: PORT,
        protocol: 'HTTP',
        routes: [
          route('exact', {
            hostname: 'a.test',
            match: { path: { type: 'Exact', value: '/x' }, headers: [], queryParams: [] },
          }),
          route('hdr', {
            hostname: 'a.test',
            match: prefix('/foo'),
            filters: [
              {
                type: 'RequestHeaderModifier',
                set: [{ name: 'X-Hostile', value: HOSTILE }],
                add: [],
                remove: [],
              },
            ],
          }),
          route('redirect', {
            hostname: 'a.test',
            match: prefix('/old'),
            action: {
              type: 'redirect',
              scheme: 'https',
              path: { type: 'ReplacePrefixMatch', value: '/new' },
              statusCode: 301,
            },
          }),
          route('method', {
            hostname: 'b.test',
            match: {
              path: { type: 'Prefix', value: '/' },
              headers: [{ name: 'x-v', type: 'Exact', value: "it's #1" }],
              queryParams: [],
              method: 'GET',
            },
            action: { type: 'fixed-response', statusCode: 418, reason: 'teapot' },
          }),
          route('b-rest', { hostname: 'b.test', match: prefix('/') }),
          // Rule routes first, then the maps: r.test keeps its plain routes in the maps (the rule
          // route comes before the plain one it overlaps); o.test cannot (plain `/d/z` comes first).
          route('r-rule', {
            hostname: 'r.test',
            match: { ...prefix('/b'), headers: [{ name: 'x-r', type: 'Exact', value: '1' }] },
            action: { type: 'fixed-response', statusCode: 418, reason: 'rule' },
          }),
          route('r-plain', { hostname: 'r.test', match: prefix('/b/y') }),
          // A weighted split: shares and backends come from the targets and weights maps.
          route('weighted', {
            hostname: 'split.test',
            match: prefix('/'),
            action: {
              type: 'forward',
              backends: [
                {
                  pool: 'live/echo/80',
                  weight: 1,
                  filters: [
                    {
                      type: 'RequestHeaderModifier',
                      set: [{ name: 'X-Pick', value: 'a' }],
                      add: [],
                      remove: [],
                    },
                  ],
                },
                {
                  pool: 'live/echo/80',
                  weight: 3,
                  filters: [
                    {
                      type: 'RequestHeaderModifier',
                      set: [{ name: 'X-Pick', value: 'b' }],
                      add: [],
                      remove: [],
                    },
                  ],
                },
              ],
            },
          }),
          route('o-plain', { hostname: 'o.test', match: prefix('/d/z') }),
          route('o-rule', {
            hostname: 'o.test',
            match: { ...prefix('/d'), headers: [{ name: 'x-r', type: 'Exact', value: '1' }] },
            action: { type: 'fixed-response', statusCode: 418, reason: 'rule' },
          }),
          route('wild', {
            hostname: '*.w.test',
            match: prefix('/api'),
            filters: [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/v2' } }],
          }),
          // Within Gateway API limits (values up to 4,096 bytes): four of them on the response,
          // four on the request.
          route('big-headers', {
            hostname: 'h.test',
            match: prefix('/'),
            filters: [
              { type: 'ResponseHeaderModifier', set: [], add: BIG_HEADERS, remove: [] },
              { type: 'RequestHeaderModifier', set: BIG_HEADERS, add: [], remove: [] },
            ],
          }),
          route('max-headers', {
            hostname: 'm.test',
            match: prefix('/'),
            filters: [
              { type: 'ResponseHeaderModifier', set: MAX_HEADERS, add: [], remove: [] },
              { type: 'RequestHeaderModifier', set: [], add: MAX_HEADERS, remove: [] },
            ],
          }),
          route('split', {
            hostname: 's.test',
            match: prefix('/'),
            action: { type: 'forward', backends: [{ pool: null, weight: 1, filters: [] }] },
          }),
          route('any', {
            match: prefix('/'),
            action: { type: 'fixed-response', statusCode: 404, reason: 'catch-all' },
          }),
        ],
      },
    ],
    pools: [
      {
        id: 'live/echo/80',
        source: { kind: 'Service', namespace: 'live', name: 'echo' },
        protocol: 'HTTP',
        servicePort: 80,
        trafficPolicy: 'Cluster',
        endpoints: [
          {
            address: '127.0.0.1',
            family: 'IPv4',
            port: echoPort,
            ready: true,
            serving: true,
            terminating: false,
          },
        ],
        healthCheck: {
          protocol: 'TCP',
          intervalSeconds: 10,
          timeoutSeconds: 2,
          healthyThreshold: 1,
          unhealthyThreshold: 3,
          origin: 'default',
        },
      },
    ],
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(host: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: BIND, port: PORT, path, headers: { host, ...headers }, maxHeaderSize: 65_536 },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let echo: Server;
let haproxy: ChildProcess;
let dir: string;

beforeAll(async () => {
  // Node's own 16 kB header limit would refuse the large-header route before HAProxy is tested.
  echo = createServer({ maxHeaderSize: 65_536 }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const { model, notices } = renderHaproxyModel(lb((echo.address() as AddressInfo).port));
  expect(notices).toEqual([]);
  dir = mkdtempSync(join(tmpdir(), 'portico-live-'));
  writeFiles(dir, materialize([boundTo(model, BIND)], {}, { stateDir: dir }).files);
  haproxy = spawn(HAPROXY_BIN, ['-db', '-f', join(dir, 'haproxy.cfg')], {
    env: { PATH: process.env.PATH ?? '', PORTICO_CANARY: CANARY },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      await get('probe', '/');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('haproxy did not start');
});

afterAll(() => {
  haproxy?.kill();
  echo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const echoed = (r: Reply) => JSON.parse(r.body) as { url: string; headers: Record<string, string> };

describe('live HAProxy routing', () => {
  it('delivers hostile header values byte for byte, nothing expanded or evaluated', async () => {
    const r = await get('a.test', '/foo/bar');
    expect(r.status).toBe(200);
    expect(echoed(r).headers['x-hostile']).toBe(HOSTILE);
  });

  it('matches prefixes element-wise and exact paths exactly', async () => {
    expect((await get('a.test', '/foo')).status).toBe(200);
    expect((await get('A.TEST:20990', '/foo/')).status).toBe(200);
    expect((await get('a.test', '/x')).status).toBe(200);
    // Host a.test has no route for these: 404 from the vhost, never the no-hostname catch-all.
    expect((await get('a.test', '/foobar')).body).not.toContain('catch-all');
    expect((await get('a.test', '/foobar')).status).toBe(404);
    expect((await get('a.test', '/x/y')).status).toBe(404);
    expect((await get('unknown.test', '/x')).body).toContain('catch-all');
  });

  it('redirects with the prefix replaced element-wise and the query kept', async () => {
    const r = await get('a.test', '/old/page?q=1');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://a.test/new/page?q=1');
  });

  it('evaluates header and method matches in IR order', async () => {
    expect((await get('b.test', '/z', { 'x-v': "it's #1" })).status).toBe(418);
    expect((await get('b.test', '/z', { 'x-v': "it's #2" })).status).toBe(200);
  });

  it('tries rule routes before the maps only where that keeps the IR order', async () => {
    expect((await get('r.test', '/b/y', { 'x-r': '1' })).status).toBe(418);
    expect((await get('r.test', '/b/y')).status).toBe(200);
    expect((await get('r.test', '/b')).status).toBe(404);
    expect((await get('o.test', '/d/z/1', { 'x-r': '1' })).status).toBe(200);
    expect((await get('o.test', '/d/q', { 'x-r': '1' })).status).toBe(418);
    expect((await get('o.test', '/d/q')).status).toBe(404);
  });

  it('splits by weight, each share with its own filters', async () => {
    const picks: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const pick = echoed(await get('split.test', '/')).headers['x-pick'] ?? 'none';
      picks[pick] = (picks[pick] ?? 0) + 1;
    }
    expect(Object.keys(picks).sort()).toEqual(['a', 'b']);
    // 1:3 expected (50 of 200); far outside 20..85 would be a broken pick (p < 1e-6).
    expect(picks.a).toBeGreaterThan(20);
    expect(picks.a).toBeLessThan(85);
  });

  it('routes wildcards at any depth and rewrites the prefix', async () => {
    const r = await get('deep.er.w.test', '/api/items?x=1');
    expect(echoed(r).url).toBe('/v2/items?x=1');
    expect(echoed(await get('one.w.test', '/api')).url).toBe('/v2');
    expect((await get('w.test', '/api')).body).toContain('catch-all');
  });

  it('serves a route that adds four 4 KB headers each way, with every header', async () => {
    const r = await get('h.test', '/');
    expect(r.status).toBe(200);
    for (const h of BIG_HEADERS) {
      expect(r.headers[h.name.toLowerCase()]).toBe(h.value);
      expect(echoed(r).headers[h.name.toLowerCase()]).toBe(h.value);
    }
  });

  it('serves a route that adds as many header bytes as it may, with every header', async () => {
    const r = await get('m.test', '/', { 'x-client': 'c'.repeat(8_000) });
    expect(r.status).toBe(200);
    for (const h of MAX_HEADERS) {
      expect(r.headers[h.name.toLowerCase()]).toBe(h.value);
      expect(echoed(r).headers[h.name.toLowerCase()]).toBe(h.value);
    }
  });

  it('answers 500 for an unresolved backend', async () => {
    expect((await get('s.test', '/')).status).toBe(500);
  });
});
