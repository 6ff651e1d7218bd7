// applyHAProxyChange end to end: the runtime path (slots, maps) under traffic without reloads and
// with the files on disk agreeing, the reload path for structural changes, refusal of an invalid
// config, rollback of a failed reload, and the crash marker. Address 127.0.0.23, ports 23001-23099.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyHAProxyChange,
  type BackendSlots,
  type HAProxyDesired,
  planHAProxyChange,
} from '#adapters/haproxy/runtime/apply-runtime.js';
import { ConfigStore } from '#adapters/haproxy/runtime/config-store.js';
import { HAProxyConfigError, HAProxyReloadError } from '#adapters/haproxy/runtime/errors.js';
import { HAProxyProcess } from '#adapters/haproxy/runtime/haproxy-process.js';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';
import {
  dropConnections,
  get,
  loadLoop,
  makeStateDir,
  renderConfig,
  renderMap,
  type Slot,
  startBackend,
  type TestBackend,
  waitNoProcess,
} from './support.js';

const IP = '127.0.0.23';
const PORT = 23001;
let a: TestBackend;
let b: TestBackend;
let c: TestBackend;
let state: ReturnType<typeof makeStateDir>;
let store: ConfigStore;
let haproxy: HAProxyProcess;
let runtime: RuntimeClient;
let current: HAProxyDesired;

function desired(
  backends: Record<string, Slot[]>,
  routes: [string, string][],
  extra: string[] = [],
): HAProxyDesired {
  const slots: BackendSlots[] = Object.entries(backends).map(([backend, list]) => ({
    backend,
    slots: list.map((s) => ({
      name: s.name,
      ...(s.port !== undefined ? { address: '127.0.0.1', port: s.port } : {}),
      weight: s.weight ?? 1,
      state: s.port === undefined ? 'maint' : (s.state ?? 'ready'),
    })),
  }));
  return {
    files: {
      'haproxy.cfg': renderConfig({
        stateDir: state.dir,
        bind: IP,
        port: PORT,
        backends,
        frontendExtra: extra,
      }),
      'maps/hosts.map': renderMap(routes),
    },
    backends: slots,
    maps: [{ path: 'maps/hosts.map', entries: routes }],
  };
}

const apply = (next: HAProxyDesired) =>
  applyHAProxyChange(current, next, { store, process: haproxy, runtime });
const reloads = async () => (await haproxy.status()).master.reloads;
const onDisk = (rel: string) => readFileSync(join(state.dir, rel), 'utf8');

beforeAll(async () => {
  [a, b, c] = await Promise.all([startBackend('a'), startBackend('b'), startBackend('c')]);
  state = makeStateDir('apply');
  store = new ConfigStore(state.dir);
  current = desired({ be_x: [{ name: 's1', port: a.port }, { name: 's2', port: b.port }, { name: 's3' }] }, [
    ['x.test', 'be_x'],
  ]);
  await store.promote(await store.writeCandidate(current.files));
  haproxy = await HAProxyProcess.start({ stateDir: state.dir });
  await store.markApplied();
  runtime = new RuntimeClient(join(state.dir, 'haproxy.sock'));
});

afterAll(async () => {
  dropConnections();
  await haproxy?.stop({ graceMs: 1_000 });
  expect(await waitNoProcess(state.dir)).toEqual([]);
  state.cleanup();
  await Promise.all([a.close(), b.close(), c.close()]);
});

