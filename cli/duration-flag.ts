const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * A command-line duration in milliseconds: `0`, or a whole number with a unit (`500ms`, `30s`,
 * `5m`, `1h`). Anything else is refused with a message that names the flag and the forms it takes.
 */
export function parseDurationFlag(flag: string, value: string): number {
  if (value === '0') return 0;
  const m = /^([1-9][0-9]{0,8})(ms|s|m|h)$/.exec(value);
  if (!m) {
    throw new RangeError(
      `${flag} takes 0 or a whole number with a unit (ms, s, m, h), e.g. 30s or 5m; got ${JSON.stringify(value)}`,
    );
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
