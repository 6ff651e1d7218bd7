// Real HAProxy 2.6 in master-worker mode: start/stop hygiene, reload through the master CLI,
// validation of candidates, rollback after a failed reload, crash handling and attach mode.
// Addresses 127.0.0.21, ports 21001-21099.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '#adapters/haproxy/runtime/config-store.js';
import { HAProxyReloadError, HAProxyStartError } from '#adapters/haproxy/runtime/errors.js';
import { findHAProxyBinary } from '#adapters/haproxy/runtime/haproxy-binary.js';
import { HAProxyProcess } from '#adapters/haproxy/runtime/haproxy-process.js';
import { validateConfig } from '#adapters/haproxy/runtime/validate-config.js';
import {
  eventually,
  get,
  makeStateDir,
  pgrep,
  renderConfig,
  renderMap,
  startBackend,
  type TestBackend,
  waitNoProcess,
} from './support.js';

const IP = '127.0.0.21';
let a: TestBackend;
let b: TestBackend;

beforeAll(async () => {
  [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

function files(stateDir: string, port: number, routes: [string, string][], extra: string[] = []) {
  return {
    'haproxy.cfg': renderConfig({
      stateDir,
      bind: IP,
      port,
      backends: { be_a: [{ name: 's1', port: a.port }], be_b: [{ name: 's1', port: b.port }] },
      frontendExtra: extra,
    }),
    'maps/hosts.map': renderMap(routes),
  };
}

function writeFiles(dir: string, set: Record<string, string>) {
  for (const [rel, content] of Object.entries(set)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

describe('HAProxyProcess', () => {
  it('starts master + worker, serves, refuses a second start, and stop() leaves no process', async () => {
    const { dir, cleanup } = makeStateDir('proc-start');
    const port = 21001;
    writeFiles(dir, files(dir, port, [['a.test', 'be_a']]));
    const started = performance.now();
    const p = await HAProxyProcess.start({ stateDir: dir });
    const startMs = performance.now() - started;
    try {
      expect(pgrep(dir).length).toBeGreaterThanOrEqual(2); // master + worker
      expect(await get(IP, port, 'a.test')).toEqual({ status: 200, body: 'a' });
      expect(await get(IP, port, 'nope.test')).toMatchObject({ status: 404 });
      const info = await p.status();
      expect(info.master.pid).toBe(p.pid);
      expect(info.workers).toHaveLength(1);
      // Started with the soft file limit raised to the hard one (HAProxy sizes maxconn from it).
      const limits = readFileSync(`/proc/${p.pid}/limits`, 'utf8');
      const [, soft, hard] = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits) ?? [];
      expect(hard).toBeDefined();
      expect(soft).toBe(hard);
      await expect(HAProxyProcess.start({ stateDir: dir })).rejects.toThrow(/already answers/);
    } finally {
      await p.stop({ graceMs: 2_000 });
    }
    expect(await waitNoProcess(dir)).toEqual([]);
    expect(p.exited).toMatchObject({ expected: true });
    console.log(`[haproxy] start to first worker answering: ${startMs.toFixed(0)} ms`);
    cleanup();
  });

  it('fails a start with HAProxy’s own alerts and leaves nothing behind', async () => {
    const { dir, cleanup } = makeStateDir('proc-bad');
    writeFiles(dir, files(dir, 21002, [], ['bogus_keyword here']));
    const err = await HAProxyProcess.start({ stateDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HAProxyStartError);
    expect((err as HAProxyStartError).alerts.join('\n')).toMatch(/unknown keyword 'bogus_keyword'/);
    expect(await waitNoProcess(dir)).toEqual([]);
    cleanup();
  });

  it('reloads into a new config, refuses an invalid candidate, and rolls back a failed reload', async () => {
    const { dir, cleanup } = makeStateDir('proc-reload');
    const port = 21003;
    const store = new ConfigStore(dir);
    const v1 = files(dir, port, [['a.test', 'be_a']]);
    const c1 = await store.writeCandidate(v1);
    expect(c1.validation).toMatchObject({ ok: true, errors: [] });
    await store.promote(c1);
    const p = await HAProxyProcess.start({ stateDir: dir });
    await store.markApplied();
    try {
      expect(await get(IP, port, 'b.test')).toMatchObject({ status: 404 });

      // A new route (config + map): reload through the master CLI, confirmed by show proc.
      const v2 = files(dir, port, [
        ['a.test', 'be_a'],
        ['b.test', 'be_b'],
      ]);
      const c2 = await store.writeCandidate(v2);
      await store.promote(c2);
      const before = await p.status();
      const r = await p.reload();
      await store.markApplied();
      expect(r.reloads).toBe(before.master.reloads + 1);
      expect(r.workerPid).not.toBe(before.workers[0]!.pid);
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });
      console.log(`[haproxy] reload (master CLI → new worker answering): ${r.durationMs.toFixed(0)} ms`);
      console.log(`[haproxy] haproxy -c on a candidate: ${c2.validation.durationMs.toFixed(0)} ms`);

      // An invalid candidate is refused by haproxy -c; the live files and process are untouched.
      const bad = await store.writeCandidate(files(dir, port, [], ['bogus_keyword here']));
      expect(bad.validation.ok).toBe(false);
      expect(bad.validation.errors.join('\n')).toMatch(/unknown keyword 'bogus_keyword'/);
      await expect(store.promote(bad)).rejects.toThrow(/invalid candidate/);
      await store.discard(bad);
      expect(await store.read()).toEqual(v2);
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });

      // Valid for haproxy -c (it does not bind) but the reload cannot bind a foreign address.
      const unbindable = files(dir, port, [['a.test', 'be_a']]);
      unbindable['haproxy.cfg'] = unbindable['haproxy.cfg'].replace(
        `bind ${IP}:${port}`,
        'bind 192.0.2.1:21004',
      );
      const c3 = await store.writeCandidate(unbindable);
      expect(c3.validation.ok).toBe(true);
      await store.promote(c3);
      const err = await p.reload({ timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HAProxyReloadError);
      expect((err as HAProxyReloadError).alerts.join('\n')).toMatch(/cannot bind|Starting frontend/i);
      expect(await store.pending()).toBe('written');
      // The old worker kept serving; put the last good files back and reload them.
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });
      await store.rollback();
      expect(await store.read()).toEqual(v2);
      await p.reload();
      expect(await store.pending()).toBeUndefined();
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });
    } finally {
      await p.stop({ graceMs: 2_000 });
    }
    expect(await waitNoProcess(dir)).toEqual([]);
    cleanup();
  });

  it('notices a crashed master and leaves no worker behind', async () => {
    const { dir, cleanup } = makeStateDir('proc-crash');
    writeFiles(dir, files(dir, 21005, [['a.test', 'be_a']]));
    const p = await HAProxyProcess.start({ stateDir: dir });
    const exits: unknown[] = [];
    p.onExit((info) => exits.push(info));
    process.kill(p.pid!, 'SIGKILL'); // the master only: its worker must not survive it
    await eventually(() => exits.length === 1);
    expect(exits[0]).toMatchObject({ expected: false, signal: 'SIGKILL' });
    expect(await waitNoProcess(dir)).toEqual([]);
    await expect(p.reload()).rejects.toThrow(/exited/);
    await p.stop();
    cleanup();
  });

  it('attach() drives a HAProxy started elsewhere, and stop() does not kill it', async () => {
    const { dir, cleanup } = makeStateDir('proc-attach');
    const port = 21006;
    writeFiles(dir, files(dir, port, [['a.test', 'be_a']]));
    const socket = join(dir, 'master.sock');
    const external = spawn(findHAProxyBinary(), ['-W', '-S', socket, '-C', dir, '-f', 'haproxy.cfg'], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      // The worker serves before the master listens on its socket: attaching at this moment used to
      // fail with ECONNREFUSED; attach() now waits for the master.
      await eventually(
        async () => (await get(IP, port, 'a.test').catch(() => undefined))?.status === 200,
        5_000,
      );
      const p = await HAProxyProcess.attach({ masterSocket: socket, configDir: dir });
      expect(p.owned).toBe(false);
      writeFiles(dir, files(dir, port, [['b.test', 'be_b']]));
      await p.reload();
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });
      // A failed reload on an attached HAProxy is explained by haproxy -c on its config dir.
      writeFiles(dir, files(dir, port, [], ['bogus_keyword here']));
      const err = await p.reload({ timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect((err as HAProxyReloadError).alerts.join('\n')).toMatch(/bogus_keyword/);
      await p.stop();
      expect(pgrep(dir).length).toBeGreaterThanOrEqual(2);
      expect(await get(IP, port, 'b.test')).toEqual({ status: 200, body: 'b' });
    } finally {
      process.kill(-external.pid!, 'SIGKILL');
    }
    expect(await waitNoProcess(dir)).toEqual([]);
    cleanup();
  });

  it('attach() to a socket no HAProxy serves fails with a clear error once its wait is over', async () => {
    const { dir, cleanup } = makeStateDir('proc-attach-none');
    const socket = join(dir, 'master.sock');
    const started = performance.now();
    const err = await HAProxyProcess.attach({ masterSocket: socket, readyTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(
      /no HAProxy master with a worker answers on .*within 300 ms .*ENOENT/,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    cleanup();
  });

  it('validateConfig checks a candidate file or directory with its own relative maps', async () => {
    const { dir, cleanup } = makeStateDir('proc-validate');
    writeFiles(dir, files(dir, 21007, [['a.test', 'be_a']]));
    expect(await validateConfig(dir)).toMatchObject({ ok: true });
    expect(await validateConfig(join(dir, 'haproxy.cfg'))).toMatchObject({ ok: true });
    writeFileSync(
      join(dir, 'haproxy.cfg'),
      readFileSync(join(dir, 'haproxy.cfg'), 'utf8').replace('maps/hosts', 'maps/missing'),
    );
    const r = await validateConfig(dir);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/maps\/missing\.map/);
    cleanup();
  });

  it('ConfigStore keeps certificates private, deletes dropped files and keeps the last good set', async () => {
    const { dir, cleanup } = makeStateDir('proc-store');
    const store = new ConfigStore(dir);
    await store.writeLive({ 'haproxy.cfg': 'global\n', 'certs/site.pem': 'PEM', 'maps/a.map': 'k v\n' });
    expect(statSync(join(dir, 'certs/site.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'maps/a.map')).mode & 0o777).toBe(0o644);
    await store.markApplied();
    await store.writeLive({ 'haproxy.cfg': 'global\n# v2\n' });
    expect(existsSync(join(dir, 'certs/site.pem'))).toBe(false);
    expect(await store.lastGood()).toEqual({
      'haproxy.cfg': 'global\n',
      'certs/site.pem': 'PEM',
      'maps/a.map': 'k v\n',
    });
    expect(statSync(join(dir, 'last-good/certs/site.pem')).mode & 0o777).toBe(0o600);
    // Crash while writing: recover() puts the last good set back.
    writeFileSync(join(dir, '.pending'), 'writing');
    expect(await store.recover()).toBe('writing');
    expect(await store.read()).toEqual({
      'haproxy.cfg': 'global\n',
      'certs/site.pem': 'PEM',
      'maps/a.map': 'k v\n',
    });
    await expect(store.writeLive({ 'haproxy.cfg': '', '../escape': 'x' })).rejects.toThrow(
      /safe relative path/,
    );
    await expect(store.writeLive({ 'haproxy.cfg': '', 'last-good/x': 'x' })).rejects.toThrow(
      /safe relative path/,
    );
    cleanup();
  });
});
