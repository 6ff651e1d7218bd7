import { orderByDependencies } from './dependency-order.js';
import type { Change, Plan } from './types.js';

/** One provider call an apply makes. A replace is two steps: a create and a delete of the old resource. */
export interface Step<R> {
  op: 'create' | 'update' | 'delete';
  change: Change<R>;
}

/**
 * The order an apply runs a plan in, safe to stop at any step and re-plan:
 *
 * 1. make room: resources replaced delete-first, and owned resources being deleted that depend on
 *    them, are deleted, children first;
 * 2. creates, updates and the new half of replacements, parents first (the plan's order);
 * 3. deletes, including the old half of create-first replacements, children first, once nothing
 *    points at them any more.
 */
export function executionSteps<R>(plan: Plan<R>): Step<R>[] {
  const early = new Set(
    plan.changes
      .filter((c) => c.action === 'replace' && c.replaceOrder === 'delete-first')
      .map((c) => c.address),
  );
  const deletes = plan.changes.filter((c) => c.action === 'delete');
  // A delete that depends (transitively) on an early delete would block it, so it goes early too.
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of deletes) {
      if (!early.has(c.address) && c.dependsOn.some((a) => early.has(a))) {
        early.add(c.address);
        grew = true;
      }
    }
  }
  const isEarly = (c: Change<R>) =>
    (c.action === 'replace' && c.replaceOrder === 'delete-first') ||
    (c.action === 'delete' && early.has(c.address));
  const childrenFirst = (changes: Change<R>[]) =>
    orderByDependencies(changes, {
      address: (c) => c.address,
      dependsOn: (c) => c.dependsOn,
      compare: (a, b) => compare(a.address, b.address) || compare(a.id ?? '', b.id ?? ''),
      direction: 'children-first',
    });

  const makeRoom = childrenFirst(plan.changes.filter(isEarly));
  const build: Step<R>[] = plan.changes.flatMap((c): Step<R>[] => {
    if (c.action === 'create' || c.action === 'replace') return [{ op: 'create', change: c }];
    if (c.action === 'update') return [{ op: 'update', change: c }];
    return [];
  });
  const cleanUp = childrenFirst(
    plan.changes.filter(
      (c) =>
        (c.action === 'delete' && !early.has(c.address)) ||
        (c.action === 'replace' && c.replaceOrder !== 'delete-first'),
    ),
  );
  return [
    ...makeRoom.map((c) => ({ op: 'delete' as const, change: c })),
    ...build,
    ...cleanUp.map((c) => ({ op: 'delete' as const, change: c })),
  ];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
