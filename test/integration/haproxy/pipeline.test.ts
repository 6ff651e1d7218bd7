import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { demoBackendsIn, startDemoBackends } from '#cli/demo-backends.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { loadManifests } from '#cli/manifests.js';

// The quickstart, for real: manifests → translate → HAProxy adapter → a real HAProxy, real requests.

const POOL = '127.0.1.10-127.0.1.30';
let stateDir: string;
let adapter: HaproxyAdapter;
let pipeline: LocalPipeline;
let objects: unknown[];
let stopBackends: () => Promise<void>;

function get(
  address: string,
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function echoOverTcp(address: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address, () => socket.end(text));
    let got = '';
    socket.on('data', (c) => (got += c));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

const addressOf = (kind: string, name: string) => {
  const s = pipeline.last.statuses.find((x) => x.kind === kind && x.name === name)?.status as
    | { addresses?: { value: string }[]; loadBalancer?: { ingress?: { ip?: string }[] } }
    | undefined;
  return s?.addresses?.[0]?.value ?? s?.loadBalancer?.ingress?.[0]?.ip ?? '';
};

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-pipeline-'));
  ({ objects } = await loadManifests(join(import.meta.dirname, '../../../examples/quickstart')));
  stopBackends = await startDemoBackends(demoBackendsIn(objects));
  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
  pipeline = new LocalPipeline({ adapters: { haproxy: adapter } });
  await pipeline.sync(objects);
});

afterAll(async () => {
  await adapter?.stop();
  await stopBackends?.();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('local pipeline on HAProxy', () => {
  it('programs the Gateway, the Ingress and the Service, each on its own address, and says so in status', () => {
    const gw = addressOf('Gateway', 'shop');
    const ing = addressOf('Ingress', 'web');
    const svc = addressOf('Service', 'echo');
    expect(new Set([gw, ing, svc]).size).toBe(3);
    for (const a of [gw, ing, svc]) expect(a).toMatch(/^127\.0\.1\./);
    const gateway = pipeline.last.statuses.find((s) => s.kind === 'Gateway')?.status as {
      conditions: { type: string; status: string }[];
    };
    expect(gateway.conditions.find((c) => c.type === 'Programmed')?.status).toBe('True');
  });

  it('routes by path and header, splits by weight, and redirects', async () => {
    const gw = addressOf('Gateway', 'shop');
    const v2 = await get(gw, 8080, '/store/cart', { 'x-version': 'v2' });
    expect(JSON.parse(v2.body).backend).toBe('store-v2');
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(JSON.parse((await get(gw, 8080, '/store')).body).backend);
    expect(seen).toContain('store-v1');
    const api = await get(gw, 8080, '/api/items');
    expect(JSON.parse(api.body)).toMatchObject({ backend: 'api', headers: { 'x-served-by': 'portico' } });
    const moved = await get(gw, 8080, '/old-api/items?x=1');
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe(`http://${gw}:8080/api/items?x=1`);
    expect((await get(gw, 8080, '/storefront')).status).toBe(404);
  });

  it('serves the Ingress by host and carries TCP for the LoadBalancer Service', async () => {
    const ing = addressOf('Ingress', 'web');
    expect(JSON.parse((await get(ing, 80, '/api/x', { host: 'web.localhost' })).body).backend).toBe('api');
    expect((await get(ing, 80, '/', { host: 'other.localhost' })).status).toBe(404);
    expect(await echoOverTcp(addressOf('Service', 'echo'), 7000, 'ping')).toBe('ping');
  });

  it('moves an endpoint through the runtime API, without a reload', async () => {
    const { reloads, runtimeApplies } = adapter.counters;
    const moved = objects.map((o) => {
      const x = o as { kind: string; metadata: { name: string }; ports?: { name: string; port: number }[] };
      return x.kind === 'EndpointSlice' && x.metadata.name === 'api-demo'
        ? { ...x, ports: [{ name: 'http', port: 28081 }] }
        : o;
    });
    const result = await pipeline.sync(moved);
    expect(result.changed).toEqual(['local/Gateway/demo/shop', 'local/Ingress/demo/web']);
    expect(adapter.counters.reloads).toBe(reloads);
    expect(adapter.counters.runtimeApplies).toBe(runtimeApplies + 2);
    expect(JSON.parse((await get(addressOf('Gateway', 'shop'), 8080, '/api/x')).body).backend).toBe(
      'store-v1',
    );
  });

  it('keeps the slots of a pool that shrinks, so the shrink needs no reload', async () => {
    const withApiEndpoints = (n: number) =>
      objects.map((o) => {
        const x = o as { kind: string; metadata: { name: string } };
        return x.kind === 'EndpointSlice' && x.metadata.name === 'api-demo'
          ? {
              ...x,
              endpoints: Array.from({ length: n }, (_, i) => ({ addresses: [`127.0.0.${i + 1}`] })),
            }
          : o;
      });
    await pipeline.sync(withApiEndpoints(7)); // more slots: a reload
    const { reloads, runtimeApplies } = adapter.counters;
    await pipeline.sync(withApiEndpoints(1));
    expect(adapter.counters.reloads).toBe(reloads);
    expect(adapter.counters.runtimeApplies).toBeGreaterThan(runtimeApplies);
    const api = await get(addressOf('Ingress', 'web'), 80, '/api/x', { host: 'web.localhost' });
    expect(JSON.parse(api.body).backend).toBe('api');
    await pipeline.sync(withApiEndpoints(3));
    expect(adapter.counters.reloads).toBe(reloads);
    await pipeline.sync(objects);
  });

  it('removes what is deleted', async () => {
    const gw = addressOf('Gateway', 'shop');
    await pipeline.sync(objects.filter((o) => (o as { kind: string }).kind !== 'Gateway'));
    await expect(get(gw, 8080, '/store')).rejects.toThrow(/ECONNREFUSED/);
  });
});
