// observe: this load balancer's ELBv2 resources, found by the deterministic names render uses (and
// the ARNs apply and earlier observes remember), never by listing the region, except as a last resort
// when nothing is known about the key (a delete after a restart): then one tag-filtered scan.

import {
  DescribeListenerCertificatesCommand,
  type DescribeListenerCertificatesOutput,
  DescribeListenersCommand,
  type DescribeListenersOutput,
  DescribeLoadBalancerAttributesCommand,
  type DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersOutput,
  DescribeRulesCommand,
  type DescribeRulesOutput,
  DescribeTagsCommand,
  type DescribeTagsOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsOutput,
  DescribeTargetHealthCommand,
  type DescribeTargetHealthOutput,
  type Listener,
  type LoadBalancer,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LbKey } from '#core/ir/load-balancer.js';
import { awsTagValue, MANAGED_BY, TAG_KEYS } from '#core/naming/index.js';
import type { ObservedResource } from '#core/plan/types.js';
import { AbortedError, type Observed } from '../types.js';
import {
  type Elbv2Kinds,
  elbv2Address,
  type ListenerProtocol,
  type ListenerValue,
  type LoadBalancerIpAddressType,
  type LoadBalancerScheme,
  type LoadBalancerType,
  type LoadBalancerValue,
  type RuleValue,
  type Tags,
  type Target,
  type TargetsValue,
} from './model.js';
import { ruleContentId } from './naming.js';
import { listenerAddress, ruleAddress } from './render.js';
import { chunks, type Elbv2Calls, send, sendOrAbsent } from './sdk.js';
import { compareTargets } from './target-groups.js';
import { CONTENT_ID_TAG, fromAwsAction, fromAwsCondition, fromAwsTags, targetGroupFromAws } from './wire.js';

/** What the adapter remembers per load balancer key: names render produced and ARNs seen. */
export interface Elbv2Memory {
  names: Map<LbKey, { loadBalancers: Set<string>; targetGroups: Set<string> }>;
  /** Resource address → ARN. */
  arns: Map<string, string>;
  /**
   * Owned load balancers as the last observe saw them, by name: apply's status reads state and DNS
   * name from here when the plan leaves the load balancer as it is (no second Describe per reconcile).
   */
  loadBalancers: Map<string, LoadBalancer>;
}

export const newMemory = (): Elbv2Memory => ({ names: new Map(), arns: new Map(), loadBalancers: new Map() });

export function remember(mem: Elbv2Memory, key: LbKey, kind: 'loadBalancers' | 'targetGroups', name: string) {
  let n = mem.names.get(key);
  if (!n) {
    n = { loadBalancers: new Set(), targetGroups: new Set() };
    mem.names.set(key, n);
  }
  n[kind].add(name);
}

export function ownedBy(tags: Tags, key: LbKey, cluster?: string): boolean {
  return (
    tags[TAG_KEYS.managedBy] === MANAGED_BY &&
    tags[TAG_KEYS.lbKey] === awsTagValue(key) &&
    (cluster === undefined || tags[TAG_KEYS.cluster] === awsTagValue(cluster))
  );
}

const PAGE = 400;

/**
 * All pages of a Marker-paged Describe call, appended to `out`: when a page fails, `out` still
 * holds the items of the pages before it.
 */
export async function allPages<O extends { NextMarker?: string | undefined }, T>(
  fetch: (marker: string | undefined) => Promise<O>,
  items: (o: O) => T[] | undefined,
  out: T[] = [],
): Promise<T[]> {
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...(items(page) ?? []));
    marker = page.NextMarker;
  } while (marker);
  return out;
}

export async function describeTags(ctx: Elbv2Calls, arns: readonly string[]): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  for (const chunk of chunks([...new Set(arns)], 20)) {
    const r = await send<DescribeTagsOutput>(ctx, new DescribeTagsCommand({ ResourceArns: chunk }));
    for (const d of r.TagDescriptions ?? []) out.set(d.ResourceArn ?? '', fromAwsTags(d.Tags));
  }
  return out;
}

export async function loadBalancerByName(ctx: Elbv2Calls, name: string): Promise<LoadBalancer | undefined> {
  const r = await sendOrAbsent<DescribeLoadBalancersOutput>(
    ctx,
    new DescribeLoadBalancersCommand({ Names: [name] }),
    ['LoadBalancerNotFound'],
  );
  return r?.LoadBalancers?.[0];
}

export async function targetGroupByName(ctx: Elbv2Calls, name: string): Promise<TargetGroup | undefined> {
  const r = await sendOrAbsent<DescribeTargetGroupsOutput>(
    ctx,
    new DescribeTargetGroupsCommand({ Names: [name] }),
    ['TargetGroupNotFound'],
  );
  return r?.TargetGroups?.[0];
}

