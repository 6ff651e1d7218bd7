import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchDirectory } from '#cli/watch.js';

// Real files, saved the ways editors and tools save them; each save must be seen, including every
// save after a save by rename (which replaces the file's inode).

const DEBOUNCE_MS = 30;
let dir: string;
let stop: () => void;
let seen: string[];
let waiting: ((content: string) => void) | undefined;

/** Resolves with the file's content as read by the first change callback after `save` ran. */
async function saved(file: string, save: () => void): Promise<string> {
  const next = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no change seen for ${file}`)), 3_000);
    waiting = (content) => {
      clearTimeout(timer);
      resolve(content);
    };
  });
  save();
  return next;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-watch-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.yaml'), 'v: 0\n');
  writeFileSync(join(dir, 'sub', 'b.yaml'), 'v: 0\n');
  seen = [];
  stop = watchDirectory(dir, DEBOUNCE_MS, () => {
    const content = readFileSync(join(dir, 'a.yaml'), 'utf8');
    seen.push(content);
    waiting?.(content);
  });
  // Let the watchers settle before the first save.
  await new Promise((r) => setTimeout(r, 50));
});

afterEach(() => {
  stop();
  rmSync(dir, { recursive: true, force: true });
});

function renameSave(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

describe('cli: watchDirectory', () => {
  it('sees every save after a save by rename: in place, by rename again, by sed -i, by append', async () => {
    const a = join(dir, 'a.yaml');
    expect(await saved(a, () => renameSave(a, 'v: 1\n'))).toBe('v: 1\n');
    expect(await saved(a, () => writeFileSync(a, 'v: 2\n'))).toBe('v: 2\n');
    expect(await saved(a, () => renameSave(a, 'v: 3\n'))).toBe('v: 3\n');
    expect(await saved(a, () => execFileSync('sed', ['-i', 's/3/4/', a]))).toBe('v: 4\n');
    expect(await saved(a, () => appendFileSync(a, 'w: 5\n'))).toBe('v: 4\nw: 5\n');
    expect(await saved(a, () => writeFileSync(a, 'v: 6\n'))).toBe('v: 6\n');
  });

  it('sees a save by delete and create, and files in folders created after it started', async () => {
    const a = join(dir, 'a.yaml');
    expect(
      await saved(a, () => {
        unlinkSync(a);
        writeFileSync(a, 'v: 1\n');
      }),
    ).toBe('v: 1\n');
    expect(await saved(a, () => writeFileSync(a, 'v: 2\n'))).toBe('v: 2\n');
    // A new folder, then a file saved in it twice (the second time in place).
    mkdirSync(join(dir, 'new'));
    const c = join(dir, 'new', 'c.yaml');
    await saved(c, () => renameSave(c, 'c: 1\n'));
    await saved(c, () => writeFileSync(c, 'c: 2\n'));
    // A file in a folder that existed from the start, saved by rename then in place.
    const b = join(dir, 'sub', 'b.yaml');
    await saved(b, () => renameSave(b, 'v: 1\n'));
    await saved(b, () => writeFileSync(b, 'v: 2\n'));
    // A file created, then deleted.
    const d = join(dir, 'd.yaml');
    await saved(d, () => writeFileSync(d, 'd: 1\n'));
    await saved(d, () => unlinkSync(d));
    expect(seen.length).toBeGreaterThanOrEqual(8);
  });

  it('calls back once for a burst of writes, and never after it is stopped', async () => {
    const a = join(dir, 'a.yaml');
    const content = await saved(a, () => {
      for (let i = 1; i <= 5; i++) writeFileSync(a, `v: ${i}\n`);
    });
    expect(content).toBe('v: 5\n');
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 4));
    expect(seen).toEqual(['v: 5\n']);
    stop();
    writeFileSync(a, 'v: 6\n');
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 4));
    expect(seen).toEqual(['v: 5\n']);
  });
});
