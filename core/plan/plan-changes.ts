import { parseAddress } from './address.js';
import { orderByDependencies } from './dependency-order.js';
import { DuplicateAddressError, InvalidAddressError } from './errors.js';
import type {
  Action,
  AnyKinds,
  Change,
  Conflict,
  DesiredResource,
  DiffSpec,
  KindValue,
  ObservedResource,
  Plan,
  PlanOptions,
  ReplaceOrder,
  Resource,
} from './types.js';

// Inside the planner every kind is alike: resources are handled with their kinds erased, and a
// change is a draft whose action may still move (noop → update → replace) until the plan is done.
type AnyResource = Resource<AnyKinds>;
type AnyObserved = ObservedResource<AnyKinds>;
type AnyConflict = Conflict<AnyKinds>;
interface Draft {
  address: string;
  kind: string;
  action: Action;
  id?: string;
  before?: unknown;
  after?: unknown;
  reason: string;
  changedPaths?: string[];
  replacePaths?: string[];
  replaceOrder?: ReplaceOrder;
  dependsOn: string[];
}

/**
 * Diffs what an adapter rendered against what it observed (Terraform's plan, the ALB controller's
 * match-then-act synthesizers). Pure and deterministic: the same inputs in any order give the same
 * plan.
 *
 * - desired, nothing observed → create; desired and owned observed → noop, update or replace;
 * - owned observed, not desired → delete; owned duplicates at one address (an apply interrupted in
 *   the middle of a create-first replace) → all but the best match are deleted;
 * - an address held only by unowned resources → a conflict, never a change; unowned resources
 *   nobody desires are ignored.
 *
 * Replacements reach dependents: whatever still refers to a resource replaced delete-first must go
 * before it and come back after, so it is replaced too (or deleted early, if nobody wants it); whatever
 * refers to a resource replaced create-first is updated to point at the new one.
 */
export function planChanges<K extends KindValue>(
  desired: readonly DesiredResource<K>[],
  observed: readonly ObservedResource<K>[],
  spec: DiffSpec<K>,
  opts: PlanOptions,
): Plan<K> {
  // Erased and restored: each change keeps the kind and values of the resources it was made from.
  return planAnyKinds(
    desired as readonly AnyResource[],
    observed as readonly AnyObserved[],
    spec as DiffSpec<AnyKinds>,
    opts,
  ) as Plan<K>;
}

function planAnyKinds(
  desired: readonly AnyResource[],
  observed: readonly AnyObserved[],
  spec: DiffSpec<AnyKinds>,
  opts: PlanOptions,
): Plan<AnyKinds> {
  const depsOf = (r: AnyResource) => [...(spec.dependsOn?.(r) ?? [])];
  const seen = new Set<string>();
  for (const d of desired) {
    checkKind(d);
    if (seen.has(d.address)) throw new DuplicateAddressError(d.address);
    seen.add(d.address);
  }
  const observedAt = new Map<string, AnyObserved[]>();
  for (const o of observed) {
    checkKind(o);
    observedAt.set(o.address, [...(observedAt.get(o.address) ?? []), o]);
  }
  for (const group of observedAt.values()) group.sort((a, b) => compareIds(a.id, b.id));

  const forward: Draft[] = [];
  const deletes: Draft[] = [];
  const conflicts: AnyConflict[] = [];
  const desiredDeps = new Map<Draft, string[]>();
  const observedDeps = new Map<Draft, string[]>();
  const remember = (c: Draft, d: string[], o: string[]) => {
    desiredDeps.set(c, d);
    observedDeps.set(c, o);
    c.dependsOn = [...new Set([...d, ...o])].sort();
    return c;
  };
  const deleteOf = (o: AnyObserved, reason: string): Draft =>
    remember(
      {
        address: o.address,
        kind: o.kind,
        action: 'delete',
        ...idOf(o),
        before: o.value,
        reason,
        dependsOn: [],
      },
      [],
      depsOf(o),
    );

  for (const d of desired) {
    const group = observedAt.get(d.address) ?? [];
    const owned = group.filter((o) => o.owned);
    const base = { address: d.address, kind: d.kind, after: d.value, dependsOn: [] };
    if (group.length === 0) {
      forward.push(
        remember({ ...base, action: 'create', reason: 'not found in the provider' }, depsOf(d), []),
      );
      continue;
    }
    const first = group[0]!;
    if (owned.length === 0) {
      conflicts.push({
        address: d.address,
        kind: d.kind,
        reason: 'the address is held by a resource Portico does not own; it is left untouched',
        ...idOf(first),
        desired: d.value,
        observed: first.value,
      });
      continue;
    }
    const comparisons = owned.map((o) =>
      spec.compare({ kind: d.kind, address: d.address, desired: d.value, observed: o.value }),
    );
    const matchIndex = Math.max(
      0,
      comparisons.findIndex((c) => c.equal),
    );
    const match = owned[matchIndex]!;
    const cmp = comparisons[matchIndex]!;
    owned.forEach((o, i) => {
      if (i !== matchIndex)
        deletes.push(deleteOf(o, `duplicate at ${d.address}, left by an interrupted apply`));
    });
    const matched = { ...base, ...idOf(match), before: match.value };
    let change: Draft;
    if (cmp.equal) change = { ...matched, action: 'noop', reason: 'up to date' };
    else if (!cmp.replace)
      change = {
        ...matched,
        action: 'update',
        changedPaths: cmp.paths,
        reason: `${cmp.paths.join(', ')} changed`,
      };
    else {
      const replacePaths = cmp.replacePaths ?? cmp.paths;
      change = {
        ...matched,
        action: 'replace',
        changedPaths: cmp.paths,
        replacePaths,
        replaceOrder: spec.replaceOrder?.[d.kind] ?? 'create-first',
        reason: `${replacePaths.join(', ')} cannot change in place`,
      };
    }
    forward.push(remember(change, depsOf(d), depsOf(match)));
  }
  for (const [address, group] of observedAt) {
    if (seen.has(address)) continue;
    for (const o of group) if (o.owned) deletes.push(deleteOf(o, 'no longer desired'));
  }

  blockDependentsOfConflicts(forward, conflicts, desiredDeps);
  propagateReplacements(forward, deletes, observedDeps);

  const byAddressThenId = (a: Draft, b: Draft) =>
    compareStrings(a.address, b.address) || compareIds(a.id, b.id);
  const orderedForward = orderByDependencies(forward, {
    address: (c) => c.address,
    dependsOn: (c) => desiredDeps.get(c) ?? [],
    compare: byAddressThenId,
    direction: 'parents-first',
  });
  const orderedDeletes = orderByDependencies(deletes, {
    address: (c) => c.address,
    dependsOn: (c) => observedDeps.get(c) ?? [],
    compare: byAddressThenId,
    direction: 'children-first',
  });
  return {
    lbKey: opts.lbKey,
    changes: [...orderedForward, ...orderedDeletes].map(canonical),
    conflicts: conflicts.sort((a, b) => compareStrings(a.address, b.address)),
  };
}

