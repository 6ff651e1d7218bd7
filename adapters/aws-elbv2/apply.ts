// apply: executionSteps(plan) with the SDK, one per-kind step at a time (resources/). Ownership is
// re-checked (DescribeTags) before anything is updated or deleted; creates tolerate "already exists"
// by adopting the resource when it carries this load balancer's tags; an ALB listener's rules are
// applied together, once its target groups exist, with ONE SetRulePriorities. Safe to stop between
// any two calls: the next observe finds what was done by name and the plan resumes from there.

import { executionSteps, type Step } from '#core/plan/execution-steps.js';
import type { Plan } from '#core/plan/types.js';
import { type LbStatus, NotOwnedError } from '../types.js';
import type { CaBundleStore } from './ca-bundle-store.js';
import { applyContext } from './internal/apply-context.js';
import type { Elbv2Calls } from './internal/sdk.js';
import { describeTags, ownedBy } from './internal/tags.js';
import { type Elbv2Kinds, elbv2Address, type Tags } from './model.js';
import { listenerAddress } from './render.js';
import { applyListener, deleteListener } from './resources/listeners.js';
import { applyLoadBalancer, deleteLoadBalancer, loadBalancerByName } from './resources/load-balancers.js';
import { applyListenerRules, deleteRule, type RuleChange } from './resources/rules.js';
import {
  applyTargetGroup,
  applyTargets,
  deleteTargetGroup,
  deleteTargets,
} from './resources/target-groups.js';
import { applyTrustStore, deleteTrustStore } from './resources/trust-stores.js';

export interface ApplyOptions {
  /** When set, only resources tagged with this cluster count as owned. */
  cluster?: string;
  /** Where trust stores' CA bundles go (client certificate validation). */
  caBundles?: CaBundleStore;
}

type BuildStep = Exclude<Step<Elbv2Kinds>, { op: 'delete' }>;
type DeleteStep = Extract<Step<Elbv2Kinds>, { op: 'delete' }>;

export async function applyElbv2(
  ctx: Elbv2Calls,
  plan: Plan<Elbv2Kinds>,
  opts: ApplyOptions = {},
): Promise<LbStatus> {
  const key = plan.lbKey;
  const owned = (tags: Tags) => ownedBy(tags, key, opts.cluster);
  const steps = executionSteps(plan);
  const ac = applyContext(ctx, owned, plan.changes, opts.caBundles);

  // Ownership, re-checked right before anything is modified.
  const toCheck = new Map<string, string>();
  for (const s of steps)
    if ((s.op === 'update' || s.op === 'delete') && s.change.id !== undefined)
      toCheck.set(s.change.id, s.change.address);
  if (toCheck.size > 0) {
    const tags = await describeTags(ctx, [...toCheck.keys()]);
    for (const [arn, address] of toCheck) {
      const t = tags.get(arn);
      if (t && !owned(t)) throw new NotOwnedError(address);
    }
  }

  const build = async ({ change: c }: BuildStep) => {
    if (c.kind === 'load-balancer') await applyLoadBalancer(ac, c);
    else if (c.kind === 'listener') await applyListener(ac, c);
    else if (c.kind === 'target-group') await applyTargetGroup(ac, c);
    else if (c.kind === 'targets') await applyTargets(ac, c);
    else if (c.kind === 'trust-store') await applyTrustStore(ac, c);
    // Rules go per listener (runRules).
  };
  const deleted = new Set(plan.changes.filter((c) => c.action === 'delete').map((c) => c.address));
  const remove = async ({ change: c }: DeleteStep) => {
    if (c.kind === 'load-balancer') await deleteLoadBalancer(ac, c);
    else if (c.kind === 'listener') await deleteListener(ac, c);
    else if (c.kind === 'rule') await deleteRule(ac, c);
    else if (c.kind === 'target-group') await deleteTargetGroup(ac, c);
    else if (c.kind === 'trust-store') await deleteTrustStore(ac, c);
    else await deleteTargets(ac, c, deleted.has(elbv2Address('target-group', c.before.targetGroup)));
  };

  // Rules by listener: the ones to build, plus the listener's rules being deleted (moved out of the way).
  const ruleGroups = new Map<string, RuleChange[]>();
  const addRule = (l: string, c: RuleChange) => ruleGroups.set(l, [...(ruleGroups.get(l) ?? []), c]);
  for (const c of plan.changes)
    if (c.kind === 'rule' && c.action !== 'delete')
      addRule(listenerAddress(c.after.loadBalancer, c.after.listenerPort), c);
  for (const c of plan.changes)
    if (c.kind === 'rule' && c.action === 'delete') {
      const l = listenerAddress(c.before.loadBalancer, c.before.listenerPort);
      if (ruleGroups.has(l)) addRule(l, c);
    }
  const runRules = async () => {
    for (const [l, cs] of [...ruleGroups].sort(([a], [b]) => (a < b ? -1 : 1)))
      await applyListenerRules(ac, l, cs);
  };

  // Run: make room, build (rules last, per listener), clean up.
  const firstBuild = steps.findIndex((s) => s.op !== 'delete');
  const lastBuild = steps.findLastIndex((s) => s.op !== 'delete');
  let rulesDone = false;
  for (const [i, s] of steps.entries()) {
    if (s.op === 'delete') {
      if (!rulesDone && firstBuild >= 0 && i > lastBuild) {
        await runRules();
        rulesDone = true;
      }
      await remove(s);
    } else await build(s);
  }
  if (!rulesDone) await runRules();
  return status(ctx, plan);
}

async function status(ctx: Elbv2Calls, plan: Plan<Elbv2Kinds>): Promise<LbStatus> {
  const key = plan.lbKey;
  const errors = plan.conflicts.map((x) => ({ address: x.address, message: x.reason }));
  const [lb] = plan.changes.flatMap((c) => (c.kind === 'load-balancer' && c.action !== 'delete' ? [c] : []));
  if (!lb)
    return {
      key,
      addresses: [],
      programmed: plan.conflicts.length === 0,
      ...(errors.length > 0 ? { errors } : {}),
    };
  // Untouched by this plan: as the observe before it saw it; else as it is now.
  const seen = lb.action === 'noop' ? lb.before.status : undefined;
  const now = seen ? undefined : await loadBalancerByName(ctx, lb.after.name);
  const dnsName = seen?.dnsName ?? now?.DNSName;
  const state = seen?.state ?? now?.State?.Code;
  const active = state === 'active';
  return {
    key,
    addresses: dnsName ? [{ type: 'Hostname', value: dnsName }] : [],
    programmed: active && plan.conflicts.length === 0,
    ...(active ? {} : { message: `load balancer is ${state ?? 'missing'}` }),
    ...(errors.length > 0 ? { errors } : {}),
  };
}
