// observe: what ELBv2 runs for one load balancer, read by the deterministic names render gives the
// roots (the load balancer, the target groups), then everything under them: listeners, rules,
// certificates, targets, tags. Its cost follows the load balancer, not the region. Only where names
// are not known does it scan the region by tags: for a key that should no longer exist (a delete),
// or when the load balancer is not found under its name (a create, or a rename that leaves the old
// one behind). Every read that fails throws: an observe never reports less than what exists.
//
// listOwnedKeys: the keys one cluster holds resources for, from the same tag scan (resync).

import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { isOwnedBy } from '#core/naming/is-owned-by.js';
import { TAG_KEYS } from '#core/naming/ownership.js';
import { awsTagValue } from '#core/naming/ownership-tags.js';
import type { DesiredResource, ObservedResource } from '#core/plan/types.js';
import { type Observed, type OwnedKeys, RetryableError, ThrottledError } from '../types.js';
import { scanTaggedRoots } from './internal/region-scan.js';
import type { Elbv2Calls } from './internal/sdk.js';
import { describeTags, ownedBy } from './internal/tags.js';
import type { Elbv2Kinds, Tags } from './model.js';
import { describeListeners, observeListener } from './resources/listeners.js';
import { loadBalancerByName, observeLoadBalancer } from './resources/load-balancers.js';
import { describeRules, observeRule } from './resources/rules.js';
import {
  observeTargetGroup,
  targetGroupsByName,
  targetGroupsOfLoadBalancer,
} from './resources/target-groups.js';
import { observeTrustStore, trustStoreByName } from './resources/trust-stores.js';

export interface ObserveOptions {
  key: LbKey;
  /** When set, only resources tagged with this cluster count as owned. */
  cluster?: string;
  /** What render produced for the key; empty when it should no longer exist. */
  desired: readonly DesiredResource<Elbv2Kinds>[];
}

