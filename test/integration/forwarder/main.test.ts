import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotMarkerEvent } from '#events/portico-event.js';
import { eventually, gateway, type KubeFixture, startKube } from '../kube/support.js';
import { CLUSTER, Receiver, SECRET } from './support.js';

// The container entry as a process: environment in, JSON log lines out, SIGTERM → graceful stop.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let kube: KubeFixture | undefined;
let receiver: Receiver | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await receiver?.close();
  await kube?.close();
  child = kube = receiver = undefined;
});

function run(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const p = spawn(process.execPath, ['--import', 'tsx', 'forwarder/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  p.stdout.on('data', (c: Buffer) => {
    buffer += c.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return { p, lines, exited };
}

describe('forwarder main', () => {
  it('exits 2 naming the variables on a bad configuration', async () => {
    const r = run({ PORTICO_ENDPOINT: 'not a url', PORTICO_SIGNING_SECRET: 'short-secret' });
    child = r.p;
    expect(await r.exited).toBe(2);
    const msg = String(r.lines[0]?.msg);
    expect(msg).toMatch(/PORTICO_ENDPOINT must be an http\(s\) URL/);
    expect(msg).toMatch(/PORTICO_CLUSTER_ID is required/);
    expect(msg).not.toContain('short-secret');
  });

  it('forwards, answers /healthz, and on SIGTERM stops gracefully with exit code 0', async () => {
    kube = await startKube();
    receiver = await Receiver.start();
    kube.server.create(gateway('a', 'gw'));
    const r = run({
      PORTICO_ENDPOINT: receiver.url,
      PORTICO_CLUSTER_ID: CLUSTER,
      PORTICO_SIGNING_SECRET: SECRET,
      PORTICO_HTTP_PORT: '0',
      PORTICO_METRICS_PORT: '0',
      PORTICO_STATUS_POLL_MS: '0',
      PORTICO_KINDS: 'Gateway,Service',
      KUBECONFIG: kube.kubeconfig,
    });
    child = r.p;
    const running = await eventually(() => r.lines.find((l) => l.msg === 'running'), 'running', 15_000);
    const health = await fetch(`http://127.0.0.1:${running.httpPort}/healthz`);
    expect(health.status).toBe(200);
    await eventually(() => receiver!.markersOf('Gateway').length === 2, 'Gateway list');
    expect((receiver.markersOf('Gateway')[0] as SnapshotMarkerEvent).data.count).toBe(1);
    r.p.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.lines.find((l) => l.msg === 'stopped')).toMatchObject({ flushed: true, unsent: 0 });
  });
});
