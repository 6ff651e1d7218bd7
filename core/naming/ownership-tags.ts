import { stableHash } from './hash.js';
import { MANAGED_BY, type Ownership, TAG_KEYS } from './ownership.js';

export const AWS_TAG_KEY_MAX = 128;
export const AWS_TAG_VALUE_MAX = 256;
/** Characters AWS accepts in tag keys and values. */
export const AWS_TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The tags Portico puts on every AWS resource it creates. */
export function ownershipTags(owner: Ownership): Record<string, string> {
  return {
    [TAG_KEYS.managedBy]: MANAGED_BY,
    [TAG_KEYS.cluster]: awsTagValue(owner.cluster),
    [TAG_KEYS.lbKey]: awsTagValue(owner.lbKey),
    [TAG_KEYS.role]: awsTagValue(owner.role),
  };
}

/**
 * The value itself when AWS accepts it, else `sha256:<hash>`. Matching compares encoded forms, so
 * an over-long LB key still identifies its resources; it is just no longer readable in the console.
 */
export function awsTagValue(value: string): string {
  // AWS reserves the `aws:` prefix in keys and values.
  const ok = value.length <= AWS_TAG_VALUE_MAX && AWS_TAG_PATTERN.test(value) && !/^aws:/i.test(value);
  return ok ? value : `sha256:${stableHash(value, 32)}`;
}
