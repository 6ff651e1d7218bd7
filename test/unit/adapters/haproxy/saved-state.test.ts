import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import { loadSavedState, type SavedState, StateWriter } from '#adapters/haproxy/state/saved-state.js';
import type { DesiredResource } from '#core/plan/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const KEY = 'c1/Gateway/ns/gw';
const entries = (n: number, skip = -1) =>
  Array.from({ length: n }, (_, i) => i)
    .filter((i) => i !== skip)
    .map((i) => ({ key: `${i}.example.com`, value: `be_${i % 3}` }));
const map = (list: { key: string; value: string }[]): DesiredResource<HaproxyKinds> => ({
  address: 'haproxy/map/hosts',
  kind: 'map',
  value: { lb: 'gw', name: 'hosts', match: 'str', entries: list },
});
const cert: DesiredResource<HaproxyKinds> = {
  address: 'haproxy/cert/site',
  kind: 'cert',
  value: { lb: 'gw', name: 'site', secret: 'ns/site', pem: 'PEM' },
};
const stateOf = (resources: DesiredResource<HaproxyKinds>[], address = '10.0.0.1'): SavedState => ({
  addresses: { [KEY]: address },
  resources: { [KEY]: resources },
  slots: {},
});

function setup(): { dir: string; files: () => string[] } {
  const dir = mkdtempSync(join(os.tmpdir(), 'portico-saved-'));
  dirs.push(dir);
  return { dir, files: () => readdirSync(join(dir, 'portico-state')).sort() };
}

describe('StateWriter and loadSavedState', () => {
  it('writes a snapshot, then a log line per change that holds only the changed part of a map', async () => {
    const { dir, files } = setup();
    const writer = new StateWriter(dir);
    await writer.save(stateOf([cert, map(entries(1000))]), [KEY]);
    expect(files()).toHaveLength(1);
    await writer.save(stateOf([cert, map(entries(1001))]), [KEY]);
    await writer.save(stateOf([cert, map(entries(1001, 500))]), [KEY]);
    const log = files().find((f) => f.endsWith('.log'))!;
    const lines = readFileSync(join(dir, 'portico-state', log), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
    // The cert is unchanged, the map is its changed part: a few hundred bytes, not 30 kB.
    expect(lines.every((l) => l.length < 400)).toBe(true);
    expect(loadSavedState(dir)).toEqual(stateOf([cert, map(entries(1001, 500))]));
  });

  it('ignores a torn last line, and lines of an older snapshot', async () => {
    const { dir, files } = setup();
    const writer = new StateWriter(dir);
    await writer.save(stateOf([map(entries(10))]), [KEY]);
    await writer.save(stateOf([map(entries(11))]), [KEY]);
    const log = join(dir, 'portico-state', files().find((f) => f.endsWith('.log'))!);
    appendFileSync(log, '{"generation":"x","resources":[{"addr');
    expect(loadSavedState(dir)).toEqual(stateOf([map(entries(11))]));
    // A new address is a new snapshot (and generation): the old log goes.
    await writer.save(stateOf([map(entries(11))], '10.0.0.2'), [KEY]);
    expect(files().filter((f) => f.endsWith('.log'))).toEqual([]);
    expect(loadSavedState(dir)).toEqual(stateOf([map(entries(11))], '10.0.0.2'));
    // A restarted writer starts from a snapshot of its own.
    const again = new StateWriter(dir);
    await again.save(stateOf([map(entries(12))], '10.0.0.2'), [KEY]);
    expect(loadSavedState(dir)).toEqual(stateOf([map(entries(12))], '10.0.0.2'));
    // A load balancer that holds nothing any more leaves no file.
    await again.save({ addresses: {}, resources: {}, slots: {} }, [KEY]);
    expect(files()).toEqual([]);
  });
});
