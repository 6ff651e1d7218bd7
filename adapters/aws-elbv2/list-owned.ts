// listOwnedKeys: the load-balancer keys one cluster holds ELBv2 resources for, read from ownership
// tags (resync's orphan search). Load balancers and target groups are the roots: a listener or rule
// cannot outlive its load balancer, and a target group can outlive both, so both are listed. Reads
// only: the region scan observe also uses (scanTaggedRoots).

import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { isOwnedBy } from '#core/naming/is-owned-by.js';
import { TAG_KEYS } from '#core/naming/ownership.js';
import { awsTagValue } from '#core/naming/ownership-tags.js';
import type { OwnedKeys } from '../types.js';
import { scanTaggedRoots } from './observe.js';
import type { Elbv2Calls } from './sdk.js';

/**
 * The keys of `cluster` that own at least one load balancer or target group, sorted. Only
 * resources tagged managed-by Portico AND this cluster count; a tag naming a key of another
 * cluster, or a hashed (over-long) key, is ignored. `complete` is false when any page or tag read
 * failed (what was read is still returned). An aborted signal throws AbortedError.
 */
export async function listOwnedKeysElbv2(ctx: Elbv2Calls, cluster: string): Promise<OwnedKeys> {
  const scan = await scanTaggedRoots(ctx);
  const keys = new Set<LbKey>();
  const clusterTag = awsTagValue(cluster);
  for (const { tags } of [...scan.loadBalancers, ...scan.targetGroups]) {
    if (!isOwnedBy(tags, { cluster }) || tags[TAG_KEYS.cluster] !== clusterTag) continue;
    const key = tags[TAG_KEYS.lbKey];
    // The tag holds the key itself unless it was too long for a tag value (then a hash).
    if (key !== undefined && parseLbKey(key)?.cluster === cluster && awsTagValue(key) === key) keys.add(key);
  }
  return { keys: [...keys].sort(), complete: scan.complete };
}
