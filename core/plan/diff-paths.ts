/**
 * The paths where two JSON values differ, sorted: `port`, `healthCheck.path`, `targets[1]`,
 * `tags["portico.dev/role"]`. Arrays of equal length are compared element by element; an array
 * whose length changed is one difference. `undefined` and a missing key are the same.
 */
export function diffPaths(a: unknown, b: unknown, base = ''): string[] {
  if (Object.is(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [base];
    return a.flatMap((x, i) => diffPaths(x, b[i], `${base}[${i}]`));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffPaths(a[k], b[k], childPath(base, k)));
  }
  return [base];
}

/** The value at a path produced by diffPaths, or undefined. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** `path` is `prefix` or lies under it; or lies above it (a whole object appeared or went). */
export function pathCovers(prefix: string, path: string): boolean {
  const under = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`);
  return prefix === '' || path === '' || under(path, prefix) || under(prefix, path);
}

function childPath(base: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function parsePath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  const re = /(?:^|\.)([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null = re.exec(path);
  while (m) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(JSON.parse(m[3]!) as string);
    if (re.lastIndex >= path.length) break;
    m = re.exec(path);
  }
  return steps;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
