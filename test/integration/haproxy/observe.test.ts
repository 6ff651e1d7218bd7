import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { startDemoBackends } from '#cli/demo-backends.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { planChanges } from '#core/plan/plan-changes.js';

// observe reads what a real HAProxy runs (files on disk, the worker's runtime state), so a reconcile
// repairs a hand-edited config, a runtime change and a half-applied apply. A hand edit of a file is
// seen by any observe; a change made through the runtime API only by a full read (readBack 'full',
// what resync asks for): otherwise observe answers from the record of the last apply. Addresses
// 127.0.5.x, listener port 18480, backends 28291-28292.

const POOL = '127.0.5.10-127.0.5.20';
const PORT = 18480;
const gateway = (name: string, addresses?: string[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'ops' },
  spec: {
    gatewayClassName: 'portico',
    listeners: [{ name: 'http', port: PORT, protocol: 'HTTP' }],
    ...(addresses ? { addresses: addresses.map((value) => ({ type: 'IPAddress', value })) } : {}),
  },
});
const backend = (name: string, port: number) => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ops' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-1`, namespace: 'ops', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port }],
    endpoints: [{ addresses: ['127.0.0.1'] }],
  },
];
const objects = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico' },
    spec: { controllerName: 'portico.dev/gateway-controller' },
  },
  gateway('web'),
  gateway('pinned', ['127.0.5.15']),
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'app', namespace: 'ops' },
    spec: {
      parentRefs: [{ name: 'web' }, { name: 'pinned' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/app' } }],
          backendRefs: [{ name: 'app', port: 80 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
          backendRefs: [{ name: 'api', port: 80 }],
        },
      ],
    },
  },
  ...backend('app', 28291),
  ...backend('api', 28292),
];

let stateDir: string;
let adapter: HaproxyAdapter;
let pipeline: LocalPipeline;
let stopBackends = async () => {};
const runtime = () => new RuntimeClient(join(stateDir, 'haproxy.sock'));
const cfgPath = () => join(stateDir, 'haproxy.cfg');

