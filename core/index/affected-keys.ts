import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import { type DependencyView, hasEdge } from './dependency-view.js';
import { ingressKeys, isDefaultIngressClass, isLoadBalancerService } from './lb-keys.js';
import {
  DEFAULT_INGRESS_CLASS_REF,
  NAMESPACE_SELECTOR_REF,
  type ObjectRef,
  refId,
  refOf,
} from './object-ref.js';
import { serviceSelectsPod } from './pod-selection.js';
import { type Edge, referencesOf } from './references.js';

/** One watch event: `old` absent for an add, `new` absent for a delete. */
export interface ObjectChange {
  old?: unknown;
  new?: unknown;
}

export class ClusterMismatchError extends Error {
  constructor(expected: string, got: string) {
    super(`this dependency view holds cluster ${expected}, not ${got}: use one view per cluster`);
    this.name = 'ClusterMismatchError';
  }
}

/**
 * Every load-balancer key a change of one object may affect, sorted: the union over its old and new
 * versions, followed transitively (EndpointSlice → Service → routes → ListenerSets → Gateways;
 * Secret → Gateways/ListenerSets/Ingresses; ConfigMap → Gateways; StorageBucket → routes/Ingresses
 * using it; GatewayClass → Gateways; LoadBalancerParameters → classes → Gateways/Ingresses;
 * IngressClass → Ingresses, and, for a default class, Ingresses naming no class; Namespace →
 * Gateways and routes in it and Gateways selecting namespaces; ReferenceGrant → the LBs of objects
 * in its `from` namespaces that reference into its namespace; ServiceImport ← its EndpointSlices,
 * in this cluster and, through `view.peers`, in every cluster of the clusterset: the keys of
 * another cluster are returned too, each with its own cluster; Pod → the Services of its namespace
 * selecting it, before or after the change).
 *
 * It over-approximates (an extra reconcile is cheap and idempotent; a missed one is a bug): a
 * Gateway's key is returned even when its class is not Portico's, a Service's when its type is
 * LoadBalancer whatever its class, and so on; the reconcile of a key that has no load balancer
 * deletes what Portico owns for it, which is how a Gateway moving to another class gets cleaned up.
 *
 * The changed object's own edges are read from `change.old` / `change.new`, everything else from
 * `view`, so the answer is the same whether `view` has already recorded the change or not. The cost
 * is proportional to the objects reached, never to the cluster.
 */
export function affectedKeys(change: ObjectChange, view: DependencyView, cluster: string): LbKey[] {
  if (view.cluster !== undefined && view.cluster !== cluster)
    throw new ClusterMismatchError(view.cluster, cluster);
  const walk = new Walk(view, cluster);
  const refs = new Map<string, { ref: ObjectRef; versions: unknown[] }>();
  for (const v of [change.old, change.new]) {
    const r = v === undefined ? undefined : refOf(v);
    if (!r) continue;
    const id = refId(r);
    const entry = refs.get(id);
    if (entry) entry.versions.push(v);
    else refs.set(id, { ref: r, versions: [v] });
  }
  for (const { ref: r, versions } of refs.values()) walk.visit(r, versions);
  return [...walk.keys].sort(compareStrings);
}

class Walk {
  readonly #seen = new Set<string>();

  /** `keys`: shared with the walks of the clusterset's other clusters, which never go further. */
  constructor(
    readonly view: DependencyView,
    readonly cluster: string,
    readonly keys = new Set<LbKey>(),
    readonly followPeers = true,
  ) {}

