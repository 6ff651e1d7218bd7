// Shared pieces of the cluster tests: a fake API server with a kubeconfig in a temp dir, polling, and
// small Gateway API / core objects.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeApiServer, type KubeApiServerOptions } from '#test/support/kube-api-server.js';

export const CONTROLLER = 'portico.dev/gateway-controller';
export const GW_V1 = 'gateway.networking.k8s.io/v1';

export interface KubeFixture {
  server: KubeApiServer;
  dir: string;
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startKube(options: KubeApiServerOptions = {}): Promise<KubeFixture> {
  const server = await KubeApiServer.start(options);
  const dir = mkdtempSync(join(tmpdir(), 'portico-kube-'));
  const kubeconfig = server.writeKubeconfig(dir);
  return {
    server,
    dir,
    kubeconfig,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until fn() is true (or returns a truthy value), failing with `what` after `timeoutMs`. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await delay(20);
  }
}

export const gatewayClass = (name = 'portico', controllerName = CONTROLLER) => ({
  apiVersion: GW_V1,
  kind: 'GatewayClass',
  metadata: { name },
  spec: { controllerName },
});

export const gateway = (namespace: string, name: string, port = 80, className = 'portico') => ({
  apiVersion: GW_V1,
  kind: 'Gateway',
  metadata: { name, namespace },
  spec: { gatewayClassName: className, listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});

export const httpRoute = (
  namespace: string,
  name: string,
  parents: { name: string; namespace?: string }[],
  backend: { name: string; port: number },
  path = '/',
) => ({
  apiVersion: GW_V1,
  kind: 'HTTPRoute',
  metadata: { name, namespace },
  spec: {
    parentRefs: parents,
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [backend] }],
  },
});

export const service = (namespace: string, name: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ports: [{ name: 'http', port, protocol: 'TCP' }] },
});

export const endpointSlice = (namespace: string, serviceName: string, address: string, port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${serviceName}-1`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [address], conditions: { ready: true } }],
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});
