// Reading the answer to a `;` batch. HAProxy ends every command's output with an empty line, and
// with `set severity-output number` prefixes its messages with `[N]: ` (syslog levels). Errors are
// not reliably severe ("Invalid addr" is [4], "Unknown command" is [6]), so known error texts count
// too.

import { HAProxyCommandError, type HAProxyCommandErrorKind } from './errors.js';

export interface CliResponse {
  command: string;
  /** Syslog severity when HAProxy gave one (0 emerg ... 3 err, 4 warning, 6 info). */
  severity: number | undefined;
  text: string;
  error: HAProxyCommandErrorKind | undefined;
}

/**
 * Splits the raw answer into one response per command. Valid for outputs without inner empty lines,
 * which holds for every command this module sends.
 */
export function splitCliResponses(raw: string, commands: readonly string[]): CliResponse[] {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of raw.split('\n')) {
    if (line === '') {
      blocks.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return commands.map((command, i) => parseCliResponse(command, blocks[i] ?? ''));
}

export function parseCliResponse(command: string, block: string): CliResponse {
  const m = /^\[(\d)\]: /.exec(block);
  const severity = m ? Number(m[1]) : undefined;
  const text = m ? block.slice(m[0].length) : block;
  return { command, severity, text, error: classifyCliError(text, severity) };
}

const KINDS: [RegExp, HAProxyCommandErrorKind][] = [
  [/^(Can't find backend|No such backend)/, 'no-such-backend'],
  [/^No such server/, 'no-such-server'],
  [/^Unknown map identifier/, 'unknown-map'],
  [/^Unknown command/, 'unknown-command'],
  [/^Permission denied/, 'permission-denied'],
  [
    /^(Invalid|Absolute weight|Relative weight|Version number out of range|Require|Missing|'.*' expects|.* expects )/,
    'invalid-value',
  ],
  [/^(Failed|Unable|Cannot|Can't|Out of memory|Error)/i, 'other'],
];

export function classifyCliError(text: string, severity?: number): HAProxyCommandErrorKind | undefined {
  for (const [re, kind] of KINDS) if (re.test(text)) return kind;
  return severity !== undefined && severity <= 3 ? 'other' : undefined;
}

/** Throws the first error in a batch as a typed HAProxyCommandError. */
export function throwOnCliError(responses: readonly CliResponse[]): void {
  const bad = responses.find((r) => r.error !== undefined);
  if (bad) throw new HAProxyCommandError(bad.command, bad.text, bad.error!);
}
