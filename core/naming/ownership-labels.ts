import { stableHash } from './hash.js';
import { LABEL_KEYS, MANAGED_BY, type Ownership, TAG_KEYS } from './ownership.js';
import { awsTagValue } from './ownership-tags.js';

export const GCP_LABEL_MAX = 63;
export const GCP_LABEL_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
export const GCP_LABEL_VALUE_PATTERN = /^[a-z0-9_-]{0,63}$/;
/** Compute resource descriptions hold at most 2048 characters. */
export const GCP_DESCRIPTION_MAX = 2048;

/** Labels for the GCP resources that take them (forwarding rules, addresses). */
export function ownershipLabels(owner: Ownership): Record<string, string> {
  return {
    [LABEL_KEYS.managedBy]: MANAGED_BY,
    [LABEL_KEYS.cluster]: gcpLabelValue(owner.cluster),
    // An LB key always holds `/` and capitals, so it is always hashed.
    [LABEL_KEYS.lbKey]: gcpLabelValue(owner.lbKey),
    [LABEL_KEYS.role]: gcpLabelValue(owner.role),
  };
}

/** The value itself when it is a valid label value, else `h-<hash>` (lower-case base32). */
export function gcpLabelValue(value: string): string {
  return GCP_LABEL_VALUE_PATTERN.test(value) ? value : `h-${stableHash(value, 32)}`;
}

/**
 * The ownership marker for GCP resources without labels (URL maps, target proxies, backend
 * services, health checks): a JSON object in `description`, as ingress-gce does. Keys and values
 * are the AWS tag forms, so isOwnedBy reads both the same way; the result stays under 2048.
 */
export function ownershipDescription(owner: Ownership): string {
  return JSON.stringify({
    [TAG_KEYS.managedBy]: MANAGED_BY,
    [TAG_KEYS.cluster]: awsTagValue(owner.cluster),
    [TAG_KEYS.lbKey]: awsTagValue(owner.lbKey),
    [TAG_KEYS.role]: awsTagValue(owner.role),
  });
}

/** The tags held in a description marker, or undefined if the description is not one (someone else's text). */
export function parseOwnershipDescription(
  description: string | undefined,
): Record<string, string> | undefined {
  if (!description?.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(description);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
  const tags = Object.fromEntries(entries);
  return tags[TAG_KEYS.managedBy] === MANAGED_BY ? tags : undefined;
}
