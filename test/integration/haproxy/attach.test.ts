import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { ConfigStore, HAProxyProcess } from '#adapters/haproxy/runtime/index.js';
import { startDemoBackends } from '#cli/demo-backends.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';

// An operator runs HAProxy; Portico attaches to it by its master socket, programs it, and leaves it
// running when Portico stops.

const stateDir = mkdtempSync(join(tmpdir(), 'portico-attach-'));
let external: HAProxyProcess | undefined;
let stopBackend = async () => {};

afterAll(async () => {
  await external?.stop();
  await stopBackend();
  rmSync(stateDir, { recursive: true, force: true });
});

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

describe('HAProxy adapter in attach mode', () => {
  it('programs an HAProxy it did not start, and leaves it running when it stops', async () => {
    // Prepare: the operator's HAProxy, with an empty Portico config.
    const store = new ConfigStore(stateDir);
    await store.writeLive(materialize([], {}, { stateDir }).files);
    await store.markApplied();
    external = await HAProxyProcess.start({ stateDir });
    stopBackend = await startDemoBackends([
      { service: 'app', kind: 'http', address: '127.0.0.1', port: 28191 },
    ]);
    const objects = [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'portico' },
        spec: { controllerName: 'portico.dev/gateway-controller' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'web', namespace: 'ops' },
        spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 18380, protocol: 'HTTP' }] },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'app', namespace: 'ops' },
        spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'app', port: 80 }] }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: 'ops' },
        spec: { ports: [{ name: 'http', port: 80 }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'app-1', namespace: 'ops', labels: { 'kubernetes.io/service-name': 'app' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 28191 }],
        endpoints: [{ addresses: ['127.0.0.1'] }],
      },
    ];
    const adapter = createHaproxyAdapter({
      stateDir,
      addressPool: '127.0.4.10-127.0.4.20',
      attach: { masterSocket: join(stateDir, 'master.sock') },
    });
    const pipeline = new LocalPipeline({ adapters: { haproxy: adapter } });

    // Act
    await adapter.start();
    await pipeline.sync(objects);
    const served = await get('127.0.4.10', 18380, '/');
    // The worker it recorded answers `show proc` the same: observe answers from the record. After
    // the operator reloads, it reads in full until its next apply records the new worker.
    const lb = pipeline.last.loadBalancers[0]!;
    const observe = () =>
      adapter.observe(lb.key, {
        signal: new AbortController().signal,
        desired: adapter.render(lb).resources,
      });
    const recorded = () => adapter.recordedObserves;
    let before = recorded();
    await observe();
    expect(recorded()).toBe(before + 1);
    await external.reload();
    before = recorded();
    await observe();
    expect(recorded()).toBe(before);
    const moved = objects.map((o) =>
      o.kind === 'HTTPRoute'
        ? {
            ...o,
            spec: {
              ...o.spec,
              rules: [
                {
                  matches: [{ path: { type: 'PathPrefix', value: '/v2' } }],
                  backendRefs: [{ name: 'app', port: 80 }],
                },
              ],
            },
          }
        : o,
    );
    await pipeline.sync(moved);
    expect((await get('127.0.4.10', 18380, '/v2')).status).toBe(200);
    before = recorded();
    await observe();
    expect(recorded()).toBe(before + 1);
    await adapter.stop();

    // Assess
    expect(JSON.parse(served.body).backend).toBe('app');
    expect(external.exited).toBeUndefined();
    expect((await get('127.0.4.10', 18380, '/v2')).status).toBe(200);
  });
});