export interface TaggedRoots {
  loadBalancers: { lb: LoadBalancer; tags: Tags }[];
  targetGroups: { tg: TargetGroup; tags: Tags }[];
  /** False when a page or tag read failed: what was read is still here. */
  complete: boolean;
}

/**
 * Every load balancer and target group of the region with its tags: Describe pages, then
 * DescribeTags 20 ARNs at a time. The one region scan, for a key observe knows nothing of and for
 * listOwnedKeys. A resource whose tags could not be read is left out; an abort throws.
 */
export async function scanTaggedRoots(ctx: Elbv2Calls): Promise<TaggedRoots> {
  let complete = true;
  const failed = (err: unknown) => {
    if (err instanceof AbortedError || ctx.signal.aborted) throw err;
    complete = false;
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
    complete,
  };
}

export interface ObserveOptions {
  key: LbKey;
  cluster?: string;
  memory: Elbv2Memory;
}

export async function observeElbv2(ctx: Elbv2Calls, opts: ObserveOptions): Promise<Observed<Elbv2Kinds>> {
  const { key, memory } = opts;
  const owned = (tags: Tags) => ownedBy(tags, key, opts.cluster);
  const resources: ObservedResource<Elbv2Kinds>[] = [];
  let complete = true;
  const known = memory.names.get(key);

  // 1. Load balancers and target groups: by name, else one tag-filtered scan.
  const lbs = new Map<string, LoadBalancer>();
  const tgs = new Map<string, TargetGroup>();
  if (known) {
    for (const name of [...known.loadBalancers].sort()) {
      const lb = await loadBalancerByName(ctx, name);
      if (lb?.LoadBalancerArn) lbs.set(lb.LoadBalancerArn, lb);
    }
  } else {
    const scan = await scanTaggedRoots(ctx);
    complete = scan.complete;
    for (const { lb, tags } of scan.loadBalancers) if (owned(tags)) lbs.set(lb.LoadBalancerArn ?? '', lb);
    for (const { tg, tags } of scan.targetGroups) if (owned(tags)) tgs.set(tg.TargetGroupArn ?? '', tg);
  }
  const lbTags = await describeTags(ctx, [...lbs.keys()]);
  const ownedLbs = [...lbs.values()].filter((lb) => owned(lbTags.get(lb.LoadBalancerArn ?? '') ?? {}));
  for (const lb of ownedLbs) {
    const byLb = await allPages(
      (Marker) =>
        send<DescribeTargetGroupsOutput>(
          ctx,
          new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn, Marker, PageSize: PAGE }),
        ),
      (o) => o.TargetGroups,
    );
    for (const tg of byLb) tgs.set(tg.TargetGroupArn ?? '', tg);
  }
  const seen = new Set([...tgs.values()].map((t) => t.TargetGroupName));
  for (const name of [...(known?.targetGroups ?? [])].sort()) {
    if (seen.has(name)) continue;
    const tg = await targetGroupByName(ctx, name);
    if (tg?.TargetGroupArn) tgs.set(tg.TargetGroupArn, tg);
  }
  const tgTags = await describeTags(ctx, [...tgs.keys()]);
  const tgName = new Map([...tgs.values()].map((t) => [t.TargetGroupArn ?? '', t.TargetGroupName ?? '']));
  const nameOf = (arn: string) => tgName.get(arn) ?? arn;

  // 2. Load balancers, their listeners and rules.
  for (const lb of lbs.values()) {
    const arn = lb.LoadBalancerArn ?? '';
    const name = lb.LoadBalancerName ?? '';
    const tags = lbTags.get(arn) ?? {};
    const isOwned = owned(tags);
    const address = elbv2Address('load-balancer', name);
    let attributes: Record<string, string> = {};
    if (isOwned) {
      const a = await send<DescribeLoadBalancerAttributesOutput>(
        ctx,
        new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
      );
      attributes = Object.fromEntries((a.Attributes ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
      memory.arns.set(address, arn);
      memory.loadBalancers.set(name, lb);
      remember(memory, key, 'loadBalancers', name);
    }
    const value: LoadBalancerValue = {
      name,
      type: (lb.Type ?? 'application') as LoadBalancerType,
      scheme: (lb.Scheme ?? 'internet-facing') as LoadBalancerScheme,
      ipAddressType: (lb.IpAddressType ?? 'ipv4') as LoadBalancerIpAddressType,
      subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort(),
      securityGroups: [...(lb.SecurityGroups ?? [])].sort(),
      attributes,
      tags,
    };
    resources.push({ address, kind: 'load-balancer', value, owned: isOwned, id: arn });
    // An unowned load balancer is reported, never looked into: its listeners are not ours either.
    if (!isOwned) continue;

    const listeners = await allPages(
      (Marker) =>
        send<DescribeListenersOutput>(
          ctx,
          new DescribeListenersCommand({ LoadBalancerArn: arn, Marker, PageSize: PAGE }),
        ),
      (o) => o.Listeners,
    );
    const rulesByListener = new Map<string, NonNullable<DescribeRulesOutput['Rules']>>();
    for (const l of listeners) {
      if (lb.Type !== 'application') continue;
      const rules = await allPages(
        (Marker) =>
          send<DescribeRulesOutput>(
            ctx,
            new DescribeRulesCommand({ ListenerArn: l.ListenerArn, Marker, PageSize: PAGE }),
          ),
        (o) => o.Rules,
      );
      rulesByListener.set(
        l.ListenerArn ?? '',
        rules.filter((r) => !r.IsDefault),
      );
    }
    const childTags = await describeTags(ctx, [
      ...listeners.map((l) => l.ListenerArn ?? ''),
      ...[...rulesByListener.values()].flat().map((r) => r.RuleArn ?? ''),
    ]);
    for (const l of listeners) {
      const lArn = l.ListenerArn ?? '';
      const lTags = childTags.get(lArn) ?? {};
      const lAddress = listenerAddress(name, l.Port ?? 0);
      const lOwned = owned(lTags);
      if (lOwned) memory.arns.set(lAddress, lArn);
      resources.push({
        address: lAddress,
        kind: 'listener',
        value: await listenerValue(ctx, l, name, lTags, nameOf),
        owned: lOwned,
        id: lArn,
      });
      for (const r of rulesByListener.get(lArn) ?? []) {
        const rArn = r.RuleArn ?? '';
        const { [CONTENT_ID_TAG]: tagged, ...rTags } = childTags.get(rArn) ?? {};
        const conditions = (r.Conditions ?? []).map(fromAwsCondition);
        const actions = (r.Actions ?? [])
          .slice()
          .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
          .map((a) => fromAwsAction(a, nameOf));
        const contentId = tagged ?? ruleContentId(conditions, actions);
        const value: RuleValue = {
          loadBalancer: name,
          listenerPort: l.Port ?? 0,
          priority: Number(r.Priority),
          conditions,
          actions,
          contentId,
          routes: [],
          tags: rTags,
        };
        const rAddress = ruleAddress(name, l.Port ?? 0, contentId);
        const rOwned = owned(rTags);
        if (rOwned) memory.arns.set(rAddress, rArn);
        resources.push({ address: rAddress, kind: 'rule', value, owned: rOwned, id: rArn });
      }
    }
  }

  // 3. Target groups and their registered targets.
  for (const tg of tgs.values()) {
    const arn = tg.TargetGroupArn ?? '';
    const tags = tgTags.get(arn) ?? {};
    const isOwned = owned(tags);
    const value = targetGroupFromAws(tg, tags);
    const address = elbv2Address('target-group', value.name);
    if (isOwned) {
      memory.arns.set(address, arn);
      remember(memory, key, 'targetGroups', value.name);
    }
    resources.push({ address, kind: 'target-group', value, owned: isOwned, id: arn });
    const health = await send<DescribeTargetHealthOutput>(
      ctx,
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    const targets: Target[] = (health.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => ({ id: d.Target?.Id ?? '', port: d.Target?.Port ?? value.port }))
      .sort(compareTargets);
    const targetsValue: TargetsValue = { targetGroup: value.name, targets };
    resources.push({
      address: elbv2Address('targets', value.name),
      kind: 'targets',
      value: targetsValue,
      owned: isOwned,
      id: arn,
    });
  }
  return { resources, complete };
}

async function listenerValue(
  ctx: Elbv2Calls,
  l: Listener,
  lbName: string,
  tags: Tags,
  nameOf: (arn: string) => string,
): Promise<ListenerValue> {
  const protocol = (l.Protocol ?? 'HTTP') as ListenerProtocol;
  const value: ListenerValue = {
    loadBalancer: lbName,
    port: l.Port ?? 0,
    protocol,
    defaultAction: l.DefaultActions?.[0]
      ? fromAwsAction(l.DefaultActions[0], nameOf)
      : { type: 'forward', targetGroups: [] },
    tags,
  };
  if (protocol === 'HTTPS' || protocol === 'TLS') {
    if (l.SslPolicy !== undefined) value.sslPolicy = l.SslPolicy;
    const certs = await allPages(
      (Marker) =>
        send<DescribeListenerCertificatesOutput>(
          ctx,
          new DescribeListenerCertificatesCommand({ ListenerArn: l.ListenerArn, Marker, PageSize: PAGE }),
        ),
      (o) => o.Certificates,
    );
    const def = certs.filter((c) => c.IsDefault).map((c) => c.CertificateArn ?? '');
    const rest = certs.filter((c) => !c.IsDefault).map((c) => c.CertificateArn ?? '');
    value.certificateArns = [...def, ...rest];
  }
  return value;
}
