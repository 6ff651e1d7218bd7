import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';

// The real `portico dev` process with `--resync-interval 2s --haproxy-slot-minimum 1`: its HAProxy
// has two server slots for a one-endpoint Service (not the default eight), and a route deleted by
// hand through HAProxy's runtime API (nothing in the manifests changed, so no watch fires) is put
// back by the periodic resync. Addresses 127.0.106.x, ports 2060x.

const ROOT = join(import.meta.dirname, '../../..');
const POOL = '127.0.106.10-127.0.106.20';
const BACKEND = { host: '127.0.106.2', port: 20_601 };
const LISTENER_PORT = 20_610;

let dir: string;
let stateDir: string;
let backend: Server;
let cli: ChildProcess;
let exited: Promise<number | null>;
const lines: string[] = [];

function get(address: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: address, port: LISTENER_PORT, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  backend = createServer((_req, res) => res.end('api'));
  await new Promise<void>((r) => backend.listen(BACKEND.port, BACKEND.host, r));
  dir = mkdtempSync(join(tmpdir(), 'portico-dev-resync-'));
  stateDir = mkdtempSync(join(tmpdir(), 'portico-dev-resync-state-'));
  writeFileSync(
    join(dir, 'shop.yaml'),
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: portico}
spec: {controllerName: portico.dev/gateway-controller}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec: {ports: [{name: http, port: 80, targetPort: ${BACKEND.port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: demo, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: ${BACKEND.port}}]
endpoints: [{addresses: [${BACKEND.host}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: demo}
spec:
  gatewayClassName: portico
  listeners: [{name: http, port: ${LISTENER_PORT}, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: demo}
spec:
  parentRefs: [{name: shop}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /api}}]
      backendRefs: [{name: api, port: 80}]
`,
  );
  cli = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/portico.ts',
      'dev',
      '--manifests',
      dir,
      '--address-pool',
      POOL,
      '--state-dir',
      stateDir,
      '--resync-interval',
      '2s',
      '--haproxy-slot-minimum',
      '1',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  exited = new Promise((resolve) => cli.once('exit', (code) => resolve(code)));
  for (const stream of [cli.stdout!, cli.stderr!])
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
}, 60_000);

afterAll(async () => {
  if (cli?.exitCode === null) cli.kill('SIGINT');
  await exited;
  await new Promise((r) => backend?.close(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe('portico dev --resync-interval --haproxy-slot-minimum', () => {
  let address = '';

  it('gives each backend the slot minimum asked for', async () => {
    const url = await until(
      'the URL of the Gateway',
      () => lines.find((l) => l.includes('Gateway demo/shop: http://')),
      (l) => l !== undefined,
    );
    address = new RegExp(`http://([\\d.]+):${LISTENER_PORT}`).exec(url!)![1]!;
    await until(
      '/api served',
      () => get(address, '/api'),
      (s) => s === 200,
    );
    const config = readFileSync(join(stateDir, 'haproxy', 'haproxy.cfg'), 'utf8');
    const backends = config.split(/^backend /m).slice(1);
    const api = backends.filter((b) => b.includes(`${BACKEND.host}:${BACKEND.port}`));
    expect(api).toHaveLength(1);
    // slotCountFor(1 endpoint, minimum 1) = 2; the default minimum would give 8
    expect(api[0]!.split('\n').filter((l) => /^\s+server /.test(l))).toHaveLength(2);
  }, 60_000);

  it('puts back a route deleted by hand in HAProxy, with no change to the manifests', async () => {
    const runtime = new RuntimeClient(join(stateDir, 'haproxy', 'haproxy.sock'));
    const mark = lines.length;
    // The resync may run between the delete and the request that sees it: delete again then.
    let seenGone = false;
    for (let attempt = 0; attempt < 3 && !seenGone; attempt++) {
      for (const map of await runtime.showMaps()) {
        const entries = (await runtime.showMap(map.path)).filter(([k]) => k.includes('/api'));
        for (const [key] of entries) {
          const [answer] = await runtime.batch([`del map ${map.path} ${key}`]);
          expect(answer?.error).toBeUndefined();
        }
      }
      seenGone = (await get(address, '/api')) === 404;
    }
    expect(seenGone).toBe(true);
    await until(
      '/api served again',
      () => get(address, '/api'),
      (s) => s === 200,
    );
    // the resync printed its plan: the map entries it put back (printed once applied)
    const plan = await until(
      'the plan of the repair',
      () => lines.slice(mark).join('\n'),
      (text) => text.includes('Plan:'),
    );
    expect(plan).toMatch(/~ update +haproxy\/map\/map_local-Gateway-demo-shop_http-20610_paths-prefix/);
    expect(cli.exitCode).toBeNull();
  }, 60_000);
});
