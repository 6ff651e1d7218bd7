// `portico dev --kubeconfig` against the fake API server, with real HAProxy and a local backend: the
// demo Gateway `demo/web` on `port`, an HTTPRoute `demo/app` for `/app`, its Service and
// EndpointSlice. Shared by the cluster tests of the dev loop.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDevKube } from '#cli/commands/dev-kube.js';
import {
  endpointSlice,
  gateway,
  gatewayClass,
  httpRoute,
  type KubeFixture,
  service,
  startKube,
} from './support.js';

export interface DevKubeFixture {
  kube: KubeFixture;
  /** Every line `portico dev` printed. */
  logs: string[];
  /** `portico dev`'s run; it ends when `stop` aborts. */
  running: Promise<void>;
  stop: AbortController;
  /** The Gateway's address as its status says, once Portico wrote it. */
  gatewayAddress(): string | undefined;
  close(): Promise<void>;
}

export async function startDevKube(options: { pool: string; port: number }): Promise<DevKubeFixture> {
  const backend = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`backend ${req.url}`),
  );
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const kube = await startKube();
  const s = kube.server;
  s.create(gatewayClass());
  s.create(gateway('demo', 'web', options.port));
  s.create(httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/app'));
  s.create(service('demo', 'app', 80));
  s.create(endpointSlice('demo', 'app', '127.0.0.1', (backend.address() as AddressInfo).port));
  const stateDir = mkdtempSync(join(tmpdir(), 'portico-dev-kube-'));
  const logs: string[] = [];
  const stop = new AbortController();
  const running = runDevKube(
    {
      kubeconfig: kube.kubeconfig,
      addressPool: options.pool,
      stateDir,
      demoBackends: false,
      debounceMs: 30,
      log: (l) => logs.push(l),
      now: () => '2030-01-01T00:00:00Z',
    },
    stop.signal,
  );
  running.catch(() => {});
  return {
    kube,
    logs,
    running,
    stop,
    gatewayAddress: () =>
      (s.get('Gateway', 'demo', 'web')?.status as { addresses?: { value: string }[] } | undefined)
        ?.addresses?.[0]?.value,
    async close() {
      stop.abort();
      await running.catch(() => {});
      await kube.close();
      await new Promise<void>((r) => backend.close(() => r()));
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