/**
 * A resource that would refer to a conflicted address would hand traffic to something Portico does
 * not own: it is held back as a conflict too (left as it is, neither changed nor deleted).
 */
function blockDependentsOfConflicts(
  forward: Draft[],
  conflicts: AnyConflict[],
  desiredDeps: Map<Draft, string[]>,
): void {
  const blocked = new Set(conflicts.map((c) => c.address));
  for (let grew = true; grew; ) {
    grew = false;
    for (let i = forward.length - 1; i >= 0; i--) {
      const c = forward[i]!;
      const on = (desiredDeps.get(c) ?? []).filter((a) => blocked.has(a)).sort()[0];
      if (on === undefined) continue;
      forward.splice(i, 1);
      blocked.add(c.address);
      grew = true;
      conflicts.push({
        address: c.address,
        kind: c.kind,
        reason: `refers to ${on}, which is in conflict; held back`,
        ...idOf(c),
        desired: c.after,
        ...(c.before !== undefined ? { observed: c.before } : {}),
        blockedBy: on,
      });
    }
  }
}

function propagateReplacements(forward: Draft[], deletes: Draft[], observedDeps: Map<Draft, string[]>): void {
  const refersTo = (c: Draft, addresses: Set<string>) =>
    (observedDeps.get(c) ?? []).some((a) => addresses.has(a));
  // What goes before the build phase (delete-first replacements, and deletes that refer to them) can
  // only go if nothing that stays still refers to it: such a resource is replaced delete-first too.
  const early = new Set(
    forward.filter((c) => c.action === 'replace' && c.replaceOrder === 'delete-first').map((c) => c.address),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of [...forward, ...deletes]) {
      if (early.has(c.address) || c.action === 'create' || !refersTo(c, early)) continue;
      early.add(c.address);
      grew = true;
      if (c.action === 'delete') continue;
      const parent = (observedDeps.get(c) ?? []).filter((a) => early.has(a)).sort()[0];
      const why = `refers to ${parent}, which must be deleted first`;
      c.reason = c.action === 'noop' ? why : `${c.reason}; ${why}`;
      c.action = 'replace';
      c.replaceOrder = 'delete-first';
      c.replacePaths ??= [];
      c.changedPaths ??= [];
    }
  }
  // Providers refer by id (ARN, self link), so dependents of a create-first replacement move to the new one.
  const moved = new Set(
    forward.filter((c) => c.action === 'replace' && c.replaceOrder === 'create-first').map((c) => c.address),
  );
  for (const c of forward) {
    if ((c.action !== 'noop' && c.action !== 'update') || !refersTo(c, moved)) continue;
    const parent = (observedDeps.get(c) ?? []).filter((a) => moved.has(a)).sort()[0];
    const why = `refers to ${parent}, which is replaced: re-point it to the new one`;
    c.reason = c.action === 'noop' ? why : `${c.reason}; ${why}`;
    c.action = 'update';
    c.changedPaths ??= [];
  }
}

/**
 * Fixed key order, so plans serialise (logs, goldens) the same way every time. The draft's action
 * is final here and matches its values (create: after only, delete: before only, else both).
 */
function canonical(c: Draft): Change<AnyKinds> {
  return {
    address: c.address,
    kind: c.kind,
    action: c.action,
    ...(c.id !== undefined ? { id: c.id } : {}),
    reason: c.reason,
    ...(c.changedPaths !== undefined ? { changedPaths: c.changedPaths } : {}),
    ...(c.replacePaths !== undefined ? { replacePaths: c.replacePaths } : {}),
    ...(c.replaceOrder !== undefined ? { replaceOrder: c.replaceOrder } : {}),
    dependsOn: c.dependsOn,
    ...(c.before !== undefined ? { before: c.before } : {}),
    ...(c.after !== undefined ? { after: c.after } : {}),
  } as Change<AnyKinds>;
}

function checkKind(r: AnyResource): void {
  const { kind } = parseAddress(r.address);
  if (kind !== r.kind) throw new InvalidAddressError(r.address, `kind is ${JSON.stringify(r.kind)}`);
}

function idOf(o: { id?: string }): { id?: string } {
  return o.id !== undefined ? { id: o.id } : {};
}

function compareIds(a: string | undefined, b: string | undefined): number {
  return compareStrings(a ?? '', b ?? '');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
