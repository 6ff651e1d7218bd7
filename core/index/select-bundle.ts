import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { SERVICE_IMPORT_KIND, sourceClusterOf } from '#core/model/service-import.js';
import { ClusterMismatchError } from './affected-keys.js';
import { type DependencyView, hasEdge } from './dependency-view.js';
import { INGRESS_GROUP, isRecord, type ObjectRef, ref, refId } from './object-ref.js';
import { serviceSelectsPod } from './pod-selection.js';
import type { Edge } from './references.js';

export class InvalidLbKeyError extends Error {
  constructor(key: string) {
    super(`${JSON.stringify(key)} is not a load-balancer key (<cluster>/<kind>/<namespace or ->/<name>)`);
    this.name = 'InvalidLbKeyError';
  }
}

/**
 * The stored objects needed to translate the ONE load balancer `key` exactly as a translate of the
 * whole cluster would, sorted by kind/namespace/name (raw, as stored; translate() validates them):
 *
 * - Gateway: the Gateway; every GatewayClass and the parameters they reference; the Gateway's
 *   infrastructure parameters, certificate Secrets and CA bundle ConfigMaps; its ListenerSets with
 *   their certificate Secrets; the routes whose parentRefs name it or one of its ListenerSets; the
 *   Services those routes use (backendRefs and mirrors) with their EndpointSlices,
 *   HealthCheckPolicies, BackendTLSPolicies (with their CA ConfigMaps) and the Pods they select
 *   (readiness probes), and the StorageBuckets they use; the ServiceImports they use with their
 *   exported EndpointSlices from every cluster of the clusterset (see addImportDependents); the
 *   ReferenceGrants of every namespace
 *   referenced from another one.
 * - Ingress / IngressGroup: the Ingress, or every member of the group (in any namespace); every
 *   IngressClass and the parameters they reference; TLS Secrets; backend Services with their
 *   EndpointSlices, HealthCheckPolicies and selected Pods.
 * - Service: the Service, its EndpointSlices, HealthCheckPolicies, selected Pods and annotated
 *   parameters.
 * - Always: every Namespace (allowedRoutes selectors read their labels).
 *
 * The cost is proportional to what the load balancer holds, plus the few cluster-scoped objects
 * (Namespaces, GatewayClasses, IngressClasses); the only namespaced kind it scans is Pod, one
 * namespace at a time, for the Services with a selector. A key whose root
 * object is gone yields a bundle without it, which translates to no load balancer for the key.
 */
export function selectBundle(key: LbKey, view: DependencyView): unknown[] {
  const parsed = parseLbKey(key);
  if (!parsed) throw new InvalidLbKeyError(key);
  if (view.cluster !== undefined && view.cluster !== parsed.cluster) {
    throw new ClusterMismatchError(view.cluster, parsed.cluster);
  }
  const b = new BundleBuilder(view, parsed.cluster);
  for (const n of view.list('Namespace')) b.add(n);

  switch (parsed.kind) {
    case 'Gateway': {
      const gw = ref('Gateway', parsed.namespace ?? 'default', parsed.name);
      b.addClasses('GatewayClass');
      b.addWithReferences(gw);
      for (const x of view.referrers(gw)) {
        if (!hasEdge(x, 'parentRef')) continue;
        b.addWithReferences(x.from);
        // A ListenerSet of the Gateway brings the routes attached to it.
        if (x.from.kind !== 'ListenerSet') continue;
        for (const y of view.referrers(x.from)) if (hasEdge(y, 'parentRef')) b.addWithReferences(y.from);
      }
      break;
    }
    case 'Ingress':
    case 'IngressGroup': {
      b.addClasses('IngressClass');
      if (parsed.kind === 'Ingress') {
        b.addWithReferences(ref('Ingress', parsed.namespace ?? 'default', parsed.name));
      } else {
        for (const x of view.referrers(ref(INGRESS_GROUP, undefined, parsed.name))) {
          if (hasEdge(x, 'ingressGroup')) b.addWithReferences(x.from);
        }
      }
      break;
    }
    case 'Service':
      b.addWithReferences(ref('Service', parsed.namespace ?? 'default', parsed.name));
      break;
  }
  return b.objects();
}

/**
 * What a bundle holds because an object (a route) references it, as addWithReferences adds it:
 * the referenced objects (`+` after a backend: with its dependents) and `grants/<namespace>` for a
 * reference into another namespace. Counting these over a key's routes tells whether a route
 * change brings an object into its bundle or takes one out.
 */
export function broughtBy(from: ObjectRef, edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    switch (e.type) {
      case 'parameters':
      case 'certificateRef':
      case 'caCertificateRef':
      case 'tlsSecret':
        out.push(refId(e.to));
        break;
      case 'backendRef':
      case 'ingressBackend':
        out.push(`${refId(e.to)}+`);
        break;
      default:
        continue;
    }
    if (from.namespace !== undefined && e.to.namespace !== undefined && e.to.namespace !== from.namespace)
      out.push(`grants/${e.to.namespace}`);
  }
  return out;
}

