import {
  affectedKeys,
  broughtBy,
  DEFAULT_INGRESS_CLASS_REF,
  DependencyGraph,
  type DependencyView,
  type Edge,
  hasEdge,
  INGRESS_CLASS_ANNOTATION,
  ingressKeys,
  isLoadBalancerService,
  type ObjectChange,
  type ObjectRef,
  ref,
  referencesOf,
  refId,
  refOf,
  selectBundle,
} from '#core/index/index.js';
import { lbKey, parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import type { AnyRoute } from '#core/model/gateway-api.js';
import { ReadCache } from '#core/model/read-cache.js';
import { readObjects } from '#core/model/read-objects.js';
import { SERVICE_IMPORT_KIND } from '#core/model/service-import.js';
import type { ObjectStatus, RouteParentStatus } from '#core/status/types.js';
import type { HeldKey } from './context.js';
import { MAX_POLICY_ANCESTORS } from './gateway-api/backend-tls-status.js';
import { applyRouteChanges } from './gateway-api/route-changes.js';
import { RouteTranslationMemo } from './gateway-api/route-memo.js';
import { broughtService, serviceMoves } from './gateway-api/service-moves.js';
import type { Notice } from './notice.js';
import { type TranslateOptions, withDefaults } from './options.js';
import {
  compareNotices,
  invalidObjectNotice,
  statusId,
  type TranslateResult,
  translate,
} from './translate.js';

/** What the translation of one load-balancer key decides. */
export interface KeyTranslation {
  key: LbKey;
  lb: LoadBalancer | undefined;
  held: HeldKey | undefined;
  /**
   * The statuses this key decides: those that name it (a route's, with only the parent entries of
   * this key's Gateway and its ListenerSets), and its root object's when that names no key.
   */
  statuses: ObjectStatus[];
  notices: Notice[];
}

/** Kinds whose status no key decides: translated on their own (with the parameters they use). */
const CLASS_KINDS = new Set(['GatewayClass', 'IngressClass']);
const CLASS_INPUTS = new Set([...CLASS_KINDS, 'LoadBalancerParameters']);
/**
 * Kinds a key decides the status of: a notice about one belongs to the key that decides it. (Class
 * notices stay with every key that raises them: some, such as several default IngressClasses, are
 * only raised while translating what uses the class.)
 */
const STATUS_KINDS = new Set([
  'Gateway',
  'ListenerSet',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'Ingress',
  'Service',
]);
/** Kinds whose changes a Gateway key may apply to its last translation (#applyRouteChanges). */
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute']);

/** A key's changes that may be applied to its last translation (see #applyRouteChanges). */
interface KeyChanges {
  routes: RouteChange[];
  /** The Services whose objects (the Service, its EndpointSlices, its HealthCheckPolicies) changed. */
  services: ObjectRef[];
}

/** A change of a route, as stored: `before` from the graph, `after` as given (undefined: gone). */
interface RouteChange {
  id: string;
  ref: ObjectRef;
  before: unknown;
  after: unknown;
  /** Either version failed its schema. */
  rejected: boolean;
}

/** The sayer of class statuses in IncrementalTranslate's bookkeeping (no key contains a space). */
const CLASSES = 'classes (no key)';
/** Up to this many objects whose status is merged again, each is put in its place in the order. */
const FEW_DIRTY = 64;
/** Above this many changes at once (and a quarter of what is stored), every key is translated again. */
const BULK_CHANGES = 500;

/**
 * translate() kept up to date one change at a time: the objects live in a DependencyGraph, each
 * load-balancer key is translated from its own bundle (selectBundle), and a change translates again
 * only the keys affectedKeys finds for it. `result` is what translate() of all the objects gives
 * (test/property/incremental-translate.property.test.ts checks it after random sequences of
 * changes); notices are a set there (a notice several keys raise is listed once). Pure, in memory.
 */
export class IncrementalTranslate {
  readonly #options: TranslateOptions;
  readonly #cache: ReadCache;
  readonly #graph: DependencyGraph;
  readonly #keys = new Map<LbKey, KeyTranslation>();
  /** Per Gateway key whose route changes were applied to its last translation: what its routes bring (#countBrought). */
  readonly #brought = new Map<LbKey, Map<string, number>>();
  /** Per key, its routes' translations (kept while the key's other objects stay the same). */
  readonly #routeMemos = new Map<LbKey, RouteTranslationMemo>();
  #classes: { statuses: ObjectStatus[]; notices: Notice[] } = { statuses: [], notices: [] };
  /** InvalidObject notices by refId of the object that fails its schema. */
  readonly #invalid = new Map<string, Notice>();
  /** Notices of objects of a known kind that cannot be identified (no usable name). */
  #unidentified: Notice[] = [];
  #result: TranslateResult | undefined;
  /** Per object (statusId), the keys whose translation says its status (CLASSES for class statuses). */
  readonly #sayers = new Map<string, Set<LbKey>>();
  /** Per object, its status merged over the keys that say it. */
  readonly #merged = new Map<string, ObjectStatus>();
  /** Objects whose merged status must be computed again. */
  readonly #dirty = new Set<string>();
  /** The statusId of every object with a status, in translate()'s order... */
  #order: string[] = [];
  /** ...and their merged statuses, in the same order. */
  #ordered: ObjectStatus[] = [];

  constructor(options: Partial<TranslateOptions> = {}, cache: ReadCache = new ReadCache()) {
    this.#options = withDefaults(options);
    this.#cache = cache;
    this.#graph = new DependencyGraph(this.#options.cluster);
  }

  /** The objects as recorded so far (read-only). */
  get objects(): DependencyView {
    return this.#graph;
  }

  /**
   * Records changes (an add, update or delete of one object each; objects without an identity are
   * skipped: see `setUnidentified`) and translates again the keys they affect. Returns those keys,
   * sorted: every other key's load balancer, held state and statuses are as they were.
   */
  apply(changes: readonly ObjectChange[]): LbKey[] {
    if (changes.length === 0) return [];
    const bulk = changes.length > BULK_CHANGES && changes.length * 4 > this.#graph.size;
    const keys = new Set<LbKey>(bulk ? this.#keys.keys() : []);
    let classes = bulk;
    const cluster = this.#options.cluster;
    /** Per key, its route changes and changed Services (see #applyRouteChanges); keys with others are out. */
    const routeChanges = new Map<LbKey, KeyChanges | undefined>();
    for (const change of changes) {
      const r = refOf(change.new ?? change.old);
      if (!r) continue;
      const id = refId(r);
      const before = this.#graph.get(r);
      const route: RouteChange | undefined = ROUTE_KINDS.has(r.kind)
        ? { id, ref: r, before, after: change.new, rejected: this.#invalid.has(id) }
        : undefined;
      const services = route ? [] : servicesOf(r, [before, change.new]);
      if (!bulk) {
        for (const k of affectedKeys(change, this.#graph, cluster)) {
          keys.add(k);
          const own = routeChanges.has(k) ? routeChanges.get(k) : { routes: [], services: [] };
          if (own && route) own.routes.push(route);
          if (own && services) own.services.push(...services);
          routeChanges.set(k, services ? own : undefined);
        }
      }
      if (CLASS_INPUTS.has(r.kind) || (r.kind === 'Ingress' && usesDefaultClass(change))) classes = true;
      if (change.new === undefined) {
        this.#graph.remove(r.kind, r.namespace, r.name);
        this.#invalid.delete(id);
        continue;
      }
      this.#graph.upsert(change.new);
      const rejected = readObjects([change.new], this.#cache).rejected[0];
      if (rejected) this.#invalid.set(id, invalidObjectNotice(rejected));
      else this.#invalid.delete(id);
      if (route && rejected) route.rejected = true;
    }
    if (bulk) for (const k of this.#rootKeys()) keys.add(k);
    for (const key of keys) {
      const own = routeChanges.get(key);
      if (!own || !this.#applyRouteChanges(key, own.routes, own.services)) this.#translateKey(key);
    }
    if (classes) this.#translateClasses();
    this.#result = undefined;
    return [...keys].sort(compareStrings);
  }

  /** The objects of a known kind without a usable identity (translate reports them). */
  setUnidentified(objects: readonly unknown[]): boolean {
    const notices = readObjects(objects, this.#cache).rejected.map(invalidObjectNotice);
    if (JSON.stringify(notices) === JSON.stringify(this.#unidentified)) return false;
    this.#unidentified = notices;
    this.#result = undefined;
    return true;
  }

  /** Every key whose translation decides something, sorted. */
  keys(): LbKey[] {
    return [...this.#keys.keys()].sort(compareStrings);
  }

  /** One key's translation, or undefined when it decides nothing. */
  get(key: LbKey): KeyTranslation | undefined {
    return this.#keys.get(key);
  }

  /** What translate() of every recorded object gives. Computed once per batch of changes. */
  get result(): TranslateResult {
    this.#result ??= this.#merge();
    return this.#result;
  }

  /** Every key a root object (Gateway, Service of type LoadBalancer, Ingress) may give. */
  #rootKeys(): LbKey[] {
    const g = this.#graph;
    const cluster = this.#options.cluster;
    const keys: LbKey[] = [];
    for (const r of g.list('Gateway')) keys.push(lbKey(cluster, 'Gateway', r.namespace, r.name));
    for (const r of g.list('Service'))
      if (isLoadBalancerService(g.get(r))) keys.push(lbKey(cluster, 'Service', r.namespace, r.name));
    for (const r of g.list('Ingress')) keys.push(...ingressKeys(cluster, r, g.get(r)));
    return keys;
  }

  /**
   * A Gateway key whose changes are all of its HTTPRoutes and GRPCRoutes, and of `services` that are
   * not in its bundle before them: the changes applied to its last translation
   * (gateway-api/route-changes.ts), as long as nothing but Services comes into its bundle or leaves
   * it (gateway-api/service-moves.ts, which reads the Services as they are now). False when the key
   * must be translated from its bundle instead.
   */
  #applyRouteChanges(key: LbKey, changes: readonly RouteChange[], services: readonly ObjectRef[]): boolean {
    const memo = this.#routeMemos.get(key);
    const kept = memo?.gateway;
    const entry = this.#keys.get(key);
    const parsed = parseLbKey(key);
    if (!memo || !kept?.lb || entry?.lb !== kept.lb || parsed?.kind !== 'Gateway') return false;
    if (changes.some((c) => c.rejected) || new Set(changes.map((c) => c.id)).size !== changes.length)
      return false;
    const gateway = refId(ref('Gateway', parsed.namespace ?? 'default', parsed.name));
    const inKey = (edges: readonly Edge[]) =>
      edges.some((e) => e.type === 'parentRef' && refId(e.to) === gateway);
    const brought = this.#brought.get(key) ?? this.#countBrought(key, gateway, changes);
    if (!brought) return false;
    // A Service of the bundle that changed: its routes are translated again, from the bundle.
    if (services.some((s) => (brought.get(`${refId(s)}+`) ?? 0) > 0)) return false;
    const delta = new Map<string, number>();
    const removed: AnyRoute[] = [];
    const added: AnyRoute[] = [];
    for (const c of changes) {
      for (const [raw, by, list] of [
        [c.before, -1, removed],
        [c.after, 1, added],
      ] as const) {
        if (raw === undefined) continue;
        const edges = by > 0 ? this.#graph.references(c.ref) : referencesOf(raw);
        if (!inKey(edges)) continue;
        for (const b of broughtBy(c.ref, edges)) delta.set(b, (delta.get(b) ?? 0) + by);
        const { bundle } = readObjects([raw], this.#cache);
        list.push(...bundle.httpRoutes, ...bundle.grpcRoutes);
      }
    }
    // (None of them in the key, before or after: nothing to do.)
    if (removed.length === 0 && added.length === 0) return true;
    // An object a route brings that no other route brings would come into the bundle, or leave it:
    // a Service may (service-moves.ts), anything else is left to a translation of the bundle.
    const entering: ObjectRef[] = [];
    const leaving: ObjectRef[] = [];
    for (const [b, by] of delta) {
      const n = brought.get(b) ?? 0;
      if (n > 0 === n + by > 0) continue;
      const service = broughtService(b);
      if (!service) return false;
      (n > 0 ? leaving : entering).push(service);
    }
    const used = (b: string) => (brought.get(b) ?? 0) > 0 || (brought.get(b) ?? 0) + (delta.get(b) ?? 0) > 0;
    const moves =
      entering.length + leaving.length === 0
        ? undefined
        : serviceMoves(kept, memo, this.#graph, this.#cache, entering, leaving, (ns, name) =>
            used(`${refId(ref(SERVICE_IMPORT_KIND, ns, name))}+`),
          );
    if (entering.length + leaving.length > 0 && !moves) return false;
    moves?.enter();
    const result = applyRouteChanges(kept, memo, removed, added);
    if (!result) return false;
    moves?.leave();
    for (const [b, by] of delta) brought.set(b, (brought.get(b) ?? 0) + by);
    this.#brought.set(key, brought);
    const statuses = [...entry.statuses];
    for (const s of result.gone) {
      const i = statusIndex(statuses, statusId(s));
      if (statuses[i] === s) statuses.splice(i, 1);
    }
    for (const s of result.said) statuses.splice(statusIndex(statuses, statusId(s)), 0, s);
    this.#say(key, result.gone, result.said);
    this.#keys.set(key, { ...entry, lb: result.lb, statuses });
    return true;
  }

  /**
   * What the key's routes bring into its bundle (see broughtBy), counted as it was before these
   * changes; undefined when ListenerSets bring routes too.
   */
  #countBrought(
    key: LbKey,
    gateway: string,
    changes: readonly RouteChange[],
  ): Map<string, number> | undefined {
    const brought = new Map<string, number>();
    const count = (from: ObjectRef, edges: readonly Edge[], by: number) => {
      for (const b of broughtBy(from, edges)) brought.set(b, (brought.get(b) ?? 0) + by);
    };
    const parsed = parseLbKey(key)!;
    for (const x of this.#graph.referrers(ref('Gateway', parsed.namespace ?? 'default', parsed.name))) {
      if (!hasEdge(x, 'parentRef')) continue;
      if (x.from.kind === 'ListenerSet') return undefined;
      count(x.from, this.#graph.references(x.from), 1);
    }
    const inKey = (edges: readonly Edge[]) =>
      edges.some((e) => e.type === 'parentRef' && refId(e.to) === gateway);
    for (const c of changes) {
      const after = c.after === undefined ? [] : this.#graph.references(c.ref);
      if (inKey(after)) count(c.ref, after, -1);
      const before = c.before === undefined ? [] : referencesOf(c.before);
      if (inKey(before)) count(c.ref, before, 1);
    }
    return brought;
  }

  #translateKey(key: LbKey): void {
    this.#brought.delete(key);
    let memo = this.#routeMemos.get(key);
    if (!memo) {
      memo = new RouteTranslationMemo();
      this.#routeMemos.set(key, memo);
    }
    const r = translate(selectBundle(key, this.#graph), this.#options, this.#cache, memo, key);
    const lb = r.loadBalancers.find((l) => l.key === key);
    if (memo.gateway) memo.gateway.lb = lb;
    const held = r.held.find((h) => h.key === key);
    const statuses = r.statuses.filter((s) => this.#decides(key, s));
    // A bundle may hold objects another key decides (a Service used as a backend, an Ingress that
    // moved to a group): what is said about those here is not this key's to say. Schema failures
    // are kept per object (apply), class statuses apart (#translateClasses).
    // (Made only when a notice asks: a Gateway's key says a status per route.)
    let decided: Set<string> | undefined;
    const notices = r.notices.filter((n) => {
      if (n.code === 'InvalidObject') return false;
      if (!STATUS_KINDS.has(n.source.kind)) return true;
      // (A Service's notices here are its own key's, or what its use as a backend says: translate()
      // was asked for this key's load balancer alone.)
      if (n.source.kind === 'Service') return true;
      decided ??= new Set(statuses.map(statusId));
      return decided.has(statusId(n.source));
    });
    // A key that decides nothing (its root is gone, not Portico's, or moved to a group) says nothing.
    const entry = !lb && !held && statuses.length === 0 ? undefined : { key, lb, held, statuses, notices };
    this.#say(key, this.#keys.get(key)?.statuses ?? [], statuses);
    if (entry) this.#keys.set(key, entry);
    else {
      this.#keys.delete(key);
      this.#routeMemos.delete(key);
    }
  }

  /**
   * Records that `key` now says `now` instead of `before`: those objects' statuses are merged again.
   * A status said again as the same object (a route the translation kept) changes nothing.
   */
  #say(key: LbKey, before: readonly ObjectStatus[], now: readonly ObjectStatus[]): void {
    const kept = new Set(before);
    const still = new Set<ObjectStatus>();
    for (const s of now) if (kept.has(s)) still.add(s);
    for (const s of before) {
      if (still.has(s)) continue;
      const id = statusId(s);
      this.#sayers.get(id)?.delete(key);
      this.#dirty.add(id);
    }
    for (const s of now) {
      if (still.has(s)) continue;
      const id = statusId(s);
      const sayers = this.#sayers.get(id);
      if (sayers) sayers.add(key);
      else this.#sayers.set(id, new Set([key]));
      this.#dirty.add(id);
    }
  }

  /** Whether `key`'s translation decides this status (see KeyTranslation.statuses). */
  #decides(key: LbKey, s: ObjectStatus): boolean {
    if (CLASS_KINDS.has(s.kind)) return false;
    if (s.loadBalancers.length > 0) return s.loadBalancers.includes(key);
    // A root object left without a load balancer: its own key says so (an Ingress only ever is in
    // the bundles of its own key or its group's).
    if (s.kind === 'Ingress') {
      const kind = parseLbKey(key)?.kind;
      return kind === 'Ingress' || kind === 'IngressGroup';
    }
    return (
      (s.kind === 'Gateway' || s.kind === 'Service') &&
      lbKey(this.#options.cluster, s.kind, s.namespace, s.name) === key
    );
  }

  /** GatewayClass and IngressClass statuses: from the classes and the parameters they reference. */
  #translateClasses(): void {
    const g = this.#graph;
    const objects = new Map<string, unknown>();
    for (const kind of CLASS_KINDS) {
      for (const c of g.list(kind)) {
        objects.set(refId(c), g.get(c));
        for (const e of g.references(c)) {
          const target = g.get(e.to);
          if (e.type === 'parameters' && target !== undefined) objects.set(refId(e.to), target);
        }
      }
    }
    // Several default IngressClasses are reported only while an Ingress falls back on the default.
    for (const x of g.referrers(DEFAULT_INGRESS_CLASS_REF)) {
      const ingress = g.get(x.from);
      if (usesDefaultClass({ new: ingress }) && readObjects([ingress], this.#cache).rejected.length === 0) {
        objects.set(refId(x.from), ingress);
        break;
      }
    }
    const r = translate([...objects.values()], this.#options, this.#cache);
    const statuses = r.statuses.filter((s) => CLASS_KINDS.has(s.kind));
    this.#say(CLASSES, this.#classes.statuses, statuses);
    this.#classes = {
      statuses,
      // An IngressClass's unusable parameters are said by the keys of the Ingresses that use the
      // class: the Ingress taken here alone may belong to a group of another class, and not use it.
      notices: r.notices.filter(
        (n) =>
          CLASS_INPUTS.has(n.source.kind) &&
          n.code !== 'InvalidObject' &&
          !(n.source.kind === 'IngressClass' && n.code === 'InvalidParameters'),
      ),
    };
  }

  #merge(): TranslateResult {
    const keys = [...this.#keys.values()].sort((a, b) => compareStrings(a.key, b.key));
    const loadBalancers: LoadBalancer[] = [];
    const held: HeldKey[] = [];
    const notices = new Map<string, Notice>();
    const addNotices = (list: readonly Notice[]) => {
      for (const n of list) notices.set(JSON.stringify(n), n);
    };
    for (const k of keys) {
      if (k.lb) loadBalancers.push(k.lb);
      if (k.held) held.push(k.held);
      addNotices(k.notices);
    }
    addNotices(this.#classes.notices);
    addNotices([...this.#invalid.values()]);
    addNotices(this.#unidentified);
    return {
      // (Each key's load balancer is sorted as translate() sorts it: the same objects, in key order.)
      loadBalancers,
      statuses: this.#statuses(),
      notices: [...notices.values()].sort(compareNotices),
      held,
    };
  }

  /** Every status, merging again only the objects whose sayers changed. */
  #statuses(): ObjectStatus[] {
    // A few objects (a route changed): each goes to its place in the order; many: one sort.
    const few = this.#dirty.size <= FEW_DIRTY;
    for (const id of this.#dirty) {
      const sayers = this.#sayers.get(id);
      const list: ObjectStatus[] = [];
      for (const key of [...(sayers ?? [])].sort(compareStrings)) {
        const said = key === CLASSES ? this.#classes.statuses : (this.#keys.get(key)?.statuses ?? []);
        const i = statusIndex(said, id);
        if (i < said.length && statusId(said[i]!) === id) list.push(said[i]!);
      }
      const merged = list.length === 0 ? undefined : list.length === 1 ? list[0]! : this.#mergeStatuses(list);
      if (!merged) this.#sayers.delete(id);
      const had = this.#merged.has(id);
      if (merged) this.#merged.set(id, merged);
      else this.#merged.delete(id);
      if (!few) continue;
      // statusId is the very string translate() orders statuses by (compareStatuses).
      const at = lowerBound(this.#order, id);
      if (merged && had) this.#ordered[at] = merged;
      else if (merged) {
        this.#order.splice(at, 0, id);
        this.#ordered.splice(at, 0, merged);
      } else if (had) {
        this.#order.splice(at, 1);
        this.#ordered.splice(at, 1);
      }
    }
    if (!few) {
      this.#order = [...this.#merged.keys()].sort(compareStrings);
      this.#ordered = this.#order.map((id) => this.#merged.get(id)!);
    }
    this.#dirty.clear();
    return [...this.#ordered];
  }

  /**
   * One object's statuses from several keys: a route's parent entries together, in the order of its
   * parentRefs (as translate() lists them); any other object's are the same whichever key says them.
   */
  #mergeStatuses(list: readonly ObjectStatus[]): ObjectStatus {
    const first = list[0]!;
    if ('ancestors' in first.status) return mergeAncestors(list);
    if (!('parents' in first.status)) return first;
    const raw = this.#graph.get(routeRef(first)) as { spec?: { parentRefs?: unknown } } | undefined;
    const refs = Array.isArray(raw?.spec?.parentRefs) ? (raw.spec.parentRefs as unknown[]) : [];
    const used = new Set<number>();
    const indexed: [number, RouteParentStatus][] = [];
    for (const s of list) {
      if (!('parents' in s.status)) continue;
      for (const p of s.status.parents) {
        let i = refs.findIndex((x, j) => !used.has(j) && sameParentRef(x, p.parentRef));
        if (i >= 0) used.add(i);
        else i = refs.length;
        indexed.push([i, p]);
      }
    }
    indexed.sort((a, b) => a[0] - b[0]);
    const loadBalancers = [...new Set(list.flatMap((s) => s.loadBalancers))].sort(compareStrings);
    return { ...first, loadBalancers, status: { parents: indexed.map(([, p]) => p) } } as ObjectStatus;
  }
}

/**
 * A policy's statuses from several keys: its ancestor entries in the order translate() gives them
 * (by load-balancer key; each key's translation says only its own Gateway's entry), at most 16.
 */
function mergeAncestors(list: readonly ObjectStatus[]): ObjectStatus {
  const byKey = [...list].sort((a, b) => compareStrings(a.loadBalancers[0] ?? '', b.loadBalancers[0] ?? ''));
  const ancestors = byKey.flatMap((s) => ('ancestors' in s.status ? s.status.ancestors : []));
  const loadBalancers = [...new Set(list.flatMap((s) => s.loadBalancers))].sort(compareStrings);
  return {
    ...list[0]!,
    loadBalancers,
    status: { ancestors: ancestors.slice(0, MAX_POLICY_ANCESTORS) },
  } as ObjectStatus;
}

/**
 * The Services a change of this object is a change of (a Service, its EndpointSlices, or its
 * HealthCheckPolicies: `versions` are the object before and after), [] for a route, undefined for
 * anything else.
 */
function servicesOf(r: ObjectRef, versions: readonly unknown[]): ObjectRef[] | undefined {
  if (r.kind === 'Service') return [r];
  if (r.kind !== 'EndpointSlice' && r.kind !== 'HealthCheckPolicy') return undefined;
  const services: ObjectRef[] = [];
  for (const v of versions) {
    if (v === undefined) continue;
    for (const e of referencesOf(v)) {
      if (e.type === 'endpointSliceOf' || e.type === 'policyTarget') services.push(e.to);
      else if (e.type === 'importedSliceOf') return undefined;
    }
  }
  return services;
}

/** Whether a version of an Ingress would fall back on the default IngressClass (no class named). */
function usesDefaultClass(change: ObjectChange): boolean {
  return [change.old, change.new].some((v) => {
    const o = v as
      | { metadata?: { annotations?: Record<string, unknown> }; spec?: { ingressClassName?: unknown } }
      | undefined;
    if (!o || o.spec?.ingressClassName !== undefined) return false;
    const legacy = o.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
    return typeof legacy !== 'string' || legacy.trim() === '';
  });
}

function routeRef(s: ObjectStatus): ObjectRef {
  return ref(s.kind, s.namespace ?? 'default', s.name);
}

const PARENT_REF_FIELDS = ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'] as const;

function sameParentRef(raw: unknown, parsed: Record<string, unknown>): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return PARENT_REF_FIELDS.every((f) => r[f] === parsed[f]);
}

/** The first position in statuses sorted by statusId whose id is not before `id` (the first of that id). */
function statusIndex(list: readonly ObjectStatus[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (statusId(list[mid]!) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position in sorted strings not before `s`. */
function lowerBound(sorted: readonly string[], s: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
