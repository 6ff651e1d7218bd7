// User regexes go to HAProxy's PCRE2 (10.42 on Debian bookworm). A pattern PCRE2 cannot compile makes
// `haproxy -c` fail for the whole config, so only a conservative subset is accepted: what JavaScript
// compiles in strict `u` mode, minus the constructs whose syntax or limits differ in PCRE2.

import { UnsafeValueError } from './escape.js';

const MAX_LENGTH = 1024;
/** PCRE2's compiled size is about pattern length × counted repetitions; its limit is 64K units. */
const MAX_EXPANSION = 30_000;

/** Throws UnsafeValueError unless `pattern` is in the subset both engines read the same way. */
export function validateRegex(pattern: string, kind = 'regex'): string {
  const fail = (reason: string): never => {
    throw new UnsafeValueError(kind, reason);
  };
  if (pattern.length === 0) fail('empty regular expression');
  if (pattern.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(pattern)) fail('contains a control character');
  // Lookbehind must be fixed-length in PCRE2; `\u`, `\p{Script=..}`, `[]`, `[^]` differ between engines.
  if (/\(\?<[=!]/.test(pattern)) fail('lookbehind is not supported');
  if (/\\[uUpPk]/.test(pattern)) fail('\\u, \\p, \\P and \\k escapes are not supported');
  if (/\[\^?\]/.test(pattern)) fail('empty character classes are not supported');
  if (/\[[:.=]/.test(pattern)) fail('POSIX classes ([:alpha:]) are not supported');
  if (nesting(pattern) > 32) fail('groups nested too deeply');
  for (const m of pattern.matchAll(/\(\?<([^>]*)>/g))
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(m[1] ?? '')) fail('group names must be [A-Za-z_][A-Za-z0-9_]*');
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    fail(`invalid regular expression: ${(err as Error).message}`);
  }
  let expansion = pattern.length;
  for (const m of pattern.matchAll(/\{(\d+)(,(\d*))?\}/g)) {
    const upper = m[3] !== undefined && m[3] !== '' ? Number(m[3]) : Number(m[1]) + (m[2] ? 1 : 0);
    expansion *= Math.max(1, upper);
    if (expansion > MAX_EXPANSION) fail('counted repetitions are too large');
  }
  return pattern;
}

/** Deepest group nesting, counting unescaped parentheses (classes included: an overestimate is fine). */
function nesting(pattern: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(') max = Math.max(max, ++depth);
    else if (c === ')') depth--;
  }
  return max;
}

/** The full-match form HAProxy is given: the IR's regexes match the whole path or value. */
export function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}
