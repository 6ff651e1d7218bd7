// targetHealth: how ELB's own health checks see each target of one load balancer, for pod readiness
// gates. Reads only, by the names render gives the target groups (never a region scan): one
// DescribeTargetGroups per 20 names, DescribeTags for ownership, one DescribeTargetHealth per owned
// target group. A read that fails for a passing reason (throttling, 5xx, the network) leaves its
// targets out and the answer `complete: false`: the caller must not take them for gone.

import {
  DescribeTargetHealthCommand,
  type DescribeTargetHealthOutput,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import { RetryableError, type TargetHealth, type TargetHealthReport } from '../types.js';
import { type Elbv2Calls, sendOrAbsent } from './internal/sdk.js';
import { describeTags, ownedBy } from './internal/tags.js';
import type { Elbv2Kinds } from './model.js';
import { targetGroupsByName } from './resources/target-groups.js';

export interface TargetHealthOptions {
  key: LbKey;
  /** When set, only target groups tagged with this cluster count as owned. */
  cluster?: string;
  /** What render produced for the load balancer: its target groups say which pool each stands for. */
  desired: readonly DesiredResource<Elbv2Kinds>[];
}

export async function targetHealthElbv2(
  ctx: Elbv2Calls,
  opts: TargetHealthOptions,
): Promise<TargetHealthReport> {
  const poolOf = new Map<string, string>();
  for (const r of opts.desired) if (r.kind === 'target-group') poolOf.set(r.value.name, r.value.pool);
  if (poolOf.size === 0) return { targets: [], complete: true };

  let complete = true;
  const partial =
    <T>(fallback: T) =>
    (err: unknown): T => {
      if (!(err instanceof RetryableError)) throw err;
      complete = false;
      return fallback;
    };

  // A target group not found under its name is not created yet: it has no targets to report.
  const found = await targetGroupsByName(ctx, [...poolOf.keys()]).catch(partial<TargetGroup[]>([]));
  const arns = found.flatMap((tg) => (tg.TargetGroupArn ? [tg.TargetGroupArn] : []));
  const tags = await describeTags(ctx, arns).catch(partial(new Map<string, Record<string, string>>()));

  const targets: TargetHealth[] = [];
  for (const tg of found) {
    const arn = tg.TargetGroupArn ?? '';
    const tgTags = tags.get(arn);
    // Tags not read: ownership unknown, and so are its targets. Read and not ours: never reported.
    if (!tgTags) {
      complete = false;
      continue;
    }
    if (!ownedBy(tgTags, opts.key, opts.cluster)) continue;
    const pool = poolOf.get(tg.TargetGroupName ?? '');
    if (pool === undefined) continue;
    const health = await sendOrAbsent<DescribeTargetHealthOutput>(
      ctx,
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
      ['TargetGroupNotFound'],
    ).catch(partial(undefined));
    for (const d of health?.TargetHealthDescriptions ?? []) targets.push(targetOf(pool, tg, d));
  }
  targets.sort(
    (a, b) => a.pool.localeCompare(b.pool) || a.address.localeCompare(b.address) || a.port - b.port,
  );
  return { targets, complete };
}

function targetOf(pool: string, tg: TargetGroup, d: TargetHealthDescription): TargetHealth {
  const reason = d.TargetHealth?.Reason;
  return {
    pool,
    address: d.Target?.Id ?? '',
    port: d.Target?.Port ?? tg.Port ?? 0,
    state: stateOf(d.TargetHealth?.State),
    ...(reason ? { reason } : {}),
  };
}

/**
 * ELB's target states as readiness sees them. `unused` (the group has no load balancer yet, or the
 * target's zone is not enabled) and `unavailable` (health checks off) say nothing of the target's
 * health: unknown.
 */
export function stateOf(state: string | undefined): TargetHealth['state'] {
  switch (state) {
    case 'healthy':
      return 'healthy';
    case 'unhealthy':
      return 'unhealthy';
    case 'initial':
      return 'initial';
    case 'draining':
    case 'unhealthy.draining':
      return 'draining';
    default:
      return 'unknown';
  }
}
