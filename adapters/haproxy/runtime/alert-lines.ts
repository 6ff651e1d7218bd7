// HAProxy reports problems as `[ALERT]    (pid) : config : parsing [...] : ...` lines on stderr.
// These are what an operator needs to see, without the NOTICE noise around them.

const ALERT = /^\[(ALERT|WARNING)\]\s+\(\d+\)\s*:\s*/;

/** The `[ALERT]` lines (pid prefix removed); with warnings: the `[WARNING]` lines too. */
export function alertLines(output: string, opts: { warnings?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    const m = ALERT.exec(line);
    if (!m) continue;
    if (m[1] === 'WARNING' && !opts.warnings) continue;
    out.push(`[${m[1]}] ${line.slice(m[0].length).trim()}`);
  }
  return out;
}
