// What every benchmark shares: quantiles, a deterministic PRNG, the machine it ran on, and the
// Markdown table its results are recorded in.

import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The p-quantile (0..1) by the nearest-rank method. */
export function quantile(samples: readonly number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? Number.NaN;
}

export const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** Deterministic PRNG, so that every run measures the same changes. */
export { seededRandom as prng } from '#test/emulators/fault-patterns.js';

/** The machine, as recorded next to every result. */
export function machine(): { cpu: string; cores: number; memory: string; node: string; platform: string } {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(3, h.length, ...body.map((r) => (r[c] ?? '').length)));
  const row = (cells: readonly string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c]!)).join(' | ')} |`;
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...body.map(row)].join('\n');
}

/** The first line of `haproxy -v`, without the URL (`unknown` when HAProxy is not installed). */
export function haproxyVersion(): string {
  try {
    return execFileSync('haproxy', ['-v'], { encoding: 'utf8' })
      .split('\n')[0]!
      .replace(/ - https?:\S+/, '')
      .trim();
  } catch {
    return 'unknown';
  }
}
