import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `npx portico ...` as users type it: the package's `bin` entry, run from the project and from elsewhere.

const root = join(import.meta.dirname, '../../..');
const run = promisify(execFile);

describe('the portico command', () => {
  it('runs as `npx portico` in the project (offline: never fetched from a registry)', async () => {
    const { stdout } = await run('npx', ['--offline', '--yes=false', 'portico', '--help'], { cwd: root });
    expect(stdout).toMatch(/^usage:\n {2}portico dev --manifests DIR/);
  }, 60_000);

  it('runs its launcher from any folder', async () => {
    const { stdout } = await run(
      join(root, 'bin/portico.mjs'),
      ['plan', '--provider', 'aws-elbv2', '--manifests', join(root, 'examples/aws-elbv2')],
      { cwd: mkdtempSync(join(tmpdir(), 'portico-bin-')) },
    );
    expect(stdout).toContain('Plan for local/Gateway/shop/shop:');
  }, 60_000);
});
