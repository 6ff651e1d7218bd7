/** Parses a Gateway API duration (GEP-2257: `1h`, `30s`, `500ms`, `1m30s`) into milliseconds. */
export function parseDurationMs(value: string): number | undefined {
  const re = /([0-9]+)(h|ms|m|s)/y;
  let total = 0;
  let matched = 0;
  while (re.lastIndex < value.length) {
    const m = re.exec(value);
    if (!m) return undefined;
    matched++;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  return matched > 0 ? total : undefined;
}
