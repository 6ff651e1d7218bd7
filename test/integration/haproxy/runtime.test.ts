// The runtime API client against a real HAProxy 2.6: server slot updates under traffic (#825
// ordering), atomic map replacement, argument allow-lists and typed errors.
// Address 127.0.0.22, ports 22001-22099.

import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HAProxyCommandError, RuntimeArgumentError } from '#adapters/haproxy/runtime/errors.js';
import { HAProxyProcess } from '#adapters/haproxy/runtime/haproxy-process.js';
import { RuntimeClient, serverCommands } from '#adapters/haproxy/runtime/runtime-client.js';
import {
  dropConnections,
  get,
  loadLoop,
  makeStateDir,
  renderConfig,
  renderMap,
  startBackend,
  type TestBackend,
  waitNoProcess,
} from './support.js';

const IP = '127.0.0.22';
const PORT = 22001;
let a: TestBackend;
let b: TestBackend;
let c: TestBackend;
let state: ReturnType<typeof makeStateDir>;
let haproxy: HAProxyProcess;
let rt: RuntimeClient;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startBackend('a'), startBackend('b'), startBackend('c')]);
  state = makeStateDir('runtime');
  const dir = state.dir;
  await mkdir(join(dir, 'maps'));
  writeFileSync(join(dir, 'maps/hosts.map'), renderMap([['x.test', 'be_x']]));
  writeFileSync(
    join(dir, 'haproxy.cfg'),
    renderConfig({
      stateDir: dir,
      bind: IP,
      port: PORT,
      backends: {
        be_x: [{ name: 's1', port: a.port }, { name: 's2', port: b.port }, { name: 's3' }],
      },
    }),
  );
  haproxy = await HAProxyProcess.start({ stateDir: dir });
  rt = new RuntimeClient(join(dir, 'haproxy.sock'));
});

afterAll(async () => {
  dropConnections();
  await haproxy?.stop({ graceMs: 1_000 });
  expect(await waitNoProcess(state.dir)).toEqual([]);
  state.cleanup();
  await Promise.all([a.close(), b.close(), c.close()]);
});