export async function observeElbv2(ctx: Elbv2Calls, opts: ObserveOptions): Promise<Observed<Elbv2Kinds>> {
  const { key, desired } = opts;
  const owned = (tags: Tags) => ownedBy(tags, key, opts.cluster);
  const lbs = new Map<string, LoadBalancer>();
  const tgs = new Map<string, TargetGroup>();
  const tags = new Map<string, Tags>();

  // 1. The roots, by name; by tags only where a name is not known.
  let lbMissing = false;
  for (const r of desired) {
    if (r.kind !== 'load-balancer') continue;
    const lb = await loadBalancerByName(ctx, r.value.name);
    if (lb?.LoadBalancerArn) lbs.set(lb.LoadBalancerArn, lb);
    else lbMissing = true;
  }
  if (desired.length === 0 || lbMissing) {
    const scan = await scanTaggedRoots(ctx);
    if (scan.failure) {
      const message = `observe ${key}: the region could not be read whole, so resources of this load balancer may be missing; retry: ${scan.failure.message}`;
      throw scan.failure instanceof ThrottledError
        ? new ThrottledError(message, { cause: scan.failure })
        : new RetryableError(message, { cause: scan.failure });
    }
    for (const { lb, tags: t } of scan.loadBalancers)
      if (owned(t) && lb.LoadBalancerArn) {
        lbs.set(lb.LoadBalancerArn, lb);
        tags.set(lb.LoadBalancerArn, t);
      }
    for (const { tg, tags: t } of scan.targetGroups)
      if (owned(t) && tg.TargetGroupArn) {
        tgs.set(tg.TargetGroupArn, tg);
        tags.set(tg.TargetGroupArn, t);
      }
  }
  await readTags(ctx, tags, [...lbs.keys()]);

  // 2. Target groups: those the owned load balancers use, then the desired ones not found that way.
  const ownedLbs = [...lbs.values()].filter((lb) => owned(tags.get(lb.LoadBalancerArn ?? '') ?? {}));
  for (const lb of ownedLbs)
    for (const tg of await targetGroupsOfLoadBalancer(ctx, lb.LoadBalancerArn ?? ''))
      tgs.set(tg.TargetGroupArn ?? '', tg);
  const seen = new Set([...tgs.values()].map((t) => t.TargetGroupName));
  const unseen = desired.flatMap((r) =>
    r.kind === 'target-group' && !seen.has(r.value.name) ? [r.value.name] : [],
  );
  for (const tg of await targetGroupsByName(ctx, unseen)) tgs.set(tg.TargetGroupArn ?? '', tg);
  const tgName = new Map([...tgs.values()].map((t) => [t.TargetGroupArn ?? '', t.TargetGroupName ?? '']));
  const targetGroupName = (arn: string) => tgName.get(arn) ?? arn;

  // 3. Each load balancer; an owned one with its listeners and (ALB) their rules.
  const resources: ObservedResource<Elbv2Kinds>[] = [];
  for (const lb of lbs.values()) {
    const arn = lb.LoadBalancerArn ?? '';
    const lbTags = tags.get(arn) ?? {};
    const lbOwned = owned(lbTags);
    resources.push(await observeLoadBalancer(ctx, lb, lbTags, lbOwned));
    // An unowned load balancer is reported, never looked into: its listeners are not ours either.
    if (!lbOwned) continue;
    const name = lb.LoadBalancerName ?? '';
    const listeners = await describeListeners(ctx, arn);
    const rules = new Map<string, Awaited<ReturnType<typeof describeRules>>>();
    if (lb.Type === 'application')
      for (const l of listeners)
        rules.set(l.ListenerArn ?? '', await describeRules(ctx, l.ListenerArn ?? ''));
    await readTags(ctx, tags, [
      ...listeners.map((l) => l.ListenerArn ?? ''),
      ...[...rules.values()].flat().map((r) => r.RuleArn ?? ''),
      ...tgs.keys(),
    ]);
    for (const l of listeners) {
      const lTags = tags.get(l.ListenerArn ?? '') ?? {};
      resources.push(await observeListener(ctx, l, name, lTags, owned(lTags), targetGroupName));
      for (const r of rules.get(l.ListenerArn ?? '') ?? [])
        resources.push(
          observeRule(r, name, l.Port ?? 0, tags.get(r.RuleArn ?? '') ?? {}, owned, targetGroupName),
        );
    }
  }

  // 4. Trust stores: the desired ones and those the owned listeners use (one being turned off), by name.
  // Only load balancers with client validation pay for these reads.
  const trustStoreNames = new Set<string>();
  for (const r of desired) if (r.kind === 'trust-store') trustStoreNames.add(r.value.name);
  for (const r of resources)
    if (r.kind === 'listener' && r.owned && r.value.mutualAuthentication?.trustStore !== undefined)
      trustStoreNames.add(r.value.mutualAuthentication.trustStore);
  for (const name of [...trustStoreNames].sort()) {
    const ts = await trustStoreByName(ctx, name);
    if (!ts?.TrustStoreArn) continue;
    await readTags(ctx, tags, [ts.TrustStoreArn]);
    const tsTags = tags.get(ts.TrustStoreArn) ?? {};
    resources.push(observeTrustStore(ts, tsTags, owned(tsTags)));
  }

  // 5. Target groups and their registered targets.
  await readTags(ctx, tags, [...tgs.keys()]);
  for (const tg of tgs.values()) {
    const tgTags = tags.get(tg.TargetGroupArn ?? '') ?? {};
    resources.push(...(await observeTargetGroup(ctx, tg, tgTags, owned(tgTags))));
  }
  return { resources, complete: true };
}

/** DescribeTags for the ARNs whose tags are not read yet. */
async function readTags(ctx: Elbv2Calls, tags: Map<string, Tags>, arns: readonly string[]): Promise<void> {
  const missing = arns.filter((a) => a !== '' && !tags.has(a));
  for (const [arn, t] of await describeTags(ctx, missing)) tags.set(arn, t);
}

/**
 * The keys of `cluster` that own at least one load balancer or target group, sorted. Load balancers
 * and target groups are the roots: a listener or rule cannot outlive its load balancer, and a target
 * group can outlive both, so both are listed. Only resources tagged managed-by Portico AND this
 * cluster count; a tag naming a key of another cluster, or a hashed (over-long) key, is ignored.
 * `complete` is false when any page or tag read failed (what was read is still returned). An
 * aborted signal throws AbortedError.
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
  return { keys: [...keys].sort(), complete: scan.failure === undefined };
}
