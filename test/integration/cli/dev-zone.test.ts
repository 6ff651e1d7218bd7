import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real `portico dev --zone zone-a` process: a Service with `trafficDistribution: PreferClose` and
// one endpoint in zone-a and one in zone-b is served by zone-a's endpoint only, zone-b's being an
// HAProxy backup server, and no topology warning is printed. Addresses 127.0.102.x, ports 2020x.

const ROOT = join(import.meta.dirname, '../../..');
const POOL = '127.0.102.10-127.0.102.20';
const BACKENDS = {
  'zone-a': { host: '127.0.102.2', port: 20_201 },
  'zone-b': { host: '127.0.102.3', port: 20_201 },
};
const LISTENER_PORT = 20_210;

let dir: string;
let stateDir: string;
const servers: Server[] = [];
let cli: ChildProcess;
let exited: Promise<number | null>;
const lines: string[] = [];

function get(address: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: address, port: LISTENER_PORT, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', () => resolve('0'));
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
  for (const [zone, at] of Object.entries(BACKENDS)) {
    const server = createServer((_req, res) => res.end(zone));
    await new Promise<void>((r) => server.listen(at.port, at.host, r));
    servers.push(server);
  }
  dir = mkdtempSync(join(tmpdir(), 'portico-dev-zone-'));
  stateDir = mkdtempSync(join(tmpdir(), 'portico-dev-zone-state-'));
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
spec:
  trafficDistribution: PreferClose
  ports: [{name: http, port: 80, targetPort: 20201}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: demo, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: 20201}]
endpoints:
  - {addresses: [${BACKENDS['zone-a'].host}], zone: zone-a}
  - {addresses: [${BACKENDS['zone-b'].host}], zone: zone-b}
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
  rules: [{backendRefs: [{name: api, port: 80}]}]
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
      '--zone',
      'zone-a',
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
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe('portico dev --zone', () => {
  it("serves a PreferClose Service from its zone's endpoints, other zones' being backup servers", async () => {
    const url = await until(
      'the URL of the Gateway',
      () => lines.find((l) => l.includes('Gateway demo/shop: http://')),
      (l) => l !== undefined,
    );
    const address = new RegExp(`http://([\\d.]+):${LISTENER_PORT}`).exec(url!)![1]!;
    await until(
      'the Service served',
      () => get(address, '/'),
      (s) => s.startsWith('200'),
    );
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add(await get(address, '/'));
    expect([...answers]).toEqual(['200 zone-a']);

    const config = readFileSync(join(stateDir, 'haproxy', 'haproxy.cfg'), 'utf8');
    const backup = config.split('\n').filter((l) => l.includes(BACKENDS['zone-b'].host));
    expect(backup).toHaveLength(1);
    expect(backup[0]).toMatch(/\bbackup\b/);
    expect(lines.join('\n')).not.toContain('pool/topology/PreferClose');
    expect(lines.join('\n')).not.toContain('has no zone configured');
  }, 60_000);
});
