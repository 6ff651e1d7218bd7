import { orderByDependencies } from './dependency-order.js';
import type { Action, Change, KindValue, Plan } from './types.js';

/**
 * One provider call an apply makes. A replace is two steps: a create and a delete of the old
 * resource. A create or update step's change has its desired value (`after`), a delete's its
 * observed one (`before`).
 */
export type Step<K extends KindValue> =
  | { op: 'create'; change: Extract<Change<K>, { action: 'create' | 'replace' }> }
  | { op: 'update'; change: Extract<Change<K>, { action: 'update' }> }
  | { op: 'delete'; change: Extract<Change<K>, { action: 'delete' | 'replace' }> };

/**
 * The order an apply runs a plan in, safe to stop at any step and re-plan:
 *
 * 1. make room: resources replaced delete-first, and owned resources being deleted that depend on
 *    them, are deleted, children first;
 * 2. creates, updates and the new half of replacements, parents first (the plan's order);
 * 3. deletes, including the old half of create-first replacements, children first, once nothing
 *    points at them any more.
 */
export function executionSteps<K extends KindValue>(plan: Plan<K>): Step<K>[] {
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
  const isEarly = (c: Change<K>) =>
    (c.action === 'replace' && c.replaceOrder === 'delete-first') ||
    (c.action === 'delete' && early.has(c.address));
  const childrenFirst = <C extends Change<K>>(changes: C[]) =>
    orderByDependencies(changes, {
      address: (c) => c.address,
      dependsOn: (c) => c.dependsOn,
      compare: (a, b) => compare(a.address, b.address) || compare(a.id ?? '', b.id ?? ''),
      direction: 'children-first',
    });

  const makeRoom = childrenFirst(plan.changes.filter((c): c is Leaving<K> => isEarly(c)));
  const build = plan.changes.flatMap((c): Step<K>[] => {
    if (isAction(c, 'create', 'replace')) return [{ op: 'create', change: c }];
    if (isAction(c, 'update')) return [{ op: 'update', change: c }];
    return [];
  });
  const cleanUp = childrenFirst(
    plan.changes.filter(
      (c): c is Leaving<K> =>
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

type Leaving<K extends KindValue> = Extract<Change<K>, { action: 'delete' | 'replace' }>;

function isAction<K extends KindValue, A extends Action>(
  c: Change<K>,
  ...actions: A[]
): c is Extract<Change<K>, { action: A }> {
  return (actions as string[]).includes(c.action);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
