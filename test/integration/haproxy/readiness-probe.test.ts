import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';

// Local mode (what `portico dev` runs) with Pods among the manifests: the health check comes from
// their readiness probe, and a real HAProxy takes the endpoint whose probe path answers 503 out of
// rotation, although both endpoints answer `GET /` (the default check) with 200.

const POOL = '127.0.104.10-127.0.104.19';
const HEALTHY = '127.0.104.21';
const FAILING = '127.0.104.22';
const POD_PORT = 20410;
const SERVICE_PORT = 20400;

let stateDir: string;
let adapter: HaproxyAdapter;
let pipeline: LocalPipeline;
const servers: Server[] = [];

/** A pod's server: `/` names it; `/ready` answers `readyStatus`. */
function backend(address: string, name: string, readyStatus: number): Promise<void> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/ready' ? readyStatus : 200, { 'content-type': 'text/plain' });
    res.end(name);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(POD_PORT, address, resolve));
}

function get(address: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'web',
        ports: [{ name: 'http', containerPort: POD_PORT }],
        readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 2 },
      },
    ],
  },
});

const manifests = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'shop',
      // Timings only: the target (protocol, path) still comes from the probe.
      annotations: {
        'portico.dev/health-check-interval-seconds': '2',
        'portico.dev/health-check-timeout-seconds': '1',
        'portico.dev/health-check-unhealthy-threshold': '1',
      },
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: SERVICE_PORT, targetPort: 'http' }],
    },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [HEALTHY] }, { addresses: [FAILING] }],
    ports: [{ name: 'http', port: POD_PORT, protocol: 'TCP' }],
  },
  pod('web-a'),
  pod('web-b'),
];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-probe-'));
  await backend(HEALTHY, 'healthy', 200);
  await backend(FAILING, 'failing', 503);
  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
  pipeline = new LocalPipeline({
    adapters: { haproxy: adapter },
    translateOptions: { defaultServiceProvider: 'haproxy' },
  });
  await pipeline.sync(manifests);
});

afterAll(async () => {
  await adapter?.stop();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('health check derived from readiness probes, on a real HAProxy', () => {
  it('derives GET /ready from the pods, with the annotated timings', () => {
    const pool = pipeline.last.loadBalancers.flatMap((lb) => lb.pools)[0]!;
    expect(pool.healthCheck).toMatchObject({
      protocol: 'HTTP',
      path: '/ready',
      intervalSeconds: 2,
      timeoutSeconds: 1,
      unhealthyThreshold: 1,
      origin: 'annotation',
    });
    expect(pipeline.last.notices.filter((n) => n.code === 'HealthCheckNotDerived')).toEqual([]);
  });

  it('takes the endpoint whose probe path fails out of rotation', async () => {
    const status = pipeline.last.statuses.find((s) => s.kind === 'Service')?.status as {
      loadBalancer?: { ingress?: { ip?: string }[] };
    };
    const address = status.loadBalancer?.ingress?.[0]?.ip ?? '';
    expect(address).toMatch(/^127\.0\.104\./);
    // Both endpoints serve `/`: only the check on /ready tells them apart.
    expect((await get(FAILING, POD_PORT, '/')).status).toBe(200);
    const deadline = Date.now() + 20_000;
    let streak = 0;
    while (streak < 20 && Date.now() < deadline) {
      const { body } = await get(address, SERVICE_PORT, '/');
      streak = body === 'healthy' ? streak + 1 : 0;
      if (streak === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(streak).toBe(20);
  }, 30_000);
});
