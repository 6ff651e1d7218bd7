// Header- and method-matched routes served from the rules map (map_reg over vhost, method, path and
// the header block): real HAProxy, real HTTP. Adding, changing and deleting such routes is a runtime
// map change, never a reload; header names match case-insensitively, values exactly (any
// occurrence), hostile values literally; IR order holds between patterns and against the path maps.
// Pool 127.0.106.1, port 20601.

import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { type LooseRoute, withDefaults } from '#test/support/loose-ir.js';
import { onAdapterAndBackends } from './adapter-and-backends.js';
import type { TestBackend } from './support.js';

const IP = '127.0.106.1';
const PORT = 20601;
const HOSTILE = `it's #1 "\${X}" %[env(HOME)] \\ ; { } (.*)|^$ é`;
/** The same value as bytes on the wire: UTF-8 (Node writes header strings as Latin-1). */
const HOSTILE_WIRE = Buffer.from(HOSTILE, 'utf8').toString('latin1');
let a: TestBackend;
let b: TestBackend;
let adapter: HaproxyAdapter;

onAdapterAndBackends('rule-map', IP, (started) => {
  ({ a, b, adapter } = started);
});

type Match = NonNullable<LooseRoute['match']>;
const route = (name: string, match: Match, pool: string, hostname = 'h.test'): LooseRoute => ({
  id: `HTTPRoute/shop/${name}/rule/0/match/0`,
  hostname,
  match,
  action: { type: 'forward', backends: [{ pool, weight: 1 }] },
});
const header = (name: string, value: string) => ({ type: 'Exact' as const, name, value });

async function reconcile(routes: LooseRoute[]) {
  const lb = withDefaults(
    {
      listeners: [{ id: 'HTTP', port: PORT, protocol: 'HTTP', routes }],
      pools: [
        { id: 'shop/a/80', endpoints: [{ address: '127.0.0.1', port: a.port }] },
        { id: 'shop/b/80', endpoints: [{ address: '127.0.0.1', port: b.port }] },
      ],
    },
    { key: 'rules/Gateway/shop/gw', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );
  await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal: new AbortController().signal });
  return adapter.lastApply!;
}

/** Which backend answered (`a`, `b`) or the status; raw header lines so names and repeats are as sent. */
const served = (path: string, headers: [string, string][] = [], method = 'GET', host = 'h.test') =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: IP, port: PORT, path, method, agent: false, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(res.statusCode === 200 ? body : String(res.statusCode)));
    });
    req.setHeader('host', host);
    for (const [n, v] of headers) req.appendHeader(n, v);
    req.on('error', reject).end();
  });

const base = [
  route('plain', { path: { type: 'Prefix', value: '/' } }, 'shop/a/80'),
  route('other-host', { path: { type: 'Exact', value: '/' } }, 'shop/b/80', 'o.test'),
];

describe('rule routes in the rules map', () => {
  it('adds, changes and deletes header routes without a reload, matching exactly', async () => {
    // IR order as core gives it: the header route before the plain `/` route of its host.
    const withHeader = (value: string, path = '/api') => [
      route(
        'header',
        { path: { type: 'Prefix', value: path }, headers: [header('X-Variant', value)] },
        'shop/b/80',
      ),
      ...base,
    ];
    await reconcile(base);
    expect(await served('/api')).toBe('a');

    expect(await reconcile(withHeader('v1'))).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await served('/api/x', [['x-variant', 'v1']])).toBe('b');
    expect(await served('/api', [['X-VARIANT', 'v1']])).toBe('b'); // names are case-insensitive
    expect(await served('/api', [['x-variant', '  v1  ']])).toBe('b'); // HAProxy trims the value (OWS)
    expect(
      await served('/api', [
        ['x-variant', 'v2'],
        ['x-variant', 'v1'],
      ]),
    ).toBe('b'); // any occurrence
    expect(await served('/api', [['x-variant', 'v11']])).toBe('a'); // values exactly
    expect(await served('/api', [['x-variant', 'V1']])).toBe('a');
    expect(await served('/api', [['x-variant-2', 'v1']])).toBe('a'); // not a longer name
    expect(await served('/apix', [['x-variant', 'v1']])).toBe('a'); // element-wise prefix
    expect(await served('/api', [['x-variant', 'v1']], 'GET', 'o.test')).toBe('404'); // its host only
    expect(await served('/', [['x-variant', 'v1']], 'GET', 'o.test')).toBe('b');

    // A hostile value: matched literally, nothing in it is regex, config or map syntax.
    expect(await reconcile(withHeader(HOSTILE))).toMatchObject({ path: 'runtime', reloaded: false });
    // The worker's map reads back as written (show map): the same routes again change nothing.
    expect(await reconcile(withHeader(HOSTILE))).toMatchObject({ path: 'noop' });
    expect(await served('/api', [['x-variant', HOSTILE_WIRE]])).toBe('b');
    expect(await served('/api', [['x-variant', 'v1']])).toBe('a');
    expect(await served('/api', [['x-variant', `${HOSTILE_WIRE}x`]])).toBe('a');

    // A path change and a delete: map changes too.
    expect(await reconcile(withHeader('v1', '/other'))).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await served('/other', [['x-variant', 'v1']])).toBe('b');
    expect(await served('/api', [['x-variant', 'v1']])).toBe('a');
    expect(await reconcile(base)).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await served('/other', [['x-variant', 'v1']])).toBe('a');
  });

  it('keeps IR order: more specific matches first, methods, and a plain route before a rule route', async () => {
    const routes = [
      // Exact before the header + method route, which comes before the header-only one.
      route('exact', { path: { type: 'Exact', value: '/p/exact' } }, 'shop/a/80'),
      route(
        'two',
        { path: { type: 'Prefix', value: '/p' }, headers: [header('x-a', '1'), header('x-b', '2')] },
        'shop/a/80',
      ),
      route(
        'method',
        { path: { type: 'Prefix', value: '/p' }, headers: [header('x-a', '1')], method: 'POST' },
        'shop/b/80',
      ),
      route('one', { path: { type: 'Prefix', value: '/p' }, headers: [header('x-a', '1')] }, 'shop/a/80'),
      // A plain route before a rule route it overlaps: the whole host is ordered patterns.
      route('inner', { path: { type: 'Prefix', value: '/q/inner' } }, 'shop/b/80'),
      route(
        'q-header',
        { path: { type: 'Prefix', value: '/q' }, headers: [header('x-a', '1')] },
        'shop/a/80',
      ),
      ...base,
    ];
    expect(await reconcile(routes)).toMatchObject({ reloaded: false });
    expect(await served('/p/exact', [['x-a', '1']], 'POST')).toBe('a');
    expect(
      await served(
        '/p/x',
        [
          ['x-b', '2'],
          ['x-a', '1'],
        ],
        'POST',
      ),
    ).toBe('a'); // both headers (AND)
    expect(await served('/p/x', [['x-a', '1']], 'POST')).toBe('b');
    expect(await served('/p/x', [['x-a', '1']], 'GET')).toBe('a');
    expect(await served('/p/x', [['x-b', '2']], 'POST')).toBe('a'); // the plain `/` route
    expect(await served('/q/inner/1', [['x-a', '1']])).toBe('b');
    expect(await served('/q/other', [['x-a', '1']])).toBe('a');
    expect(await served('/q/inner')).toBe('b');
  });
});