  /** `versions`: the changed object's old and new versions, or undefined to read the stored one. */
  visit(r: ObjectRef, versions?: readonly unknown[]): void {
    const id = refId(r);
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    const stored = versions ?? [this.view.get(r)].filter((v) => v !== undefined);
    const view = this.view;

    switch (r.kind) {
      case 'Gateway':
        this.keys.add(lbKey(this.cluster, 'Gateway', r.namespace, r.name));
        return;

      case 'Ingress':
        // A referrer the view lists without its object (a stale store): its own key at least.
        if (stored.length === 0) this.keys.add(lbKey(this.cluster, 'Ingress', r.namespace, r.name));
        for (const v of stored) for (const k of ingressKeys(this.cluster, r, v)) this.keys.add(k);
        return;

      case 'ListenerSet':
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'TLSRoute':
      case 'TCPRoute':
      case 'UDPRoute':
        for (const e of this.edgesOf(r, stored)) {
          if (e.type === 'parentRef') this.visit(e.to);
        }
        return;

      case 'Service':
        if (stored.some(isLoadBalancerService)) {
          this.keys.add(lbKey(this.cluster, 'Service', r.namespace, r.name));
        }
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'backendRef', 'ingressBackend')) this.visit(x.from);
        }
        return;

      case 'ServiceImport':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'backendRef')) this.visit(x.from);
        }
        // The same service imported in the other clusters of the clusterset uses these endpoints too.
        if (!this.followPeers) return;
        for (const peer of view.peers ?? []) {
          if (peer.cluster === undefined || peer.cluster === this.cluster) continue;
          new Walk(peer, peer.cluster, this.keys, false).visit(r);
        }
        return;

      case 'StorageBucket':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'backendRef', 'ingressBackend')) this.visit(x.from);
        }
        return;

      case 'EndpointSlice':
      case 'HealthCheckPolicy':
      case 'BackendTLSPolicy':
        for (const e of this.edgesOf(r, stored)) {
          if (e.type === 'endpointSliceOf' || e.type === 'importedSliceOf' || e.type === 'policyTarget')
            this.visit(e.to);
        }
        return;

      case 'Pod':
        // Its readiness probe may give the health check of the Services that select it.
        for (const s of view.list('Service', r.namespace)) {
          const service = view.get(s);
          if (stored.some((p) => serviceSelectsPod(service, p))) this.visit(s);
        }
        return;

      case 'Secret':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'certificateRef', 'tlsSecret')) this.visit(x.from);
        }
        return;

      case 'ConfigMap':
        // A CA bundle: of a Gateway's client-certificate validation, or of a BackendTLSPolicy.
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'caCertificateRef')) this.visit(x.from);
        }
        return;

      case 'LoadBalancerParameters':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'parameters')) this.visit(x.from);
        }
        return;

      case 'GatewayClass':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'gatewayClass')) this.visit(x.from);
        }
        return;

      case 'IngressClass':
        for (const x of view.referrers(r)) {
          if (hasEdge(x, 'ingressClass')) this.visit(x.from);
        }
        // The default class (now or before) also decides for every Ingress that names no class.
        if (stored.some(isDefaultIngressClass)) {
          for (const x of view.referrers(DEFAULT_INGRESS_CLASS_REF)) this.visit(x.from);
        }
        return;

      case 'Namespace':
        // Its labels decide which Gateways admit its routes; its existence may matter to anything in it.
        for (const kind of [
          'Gateway',
          'ListenerSet',
          'Ingress',
          'HTTPRoute',
          'GRPCRoute',
          'TLSRoute',
          'TCPRoute',
          'UDPRoute',
        ]) {
          for (const x of view.list(kind, r.name)) this.visit(x);
        }
        for (const x of view.referrers(NAMESPACE_SELECTOR_REF)) this.visit(x.from);
        return;

      case 'ReferenceGrant': {
        // A grant in namespace T lets objects of its `from` namespaces reference objects in T.
        const from = new Set<string>();
        for (const e of this.edgesOf(r, stored)) if (e.type === 'grantFrom') from.add(e.to.name);
        if (from.size === 0) return;
        for (const x of view.referrersInto(r.namespace ?? 'default')) {
          if (x.namespace !== undefined && from.has(x.namespace)) this.visit(x);
        }
        return;
      }

      default:
        // Pseudo-objects and kinds the core does not read: nothing depends on them.
        return;
    }
  }

  /** The edges of the given versions (the changed object), or the stored edges of another object. */
  edgesOf(r: ObjectRef, versions: readonly unknown[]): readonly Edge[] {
    if (versions.length === 0) return this.view.references(r);
    return versions.flatMap((v) => referencesOf(v));
  }
}
