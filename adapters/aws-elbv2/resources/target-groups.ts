// Target groups and their registered targets: found by name or by the load balancer that uses them,
// observed with their targets (DescribeTargetHealth), created, modified (health check, tags), deleted;
// targets registered and deregistered as one call each per target group.

import {
  CreateTargetGroupCommand,
  type CreateTargetGroupOutput,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  type DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsOutput,
  DescribeTargetHealthCommand,
  type DescribeTargetHealthOutput,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ObservedResource } from '#core/plan/types.js';
import type { ApplyContext, BuildChange, LeavingChange } from '../internal/apply-context.js';
import { allPages, chunks, type Elbv2Calls, PAGE, send, sendOrAbsent } from '../internal/sdk.js';
import { syncTags } from '../internal/tags.js';
import { compareTargets } from '../internal/target-group-plan.js';
import { touched } from '../internal/touched.js';
import { healthCheckInput, targetGroupFromAws, toAwsTags } from '../internal/wire.js';
import {
  type Elbv2Kinds,
  elbv2Address,
  TARGET_GROUP_ATTRIBUTE_DEFAULTS,
  type Tags,
  type Target,
} from '../model.js';

/** DescribeTargetGroups takes at most 20 names a call. */
const NAMES_PER_CALL = 20;

/** The target group with this name, or undefined when there is none (names are unique per region). */
export async function targetGroupByName(ctx: Elbv2Calls, name: string): Promise<TargetGroup | undefined> {
  const r = await sendOrAbsent<DescribeTargetGroupsOutput>(
    ctx,
    new DescribeTargetGroupsCommand({ Names: [name] }),
    ['TargetGroupNotFound'],
  );
  return r?.TargetGroups?.[0];
}

/**
 * The target groups with these names that exist. One call per 20 names; when one of them is missing
 * (the whole call answers TargetGroupNotFound), that batch is asked name by name.
 */
export async function targetGroupsByName(ctx: Elbv2Calls, names: readonly string[]): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  for (const batch of chunks([...new Set(names)].sort(), NAMES_PER_CALL)) {
    const r = await sendOrAbsent<DescribeTargetGroupsOutput>(
      ctx,
      new DescribeTargetGroupsCommand({ Names: batch }),
      ['TargetGroupNotFound'],
    );
    if (r) out.push(...(r.TargetGroups ?? []));
    else if (batch.length === 1) continue;
    else
      for (const name of batch) {
        const tg = await targetGroupByName(ctx, name);
        if (tg) out.push(tg);
      }
  }
  return out;
}

/** The target groups a load balancer's listeners and rules forward to. */
export function targetGroupsOfLoadBalancer(ctx: Elbv2Calls, loadBalancerArn: string): Promise<TargetGroup[]> {
  return allPages(
    (Marker) =>
      send<DescribeTargetGroupsOutput>(
        ctx,
        new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn, Marker, PageSize: PAGE }),
      ),
    (o) => o.TargetGroups,
  );
}

/** The observed target group and its registered targets (draining ones are on their way out). */
export async function observeTargetGroup(
  ctx: Elbv2Calls,
  tg: TargetGroup,
  tags: Tags,
  owned: boolean,
): Promise<ObservedResource<Elbv2Kinds>[]> {
  const arn = tg.TargetGroupArn ?? '';
  let attributes: Record<string, string> = {};
  if (owned) {
    const a = await send<DescribeTargetGroupAttributesOutput>(
      ctx,
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }),
    );
    const all = new Map((a.Attributes ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
    attributes = Object.fromEntries(
      Object.entries(TARGET_GROUP_ATTRIBUTE_DEFAULTS).map(([k, d]) => [k, all.get(k) ?? d]),
    );
  }
  const value = targetGroupFromAws(tg, tags, attributes);
  const health = await send<DescribeTargetHealthOutput>(
    ctx,
    new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
  );
  const targets: Target[] = (health.TargetHealthDescriptions ?? [])
    .filter((d) => d.TargetHealth?.State !== 'draining')
    .map((d) => ({ id: d.Target?.Id ?? '', port: d.Target?.Port ?? value.port }))
    .sort(compareTargets);
  return [
    { address: elbv2Address('target-group', value.name), kind: 'target-group', value, owned, id: arn },
    {
      address: elbv2Address('targets', value.name),
      kind: 'targets',
      value: { targetGroup: value.name, targets },
      owned,
      id: arn,
    },
  ];
}