function get(address: string, path: string): Promise<{ status: number; backend?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: PORT, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const parsed = res.statusCode === 200 ? (JSON.parse(body) as { backend: string }) : undefined;
        resolve({ status: res.statusCode ?? 0, ...(parsed ? { backend: parsed.backend } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const addressOf = (name: string) =>
  (
    pipeline.last.statuses.find((s) => s.kind === 'Gateway' && s.name === name)?.status as {
      addresses?: { value: string }[];
    }
  )?.addresses?.[0]?.value ?? '';

const lbOf = (name: string) =>
  pipeline.last.loadBalancers.find((l) => l.key.endsWith(`/Gateway/ops/${name}`))!;

/** What a reconcile of `web` would change now, as `address: changed paths`. */
async function drift(name = 'web', readBack?: 'full'): Promise<string[]> {
  const lb = lbOf(name);
  const rendered = adapter.render(lb);
  const signal = new AbortController().signal;
  const observed = await adapter.observe(lb.key, {
    signal,
    desired: rendered.resources,
    ...(readBack ? { readBack } : {}),
  });
  const plan = planChanges(rendered.resources, observed.resources, adapter.diffSpec, { lbKey: lb.key });
  return plan.changes
    .filter((c) => c.action !== 'noop')
    .map((c) => `${c.action} ${c.kind}: ${(c.changedPaths ?? []).join(',')}`);
}

/** A reconcile of one Gateway with a full read, as resync does it. */
async function reconcileFull(name: string): Promise<void> {
  const signal = new AbortController().signal;
  await reconcileLoadBalancer({ key: lbOf(name).key, lb: lbOf(name), adapter, signal, readBack: 'full' });
}

/** The names render gives `web`'s parts: its backend for the api pool, its maps. */
function webParts(): { apiBackend: string; maps: string[] } {
  const lb = pipeline.last.loadBalancers.find((l) => l.key.endsWith('/Gateway/ops/web'))!;
  const resources = adapter.render(lb).resources;
  const apiBackend = resources.find(
    (r) => r.kind === 'backend' && r.value.name && (r.value as { pool: string }).pool.includes('api'),
  )!;
  return {
    apiBackend: apiBackend.value.name,
    maps: resources.filter((r) => r.kind === 'map').map((r) => join(stateDir, 'maps', `${r.value.name}.map`)),
  };
}

/** Replaces `from` by `to` inside one section of the config on disk. */
function editSection(head: string, from: string, to: string): void {
  const cfg = readFileSync(cfgPath(), 'utf8');
  const start = cfg.indexOf(`${head}\n`);
  const end = cfg.indexOf('\n\n', start);
  const section = cfg.slice(start, end);
  expect(section).toContain(from);
  writeFileSync(cfgPath(), cfg.slice(0, start) + section.replace(from, to) + cfg.slice(end));
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-observe-'));
  stopBackends = await startDemoBackends([
    { service: 'app', kind: 'http', address: '127.0.0.1', port: 28291 },
    { service: 'api', kind: 'http', address: '127.0.0.1', port: 28292 },
  ]);
  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
  pipeline = new LocalPipeline({ adapters: { haproxy: adapter } });
  await pipeline.sync(objects);
});

afterAll(async () => {
  await adapter?.stop();
  await stopBackends();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('HAProxy observe: what really runs', () => {
  it('observes exactly what it applied: a second reconcile changes nothing', async () => {
    expect(addressOf('web')).toBe('127.0.5.10');
    expect(addressOf('pinned')).toBe('127.0.5.15');
    expect(await get(addressOf('web'), '/api/x')).toEqual({ status: 200, backend: 'api' });
    expect(await drift()).toEqual([]);
    const { reloads, runtimeApplies } = adapter.counters;
    expect((await pipeline.sync(objects, undefined, { resync: true })).changed).toEqual([]);
    expect(adapter.counters).toMatchObject({ reloads, runtimeApplies });
  });

  it('sees a hand-edited backend on disk, and a reconcile writes and reloads it back', async () => {
    const good = readFileSync(cfgPath(), 'utf8');
    const { apiBackend } = webParts();
    editSection(`backend ${apiBackend}`, 'balance roundrobin', 'balance leastconn');
    editSection(`backend ${apiBackend}`, ':28292 ', ':28299 ');
    const seen = await drift();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe('update backend: configDrift,endpoints[0].port');
    const { reloads } = adapter.counters;
    // Any load balancer's apply puts the whole HAProxy back to what is saved (here: pinned's, first).
    await pipeline.sync(objects, undefined, { resync: true }); // drift: a resync puts it back
    expect(adapter.counters.reloads).toBe(reloads + 1);
    expect(readFileSync(cfgPath(), 'utf8')).toBe(good);
    expect(await drift()).toEqual([]);
    expect(await get(addressOf('web'), '/api/x')).toEqual({ status: 200, backend: 'api' });
  });

  it('sees a map entry deleted on disk, and a reconcile puts it back without a reload', async () => {
    const file = webParts().maps.find((f) => readFileSync(f, 'utf8').includes('/api'))!;
    const good = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      good
        .split('\n')
        .filter((l) => !l.includes('/api'))
        .join('\n'),
    );
    expect(await drift()).toEqual(['update map: entries']);
    const { reloads, runtimeApplies } = adapter.counters;
    await pipeline.sync(objects, undefined, { resync: true }); // drift: a resync puts it back
    expect(adapter.counters).toMatchObject({ reloads, runtimeApplies: runtimeApplies + 1 });
    expect(readFileSync(file, 'utf8')).toBe(good);
    expect(await drift()).toEqual([]);
  });

  it('sees a server moved through the runtime API, and puts it back through the runtime API', async () => {
    const rt = runtime();
    const before = await rt.showServersState();
    const serving = before.find((s) => s.backend === webParts().apiBackend && s.state === 'ready')!;
    await rt.setServer({
      backend: serving.backend,
      server: serving.server,
      addr: '127.0.0.1',
      port: 28291,
      state: 'ready',
    });
    expect(await get(addressOf('web'), '/api/x')).toEqual({ status: 200, backend: 'app' });
    // The files are as applied: an observe from the record does not see the worker's change.
    expect(await drift()).toEqual([]);
    expect(await drift('web', 'full')).toEqual(['update backend: endpoints[0].port']);
    const { reloads, runtimeApplies } = adapter.counters;
    await reconcileFull('web'); // drift: resync's full read puts it back
    expect(adapter.counters).toMatchObject({ reloads, runtimeApplies: runtimeApplies + 1 });
    const after = (await rt.showServersState(serving.backend)).find((s) => s.server === serving.server)!;
    expect(after).toMatchObject({ addr: '127.0.0.1', port: 28292, state: 'ready' });
    expect(await get(addressOf('web'), '/api/x')).toEqual({ status: 200, backend: 'api' });
  });

  it('sees a map entry deleted through the runtime API, and puts it back without a reload', async () => {
    const rt = runtime();
    const file = webParts().maps.find((f) => readFileSync(f, 'utf8').includes('/api'))!;
    const ref = (await rt.showMaps()).find((m) => file.endsWith(m.path))!.path;
    const key = (await rt.showMap(ref)).find(([k]) => k.includes('/api'))![0];
    const removed = { ref, key };
    const [answer] = await rt.batch([`del map ${removed.ref} ${removed.key}`]);
    expect(answer?.error).toBeUndefined();
    expect(await drift('web', 'full')).toEqual(['update map: entries']);
    expect(await drift('pinned', 'full')).toEqual([]);
    const { reloads, runtimeApplies } = adapter.counters;
    await reconcileFull('web'); // drift: resync's full read puts it back
    expect(adapter.counters).toMatchObject({ reloads, runtimeApplies: runtimeApplies + 1 });
    expect((await rt.showMap(removed.ref)).map(([k]) => k)).toContain(removed.key);
    expect(await drift('web')).toEqual([]);
  });

  it('sees an apply that stopped between the files and HAProxy, and a reconcile reloads', async () => {
    writeFileSync(join(stateDir, '.pending'), 'written');
    expect(await drift()).toEqual([
      'update backend: configDrift',
      'update backend: configDrift',
      'update frontend: configDrift',
    ]);
    const { reloads } = adapter.counters;
    await pipeline.sync(objects, undefined, { resync: true }); // drift: a resync puts it back
    expect(adapter.counters.reloads).toBeGreaterThan(reloads);
    expect(await drift()).toEqual([]);
    expect(await get(addressOf('web'), '/app')).toEqual({ status: 200, backend: 'app' });
  });

  it('keeps every address across a restart of the adapter', async () => {
    await adapter.stop();
    adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
    pipeline = new LocalPipeline({ adapters: { haproxy: adapter } });
    expect((await pipeline.sync(objects, undefined, { resync: true })).changed).toEqual([]);
    expect([addressOf('web'), addressOf('pinned')]).toEqual(['127.0.5.10', '127.0.5.15']);
    expect(adapter.counters.reloads).toBe(0);
    expect(await get('127.0.5.15', '/app')).toEqual({ status: 200, backend: 'app' });
  });
});
