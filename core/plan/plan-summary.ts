import type { AnyKinds, Plan } from './types.js';

export interface PlanSummary {
  add: number;
  change: number;
  replace: number;
  destroy: number;
  unchanged: number;
  conflicts: number;
}

export function summarizePlan(plan: Plan<AnyKinds>): PlanSummary {
  const count = (action: string) => plan.changes.filter((c) => c.action === action).length;
  return {
    add: count('create'),
    change: count('update'),
    replace: count('replace'),
    destroy: count('delete'),
    unchanged: count('noop'),
    conflicts: plan.conflicts.length,
  };
}

/**
 * Nothing for apply to do. Conflicts are not changes (Portico never acts on them), so a plan with
 * only conflicts is empty; the caller reports them on the load balancer's status.
 */
export function isEmptyPlan(plan: Plan<AnyKinds>): boolean {
  return plan.changes.every((c) => c.action === 'noop');
}
