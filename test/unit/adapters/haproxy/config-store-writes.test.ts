import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '#adapters/haproxy/runtime/config-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ConfigStore.writeLive', () => {
  it('rewrites only the files whose content changed, and the live set is the new one', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'portico-store-'));
    dirs.push(dir);
    const store = new ConfigStore(dir);
    const first = {
      'haproxy.cfg': 'global\n',
      'maps/hosts.map': 'a.example.com v_a\n',
      'maps/paths.map': 'v_a/x rt_1\n',
    };
    await store.writeLive(first);
    await store.markApplied();
    const inode = (rel: string) => statSync(join(dir, rel)).ino;
    const before = {
      cfg: inode('haproxy.cfg'),
      hosts: inode('maps/hosts.map'),
      paths: inode('maps/paths.map'),
    };

    await store.writeLive({ ...first, 'maps/paths.map': 'v_a/x rt_1\nv_a/y rt_2\n' });

    // An atomic write renames a new file into place: a new inode. The unchanged ones kept theirs.
    expect(inode('haproxy.cfg')).toBe(before.cfg);
    expect(inode('maps/hosts.map')).toBe(before.hosts);
    expect(inode('maps/paths.map')).not.toBe(before.paths);
    expect(readFileSync(join(dir, 'maps/paths.map'), 'utf8')).toBe('v_a/x rt_1\nv_a/y rt_2\n');
    expect(await store.read()).toEqual({ ...first, 'maps/paths.map': 'v_a/x rt_1\nv_a/y rt_2\n' });
    // The set it replaced is last-good, whole.
    expect(await store.lastGood()).toEqual(first);
    expect(await store.pending()).toBe('written');
  });

  it('brings last-good up to date file by file once it knows what it holds, and can leave it alone', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'portico-store-'));
    dirs.push(dir);
    const store = new ConfigStore(dir);
    const v1 = { 'haproxy.cfg': 'global\n', 'maps/a.map': 'k1 v\n', 'maps/b.map': 'x y\n' };
    const v2 = { ...v1, 'maps/a.map': 'k1 v\nk2 v\n' };
    const v3 = { 'haproxy.cfg': 'global\n', 'maps/a.map': 'k2 v\n', 'maps/c.map': 'c d\n' };
    for (const files of [v1, v2]) {
      await store.writeLive(files);
      await store.markApplied();
    }
    const goodInode = (rel: string) => statSync(join(dir, 'last-good', rel)).ino;
    const cfgInode = goodInode('haproxy.cfg');
    // Given what the live files hold (the caller's record): nothing is read back.
    await store.writeLive(v3, v2);
    await store.markApplied();
    expect(await store.lastGood()).toEqual(v2);
    expect(goodInode('haproxy.cfg')).toBe(cfgInode);
    expect(await store.read()).toEqual(v3);
    // The runtime path leaves last-good as the last promote left it.
    await store.writeLive({ ...v3, 'maps/c.map': 'c e\n' }, v3, { lastGood: false });
    expect(await store.lastGood()).toEqual(v2);
    expect(readFileSync(join(dir, 'maps/c.map'), 'utf8')).toBe('c e\n');
  });
});
