// What the tests of `portico dev` share: the folders it reads and writes, the real process (its
// output kept line by line), waiting on a condition with that output in the error, and requests to
// the listener it serves.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** The GatewayClass Portico serves, as the first document of a manifests file. */
export const GATEWAY_CLASS_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: portico}
spec: {controllerName: portico.dev/gateway-controller}
---
`;

/** A manifests folder and a state folder, both new, removed by `cleanup`. */
export function devFolders(tag: string): { dir: string; stateDir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `portico-${tag}-`));
  const stateDir = mkdtempSync(join(tmpdir(), `portico-${tag}-state-`));
  return {
    dir,
    stateDir,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface PorticoDevProcess {
  child: ChildProcess;
  /** Its manifests folder and its state folder. */
  dir: string;
  stateDir: string;
  /** Its stdout and stderr, line by line, as they come. */
  lines: string[];
  /** Stops it (SIGINT, as Ctrl-C) if it still runs, waits for its exit, and removes its folders. */
  stop(): Promise<void>;
}

/**
 * `portico dev --manifests <dir> --state-dir <stateDir> <args>` as a real process run from the
 * repository's root, `dir` holding `shop.yaml`: the GatewayClass then `manifests`.
 */
export function startPorticoDev(tag: string, manifests: string, args: string[]): PorticoDevProcess {
  const { dir, stateDir, cleanup } = devFolders(tag);
  writeFileSync(join(dir, 'shop.yaml'), `${GATEWAY_CLASS_YAML}${manifests}`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/portico.ts', 'dev', '--manifests', dir, '--state-dir', stateDir, ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return {
    child,
    dir,
    stateDir,
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      cleanup();
    },
  };
}

/** Gateway demo/shop (class portico) with one HTTP listener on `port`, then a document separator. */
export const shopGatewayYaml = (port: number | string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: demo}
spec:
  gatewayClassName: portico
  listeners: [{name: http, port: ${port}, protocol: HTTP}]
---
`;

/** Probes every 50 ms until `ok`; past `timeoutMs`, fails with `what` and the output so far. */
export async function until<T>(
  what: string,
  probe: () => Promise<T> | T,
  ok: (v: T) => boolean,
  output: readonly string[],
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; output:\n${output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The address `portico dev` printed for Gateway demo/shop's listener on `port`, once printed. */
export async function gatewayAddress(
  output: readonly string[],
  port: number,
  timeoutMs?: number,
): Promise<string> {
  const url = await until(
    'the URL of the Gateway',
    () => output.find((l) => l.includes('Gateway demo/shop: http://')),
    (l) => l !== undefined,
    output,
    timeoutMs,
  );
  return new RegExp(`http://([\\d.]+):${port}`).exec(url!)![1]!;
}

/** GET `path` on a fresh connection: the status and body, status 0 when the connection fails. */
export function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}
