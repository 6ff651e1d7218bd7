import { stableHash } from './hash.js';
import type { NameOptions } from './name-options.js';
import { trimFieldsEvenly } from './trim-fields.js';

export const ELBV2_NAME_MAX = 32;
/** Load balancer and target group names: alphanumerics and hyphens, no hyphen at either end. */
export const ELBV2_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const HASH_LENGTH = 8;

/**
 * `k8s-<parts...>-<hash8>` within 32 characters, for ELBv2 load balancers and target groups. The
 * readable part is trimmed so the hash always survives, and the hash covers the full untrimmed
 * input (prefix, hidden parts, parts), so different inputs give different names.
 */
export function elbv2Name(parts: readonly string[], opts: NameOptions = {}): string {
  const prefix = opts.prefix ?? 'k8s';
  if (!/^[A-Za-z][A-Za-z0-9]{0,11}$/.test(prefix))
    throw new RangeError(`ELBv2 name prefix must be 1-12 alphanumerics starting with a letter: ${prefix}`);
  // AWS reserves the `internal-` DNS prefix for internal load balancers' names.
  if (prefix.toLowerCase() === 'internal')
    throw new RangeError('ELBv2 names must not begin with "internal-"');
  const hash = stableHash([prefix, opts.hidden ?? [], parts], HASH_LENGTH);
  const budget = ELBV2_NAME_MAX - prefix.length - HASH_LENGTH - 2;
  const readable = trimFieldsEvenly(budget, parts.map(sanitize));
  return [prefix, tidy(readable), hash].filter((s) => s.length > 0).join('-');
}

function sanitize(part: string): string {
  return tidy(part.replace(/[^A-Za-z0-9-]+/g, '-'));
}

function tidy(s: string): string {
  return s.replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}
