// Ownership of Compute resources: the JSON marker in `description` (core/naming ownershipDescription),
// the only place most load-balancing resources can hold one. Labels (forwarding rules) only find
// candidates; the description decides.

import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { isOwnedBy, parseOwnershipDescription, TAG_KEYS } from '#core/naming/index.js';

/** The marker says: this cluster's (when given) resource of load balancer `key`. */
export function ownedBy(description: unknown, key: LbKey, cluster?: string): boolean {
  const tags = parseOwnershipDescription(typeof description === 'string' ? description : undefined);
  if (!tags) return false;
  const of = cluster ?? parseLbKey(key)?.cluster;
  return of !== undefined && isOwnedBy(tags, { cluster: of, lbKey: key });
}

/**
 * The load-balancer key a marker names, when it belongs to `cluster` and holds the key itself (an
 * over-long key is stored hashed and cannot be read back).
 */
export function markedKey(description: unknown, cluster: string): LbKey | undefined {
  const tags = parseOwnershipDescription(typeof description === 'string' ? description : undefined);
  if (!tags || !isOwnedBy(tags, { cluster })) return undefined;
  const key = tags[TAG_KEYS.lbKey];
  return key !== undefined && parseLbKey(key)?.cluster === cluster ? key : undefined;
}