export async function applyTargetGroup(ac: ApplyContext, c: BuildChange<'target-group'>): Promise<void> {
  const ctx = ac.calls;
  const v = c.after;
  if (c.action !== 'update') {
    const arn = await ac.createOrAdopt(
      c.address,
      async () =>
        (
          await send<CreateTargetGroupOutput>(
            ctx,
            new CreateTargetGroupCommand({
              Name: v.name,
              Protocol: v.protocol,
              ...(v.protocolVersion ? { ProtocolVersion: v.protocolVersion } : {}),
              Port: v.port,
              VpcId: v.vpcId,
              TargetType: v.targetType,
              IpAddressType: v.ipAddressType,
              ...healthCheckInput(v.healthCheck),
              Tags: toAwsTags(v.tags),
            }),
            c.address,
          )
        ).TargetGroups?.[0]?.TargetGroupArn,
      async () => (await targetGroupByName(ctx, v.name))?.TargetGroupArn,
    );
    // A new target group has AWS's defaults: send only what differs (an adopted one that differs
    // shows up at the next observe).
    await modifyAttributes(ac, arn, v.attributes, TARGET_GROUP_ATTRIBUTE_DEFAULTS, c.address);
    return;
  }
  const arn = await ac.resolve(c.address);
  if (touched(c, 'healthCheck'))
    await send(
      ctx,
      new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...healthCheckInput(v.healthCheck) }),
      c.address,
    );
  await modifyAttributes(ac, arn, v.attributes, c.before.attributes, c.address);
  if (touched(c, 'tags')) await syncTags(ctx, arn, v.tags, c.before.tags);
}

async function modifyAttributes(
  ac: ApplyContext,
  arn: string,
  want: Record<string, string>,
  have: Readonly<Record<string, string>>,
  address: string,
): Promise<void> {
  const changed = Object.entries(want).filter(([k, x]) => have[k] !== x);
  if (changed.length === 0) return;
  await send(
    ac.calls,
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: changed.map(([Key, Value]) => ({ Key, Value })),
    }),
    address,
  );
}

/** The registered set: one RegisterTargets for what is new, one DeregisterTargets for what is gone. */
export async function applyTargets(ac: ApplyContext, c: BuildChange<'targets'>): Promise<void> {
  const v = c.after;
  const arn = await ac.resolve(elbv2Address('target-group', v.targetGroup));
  const before = c.before?.targets ?? [];
  const id = (t: Target) => `${t.id}:${t.port}`;
  const had = new Set(before.map(id));
  const want = new Set(v.targets.map(id));
  const add = v.targets.filter((t) => !had.has(id(t)));
  const drop = before.filter((t) => !want.has(id(t)));
  if (add.length > 0)
    await send(ac.calls, new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: wire(add) }), c.address);
  if (drop.length > 0)
    await send(
      ac.calls,
      new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: wire(drop) }),
      c.address,
    );
}

export async function deleteTargetGroup(ac: ApplyContext, c: LeavingChange<'target-group'>): Promise<void> {
  if (c.id === undefined) return;
  await sendOrAbsent(ac.calls, new DeleteTargetGroupCommand({ TargetGroupArn: c.id }), [
    'TargetGroupNotFound',
  ]);
}

/** Deregisters the targets, unless the target group goes too (its targets go with it). */
export async function deleteTargets(
  ac: ApplyContext,
  c: LeavingChange<'targets'>,
  targetGroupDeleted: boolean,
): Promise<void> {
  if (c.id === undefined || targetGroupDeleted || c.before.targets.length === 0) return;
  await sendOrAbsent(
    ac.calls,
    new DeregisterTargetsCommand({ TargetGroupArn: c.id, Targets: wire(c.before.targets) }),
    ['TargetGroupNotFound'],
  );
}

const wire = (ts: readonly Target[]) => ts.map((t) => ({ Id: t.id, Port: t.port }));
