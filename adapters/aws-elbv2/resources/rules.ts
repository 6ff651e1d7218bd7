// ALB listener rules: observed with their content id, then per listener: created at their priority
// when it is free (else parked above every priority in use), tags kept, and put in order with ONE
// SetRulePriorities. Deleted one by one.

import {
  CreateRuleCommand,
  type CreateRuleOutput,
  DeleteRuleCommand,
  DescribeRulesCommand,
  type DescribeRulesOutput,
  type Rule,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Change, ObservedResource } from '#core/plan/types.js';
import { ConflictError } from '../../types.js';
import type { ApplyContext, LeavingChange } from '../internal/apply-context.js';
import { allPages, type Elbv2Calls, PAGE, send, sendOrAbsent } from '../internal/sdk.js';
import { syncTags } from '../internal/tags.js';
import { touched } from '../internal/touched.js';
import {
  CONTENT_ID_TAG,
  fromAwsAction,
  fromAwsCondition,
  fromAwsTransform,
  toAwsAction,
  toAwsCondition,
  toAwsTags,
  toAwsTransform,
} from '../internal/wire.js';
import { type Elbv2Kinds, elbv2Address, type Tags } from '../model.js';
import { ruleContentId } from '../naming.js';
import { ruleAddress } from '../render.js';

export type RuleChange = Extract<Change<Elbv2Kinds>, { kind: 'rule' }>;

/** A listener's rules, its default rule left out (it is the listener's default action). */
export async function describeRules(ctx: Elbv2Calls, listenerArn: string): Promise<Rule[]> {
  const rules = await allPages(
    (Marker) =>
      send<DescribeRulesOutput>(
        ctx,
        new DescribeRulesCommand({ ListenerArn: listenerArn, Marker, PageSize: PAGE }),
      ),
    (o) => o.Rules,
  );
  return rules.filter((r) => !r.IsDefault);
}

/** The observed resource, at the address of its content id (tagged by apply, else recomputed). */
export function observeRule(
  r: Rule,
  lbName: string,
  port: number,
  allTags: Tags,
  owned: (tags: Tags) => boolean,
  targetGroupName: (arn: string) => string,
): ObservedResource<Elbv2Kinds> {
  const { [CONTENT_ID_TAG]: tagged, ...tags } = allTags;
  const conditions = (r.Conditions ?? []).map(fromAwsCondition);
  const actions = (r.Actions ?? [])
    .slice()
    .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
    .map((a) => fromAwsAction(a, targetGroupName));
  const transforms = (r.Transforms ?? []).map(fromAwsTransform);
  const contentId = tagged ?? ruleContentId(conditions, actions, transforms);
  return {
    address: ruleAddress(lbName, port, contentId),
    kind: 'rule',
    value: {
      loadBalancer: lbName,
      listenerPort: port,
      priority: Number(r.Priority),
      conditions,
      actions,
      ...(transforms.length > 0 ? { transforms } : {}),
      contentId,
      routes: [],
      tags,
    },
    owned: owned(tags),
    id: r.RuleArn ?? '',
  };
}

/**
 * Every rule create, tag update and priority of one listener, once its target groups exist. `changes`
 * also holds the listener's rules being deleted: those still in place are moved out of the way when
 * they hold a wanted priority.
 */
export async function applyListenerRules(
  ac: ApplyContext,
  listener: string,
  changes: readonly RuleChange[],
): Promise<void> {
  if (!changes.some((c) => c.action === 'create' || c.action === 'replace' || c.action === 'update')) return;
  const ctx = ac.calls;
  const lArn = await ac.resolve(listener);
  const current = new Map<string, number>();
  for (const x of await describeRules(ctx, lArn)) current.set(x.RuleArn ?? '', Number(x.Priority));
  const desired = changes.flatMap((c) => (c.action === 'delete' ? [] : [c.after]));
  let park = Math.max(0, ...current.values(), ...desired.map((d) => d.priority)) + 1;
  const target = new Map<string, number>();
  for (const c of changes) {
    if (c.action === 'delete') continue;
    const v = c.after;
    if (c.action === 'create' || c.action === 'replace') {
      const inUse = new Set(current.values());
      const priority = inUse.has(v.priority) ? park++ : v.priority;
      const tgs = new Map<string, string>();
      for (const a of v.actions)
        if (a.type === 'forward')
          for (const t of a.targetGroups)
            tgs.set(t.name, await ac.resolve(elbv2Address('target-group', t.name)));
      const out = await send<CreateRuleOutput>(
        ctx,
        new CreateRuleCommand({
          ListenerArn: lArn,
          Priority: priority,
          Conditions: v.conditions.map(toAwsCondition),
          Actions: v.actions.map((a, i) => ({ ...toAwsAction(a, (n) => tgs.get(n) ?? ''), Order: i + 1 })),
          ...(v.transforms?.length ? { Transforms: v.transforms.map(toAwsTransform) } : {}),
          Tags: toAwsTags({ ...v.tags, [CONTENT_ID_TAG]: v.contentId }),
        }),
        c.address,
      );
      const arn = out.Rules?.[0]?.RuleArn ?? '';
      ac.found(c.address, arn);
      current.set(arn, priority);
      target.set(arn, v.priority);
    } else {
      const arn = await ac.resolve(c.address);
      if (c.action === 'update' && touched(c, 'tags')) await syncTags(ctx, arn, v.tags, c.before.tags);
      target.set(arn, v.priority);
    }
  }
  // Rules that stay but are not desired (deleted later): out of the way if they hold a wanted priority.
  const wanted = new Set(target.values());
  const leaving = new Set(changes.filter((c) => c.action === 'delete').map((c) => c.id));
  for (const [arn, p] of current) {
    if (target.has(arn) || !wanted.has(p)) continue;
    if (!leaving.has(arn))
      throw new ConflictError(
        `priority ${p} on ${listener} is held by a rule Portico does not own`,
        listener,
      );
    target.set(arn, park++);
  }
  const moves = [...target].filter(([arn, p]) => current.get(arn) !== p);
  if (moves.length > 0)
    await send(
      ctx,
      new SetRulePrioritiesCommand({
        RulePriorities: moves.map(([RuleArn, Priority]) => ({ RuleArn, Priority })),
      }),
      listener,
    );
}

export async function deleteRule(ac: ApplyContext, c: LeavingChange<'rule'>): Promise<void> {
  if (c.id === undefined) return;
  await sendOrAbsent(ac.calls, new DeleteRuleCommand({ RuleArn: c.id }), ['RuleNotFound']);
}
