// Rule routes (header and method matches) as entries of one map_reg map per HTTP frontend, so adding,
// removing or changing one is a map change (runtime API), not a new config line and a reload.
//
// Each request whose virtual host has such routes (the rule-hosts map) gets a key:
//   <vhost id> \n <method> \n <path> \n <header block>
// where the header block is `req.hdrs`: one `name: value\r\n` line per header occurrence (names
// lower-cased, values trimmed, as HAProxy stores them), then an empty line. HAProxy refuses CR, LF
// and NUL in the method, the path and header values, so `\n` only ever separates fields and lines.
// A route's pattern is anchored on its vhost, its method (or any), its Exact or element-wise Prefix
// path, and one lookahead per header condition: some line is exactly `name: value` (any occurrence,
// as the `req.fhdr` ACL). map_reg returns the first pattern that matches, so the entries keep the
// IR order within a vhost; vhosts cannot compete, each pattern starts with its own vhost id.
//
// Every user string is written as a literal: letters, digits, `/` and `_` as themselves, every other
// byte as `\xHH` (PCRE2 here matches bytes: HAProxy compiles without UTF), so no user character is
// ever regex syntax, whitespace or a map-file `#`. What this form cannot express exactly (regular
// expressions, query parameters) returns undefined, and that vhost keeps its ACL rules.

import type * as ir from '#core/ir/load-balancer.js';

/** The fixed frontend rules: the key, built only for a vhost with patterns, then the lookup. */
export function ruleMapRules(maps: { rules: string; ruleHosts: string }): string[] {
  return [
    `http-request set-var-fmt(txn.rk) "%[var(txn.vh)]\\n%[method]\\n%[var(txn.path)]\\n%[req.hdrs]" if { var(txn.vh),map_str(${maps.ruleHosts}) -m found }`,
    `http-request set-var(txn.rt) var(txn.rk),map_reg(${maps.rules}) if { var(txn.rk) -m found } !{ var(txn.rt) -m found }`,
  ];
}

/**
 * A map line is read into one buffer (tune.bufsize, 16 kB) by the map file loader and by the runtime
 * API; longer patterns stay ACL rules.
 */
const MAX_PATTERN = 4_000;

/** The route's pattern, or undefined when its matches need ACL rules. Inputs are validated already. */
export function rulePattern(vhost: string, route: ir.Route): string | undefined {
  const m = route.match;
  if (m.queryParams.length > 0) return undefined;
  if (m.headers.some((h) => h.type !== 'Exact' || h.value.length === 0)) return undefined;
  if (m.method !== undefined && !/^[A-Z]{1,20}$/.test(m.method)) return undefined;
  const p = m.path;
  let path: string;
  if (p === undefined) path = '[^\\n]*';
  else if (p.type === 'Exact') path = literal(p.value);
  else if (p.type === 'Prefix') {
    const n = p.value.replace(/\/+$/, '');
    // Element-wise: the prefix itself or the prefix then `/`; `/` is every path.
    path = n === '' ? '[^\\n]*' : `${literal(n)}(?:/[^\\n]*)?`;
  } else return undefined;
  const headers = m.headers.map(
    (h) => `(?=(?:[^\\n]*\\n)*?${literal(h.name.toLowerCase())}:\\x20${literal(h.value)}\\r\\n)`,
  );
  const pattern = `^${literal(vhost)}\\n${m.method ?? '[^\\n]*'}\\n${path}\\n${headers.join('')}`;
  return pattern.length <= MAX_PATTERN ? pattern : undefined;
}

/** `s` as a PCRE2 literal over its UTF-8 bytes, with no whitespace, `#` or regex syntax left. */
export function literal(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const safe =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2f ||
      b === 0x5f;
    out += safe ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}
