// Shared pieces of the HAProxy integration tests: tiny HTTP backends, a minimal config of our own
// (so these tests do not depend on the render side), traffic loops and process checks.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface TestBackend {
  name: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** Answers `<name>` on every path; counts hits. Listens on `host` (IPv4 loopback by default). */
export async function startBackend(name: string, host = '127.0.0.1'): Promise<TestBackend> {
  const backend = { name, port: 0, hits: 0 } as TestBackend;
  const server: Server = createServer((_req, res) => {
    backend.hits++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, host, r));
  backend.port = (server.address() as AddressInfo).port;
  backend.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return backend;
}

export interface Slot {
  name: string;
  port?: number;
  weight?: number;
  state?: 'ready' | 'drain' | 'maint';
}

export interface TestConfig {
  stateDir: string;
  bind: string;
  port: number;
  backends: Record<string, Slot[]>;
  /** Extra lines in the frontend (e.g. a broken one). */
  frontendExtra?: string[];
}

/** Server lines like the render side's: `server s1 127.0.0.1:P weight W [disabled]`. */
export function serverLine(s: Slot): string {
  const weight = s.state === 'drain' ? 0 : (s.weight ?? 1);
  const maint = s.state === 'maint' || s.port === undefined;
  return `server ${s.name} 127.0.0.1:${s.port ?? 1} weight ${weight}${maint ? ' disabled' : ''}`;
}

export function renderConfig(c: TestConfig): string {
  const lines = [
    'global',
    `  stats socket ${c.stateDir}/haproxy.sock mode 600 level admin`,
    '  hard-stop-after 2s',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 5s',
    '  option redispatch',
    '  retries 2',
    'frontend fe',
    `  bind ${c.bind}:${c.port}`,
    ...(c.frontendExtra ?? []).map((l) => `  ${l}`),
    '  use_backend %[req.hdr(host),field(1,:),lower,map(maps/hosts.map,be_none)]',
    'backend be_none',
    '  http-request return status 404 content-type text/plain string no-route',
  ];
  for (const [name, slots] of Object.entries(c.backends)) {
    lines.push(`backend ${name}`, '  balance roundrobin', ...slots.map((s) => `  ${serverLine(s)}`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderMap(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([k, v]) => `${k} ${v}\n`).join('');
}

/** A fresh state dir with a name unique enough for `pgrep -f`. */
export function makeStateDir(tag: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `portico-hx-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pids of processes whose command line mentions `needle`. */
export function pgrep(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return []; // exit 1 = none
  }
}

/** Waits until no process mentions `needle` (workers may take a moment after the master). */
export async function waitNoProcess(needle: string, timeoutMs = 3_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pgrep(needle);
  while (left.length > 0 && Date.now() < deadline) {
    await delay(25);
    left = pgrep(needle);
  }
  return left;
}

let agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Closes idle keep-alive connections so a soft stop does not wait for them. */
export function dropConnections(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 8 });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function get(address: string, port: number, host: string, path = '/'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host }, agent, timeout: 3_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export interface LoadStats {
  ok: number;
  failed: { status: number; body: string }[];
  bodies: Map<string, number>;
}

/**
 * Back-to-back requests on `concurrency` keep-alive connections until stop() is called: every
 * non-200 (or transport error) is recorded.
 */
export function loadLoop(address: string, port: number, host: string, concurrency = 4) {
  const stats: LoadStats = { ok: 0, failed: [], bodies: new Map() };
  let running = true;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const r = await get(address, port, host);
        if (r.status === 200) {
          stats.ok++;
          stats.bodies.set(r.body, (stats.bodies.get(r.body) ?? 0) + 1);
        } else stats.failed.push(r);
      } catch (e) {
        stats.failed.push({ status: 0, body: (e as Error).message });
      }
    }
  });
  return {
    stats,
    async stop(): Promise<LoadStats> {
      running = false;
      await Promise.all(workers);
      return stats;
    },
  };
}

/** Polls until fn() is true. */
export async function eventually(fn: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}

/** GatewayClass `portico`, namespace `ns` and its Gateway `gw` with one HTTP listener on `port`. */
export function httpGateway(ns: string, port: number): unknown[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'portico' },
      spec: { controllerName: 'portico.dev/gateway-controller' },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: ns },
      spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
    },
  ];
}
