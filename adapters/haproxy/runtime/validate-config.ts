// `haproxy -c` on a candidate, never on the live files: HAProxy resolves relative paths (maps,
// certificates) against the directory given with -C, so a candidate dir is checked with its own
// maps. The files may come from untrusted input: `-c` parses everything (research §3.4), so the
// caller runs this without secrets in reach; we pass a minimal environment so `"$VAR"` expansion
// cannot read the controller's.

import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { alertLines } from './alert-lines.js';
import { findHAProxyBinary } from './haproxy-binary.js';
import { runCommand } from './run-command.js';

export interface ValidationResult {
  ok: boolean;
  /** HAProxy's `[ALERT]` lines, or its whole output when it failed without any. */
  errors: string[];
  warnings: string[];
  durationMs: number;
}

export interface ValidateOptions {
  /** Config file name when `path` is a directory. Default `haproxy.cfg`. */
  configFile?: string;
  binary?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Validates `<dir>/haproxy.cfg` (relative paths resolved in `dir`) or one config file. */
export async function validateConfig(path: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const binary = opts.binary ?? findHAProxyBinary();
  const isDir = (await stat(path)).isDirectory();
  const dir = isDir ? path : dirname(path);
  const file = isDir ? (opts.configFile ?? 'haproxy.cfg') : basename(path);
  const started = performance.now();
  const r = await runCommand(binary, ['-c', '-C', dir, '-f', file], {
    cwd: dir,
    timeoutMs: opts.timeoutMs ?? 30_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const ok = r.code === 0;
  const alerts = alertLines(output);
  const errors = ok
    ? []
    : alerts.length > 0
      ? alerts
      : [output.trim() || `haproxy -c exited ${r.code ?? r.signal}`];
  const warnings = alertLines(output, { warnings: true }).filter((l) => l.startsWith('[WARNING]'));
  return { ok, errors, warnings, durationMs: performance.now() - started };
}
