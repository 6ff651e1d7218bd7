import type { ObjectRef } from './object-ref.js';
import type { Edge, EdgeType } from './references.js';

/** One object that references another, with the kinds of reference it makes (sorted, deduplicated). */
export interface Referrer {
  from: ObjectRef;
  types: EdgeType[];
}

/**
 * What affectedKeys() and selectBundle() need to read about ONE cluster's stored objects. The
 * in-memory DependencyGraph implements it; a store-backed one (DynamoDB) can too, with one item per
 * object (holding the raw object and its edges) and one item per edge, indexed by target:
 *
 * | method            | in-memory                   | DynamoDB shape (suggested)                              |
 * | ----------------- | --------------------------- | ------------------------------------------------------- |
 * | get, references   | Map by refId                | GetItem `pk = obj#<refId>`                              |
 * | referrers         | reverse Map by target       | Query GSI `to = <refId of target>`                      |
 * | referrersInto     | reverse Map by target ns    | Query GSI `toNs = <ns>` (edges whose source ns differs) |
 * | list              | Map by kind and namespace   | Query `pk = kind#<kind>#<ns or ->`                      |
 *
 * Every answer must be deterministic (the in-memory graph sorts by refId) and must never include
 * objects of another cluster: a view holds exactly one cluster (see `cluster`). The other clusters
 * of its clusterset are separate views (`peers`), read only for multi-cluster services.
 *
 * Implementations may answer with a slightly stale picture (eventual consistency); callers tolerate
 * that because Portico is level-triggered and the scheduled resync re-enqueues every key.
 */
export interface DependencyView {
  /** The cluster this view holds, when known; keys of any other cluster are refused. */
  readonly cluster?: string | undefined;
  /**
   * The views of the other clusters of this cluster's clusterset (each with its `cluster` set; a walk
   * never follows a peer's own peers). Only multi-cluster services cross them: a ServiceImport's EndpointSlices are
   * read from every member, and a change of one member's exported slice affects the load balancers
   * of every member that imports the service. Absent or empty: the cluster is in no clusterset.
   */
  readonly peers?: readonly DependencyView[] | undefined;
  /** The stored raw object (as received, unvalidated), or undefined. */
  get(ref: ObjectRef): unknown;
  /** The edges the stored object declares (referencesOf(get(ref))), or [] when it is not stored. */
  references(ref: ObjectRef): readonly Edge[];
  /** Stored objects with an edge to `to`, sorted by refId. `to` may be a pseudo-object (see object-ref.ts). */
  referrers(to: ObjectRef): readonly Referrer[];
  /**
   * Stored namespaced objects with an edge to an object in `namespace` while being in another
   * namespace themselves (the references a ReferenceGrant in `namespace` can allow or deny), sorted.
   */
  referrersInto(namespace: string): readonly ObjectRef[];
  /**
   * Stored objects of one kind, sorted. For cluster-scoped kinds leave `namespace` out; core/index
   * only lists those that are few (Namespace, GatewayClass, IngressClass). For namespaced kinds pass
   * the namespace (core/index lists only one namespace at a time: ReferenceGrants of a target
   * namespace, and Gateways/routes/Ingresses of a Namespace that changed).
   */
  list(kind: string, namespace?: string): readonly ObjectRef[];
}

export function hasEdge(r: Referrer, ...types: EdgeType[]): boolean {
  return r.types.some((t) => types.includes(t));
}
