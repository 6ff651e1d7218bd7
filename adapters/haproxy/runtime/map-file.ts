// A HAProxy map file: one `key value` per line, key = first word, value = the rest of the line,
// `#` comments only at the start of a line (research/haproxy.md §1.2).

export function parseMapFile(content: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line)!;
    out.push([m[1]!, m[2] ?? '']);
  }
  return out;
}

export function sameEntries(
  a: readonly (readonly [string, string])[],
  b: readonly (readonly [string, string])[],
): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i]![0] === k && b[i]![1] === v);
}
