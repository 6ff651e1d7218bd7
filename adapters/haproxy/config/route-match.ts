// Route matches as HAProxy conditions. Plain routes (path only, Exact or Prefix) of a virtual host
// become map entries; any other route becomes named ACLs, matched in IR order. User values only ever
// appear as quoted ACL patterns (after `--`), in named ACLs (never inside `{ }`), or as map keys.

import type * as ir from '#core/ir/load-balancer.js';
import { configWord, fetchWithName, regexWord, UnsafeValueError } from './escape.js';
import { atField, FieldError } from './field-error.js';
import { anchored, validateRegex } from './regex.js';

export type PlainPath = { type: 'Exact'; value: string } | { type: 'Prefix'; value: string };

/** A literal request path: what a client can send and a map key can hold (printable ASCII, no `\`). */
export function requestPath(value: string, kind = 'path'): string {
  if (!/^\/[\u0021-\u007e]*$/.test(value) || value.includes('\\'))
    throw new UnsafeValueError(
      kind,
      'a path must start with / and hold only printable ASCII without spaces or backslashes',
    );
  return value;
}

/** Element-wise prefix without trailing slashes: `/foo/` → `/foo`, `/` → `` (everything). */
export function normalizePrefix(value: string): string {
  return value.replace(/\/+$/, '');
}

/** Path-only route with an Exact or Prefix path (or none): expressible as map entries. */
export function isPlain(route: ir.Route): boolean {
  const m = route.match;
  return (
    m.headers.length === 0 &&
    m.queryParams.length === 0 &&
    m.method === undefined &&
    (m.path === undefined || m.path.type !== 'RegularExpression')
  );
}

/** The validated Exact/Prefix path of a route; no path = Prefix `/`. */
export function plainPath(route: ir.Route): PlainPath {
  const p = route.match.path;
  if (!p) return { type: 'Prefix', value: '' };
  if (p.type === 'RegularExpression') throw new Error('not a plain path');
  const value = atField('match.path.value', () => requestPath(p.value));
  return p.type === 'Exact' ? { type: 'Exact', value } : { type: 'Prefix', value: normalizePrefix(value) };
}

/**
 * Whether map lookups (exact keys first, then the longest `map_beg` prefix) pick the same route as
 * the IR order for every path. They differ only when an earlier Prefix route is a strict element-wise
 * ancestor of a later route's path: the IR then says the earlier one wins, the maps the longer one.
 */
export function mapOrderHolds(paths: readonly PlainPath[]): boolean {
  const earlierPrefixes = new Set<string>();
  for (const p of paths) {
    for (let i = p.value.indexOf('/'); i !== -1; i = p.value.indexOf('/', i + 1))
      if (earlierPrefixes.has(p.value.slice(0, i))) return false;
    if (p.type === 'Prefix') earlierPrefixes.add(p.value);
  }
  return true;
}

/** The request paths a route can match: Exact, element-wise Prefix (`` = all), or any (a regex). */
export type PathSet = PlainPath | { type: 'Any' };

export function pathSet(route: ir.Route): PathSet {
  const p = route.match.path;
  if (p === undefined) return { type: 'Prefix', value: '' };
  if (p.type === 'RegularExpression') return { type: 'Any' };
  const value = atField('match.path.value', () => requestPath(p.value));
  return p.type === 'Exact' ? { type: 'Exact', value } : { type: 'Prefix', value: normalizePrefix(value) };
}

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** Whether some request path is in both sets. */
export function overlaps(a: PathSet, b: PathSet): boolean {
  if (a.type === 'Any' || b.type === 'Any') return true;
  if (a.type === 'Exact' && b.type === 'Exact') return a.value === b.value;
  if (a.type === 'Exact') return b.value === '' || within(a.value, b.value);
  if (b.type === 'Exact') return a.value === '' || within(b.value, a.value);
  return a.value === '' || b.value === '' || within(a.value, b.value) || within(b.value, a.value);
}

/**
 * Whether trying every rule route before the plain routes (maps) picks what the IR order picks: true
 * unless a plain route comes before a rule route that can match one of its paths (then the rule
 * route, tried first, would take requests the earlier plain route should get).
 */
export function rulesFirstHolds(routes: readonly { paths: PathSet; rule: boolean }[]): boolean {
  const earlierPlain: PathSet[] = [];
  for (const r of routes) {
    if (!r.rule) earlierPlain.push(r.paths);
    else if (earlierPlain.some((p) => overlaps(p, r.paths))) return false;
  }
  return true;
}

/** Named ACL lines and the names to AND in the route's rule; throws FieldError naming the field. */
export function aclConditions(route: ir.Route, prefix: string): { lines: string[]; names: string[] } {
  const lines: string[] = [];
  const names: string[] = [];
  const acl = (name: string, ...defs: string[]) => {
    for (const d of defs) lines.push(`acl ${name} ${d}`);
    names.push(name);
  };
  const m = route.match;
  if (m.path) {
    const p = m.path;
    const name = `${prefix}_p`;
    if (p.type === 'RegularExpression') {
      const re = atField('match.path.value', () => validateRegex(p.value));
      acl(name, `path -m reg -- ${regexWord(anchored(re))}`);
    } else {
      const v = atField('match.path.value', () => requestPath(p.value));
      if (p.type === 'Exact') acl(name, `path -m str -- ${configWord(v)}`);
      else {
        const n = normalizePrefix(v);
        // Element-wise: the prefix itself, or the prefix followed by `/`.
        if (n !== '') acl(name, `path -m str -- ${configWord(n)}`, `path -m beg -- ${configWord(`${n}/`)}`);
      }
    }
  }
  m.headers.forEach((h, i) => {
    const field = `match.headers[${i}]`;
    // req.fhdr: the full value, not split on commas like req.hdr.
    const fetch = atField(`${field}.name`, () => fetchWithName('req.fhdr', h.name, 'header name'));
    const pattern = atField(`${field}.value`, () =>
      h.type === 'Exact'
        ? `-m str -- ${configWord(h.value)}`
        : `-m reg -- ${regexWord(anchored(validateRegex(h.value)))}`,
    );
    acl(`${prefix}_h${i}`, `${fetch} ${pattern}`);
  });
  m.queryParams.forEach((q, i) => {
    const field = `match.queryParams[${i}]`;
    // url_param: the value as sent (not percent-decoded), first occurrence.
    const fetch = atField(`${field}.name`, () => fetchWithName('url_param', q.name, 'query parameter name'));
    const pattern = atField(`${field}.value`, () =>
      q.type === 'Exact'
        ? `-m str -- ${configWord(q.value)}`
        : `-m reg -- ${regexWord(anchored(validateRegex(q.value)))}`,
    );
    acl(`${prefix}_q${i}`, `${fetch} ${pattern}`);
  });
  if (m.method !== undefined) {
    if (!/^[A-Z]{1,20}$/.test(m.method)) throw new FieldError('match.method', 'method', 'not an HTTP method');
    acl(`${prefix}_m`, `method ${m.method}`);
  }
  if (names.length > 40)
    throw new FieldError('match', 'match', 'more than 40 conditions do not fit one HAProxy rule');
  return { lines, names };
}