describe('applyHAProxyChange', () => {
  it('plans a reload for anything beyond slot and map contents', () => {
    const base = desired({ be_x: [{ name: 's1', port: a.port }] }, [['x.test', 'be_x']]);
    const moved = desired({ be_x: [{ name: 's1', port: b.port }] }, [['x.test', 'be_x']]);
    expect(planHAProxyChange(base, base)).toEqual({ kind: 'noop' });
    expect(planHAProxyChange(base, moved)).toMatchObject({ kind: 'runtime', maps: [] });
    const newOption = { ...moved, files: { ...moved.files } };
    newOption.files['haproxy.cfg'] = moved.files['haproxy.cfg']!.replace(
      /(server s1 \S+ weight 1)/,
      '$1 check',
    );
    expect(planHAProxyChange(base, newOption)).toMatchObject({
      kind: 'reload',
      reason: /beyond server slot/,
    });
    const lying = { ...moved, backends: base.backends };
    expect(planHAProxyChange(base, lying)).toMatchObject({ kind: 'reload', reason: /does not match/ });
    const grown = desired({ be_x: [{ name: 's1', port: a.port }, { name: 's2' }] }, [['x.test', 'be_x']]);
    expect(planHAProxyChange(base, grown)).toMatchObject({ kind: 'reload', reason: /slots added/ });
    expect(planHAProxyChange(undefined, base)).toMatchObject({ kind: 'reload' });
  });

  it('gives a slot leaving drain its weight back: the config writes a draining server at weight 0', () => {
    const routes: [string, string][] = [['x.test', 'be_x']];
    const draining = desired({ be_x: [{ name: 's1', port: a.port, state: 'drain' }] }, routes);
    const ready = desired({ be_x: [{ name: 's1', port: a.port }] }, routes);
    expect(planHAProxyChange(draining, ready)).toMatchObject({
      kind: 'runtime',
      servers: [{ backend: 'be_x', server: 's1', state: 'ready', weight: 1 }],
    });
  });

  it('moves endpoints through the runtime API under traffic: no reload, no failed request, files agree', async () => {
    const before = await reloads();
    const load = loadLoop(IP, PORT, 'x.test', 4);
    await delay(80);
    // s1 a→c while s2 serves, then free s2 and fill s3 (make before break), then s1 weight 2.
    const steps = [
      desired({ be_x: [{ name: 's1', port: c.port }, { name: 's2', port: b.port }, { name: 's3' }] }, [
        ['x.test', 'be_x'],
      ]),
      desired({ be_x: [{ name: 's1', port: c.port }, { name: 's2' }, { name: 's3', port: a.port }] }, [
        ['x.test', 'be_x'],
      ]),
      desired(
        { be_x: [{ name: 's1', port: c.port, weight: 2 }, { name: 's2' }, { name: 's3', port: a.port }] },
        [['x.test', 'be_x']],
      ),
    ];
    const times: number[] = [];
    for (const next of steps) {
      const r = await apply(next);
      expect(r).toMatchObject({ path: 'runtime', reloaded: false, fellBack: false });
      expect(r.runtimeCommands).toBeGreaterThan(0);
      times.push(r.durationMs);
      current = next;
      expect(onDisk('haproxy.cfg')).toBe(next.files['haproxy.cfg']);
      await delay(60);
    }
    const stats = await load.stop();
    expect(stats.failed).toEqual([]);
    expect(stats.bodies.get('c')).toBeGreaterThan(0);
    expect(await reloads()).toBe(before);
    expect(await store.pending()).toBeUndefined();
    const live = await runtime.showServersState('be_x');
    expect(live.map((s) => [s.server, s.port, s.state, s.weight])).toEqual([
      ['s1', c.port, 'ready', 2],
      ['s2', b.port, 'maint', 1],
      ['s3', a.port, 'ready', 1],
    ]);
    console.log(
      `[haproxy] runtime-path apply (files + set server batch): ${times.map((t) => t.toFixed(1)).join(', ')} ms`,
    );
  });

  it('replaces route maps at runtime without a reload, and the map file matches', async () => {
    const before = await reloads();
    const next = desired(
      { be_x: [{ name: 's1', port: c.port, weight: 2 }, { name: 's2' }, { name: 's3', port: a.port }] },
      [
        ['x.test', 'be_x'],
        ['y.test', 'be_x'],
      ],
    );
    const r = await apply(next);
    current = next;
    expect(r).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await get(IP, PORT, 'y.test')).toMatchObject({ status: 200 });
    expect(await reloads()).toBe(before);
    expect(onDisk('maps/hosts.map')).toBe('x.test be_x\ny.test be_x\n');
    expect(await runtime.showMap('maps/hosts.map')).toEqual([
      ['x.test', 'be_x'],
      ['y.test', 'be_x'],
    ]);
    console.log(`[haproxy] runtime-path apply (map replace): ${r.durationMs.toFixed(1)} ms`);
  });

  it('reloads for a structural change (new backend) and confirms it', async () => {
    const before = await reloads();
    const next = desired(
      {
        be_x: [{ name: 's1', port: c.port, weight: 2 }, { name: 's2' }, { name: 's3', port: a.port }],
        be_z: [{ name: 's1', port: b.port }],
      },
      [
        ['x.test', 'be_x'],
        ['y.test', 'be_x'],
        ['z.test', 'be_z'],
      ],
    );
    const r = await apply(next);
    current = next;
    expect(r).toMatchObject({ path: 'reload', reloaded: true, reason: /beyond server slot|slots added/ });
    expect(await reloads()).toBe(before + 1);
    expect(await get(IP, PORT, 'z.test')).toEqual({ status: 200, body: 'b' });
    console.log(
      `[haproxy] reload-path apply: ${r.durationMs.toFixed(0)} ms (haproxy -c ${r.validationMs?.toFixed(0)} ms, reload ${r.reloadMs?.toFixed(0)} ms)`,
    );
  });

  it('refuses an invalid config and keeps the old one on disk and serving', async () => {
    const before = await reloads();
    const bad = desired(
      { be_x: [{ name: 's1', port: a.port }] },
      [['x.test', 'be_x']],
      ['bogus_keyword here'],
    );
    const err = await apply(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HAProxyConfigError);
    expect((err as HAProxyConfigError).alerts.join('\n')).toMatch(/bogus_keyword/);
    expect(await store.read()).toEqual(current.files);
    expect(await reloads()).toBe(before);
    expect(await get(IP, PORT, 'z.test')).toEqual({ status: 200, body: 'b' });
  });

  it('rolls back the files and reloads the last good set when a reload fails', async () => {
    const unbindable = desired({ be_x: [{ name: 's1', port: a.port }] }, [['x.test', 'be_x']]);
    const files = { ...unbindable.files };
    files['haproxy.cfg'] = files['haproxy.cfg']!.replace(
      `bind ${IP}:${PORT}`,
      `bind ${IP}:${PORT}\n  bind 192.0.2.1:23002`,
    );
    const err = await apply({ ...unbindable, files }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HAProxyReloadError);
    expect(await store.read()).toEqual(current.files);
    expect(await store.pending()).toBeUndefined();
    expect(await get(IP, PORT, 'z.test')).toEqual({ status: 200, body: 'b' });
  });

  it('reloads when an earlier apply stopped between the files and HAProxy', async () => {
    // Simulate a crash after the files were written and before the runtime commands ran.
    const next = desired(
      {
        be_x: [{ name: 's1', port: b.port, weight: 2 }, { name: 's2' }, { name: 's3', port: a.port }],
        be_z: [{ name: 's1', port: b.port }],
      },
      [
        ['x.test', 'be_x'],
        ['y.test', 'be_x'],
        ['z.test', 'be_z'],
      ],
    );
    await store.writeLive(next.files);
    expect(await store.pending()).toBe('written');
    const r = await applyHAProxyChange(next, next, { store, process: haproxy, runtime });
    current = next;
    expect(r).toMatchObject({ path: 'reload', reloaded: true, reason: /previous apply/ });
    expect((await runtime.showServersState('be_x')).find((s) => s.server === 's1')?.port).toBe(b.port);
    expect(await store.pending()).toBeUndefined();
  });
});
