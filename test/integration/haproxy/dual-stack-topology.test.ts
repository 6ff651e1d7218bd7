// Dual-stack and topology on real HAProxy with real requests. Dual-stack: one load balancer binds an
// IPv4 and an IPv6 address of the pool (127.0.103.1 and ::1) and forwards to an IPv6 endpoint;
// moved to IPv6 only, it lets go of its IPv4 address. Topology: with the adapter's zone set, a pool
// that prefers close endpoints sends everything to the zone's endpoint, and the other zones'
// (backup servers) take over, together, when it goes down. Pool 127.0.103.1-127.0.103.2 and ::1,
// ports 20301-20302.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { loadSavedState } from '#adapters/haproxy/state/saved-state.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { type LoosePool, withDefaults } from '#test/support/loose-ir.js';
import { makeStateDir, startBackend, type TestBackend } from './support.js';

const DUAL_PORT = 20301;
const ZONE_PORT = 20302;
let v6: TestBackend;
let local: TestBackend;
let remote1: TestBackend;
let remote2: TestBackend;
let state: ReturnType<typeof makeStateDir>;
let adapter: HaproxyAdapter;

beforeAll(async () => {
  [v6, local, remote1, remote2] = await Promise.all([
    startBackend('v6', '::1'),
    startBackend('local'),
    startBackend('remote-1'),
    startBackend('remote-2'),
  ]);
  state = makeStateDir('dualstack');
  adapter = createHaproxyAdapter({
    stateDir: state.dir,
    addressPool: '127.0.103.1-127.0.103.2, ::1',
    zone: 'zone-a',
  });
});
afterAll(async () => {
  await adapter?.stop();
  await Promise.all([v6, local, remote1, remote2].map((b) => b?.close()));
  state?.cleanup();
});

async function reconcile(
  name: string,
  port: number,
  pool: LoosePool,
  extra: Pick<ir.LoadBalancer, 'ipFamilies'> = {},
): Promise<string[]> {
  const lb = withDefaults(
    {
      source: { kind: 'Service', namespace: 'shop', name },
      listeners: [
        {
          port,
          protocol: 'HTTP',
          routes: [{ action: { type: 'forward', backends: [{ pool: pool.id, weight: 1 }] } }],
        },
      ],
      pools: [pool],
      ...extra,
    },
    { provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );
  const run = () => reconcileLoadBalancer({ key: lb.key, lb, adapter, signal: new AbortController().signal });
  const result = await run();
  expect(result.notices).toEqual([]);
  // Observe reads back what apply wrote (both binds, backup slots): a repeat has nothing to do.
  const again = await run();
  expect(again.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
  return result.status.addresses.map((a) => a.value);
}

/** A new connection each time, so a reload's new worker answers. */
const get = (host: string, port: number) =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject).end();
  });

const counts = async (host: string, port: number, n: number) => {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = await get(host, port);
    seen[body] = (seen[body] ?? 0) + 1;
  }
  return seen;
};

describe('HAProxy dual-stack', () => {
  const pool: LoosePool = { id: 'shop/v6/80', endpoints: [{ address: '::1', port: 0 }] };

  it('binds an IPv4 and an IPv6 address and forwards both to an IPv6 endpoint', async () => {
    pool.endpoints![0]!.port = v6.port;
    const addresses = await reconcile('dual', DUAL_PORT, pool, { ipFamilies: ['IPv4', 'IPv6'] });
    expect(addresses).toEqual(['127.0.103.1', '::1']);
    expect(await get('127.0.103.1', DUAL_PORT)).toBe('v6');
    expect(await get('::1', DUAL_PORT)).toBe('v6');
    const cfg = readFileSync(join(state.dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toContain(`bind 127.0.103.1:${DUAL_PORT}\n`);
    expect(cfg).toContain(`bind [::1]:${DUAL_PORT}\n`);
    expect(cfg).toMatch(new RegExp(`server s1 \\[::1\\]:${v6.port} `));
  });

  it('moved to IPv6 only, lets go of its IPv4 address', async () => {
    expect(await reconcile('dual', DUAL_PORT, pool, { ipFamilies: ['IPv6'] })).toEqual(['::1']);
    expect(await get('::1', DUAL_PORT)).toBe('v6');
    await expect(get('127.0.103.1', DUAL_PORT)).rejects.toThrow(/ECONNREFUSED/);
    const saved = loadSavedState(state.dir);
    expect(saved.addresses['test/Service/shop/dual']).toBeUndefined();
    expect(saved.addresses6?.['test/Service/shop/dual']).toBe('::1');
  });
});

describe('HAProxy topology (PreferClose, zone-a)', () => {
  const pool = (): LoosePool => ({
    id: 'shop/zoned/80',
    topology: 'PreferClose',
    healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 1 },
    endpoints: [
      { address: '127.0.0.1', port: local.port, zone: 'zone-a' },
      { address: '127.0.0.1', port: remote1.port, zone: 'zone-b' },
      { address: '127.0.0.1', port: remote2.port, zone: 'zone-c' },
    ],
  });

  it("sends every request to the zone's endpoint while it is up", async () => {
    // The first free IPv4 address: the dual-stack load balancer above let go of 127.0.103.1.
    expect(await reconcile('zoned', ZONE_PORT, pool())).toEqual(['127.0.103.1']);
    const cfg = readFileSync(join(state.dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toContain('option allbackups');
    expect(cfg).toMatch(new RegExp(`server b\\d 127\\.0\\.0\\.1:${remote1.port} .* backup\\n`));
    expect(await counts('127.0.103.1', ZONE_PORT, 12)).toEqual({ local: 12 });
  });

  it("lets the other zones' endpoints take over, together, when it goes down", async () => {
    await local.close();
    // Checked every second, down after one failure.
    const deadline = Date.now() + 10_000;
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
      seen = await counts('127.0.103.1', ZONE_PORT, 8).catch(() => ({}));
      if (seen.local === undefined && seen['remote-1'] && seen['remote-2']) break;
      await delay(200);
    }
    expect(seen).toEqual({ 'remote-1': 4, 'remote-2': 4 });
  });

  it('spreads over every endpoint when the zone has no endpoint left', async () => {
    const p = pool();
    p.endpoints = p.endpoints!.slice(1);
    expect(await reconcile('zoned', ZONE_PORT, p)).toEqual(['127.0.103.1']);
    // Both backups became primaries: no backup server left holding an endpoint.
    const cfg = readFileSync(join(state.dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).not.toMatch(/server b\d 127\.0\.0\.1:\d+ .*backup\n/);
    expect(await counts('127.0.103.1', ZONE_PORT, 8)).toEqual({ 'remote-1': 4, 'remote-2': 4 });
  });
});
