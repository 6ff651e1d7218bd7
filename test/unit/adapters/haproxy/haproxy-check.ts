// Runs the real `haproxy -c` (Debian's 2.6) on materialized files in a temporary directory, with a
// canary variable in its environment: a config that expanded `$PORTICO_CANARY` would show it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
export const CANARY = 'portico-canary-leak';

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

export interface CheckResult {
  status: number | null;
  output: string;
}

/** `haproxy -c -f <dir>/haproxy.cfg` on `files`; the directory is removed afterwards. */
export function haproxyCheck(files: Record<string, string>): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), 'portico-haproxy-'));
  try {
    writeFiles(dir, files);
    const r = spawnSync(HAPROXY_BIN, ['-c', '-f', join(dir, 'haproxy.cfg')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', PORTICO_CANARY: CANARY },
      timeout: 60_000,
    });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