describe('RuntimeClient', () => {
  it('reads server states and info', async () => {
    const servers = await rt.showServersState('be_x');
    expect(servers.map((s) => [s.server, s.addr, s.port, s.state, s.weight])).toEqual([
      ['s1', '127.0.0.1', a.port, 'ready', 1],
      ['s2', '127.0.0.1', b.port, 'ready', 1],
      ['s3', '127.0.0.1', 1, 'maint', 1],
    ]);
    const info = await rt.showInfo();
    expect(Number(info.Pid)).toBe((await haproxy.status()).workers[0]!.pid);
  });

  it('orders slot commands maint → addr → weight → ready (#825)', () => {
    expect(
      serverCommands({ backend: 'be', server: 's1', addr: '10.0.0.1', port: 80, weight: 5, state: 'ready' }),
    ).toEqual([
      'set server be/s1 state maint',
      'set server be/s1 addr 10.0.0.1 port 80',
      'set server be/s1 weight 5',
      'set server be/s1 state ready',
    ]);
    expect(serverCommands({ backend: 'be', server: 's1', addr: '::1', state: 'maint' })).toEqual([
      'set server be/s1 state maint',
      'set server be/s1 addr ::1',
    ]);
    expect(serverCommands({ backend: 'be', server: 's1', weight: 0 })).toEqual(['set server be/s1 weight 0']);
  });

  it('refuses unsafe arguments before they reach the socket', async () => {
    const bad = [
      { backend: 'be_x', server: 's1;shutdown sessions server be_x/s2' },
      { backend: 'be_x\nshow info', server: 's1' },
      { backend: 'be_x', server: 's1', addr: 'localhost', port: 80 },
      { backend: 'be_x', server: 's1', addr: '10.0.0.1', port: 70_000 },
      { backend: 'be_x', server: 's1', weight: 257 },
      { backend: 'be_x', server: 's1', state: 'up' as 'ready' },
    ];
    for (const u of bad) await expect(rt.setServer(u)).rejects.toBeInstanceOf(RuntimeArgumentError);
    await expect(rt.replaceMap('maps/hosts.map', [['a b', 'x']])).rejects.toBeInstanceOf(
      RuntimeArgumentError,
    );
    await expect(rt.replaceMap('maps/hosts.map', [['k', 'v\nshow info']])).rejects.toBeInstanceOf(
      RuntimeArgumentError,
    );
    await expect(rt.replaceMap('maps/../x.map', [])).rejects.toBeInstanceOf(RuntimeArgumentError);
  });

  it('turns HAProxy error answers into typed errors', async () => {
    const kind = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: HAProxyCommandError) => e.kind,
      );
    expect(await kind(rt.setServer({ backend: 'be_x', server: 's9', state: 'ready' }))).toBe(
      'no-such-server',
    );
    expect(await kind(rt.setServer({ backend: 'be_nope', server: 's1', weight: 1 }))).toBe('no-such-backend');
    expect(await kind(rt.showServersState('be_nope'))).toBe('no-such-backend');
    expect(await kind(rt.showMap('maps/nope.map'))).toBe('unknown-map');
    expect(await kind(rt.replaceMap('maps/nope.map', [['k', 'v']]))).toBe('unknown-map');
  });

  it('swaps slot addresses under back-to-back traffic with zero failed requests and no reload', async () => {
    const reloadsBefore = (await haproxy.status()).master.reloads;
    const load = loadLoop(IP, PORT, 'x.test', 4);
    await delay(100);
    const latencies: number[] = [];
    // Each step moves one slot while the other stays ready: s1 a→c, s2 b→a, s1 c→b, ...
    const cycle = [a, b, c];
    for (let i = 0; i < 12; i++) {
      const slot = i % 2 === 0 ? 's1' : 's2';
      const target = cycle[(i + 2) % 3]!;
      const t = performance.now();
      await rt.setServer({
        backend: 'be_x',
        server: slot,
        addr: '127.0.0.1',
        port: target.port,
        weight: 1,
        state: 'ready',
      });
      latencies.push(performance.now() - t);
      await delay(40);
    }
    const stats = await load.stop();
    expect(stats.failed).toEqual([]);
    expect(stats.ok).toBeGreaterThan(100);
    expect([...stats.bodies.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect((await haproxy.status()).master.reloads).toBe(reloadsBefore);
    const sorted = [...latencies].sort((x, y) => x - y);
    console.log(
      `[haproxy] slot swap (4-command batch) latency: median ${sorted[6]!.toFixed(2)} ms, max ${sorted[11]!.toFixed(2)} ms; ${stats.ok} requests, 0 failed`,
    );
  });

  it('drains and re-weights a slot', async () => {
    await rt.setServers([
      { backend: 'be_x', server: 's1', weight: 3 },
      { backend: 'be_x', server: 's2', state: 'drain' },
    ]);
    const s = await rt.showServersState('be_x');
    expect(s.find((x) => x.server === 's1')).toMatchObject({ weight: 3, state: 'ready' });
    expect(s.find((x) => x.server === 's2')).toMatchObject({ state: 'drain' });
    await rt.setServer({ backend: 'be_x', server: 's2', state: 'ready' });
    expect((await rt.showServersState('be_x')).find((x) => x.server === 's2')?.state).toBe('ready');
  });

  it('replaces a whole map atomically, in chunks when large', async () => {
    expect(await get(IP, PORT, 'y.test')).toMatchObject({ status: 404 });
    await rt.replaceMap('maps/hosts.map', [
      ['x.test', 'be_x'],
      ['y.test', 'be_x'],
    ]);
    expect(await get(IP, PORT, 'y.test')).toMatchObject({ status: 200 });
    expect(await rt.showMap('maps/hosts.map')).toEqual([
      ['x.test', 'be_x'],
      ['y.test', 'be_x'],
    ]);

    const big: [string, string][] = Array.from({ length: 5_000 }, (_, i) => [`h${i}.example.test`, 'be_x']);
    big.push(['x.test', 'be_x']);
    const t = performance.now();
    const r = await rt.replaceMap('maps/hosts.map', big);
    const ms = performance.now() - t;
    expect(r.requests).toBeGreaterThan(3); // prepare, several payload chunks, commit
    const info = (await rt.showMaps()).find((m) => m.path === 'maps/hosts.map');
    expect(info).toMatchObject({ entries: 5_001, currentVersion: r.version });
    expect(await get(IP, PORT, 'h4999.example.test')).toMatchObject({ status: 200 });
    expect(await get(IP, PORT, 'y.test')).toMatchObject({ status: 404 });
    console.log(`[haproxy] map replace, 5001 entries in ${r.requests} requests: ${ms.toFixed(0)} ms`);

    // Values keep their spaces through the payload form.
    await rt.replaceMap('maps/hosts.map', [
      ['x.test', 'be_x'],
      ['z.test', 'be_x with; spaces'],
    ]);
    expect((await rt.showMap('maps/hosts.map'))[1]).toEqual(['z.test', 'be_x with; spaces']);
  });
});
