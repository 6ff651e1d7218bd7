// The plan is data (Terraform's internal/plans): what would change, in which order, and why. It is
// computed by planChanges (pure), shown by renderPlan, and executed only by an adapter's apply.

import type { LbKey } from '#core/ir/load-balancer.js';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop';

/**
 * `create-first` keeps traffic flowing (new resource, move dependents, delete the old one);
 * `delete-first` is for providers that need the name (or another unique key) to be free.
 */
export type ReplaceOrder = 'create-first' | 'delete-first';

/** One provider resource. `address` is `<adapter>/<resource-kind>/<name>[/<sub>]`, unique per resource. */
export interface Resource<R> {
  address: string;
  /** The `<resource-kind>` segment of the address; the diff spec is chosen by it. */
  kind: string;
  value: R;
}

/** What an adapter's render wants to exist. */
export type DesiredResource<R> = Resource<R>;

/** What an adapter's observe found. */
export interface ObservedResource<R> extends Resource<R> {
  /** Carries this load balancer's ownership tags. Unowned resources are never modified or deleted. */
  owned: boolean;
  /** Provider identity (ARN, self link...), handed to apply; tells duplicates at one address apart. */
  id?: string;
}

export type Comparison =
  | { equal: true }
  | {
      equal: false;
      /** Paths of the fields that differ, e.g. `port`, `healthCheck.path`, `targets[2]`. */
      paths: string[];
      /** The provider cannot change these fields in place. */
      replace: boolean;
      /** The paths that force the replacement; defaults to `paths`. */
      replacePaths?: string[];
    };

/** How an adapter's resources are compared and ordered. */
export interface DiffSpec<R> {
  compare(desired: DesiredResource<R>, observed: ObservedResource<R>): Comparison;
  /** Replace order per resource kind; kinds not listed are `create-first`. */
  replaceOrder?: Readonly<Record<string, ReplaceOrder>>;
  /** Addresses this resource refers to: they are created before it and deleted after it. */
  dependsOn?(resource: Resource<R>): readonly string[];
}

export interface Change<R> {
  address: string;
  kind: string;
  action: Action;
  /** The observed resource's provider id (update, replace, delete). */
  id?: string;
  /** Observed value; absent for create. */
  before?: R;
  /** Desired value; absent for delete. */
  after?: R;
  /** For people only (Terraform's ActionReason): apply never decides anything from it. */
  reason: string;
  /** Fields that differ (update, replace). */
  changedPaths?: string[];
  /** Fields that force the replacement. */
  replacePaths?: string[];
  replaceOrder?: ReplaceOrder;
  /** Addresses this resource depends on, desired and observed, sorted. */
  dependsOn: string[];
}

/**
 * A desired resource whose address is held by something Portico does not own, or that would refer
 * to such a resource (`blockedBy`). Nothing is planned for it: no create, update, replace or delete.
 */
export interface Conflict<R> {
  address: string;
  kind: string;
  reason: string;
  id?: string;
  desired: R;
  /** What holds the address; absent when the resource is only blocked and does not exist yet. */
  observed?: R;
  /** The conflicted address this resource refers to. */
  blockedBy?: string;
}

export interface Plan<R> {
  /** The load balancer the plan is for (apply reports its status under this key). */
  lbKey?: LbKey;
  /**
   * Every desired or owned resource, in execution order: creates, updates, replaces and no-ops with
   * parents before children, then deletes with children before parents. See executionSteps for the
   * exact call order.
   */
  changes: Change<R>[];
  conflicts: Conflict<R>[];
}

export interface PlanOptions {
  lbKey?: LbKey;
}
