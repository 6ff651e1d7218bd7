// Entry-by-entry map edits against a real HAProxy 2.6: `add map` / `set map` / `del map` on an
// exact (map_str) map, and appends to a prefix (map_beg) map where the order cannot matter.
// Address 127.0.105.1, port 20510.

import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAProxyProcess } from '#adapters/haproxy/runtime/haproxy-process.js';
import { mapEdits } from '#adapters/haproxy/runtime/map-edits.js';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';
import {
  dropConnections,
  get,
  makeStateDir,
  renderConfig,
  renderMap,
  startBackend,
  type TestBackend,
  waitNoProcess,
} from './support.js';

const IP = '127.0.105.1';
const PORT = 20510;
let a: TestBackend;
let b: TestBackend;
let state: ReturnType<typeof makeStateDir>;
let haproxy: HAProxyProcess;
let rt: RuntimeClient;

beforeAll(async () => {
  [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
  state = makeStateDir('map-edits');
  const dir = state.dir;
  await mkdir(join(dir, 'maps'));
  writeFileSync(join(dir, 'maps/hosts.map'), renderMap([['x.test', 'be_a']]));
  writeFileSync(join(dir, 'maps/prefix.map'), renderMap([['/api/', 'be_a']]));
  writeFileSync(
    join(dir, 'haproxy.cfg'),
    renderConfig({
      stateDir: dir,
      bind: IP,
      port: PORT,
      frontendExtra: [
        'http-request set-var(txn.pb) path,map_beg(maps/prefix.map) if { req.hdr(host) -m str p.test }',
        'use_backend %[var(txn.pb)] if { var(txn.pb) -m found }',
      ],
      backends: { be_a: [{ name: 's1', port: a.port }], be_b: [{ name: 's1', port: b.port }] },
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
  await Promise.all([a.close(), b.close()]);
});

describe('map edits entry by entry', () => {
  it('adds, re-points and deletes exact entries without touching the others', async () => {
    const running = await rt.showMap('maps/hosts.map');
    const wanted: [string, string][] = [
      ['x.test', 'be_b'],
      ['y.test', 'be_a'],
    ];
    const edits = mapEdits(running, wanted, 'any')!;
    const r = await rt.editMap('maps/hosts.map', edits);
    expect(r.commands).toBe(2); // one add, one set
    expect(await get(IP, PORT, 'x.test')).toEqual({ status: 200, body: 'b' });
    expect(await get(IP, PORT, 'y.test')).toEqual({ status: 200, body: 'a' });

    await rt.editMap('maps/hosts.map', mapEdits(wanted, [['y.test', 'be_a']], 'any')!);
    expect(await get(IP, PORT, 'x.test')).toMatchObject({ status: 404 });
    expect(await rt.showMap('maps/hosts.map')).toEqual([['y.test', 'be_a']]);
  });

  it('appends unrelated prefixes, and leaves a shadowing one to a whole replace', async () => {
    const running = await rt.showMap('maps/prefix.map');
    const wanted: [string, string][] = [
      ['/api/', 'be_a'],
      ['/web/', 'be_b'],
    ];
    await rt.editMap('maps/prefix.map', mapEdits(running, wanted, 'prefix')!);
    expect(await get(IP, PORT, 'p.test', '/web/x')).toEqual({ status: 200, body: 'b' });
    expect(await get(IP, PORT, 'p.test', '/api/x')).toEqual({ status: 200, body: 'a' });

    // /api/v2/ must be looked at before /api/: an append would never match, so no edits are offered.
    const longer: [string, string][] = [['/api/v2/', 'be_b'], ...wanted];
    expect(mapEdits(await rt.showMap('maps/prefix.map'), longer, 'prefix')).toBeUndefined();
    await rt.replaceMap('maps/prefix.map', longer);
    expect(await get(IP, PORT, 'p.test', '/api/v2/x')).toEqual({ status: 200, body: 'b' });
    expect(await get(IP, PORT, 'p.test', '/api/x')).toEqual({ status: 200, body: 'a' });
  });
});
