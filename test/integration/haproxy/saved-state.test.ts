import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { loadSavedState } from '#adapters/haproxy/state/saved-state.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import {
  dropConnections,
  get,
  httpGateway,
  makeStateDir,
  startBackend,
  type TestBackend,
} from './support.js';

// The adapter's saved state, one file per load balancer (state/saved-state.ts), across restarts of
// the adapter with a real HAProxy: the older single file is read and replaced, and a restart after a
// crash between HAProxy and the state file, or with a torn state file, reconverges at the next
// reconcile. Addresses 127.0.107.x, listener port 20700.

const NS = 'saved';
const PORT = 20700;
const POOL = '127.0.107.10-127.0.107.20';

let dir: { dir: string; cleanup(): void };
let backend: TestBackend;
let adapter: HaproxyAdapter | undefined;

const objects = (routes: number[]) => [
  ...httpGateway(NS, PORT),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'app', namespace: NS },
    spec: { ports: [{ name: 'http', port: 80 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'app-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'app' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: backend.port }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  },
  ...routes.map((i) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `r${i}`, namespace: NS },
    spec: {
      parentRefs: [{ name: 'gw' }],
      hostnames: [`r${i}.saved.test`],
      rules: [{ backendRefs: [{ name: 'app', port: 80 }] }],
    },
  })),
];

/** A fresh adapter on the same state dir (the previous one stopped, its HAProxy with it). */
async function restart(): Promise<LocalPipeline> {
  dropConnections(); // a soft stop would wait for idle keep-alive connections
  await adapter?.stop();
  adapter = createHaproxyAdapter({ stateDir: dir.dir, addressPool: POOL });
  return new LocalPipeline({ adapters: { haproxy: adapter } });
}

const statusOf = async (i: number) => (await get('127.0.107.10', PORT, `r${i}.saved.test`)).status;
const keyFiles = () => readdirSync(join(dir.dir, 'portico-state')).filter((n) => n.endsWith('.json'));

beforeAll(async () => {
  dir = makeStateDir('saved');
  backend = await startBackend('app');
});

afterAll(async () => {
  dropConnections();
  await adapter?.stop();
  await backend?.close();
  dir?.cleanup();
});

describe('HAProxy saved state', () => {
  it('keeps one file per load balancer, and reads and replaces the older single file', async () => {
    let pipeline = await restart();
    await pipeline.sync(objects([1, 2]));
    expect(keyFiles()).toHaveLength(1);
    expect(existsSync(join(dir.dir, 'portico-state.json'))).toBe(false);
    const saved = loadSavedState(dir.dir);
    expect(Object.values(saved.addresses)).toEqual(['127.0.107.10']);

    // The layout of earlier versions: the same state in one file.
    await adapter!.stop();
    writeFileSync(join(dir.dir, 'portico-state.json'), JSON.stringify(saved));
    rmSync(join(dir.dir, 'portico-state'), { recursive: true });
    pipeline = await restart();
    expect((await pipeline.sync(objects([1, 2]))).changed).toEqual([]);
    expect(adapter!.counters.reloads).toBe(0);
    expect(await statusOf(2)).toBe(200);
    // The first save writes the per-key files, then removes the single one.
    await pipeline.sync(objects([1, 2, 3]));
    expect(await statusOf(3)).toBe(200);
    expect(existsSync(join(dir.dir, 'portico-state.json'))).toBe(false);
    expect(keyFiles()).toHaveLength(1);
    expect(loadSavedState(dir.dir).addresses).toEqual(saved.addresses);
  });

  it('reconverges after a crash between HAProxy and the state file', async () => {
    let pipeline = await restart();
    await pipeline.sync(objects([1, 2, 3]));
    const before = join(dir.dir, 'state-before');
    cpSync(join(dir.dir, 'portico-state'), before, { recursive: true });
    await pipeline.sync(objects([1, 2, 3, 4]));
    expect(await statusOf(4)).toBe(200);
    // The crash: HAProxy and its files have route 4, the state file does not.
    rmSync(join(dir.dir, 'portico-state'), { recursive: true });
    cpSync(before, join(dir.dir, 'portico-state'), { recursive: true });
    pipeline = await restart();
    await adapter!.start();
    // Started from the state: route 4 is not served until the reconcile puts it back.
    expect(await statusOf(4)).toBe(404);
    expect(await statusOf(3)).toBe(200);
    await pipeline.sync(objects([1, 2, 3, 4]));
    expect(await statusOf(4)).toBe(200);
    expect(await statusOf(1)).toBe(200);
  });

  it('reconverges from a torn state file: the load balancer is applied again', async () => {
    let pipeline = await restart();
    await pipeline.sync(objects([1, 2]));
    const [file] = keyFiles();
    writeFileSync(join(dir.dir, 'portico-state', file!), '{"key":"local/Gate');
    pipeline = await restart();
    await pipeline.sync(objects([1, 2, 5]));
    expect(await statusOf(5)).toBe(200);
    expect(await statusOf(1)).toBe(200);
    expect(Object.keys(loadSavedState(dir.dir).resources)).toHaveLength(1);
  });
});
