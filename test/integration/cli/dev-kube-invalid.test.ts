import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDevKube } from '#cli/commands/dev-kube.js';
import {
  endpointSlice,
  eventually,
  gateway,
  gatewayClass,
  httpRoute,
  type KubeFixture,
  service,
  startKube,
} from '../kube/support.js';

// `portico dev --kubeconfig` when an object in the cluster is edited into one that fails its schema:
// the last valid version keeps serving, and the object's status says why.

const POOL = '127.0.78.10-127.0.78.20';
const PORT = 18_391;
let kube: KubeFixture;
let stateDir: string;
let backend: Server;
const logs: string[] = [];
const stop = new AbortController();
let running: Promise<void>;

function status(address: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: address, port: PORT, path, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
};
const routeAccepted = () =>
  (
    kube.server.get('HTTPRoute', 'demo', 'app')?.status as
      | { parents?: { conditions: Condition[] }[] }
      | undefined
  )?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted');
const gatewayAddress = () =>
  (kube.server.get('Gateway', 'demo', 'web')?.status as { addresses?: { value: string }[] } | undefined)
    ?.addresses?.[0]?.value;

beforeAll(async () => {
  backend = createServer((_req, res) => res.end('backend'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  kube = await startKube();
  const s = kube.server;
  s.create(gatewayClass());
  s.create(gateway('demo', 'web', PORT));
  s.create(httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/app'));
  s.create(service('demo', 'app', 80));
  s.create(endpointSlice('demo', 'app', '127.0.0.1', (backend.address() as AddressInfo).port));
  stateDir = mkdtempSync(join(tmpdir(), 'portico-dev-kube-invalid-'));
  running = runDevKube(
    {
      kubeconfig: kube.kubeconfig,
      addressPool: POOL,
      stateDir,
      demoBackends: false,
      debounceMs: 30,
      log: (l) => logs.push(l),
      now: () => '2030-01-01T00:00:00Z',
    },
    stop.signal,
  );
  running.catch(() => {});
});

afterAll(async () => {
  stop.abort();
  await running?.catch(() => {});
  await kube?.close();
  await new Promise<void>((r) => backend?.close(() => r()));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('portico dev --kubeconfig: an object that fails its schema', () => {
  it('keeps its last valid version serving, with Accepted=False (Invalid) in its status, until fixed', async () => {
    const address = await eventually(gatewayAddress, 'Gateway address', 15_000);
    await eventually(async () => (await status(address, '/app')) === 200, 'traffic', 5_000);

    const invalid = httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/moved');
    (invalid.spec.rules[0]!.backendRefs[0] as { port: unknown }).port = 'eighty';
    kube.server.apply(invalid);
    const accepted = await eventually(
      () => (routeAccepted()?.reason === 'Invalid' ? routeAccepted() : undefined),
      'Invalid in the route status',
    );
    expect(accepted).toMatchObject({ status: 'False', observedGeneration: 2 });
    expect(accepted.message).toMatch(
      /^The current version is invalid \(spec\.rules\[0\]\.backendRefs\[0\]\.port: .+\); the last valid version stays programmed$/,
    );
    expect(await status(address, '/app')).toBe(200);
    expect(await status(address, '/moved')).toBe(404);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^error: HTTPRoute demo\/app spec\.rules\[0\]\.backendRefs\[0\]\.port: .+; keeping its last valid version/,
      ),
    );

    kube.server.apply(httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/moved'));
    await eventually(async () => (await status(address, '/moved')) === 200, 'the fixed route');
    await eventually(() => routeAccepted()?.status === 'True', 'Accepted again');
    expect(routeAccepted()?.observedGeneration).toBe(3);
  });
});
