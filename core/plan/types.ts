// The plan is data (Terraform's internal/plans): what would change, in which order, and why. It is
// computed by planChanges (pure), shown by renderPlan, and executed only by an adapter's apply.
//
// Every type here is parameterised by an adapter's kinds (Kinds<{ listener: ListenerValue; ... }>)
// and is a union over them, so narrowing on `.kind` gives the value type: adapters need no casts.

import type { LbKey } from '#core/ir/load-balancer.js';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop';

/**
 * `create-first` keeps traffic flowing (new resource, move dependents, delete the old one);
 * `delete-first` is for providers that need the name (or another unique key) to be free.
 */
export type ReplaceOrder = 'create-first' | 'delete-first';

/** One resource kind and the type of its values. */
export interface KindValue {
  kind: string;
  value: unknown;
}

/**
 * An adapter's kinds as a union of kind/value pairs, from a map of kind to value type:
 * `Kinds<{ 'load-balancer': LoadBalancerValue; listener: ListenerValue }>` is
 * `{ kind: 'load-balancer'; value: LoadBalancerValue } | { kind: 'listener'; value: ListenerValue }`.
 * Every type below takes such a union (covariant, so any adapter's types fit AnyKinds).
 */
export type Kinds<Values> = {
  [Kind in keyof Values & string]: { kind: Kind; value: Values[Kind] };
}[keyof Values & string];

/**
 * Kinds erased: any adapter's resources, for code that holds plans or adapters of every provider
 * (registries, the reconcile handler, `portico plan`). Every adapter's kinds are assignable to it.
 */
export type AnyKinds = KindValue;

/** One provider resource. `address` is `<adapter>/<resource-kind>/<name>[/<sub>]`, unique per resource. */
export type Resource<K extends KindValue> = K extends KindValue
  ? {
      address: string;
      /** The `<resource-kind>` segment of the address; the value type and diff rules follow from it. */
      kind: K['kind'];
      value: K['value'];
    }
  : never;

/** What an adapter's render wants to exist. */
export type DesiredResource<K extends KindValue> = Resource<K>;

export interface ObservedFields {
  /** Carries this load balancer's ownership tags. Unowned resources are never modified or deleted. */
  owned: boolean;
  /** Provider identity (ARN, self link...), handed to apply; tells duplicates at one address apart. */
  id?: string;
}

/** What an adapter's observe found. */
export type ObservedResource<K extends KindValue> = Resource<K> & ObservedFields;

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

/** A desired value and the owned observed value at the same address: one narrowing on `kind` types both. */
export type ComparePair<K extends KindValue> = K extends KindValue
  ? { kind: K['kind']; address: string; desired: K['value']; observed: K['value'] }
  : never;

/** How an adapter's resources are compared and ordered. */
export interface DiffSpec<K extends KindValue> {
  compare(pair: ComparePair<K>): Comparison;
  /** Replace order per resource kind; kinds not listed are `create-first`. */
  replaceOrder?: Readonly<Partial<Record<K['kind'], ReplaceOrder>>>;
  /** Addresses this resource refers to: they are created before it and deleted after it. */
  dependsOn?(resource: Resource<K>): readonly string[];
}

interface ChangeFields<Kind extends string> {
  address: string;
  kind: Kind;
  /** The observed resource's provider id (update, replace, delete). */
  id?: string;
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

/** One kind's change: `before` is the observed value (absent for create), `after` the desired one (absent for delete). */
export type ChangeOf<Kind extends string, V> =
  | (ChangeFields<Kind> & { action: 'create'; before?: undefined; after: V })
  | (ChangeFields<Kind> & { action: 'delete'; before: V; after?: undefined })
  | (ChangeFields<Kind> & { action: 'update'; before: V; after: V })
  | (ChangeFields<Kind> & { action: 'replace'; before: V; after: V })
  | (ChangeFields<Kind> & { action: 'noop'; before: V; after: V });

export type Change<K extends KindValue> = K extends KindValue ? ChangeOf<K['kind'], K['value']> : never;

/**
 * A desired resource whose address is held by something Portico does not own, or that would refer
 * to such a resource (`blockedBy`). Nothing is planned for it: no create, update, replace or delete.
 */
export type Conflict<K extends KindValue> = K extends KindValue
  ? {
      address: string;
      kind: K['kind'];
      reason: string;
      id?: string;
      desired: K['value'];
      /** What holds the address; absent when the resource is only blocked and does not exist yet. */
      observed?: K['value'];
      /** The conflicted address this resource refers to. */
      blockedBy?: string;
    }
  : never;

export interface Plan<K extends KindValue> {
  /** The load balancer the plan is for (apply reports its status under this key). */
  lbKey: LbKey;
  /**
   * Every desired or owned resource, in execution order: creates, updates, replaces and no-ops with
   * parents before children, then deletes with children before parents. See executionSteps for the
   * exact call order.
   */
  changes: Change<K>[];
  conflicts: Conflict<K>[];
}

export interface PlanOptions {
  lbKey: LbKey;
}
