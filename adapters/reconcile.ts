import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { planChanges } from '#core/plan/plan-changes.js';
import type { KindValue, Plan } from '#core/plan/types.js';
import { type AdapterNotice, InvalidConfigError, type LbStatus, type LoadBalancerAdapter } from './types.js';

export interface ReconcileInput<K extends KindValue> {
  key: LbKey;
  /** The desired load balancer; absent when it should no longer exist. */
  lb: LoadBalancer | undefined;
  adapter: LoadBalancerAdapter<K>;
  signal: AbortSignal;
  /**
   * Whether owned resources the load balancer no longer wants may be deleted (default true). False
   * while the cluster's snapshot is incomplete: an object not recorded yet is not a deleted object.
   */
  allowDeletes?: boolean;
  /** Passed to observe (ObserveOptions.readBack): resync's full read. */
  readBack?: 'full';
}

export interface ReconcileOutcome<K extends KindValue> {
  key: LbKey;
  plan: Plan<K>;
  status: LbStatus;
  /** Features of the IR the adapter could not express (already left out of the plan). */
  notices: AdapterNotice[];
  /** Deletes left out: deletes were not allowed, or observe could not see everything. */
  deletesWithheld: number;
  /** Observe read everything: an absence in it is a real absence. */
  observeComplete: boolean;
}

/**
 * One load balancer, level-triggered: render what should exist, observe what does, plan the
 * difference and apply it. Safe to repeat at any time; a repeat with nothing new applies an empty
 * plan. When observe could not read everything, or deletes are not allowed, nothing is deleted: an
 * absence seen through an incomplete picture is not an absence. Whether that is an error is the
 * caller's decision (reconcileKey makes it one for a load balancer that must go).
 */
export async function reconcileLoadBalancer<K extends KindValue>(
  input: ReconcileInput<K>,
): Promise<ReconcileOutcome<K>> {
  const { key, lb, adapter, signal } = input;
  const allowDeletes = input.allowDeletes ?? true;
  // The seam check: an IR that breaks the adapters' invariants is a translator bug; refuse it
  // before anything reaches a provider.
  const problems = lb ? validateLoadBalancer(lb) : [];
  if (problems.length > 0) {
    throw new InvalidConfigError(
      `invalid load balancer ${key}: ${problems.map((p) => p.message).join('; ')}`,
    );
  }
  const rendered = lb ? adapter.render(lb) : { resources: [], notices: [] };
  const observed = await adapter.observe(key, {
    signal,
    desired: rendered.resources,
    ...(input.readBack ? { readBack: input.readBack } : {}),
  });
  let plan = planChanges(rendered.resources, observed.resources, adapter.diffSpec, { lbKey: key });
  let deletesWithheld = 0;
  if (!observed.complete || !allowDeletes) {
    const changes = plan.changes.filter((c) => c.action !== 'delete');
    deletesWithheld = plan.changes.length - changes.length;
    plan = { ...plan, changes };
  }
  const status = await adapter.apply(plan, { signal });
  return {
    key,
    plan,
    status,
    notices: rendered.notices,
    deletesWithheld,
    observeComplete: observed.complete,
  };
}
