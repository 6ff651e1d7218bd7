import { stableHash } from './hash.js';
import type { NameOptions } from './name-options.js';
import { trimFieldsEvenly } from './trim-fields.js';

export const GCP_NAME_MAX = 63;
/** RFC 1035 label, the rule for every Compute resource name. */
export const GCP_NAME_PATTERN = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const HASH_LENGTH = 8;

/**
 * `k8s-<parts...>-<hash8>` within 63 characters, lower case, for Compute resources (forwarding
 * rules, target proxies, URL maps, backend services, health checks, NEGs). Same rules as
 * elbv2Name: the hash covers the untrimmed input and always survives the trim.
 */
export function gcpName(parts: readonly string[], opts: NameOptions = {}): string {
  const prefix = opts.prefix ?? 'k8s';
  if (!/^[a-z][a-z0-9]{0,19}$/.test(prefix))
    throw new RangeError(`GCP name prefix must be 1-20 of [a-z0-9] starting with a letter: ${prefix}`);
  const hash = stableHash([prefix, opts.hidden ?? [], parts], HASH_LENGTH);
  const budget = GCP_NAME_MAX - prefix.length - HASH_LENGTH - 2;
  const readable = trimFieldsEvenly(budget, parts.map(sanitize));
  return [prefix, tidy(readable), hash].filter((s) => s.length > 0).join('-');
}

function sanitize(part: string): string {
  return tidy(part.toLowerCase().replace(/[^a-z0-9-]+/g, '-'));
}

function tidy(s: string): string {
  return s.replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}
