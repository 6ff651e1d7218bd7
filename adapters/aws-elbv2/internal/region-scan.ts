// The one region scan: every load balancer and target group of the region with its tags. Used only
// where names are not known: observe of a key that should no longer exist (or whose load balancer is
// not found under the name render gives it), and listOwnedKeys (resync's orphan search).

import {
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsOutput,
  type LoadBalancer,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AbortedError } from '../../types.js';
import type { Tags } from '../model.js';
import { allPages, chunks, type Elbv2Calls, PAGE, send } from './sdk.js';
import { describeTags } from './tags.js';

export interface TaggedRoots {
  loadBalancers: { lb: LoadBalancer; tags: Tags }[];
  targetGroups: { tg: TargetGroup; tags: Tags }[];
  /** The first read that failed: a page or tag read is missing, so what is here is not everything. */
  failure?: Error;
}

/**
 * Describe pages, then DescribeTags 20 ARNs at a time. A failed read does not stop the scan (what
 * could be read is returned) but is reported in `failure`; an abort throws.
 */
export async function scanTaggedRoots(ctx: Elbv2Calls): Promise<TaggedRoots> {
  let failure: Error | undefined;
  const failed = (err: unknown) => {
    if (err instanceof AbortedError || ctx.signal.aborted) throw err;
    failure ??= err instanceof Error ? err : new Error(String(err));
  };
  // The pages after a failed one cannot be reached; the ones before it still count.
  const lbs: LoadBalancer[] = [];
  const tgs: TargetGroup[] = [];
  await allPages(
    (Marker) =>
      send<DescribeLoadBalancersOutput>(ctx, new DescribeLoadBalancersCommand({ Marker, PageSize: PAGE })),
    (o) => o.LoadBalancers,
    lbs,
  ).catch(failed);
  await allPages(
    (Marker) =>
      send<DescribeTargetGroupsOutput>(ctx, new DescribeTargetGroupsCommand({ Marker, PageSize: PAGE })),
    (o) => o.TargetGroups,
    tgs,
  ).catch(failed);

  const tags = new Map<string, Tags>();
  const arns = [...lbs.map((l) => l.LoadBalancerArn), ...tgs.map((t) => t.TargetGroupArn)];
  for (const chunk of chunks([...new Set(arns.filter((a): a is string => !!a))], 20)) {
    try {
      for (const [arn, t] of await describeTags(ctx, chunk)) tags.set(arn, t);
    } catch (err) {
      failed(err);
    }
  }
  return {
    loadBalancers: lbs.flatMap((lb) => {
      const t = tags.get(lb.LoadBalancerArn ?? '');
      return t ? [{ lb, tags: t }] : [];
    }),
    targetGroups: tgs.flatMap((tg) => {
      const t = tags.get(tg.TargetGroupArn ?? '');
      return t ? [{ tg, tags: t }] : [];
    }),
    ...(failure ? { failure } : {}),
  };
}
