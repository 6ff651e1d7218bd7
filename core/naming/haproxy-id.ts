import { stableHash } from './hash.js';
import type { NameOptions } from './name-options.js';
import { trimFieldsEvenly } from './trim-fields.js';

export const HAPROXY_ID_MAX = 64;
/** What HAProxy accepts in proxy, server and ACL names. */
export const HAPROXY_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const HASH_LENGTH = 8;

export interface HaproxyIdOptions extends NameOptions {
  /** Upper bound on the length, 24..128 (default 64): ids show up in logs, stats and runtime API commands. */
  max?: number;
}

/**
 * `[<prefix>_]<parts joined by _>_<hash8>` for HAProxy identifiers. User text never reaches the
 * config verbatim (research/haproxy.md): anything outside `[A-Za-z0-9.:-]` becomes `-`, and `_`
 * is kept as the field separator, which Kubernetes names cannot contain.
 */
export function haproxyId(parts: readonly string[], opts: HaproxyIdOptions = {}): string {
  const max = opts.max ?? HAPROXY_ID_MAX;
  if (!Number.isInteger(max) || max < 24 || max > 128) throw new RangeError(`haproxyId max must be 24..128`);
  const prefix = opts.prefix ?? '';
  if (prefix !== '' && !/^[A-Za-z][A-Za-z0-9.:-]{0,11}$/.test(prefix))
    throw new RangeError(
      `HAProxy id prefix must be 1-12 of [A-Za-z0-9.:-] starting with a letter: ${prefix}`,
    );
  const hash = stableHash([prefix, opts.hidden ?? [], parts], HASH_LENGTH);
  const budget = max - HASH_LENGTH - 1 - (prefix ? prefix.length + 1 : 0);
  const readable = trimFieldsEvenly(budget, parts.map(sanitize), '_');
  return [prefix, readable.replace(/^_+|_+$/g, ''), hash].filter((s) => s.length > 0).join('_');
}

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9.:-]+/g, '-');
}
