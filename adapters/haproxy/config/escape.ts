// One function per context in which a string from Kubernetes can reach HAProxy (research/haproxy.md
// §3.4, measured on 2.6.12). Each either returns text that HAProxy reads back as exactly the input,
// or throws UnsafeValueError: callers turn that into a notice and leave the route out.

import { isIP } from 'node:net';

/** Why a value cannot be put into the config; `kind` names the context for the notice. */
export class UnsafeValueError extends Error {
  override readonly name: string = 'UnsafeValueError';
  constructor(
    readonly kind: string,
    readonly reason: string,
  ) {
    super(`${kind}: ${reason}`);
  }
}

// C0 controls (except TAB) and DEL: LF/CR would end the config line, NUL truncates it.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
/** HAProxy identifiers and map values: only what core/naming/haproxy-id.ts produces. */
const ID = /^[A-Za-z0-9_.:-]+$/;

function reject(kind: string, reason: string): never {
  throw new UnsafeValueError(kind, reason);
}

/**
 * A top-level config word that HAProxy reads back verbatim: strong quotes stop `$VAR`, `#`, `\` and
 * whitespace; a `'` is closed, written inside weak quotes, and reopened (`'"'"'`, adjacent quoted parts
 * are one word). Empty words are refused: many HAProxy keyword parsers treat `''` as the end of the line.
 */
export function configWord(value: string, kind = 'value'): string {
  if (value.length === 0) reject(kind, 'empty');
  if (CONTROL.test(value)) reject(kind, 'contains a control character (newline, CR, NUL...)');
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * A log-format argument (set-header/add-header values, redirect locations, set-path/replace-path
 * formats): `%` is the only character log-format interprets, even inside single quotes, so `%` → `%%`
 * (a user `%[env(X)]` becomes the literal text), then quoted as a config word.
 */
export function logFormatWord(value: string, kind = 'value'): string {
  return configWord(logFormatLiteral(value, kind), kind);
}

/** The log-format form of a literal, to be joined with constant `%[...]` templates before configWord. */
export function logFormatLiteral(value: string, kind = 'value'): string {
  if (CONTROL.test(value)) reject(kind, 'contains a control character (newline, CR, NUL...)');
  return value.replaceAll('%', '%%');
}

/**
 * A regex argument (`-m reg` patterns, replace-path): passed through configWord, so HAProxy's PCRE2
 * receives exactly `pattern`. The pattern itself must already be validated (regex.ts).
 */
export function regexWord(pattern: string, kind = 'regex'): string {
  return configWord(pattern, kind);
}

/** Quote-meta for building PCRE patterns from literals (hostnames, prefixes). */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}/-]/g, (c) => `\\${c}`);
}

/**
 * A name used inside a sample fetch argument (`req.fhdr(<name>)`, `url_param(<name>)`). That second
 * parser level treats `,` `)` and quotes specially and ignores `\`, so instead of escaping, only RFC
 * 9110 token characters without `'` are accepted, and the whole fetch is then one quoted config word.
 */
export function fetchArgName(value: string, kind = 'name'): string {
  if (!/^[A-Za-z0-9!#$%&*+.^_`|~-]+$/.test(value))
    reject(kind, 'only HTTP token characters (letters, digits, !#$%&*+.^_`|~-) are allowed here');
  return value;
}

/** A sample fetch expression with one user name argument, as one strong-quoted config word. */
export function fetchWithName(fetch: string, name: string, kind = 'name'): string {
  return configWord(`${fetch}(${fetchArgName(name, kind)})`, kind);
}

/**
 * A map-file key. The file format is "first word = key, rest = value" with no escapes (a backslash does
 * not protect a space) and `#` at the start of a line is a comment: keys are printable ASCII without
 * whitespace, never starting with `#`.
 */
export function mapKey(value: string, kind = 'map key'): string {
  if (value.length === 0) reject(kind, 'empty');
  if (!/^[\u0021-\u007e]+$/.test(value))
    reject(kind, 'map keys cannot hold whitespace, control or non-ASCII characters');
  if (value.startsWith('#')) reject(kind, 'a map key cannot start with #');
  return value;
}

/** A map-file value: an HAProxy id, nothing user-supplied. */
export function mapValue(value: string): string {
  if (!ID.test(value)) reject('map value', `not an HAProxy id: ${JSON.stringify(value)}`);
  return value;
}

/** An HAProxy identifier (proxy, server, ACL, variable suffix) produced by naming.ts. */
export function identifier(value: string): string {
  if (!ID.test(value)) reject('identifier', `not an HAProxy id: ${JSON.stringify(value)}`);
  return value;
}

/**
 * One argument of a runtime API command: `;` separates commands and `\` escapes on the CLI, LF ends
 * the command, and whitespace separates arguments, so whitespace and controls are refused and `\` `;`
 * are escaped.
 */
export function runtimeArg(value: string): string {
  if (value.length === 0) reject('runtime argument', 'empty');
  if (ANY_CONTROL.test(value) || /\s/.test(value))
    reject('runtime argument', 'contains whitespace or a control character');
  return value.replace(/[\\;]/g, (c) => `\\${c}`);
}

/** An IPv4/IPv6 literal in the form a `server` line wants (`[v6]:port` handled by the caller). */
export function ipLiteral(value: string, kind = 'address'): string {
  if (isIP(value) === 0) reject(kind, `not an IP address: ${JSON.stringify(value)}`);
  return value;
}

/** A CIDR or plain IP (source ranges). */
export function cidr(value: string, kind = 'source range'): string {
  const [ip, bits, ...rest] = value.split('/');
  const family = isIP(ip ?? '');
  const max = family === 4 ? 32 : 128;
  if (
    family === 0 ||
    rest.length > 0 ||
    (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))
  )
    reject(kind, `not an IP address or CIDR: ${JSON.stringify(value)}`);
  return value;
}

/** A lower-cased DNS name, optionally `*.`-prefixed: the only hostnames that reach maps and crt-lists. */
export function hostname(value: string, kind = 'hostname'): string {
  const host = value.toLowerCase();
  const label = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
  if (host.length > 253 || !new RegExp(`^(\\*\\.)?${label}(\\.${label})*$`).test(host))
    reject(kind, `not a DNS hostname: ${JSON.stringify(value)}`);
  return host;
}

/** An integer within bounds (ports, status codes, weights), as config text. */
export function integer(value: number, min: number, max: number, kind = 'number'): string {
  if (!Number.isInteger(value) || value < min || value > max)
    reject(kind, `must be an integer ${min}..${max}`);
  return String(value);
}

/** A config line as materialize emits it: one line, never a directive or comment. */
export function assertConfigLine(line: string): string {
  if (/[\r\n\u0000]/.test(line) || /^\s*[.#]/.test(line))
    throw new Error(`refusing to emit config line ${JSON.stringify(line.slice(0, 80))}`);
  return line;
}