class BundleBuilder {
  readonly #objects = new Map<string, unknown>();
  readonly #grantNamespaces = new Set<string>();
  /** Services whose dependents are in: every route of a Gateway may use the same one. */
  readonly #expandedServices = new Set<string>();
  readonly #pods = new Map<string, { ref: ObjectRef; obj: unknown }[]>();

  constructor(
    readonly view: DependencyView,
    readonly cluster: string,
  ) {}

  /** Adds a stored object (once); returns whether it is stored. */
  add(r: ObjectRef): boolean {
    const id = refId(r);
    if (this.#objects.has(id)) return true;
    const obj = this.view.get(r);
    if (obj === undefined) return false;
    this.#objects.set(id, obj);
    return true;
  }

  /**
   * Adds the EndpointSlices of a ServiceImport from this cluster and from every other cluster of the
   * clusterset. A slice counts only in the cluster its `multicluster.kubernetes.io/source-cluster`
   * label names: each cluster's endpoints come from that cluster's own forwarder, so they live and
   * are garbage-collected under that cluster's snapshot alone, and a copy an MCS controller made in
   * another cluster (or a slice claiming another cluster's name) is not read. Slices of other
   * clusters get bundle ids of their own: names are unique only within a cluster.
   */
  #addImportDependents(serviceImport: ObjectRef): void {
    const members: [string, DependencyView][] = [[this.cluster, this.view]];
    for (const peer of this.view.peers ?? []) {
      if (peer.cluster !== undefined && peer.cluster !== this.cluster) members.push([peer.cluster, peer]);
    }
    for (const [cluster, view] of members) {
      for (const x of view.referrers(serviceImport)) {
        if (!hasEdge(x, 'importedSliceOf')) continue;
        const slice = view.get(x.from);
        if (!isRecord(slice) || !isRecord(slice.metadata)) continue;
        if (sourceClusterOf(slice.metadata.labels) !== cluster) continue;
        const id = cluster === this.cluster ? refId(x.from) : `${refId(x.from)}@${cluster}`;
        this.#objects.set(id, slice);
      }
    }
  }

  /** Every object of a (few, cluster-scoped) class kind, with the parameters each references. */
  addClasses(kind: 'GatewayClass' | 'IngressClass'): void {
    for (const c of this.view.list(kind)) this.addWithReferences(c);
  }

  /**
   * Adds an object and what it references, one level down from a root/ListenerSet/route/Ingress:
   * parameters, Secrets, ConfigMaps, and Services with their EndpointSlices and HealthCheckPolicies. A reference that
   * crosses namespaces brings the target namespace's ReferenceGrants. (broughtBy says the same.)
   */
  addWithReferences(r: ObjectRef): void {
    if (!this.add(r)) return;
    if (r.kind === 'Service') this.#addServiceDependents(r);
    for (const e of this.view.references(r)) {
      switch (e.type) {
        case 'parameters':
        case 'certificateRef':
        case 'caCertificateRef':
        case 'tlsSecret':
          this.add(e.to);
          break;
        case 'backendRef':
        case 'ingressBackend':
          this.add(e.to);
          if (e.to.kind === SERVICE_IMPORT_KIND) this.#addImportDependents(e.to);
          else this.#addServiceDependents(e.to);
          break;
        default:
          // gatewayClass/ingressClass: all classes are in already; parentRef: only the key's
          // Gateway matters; pseudo-objects are not stored.
          continue;
      }
      if (r.namespace !== undefined && e.to.namespace !== undefined && e.to.namespace !== r.namespace) {
        this.#addGrants(e.to.namespace);
      }
    }
  }

  #addServiceDependents(service: ObjectRef): void {
    // Once per Service: its referrers include every route that uses it, so expanding it again for
    // each of those routes made a Gateway's bundle quadratic in its routes.
    const id = refId(service);
    if (this.#expandedServices.has(id)) return;
    this.#expandedServices.add(id);
    for (const x of this.view.referrers(service)) {
      if (!hasEdge(x, 'endpointSliceOf', 'policyTarget')) continue;
      this.add(x.from);
      // A BackendTLSPolicy's CA bundles (always in its own namespace).
      for (const e of this.view.references(x.from)) if (e.type === 'caCertificateRef') this.add(e.to);
    }
    // The Pods it selects: their readiness probes may give its health check.
    const obj = this.view.get(service);
    if (!obj) return;
    for (const p of this.#podsOf(service.namespace ?? 'default')) {
      if (serviceSelectsPod(obj, p.obj)) this.add(p.ref);
    }
  }

  /** The Pods of a namespace, read once per bundle (several Services of one namespace ask). */
  #podsOf(namespace: string): readonly { ref: ObjectRef; obj: unknown }[] {
    let pods = this.#pods.get(namespace);
    if (!pods) {
      pods = this.view.list('Pod', namespace).map((r) => ({ ref: r, obj: this.view.get(r) }));
      this.#pods.set(namespace, pods);
    }
    return pods;
  }

  #addGrants(namespace: string): void {
    if (this.#grantNamespaces.has(namespace)) return;
    this.#grantNamespaces.add(namespace);
    for (const g of this.view.list('ReferenceGrant', namespace)) this.add(g);
  }

  objects(): unknown[] {
    return [...this.#objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }
}
