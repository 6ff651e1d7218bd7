import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

async function portico(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/portico.ts', ...args], {
      cwd: root,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('portico dev arguments', () => {
  it('takes exactly one of --manifests and --kubeconfig', async () => {
    const [both, neither, context] = await Promise.all([
      portico('dev', '--manifests', 'examples/quickstart', '--kubeconfig', 'kubeconfig.yaml'),
      portico('dev'),
      portico('dev', '--manifests', 'examples/quickstart', '--context', 'x'),
    ]);
    for (const r of [both, neither]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('give exactly one of --manifests DIR and --kubeconfig FILE');
    }
    expect(context).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--context goes with --kubeconfig'),
    });
  });

  it('refuses a bad --haproxy-slot-minimum or --resync-interval before starting anything', async () => {
    const dev = (...args: string[]) => portico('dev', '--manifests', 'examples/quickstart', ...args);
    const bad = ['0', '1025', 'eight', '1.5', '-1'];
    const slots = await Promise.all(bad.map((n) => dev(`--haproxy-slot-minimum=${n}`)));
    for (const [i, n] of bad.entries()) {
      expect(slots[i]!.code).toBe(2);
      expect(slots[i]!.stderr).toContain(
        `portico dev: --haproxy-slot-minimum takes a whole number from 1 to 1024, got ${JSON.stringify(n)}`,
      );
    }
    const interval = await dev('--resync-interval', '300');
    expect(interval.code).toBe(2);
    expect(interval.stderr).toContain(
      'portico dev: --resync-interval takes 0 or a whole number with a unit (ms, s, m, h), e.g. 30s or 5m; got "300"',
    );
  });

  it('refuses a --zone that no node could carry, and has no --cluster-sets (one cluster)', async () => {
    const dev = (...args: string[]) => portico('dev', '--manifests', 'examples/quickstart', ...args);
    const bad = ['', 'eu west', '-a', 'a'.repeat(64), 'zone/a'];
    const zones = await Promise.all(bad.map((z) => dev(`--zone=${z}`)));
    for (const [i, z] of bad.entries()) {
      expect(zones[i]!.code).toBe(2);
      expect(zones[i]!.stderr).toContain(
        `portico dev: --zone takes a zone as nodes name it in topology.kubernetes.io/zone (1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit), got ${JSON.stringify(z)}`,
      );
    }
    const sets = await dev('--cluster-sets', 'a,b');
    expect(sets.code).toBe(1);
    expect(sets.stderr).toContain("Unknown option '--cluster-sets'");
  });

  it('says clearly when the kubeconfig cannot be used', async () => {
    const r = await portico('dev', '--kubeconfig', join(root, 'does-not-exist.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^portico: .*does-not-exist\.yaml/);
  });
});
