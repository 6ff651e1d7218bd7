// listOwnedKeys: the load-balancer keys one cluster holds ELBv2 resources for, read from ownership
// tags (resync's orphan search). Load balancers and target groups are the roots: a listener or rule
// cannot outlive its load balancer, and a target group can outlive both, so both are listed. Reads
// only: DescribeLoadBalancers and DescribeTargetGroups pages, then DescribeTags 20 ARNs at a time.

import {
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersOutput,
  DescribeTagsCommand,
  type DescribeTagsOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { isOwnedBy } from '#core/naming/is-owned-by.js';
import { TAG_KEYS } from '#core/naming/ownership.js';
import { awsTagValue } from '#core/naming/ownership-tags.js';
import { AbortedError, type OwnedKeys } from '../types.js';
import { chunks, type Elbv2Calls, send } from './sdk.js';
import { fromAwsTags } from './wire.js';

const PAGE = 400;

export interface ListOwnedStats {
  /** Owned resources whose lb-key tag is a hash (an over-long key): they name no key to reconcile. */
  unreadableKeys: number;
}

/**
 * The keys of `cluster` that own at least one load balancer or target group, sorted. Only
 * resources tagged managed-by Portico AND this cluster count; a tag naming a key of another
 * cluster is ignored. `complete` is false when any page or tag read failed (what was read is still
 * returned). An aborted signal throws AbortedError.
 */
export async function listOwnedKeysElbv2(
  ctx: Elbv2Calls,
  cluster: string,
  stats: ListOwnedStats = { unreadableKeys: 0 },
): Promise<OwnedKeys> {
  let complete = true;
  const failed = (err: unknown) => {
    if (err instanceof AbortedError || ctx.signal.aborted) throw err;
    complete = false;
  };

  const arns: string[] = [];
  const pages = async <O extends { NextMarker?: string | undefined }>(
    fetch: (marker: string | undefined) => Promise<O>,
    items: (o: O) => (string | undefined)[],
  ) => {
    let marker: string | undefined;
    try {
      do {
        const page = await fetch(marker);
        for (const arn of items(page)) if (arn) arns.push(arn);
        marker = page.NextMarker;
      } while (marker);
    } catch (err) {
      failed(err); // the pages after a failed one cannot be reached
    }
  };
  await pages(
    (Marker) =>
      send<DescribeLoadBalancersOutput>(ctx, new DescribeLoadBalancersCommand({ Marker, PageSize: PAGE })),
    (o) => (o.LoadBalancers ?? []).map((l) => l.LoadBalancerArn),
  );
  await pages(
    (Marker) =>
      send<DescribeTargetGroupsOutput>(ctx, new DescribeTargetGroupsCommand({ Marker, PageSize: PAGE })),
    (o) => (o.TargetGroups ?? []).map((t) => t.TargetGroupArn),
  );

  const keys = new Set<LbKey>();
  const clusterTag = awsTagValue(cluster);
  for (const chunk of chunks([...new Set(arns)], 20)) {
    let out: DescribeTagsOutput;
    try {
      out = await send<DescribeTagsOutput>(ctx, new DescribeTagsCommand({ ResourceArns: chunk }));
    } catch (err) {
      failed(err);
      continue;
    }
    for (const d of out.TagDescriptions ?? []) {
      const tags = fromAwsTags(d.Tags);
      if (!isOwnedBy(tags, { cluster }) || tags[TAG_KEYS.cluster] !== clusterTag) continue;
      const key = tags[TAG_KEYS.lbKey];
      // The tag holds the key itself unless it was too long for a tag value (then a hash).
      if (key !== undefined && parseLbKey(key)?.cluster === cluster && awsTagValue(key) === key)
        keys.add(key);
      else stats.unreadableKeys++;
    }
  }
  return { keys: [...keys].sort(), complete };
}
