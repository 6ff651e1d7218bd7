// What translating one route gave last time, so that a change of one route of a Gateway with 3,000
// routes translates one route, not 3,000. A route's translation reads the route and the objects of
// its bundle that are not routes, never another route. Of those, most (Gateways, ListenerSets,
// classes, parameters, Secrets, ConfigMaps, Namespaces...) can matter to any route: a change of one
// drops every entry. The others belong to one backend (a Service or ServiceImport with its
// EndpointSlices, the Pods it selects and the policies that target it; a StorageBucket): a change of
// one drops only the entries of the routes that use that backend, so an endpoint change translates
// again the routes of that Service, not every route of the Gateway. A ReferenceGrant is read by the
// routes with a backend in its namespace from another one (`grants/<namespace>`, a backend of its
// own here), unless a Gateway or ListenerSet of the bundle refers into its namespace too.
// Entries are keyed by the route object (objects are replaced on change, never edited). Owned by
// the caller (IncrementalTranslate keeps one per load-balancer key): no globals.

import { isDeepStrictEqual } from 'node:util';
import { ref, refId } from '#core/index/object-ref.js';
import { serviceSelectsPod } from '#core/index/pod-selection.js';
import { referencesOf } from '#core/index/references.js';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import type { Bundle } from '#core/model/bundle.js';
import { SERVICE_NAME_LABEL } from '#core/model/endpoint-slice.js';
import type { AnyRoute, ParentReference } from '#core/model/gateway-api.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import { MCS_SERVICE_NAME_LABEL, SERVICE_IMPORT_KIND } from '#core/model/service-import.js';
import { STORAGE_BUCKET_KIND } from '#core/model/storage-bucket.js';
import type { ObjectStatus, StatusCondition } from '#core/status/types.js';
import type { PoolUse } from '../backend/service-pool.js';
import type { TranslateContext } from '../context.js';
import type { Notice } from '../notice.js';
import type { RankedRoute } from '../precedence.js';
import type { GatewayState, ListenerSetParent } from './attach.js';
import type { LbBuilder } from './lb-builder.js';
import type { RulesResult } from './rules.js';

/** One parentRef of a route as attachRoute resolved it, with its Gateway and listeners by position. */
export interface MemoParent {
  parentRef: ParentReference;
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** Indexes into the Gateway's listeners, with the effective hostnames on each. */
  attachments: { listener: number; hostnames: (string | undefined)[] }[];
  accepted: StatusCondition;
}

export interface MemoRules {
  rules: RulesResult;
  /** What translating the rules said (health-check notices), said again on reuse. */
  notices: Notice[];
}

export interface RouteTranslation {
  parents: MemoParent[];
  /** The rules per way the backends are spoken to. */
  rules: Map<PoolUse, MemoRules>;
  /** The route's status, once said (never edited: a change makes a new one). */
  status?: ObjectStatus;
  /** The IR routes placed on each listener the route attaches to, in order: reused as the same objects. */
  placed: RankedRoute[][];
  /** The IR listener (id) of each of `placed`. */
  placedOn: string[];
}

/** The bundle fields of routes: not inputs of a route's translation. */
const ROUTE_FIELDS = new Set(['httpRoutes', 'grpcRoutes', 'tlsRoutes', 'tcpRoutes', 'udpRoutes']);

interface Entry {
  translation: RouteTranslation;
  /** The backends the route uses (refIds), with their version when it was translated. */
  backends: [string, number][];
}

/**
 * The last translation of a bundle of one Gateway of Portico's with a load balancer, kept so that a
 * change of its routes alone is applied to it (route-changes.ts) instead of translating every route.
 */
export interface KeptGateway {
  /** The translation's context: its bundle's other objects are those a route change keeps. */
  ctx: TranslateContext;
  gateways: ReadonlyMap<string, GatewayState>;
  setParents: ReadonlyMap<string, ListenerSetParent>;
  builder: LbBuilder;
  gatewayStatus: ObjectStatus;
  /** The load balancer as translate() gives it (sorted): set by the caller. */
  lb?: LoadBalancer;
  /** How many of its IR routes use each pool and bucket: counted when first needed. */
  uses?: { pools: Map<string, number>; buckets: Map<string, number> };
}

export class RouteTranslationMemo {
  /** Set by each translation of a bundle with one Gateway (see KeptGateway), else undefined. */
  gateway: KeptGateway | undefined;

  /** The non-route objects of the last translation (rejected ones included), with their bundle field. */
  #inputs = new Map<unknown, string>();
  #entries = new WeakMap<AnyRoute, Entry>();
  /** Per route name, its translation in this translation (and the route changes since)... */
  #named = new Map<string, RouteTranslation>();
  /** ...and in the one before: see previous. */
  #lastNamed = new Map<string, RouteTranslation>();
  /** Per backend (refId), bumped whenever one of its objects changes. */
  #versions = new Map<string, number>();

  /**
   * Starts a translation of this bundle: the entries of routes none of whose inputs changed since
   * the last one are kept (see the comment at the top).
   */
  begin(bundle: Bundle, rejected: readonly RejectedObject[]): void {
    const inputs = new Map<unknown, string>();
    for (const [field, objects] of Object.entries(bundle))
      if (!ROUTE_FIELDS.has(field)) for (const o of objects as unknown[]) inputs.set(o, field);
    for (const r of rejected) inputs.set(r.raw, 'rejected');
    const changed: [unknown, string][] = [];
    for (const [o, field] of inputs) if (!this.#inputs.has(o)) changed.push([o, field]);
    // (The same count and nothing new: the very same objects.)
    if (changed.length > 0 || inputs.size !== this.#inputs.size)
      for (const [o, field] of this.#inputs) if (!inputs.has(o)) changed.push([o, field]);
    this.#inputs = inputs;
    this.#lastNamed = this.#named;
    this.#named = new Map();
    for (const [o, field] of changed) {
      const backends = backendsOf(field, o, bundle);
      if (!backends) {
        this.#entries = new WeakMap();
        this.#versions.clear();
        return;
      }
      for (const b of backends) this.#versions.set(b, (this.#versions.get(b) ?? 0) + 1);
    }
  }

  /**
   * Objects that came into the bundle or left it since its last translation (service-moves.ts),
   * with the backends they belong to: the entries of the routes using those are dropped.
   */
  moveInputs(
    entered: readonly (readonly [unknown, string])[],
    left: readonly unknown[],
    backends: readonly string[],
  ): void {
    for (const [o, field] of entered) this.#inputs.set(o, field);
    for (const o of left) this.#inputs.delete(o);
    for (const b of backends) this.#versions.set(b, (this.#versions.get(b) ?? 0) + 1);
  }

  get(route: AnyRoute): RouteTranslation | undefined {
    const entry = this.#entries.get(route);
    if (!entry) return undefined;
    for (const [b, version] of entry.backends) if ((this.#versions.get(b) ?? 0) !== version) return undefined;
    this.#named.set(nameOf(route), entry.translation);
    return entry.translation;
  }

  /**
   * The last translation of a route of this name (this object or an older version of it), even
   * when get says undefined: what is translated anew reuses its IR routes, pools and status where
   * they come out equal, so that what did not change stays the same objects (the HAProxy render
   * keys its work on them).
   */
  previous(route: AnyRoute): RouteTranslation | undefined {
    const name = nameOf(route);
    return this.#named.get(name) ?? this.#lastNamed.get(name);
  }

  set(route: AnyRoute, translation: RouteTranslation): void {
    const backends: [string, number][] = [];
    const version = (b: string) => this.#versions.get(b) ?? 0;
    const ns = route.metadata.namespace;
    for (const e of referencesOf(route)) {
      if (e.type !== 'backendRef') continue;
      backends.push([refId(e.to), version(refId(e.to))]);
      if (e.to.namespace !== ns)
        backends.push([grantsOf(e.to.namespace!), version(grantsOf(e.to.namespace!))]);
    }
    this.#entries.set(route, { translation, backends });
    this.#named.set(nameOf(route), translation);
  }
}

/** The memo's pseudo-backend of a namespace's ReferenceGrants. */
function grantsOf(namespace: string): string {
  return `grants/${namespace}`;
}

function nameOf(route: AnyRoute): string {
  return `${route.kind}/${route.metadata.namespace}/${route.metadata.name}`;
}

/** `made`, or `previous` when it is equal (the same content kept as the same object). */
export function equalOrPrevious<T>(made: T, previous: T | undefined): T {
  return previous !== undefined && (previous === made || isDeepStrictEqual(previous, made)) ? previous : made;
}

/** Each of `made` (objects with an id) replaced in place by the one of `previous` with its id when equal. */
export function keepEqualById<T extends { id: string }>(made: T[], previous: readonly T[] | undefined): void {
  if (!previous || previous.length === 0) return;
  // (A route's few pools: a search; a load balancer's: by id.)
  const byId = previous.length > 8 ? new Map(previous.map((p) => [p.id, p])) : undefined;
  for (let i = 0; i < made.length; i++) {
    const id = made[i]!.id;
    made[i] = equalOrPrevious(made[i]!, byId ? byId.get(id) : previous.find((p) => p.id === id));
  }
}

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

/**
 * The backends (refIds) an object of this bundle field belongs to: only the routes using them read
 * it. Undefined when any route may read it.
 */
function backendsOf(field: string, o: unknown, bundle: Bundle): string[] | undefined {
  const meta = (o as { metadata: Meta }).metadata;
  const ns = meta.namespace ?? 'default';
  const id = (kind: string, name: string) => refId(ref(kind, ns, name));
  switch (field) {
    case 'services':
      return [id('Service', meta.name)];
    case 'serviceImports':
      return [id(SERVICE_IMPORT_KIND, meta.name)];
    case 'storageBuckets':
      return [id(STORAGE_BUCKET_KIND, meta.name)];
    case 'endpointSlices': {
      const service = meta.labels?.[SERVICE_NAME_LABEL];
      const imported = meta.labels?.[MCS_SERVICE_NAME_LABEL];
      return [
        ...(service ? [id('Service', service)] : []),
        ...(imported ? [id(SERVICE_IMPORT_KIND, imported)] : []),
      ];
    }
    case 'healthCheckPolicies':
    case 'backendTlsPolicies': {
      // Policies are matched to backends by name (and namespace): either kind may be meant.
      const targets = (o as { spec: { targetRefs: { name: string }[] } }).spec.targetRefs;
      return targets.flatMap((t) => [id('Service', t.name), id(SERVICE_IMPORT_KIND, t.name)]);
    }
    case 'referenceGrants':
      // Read by the routes with a backend in its namespace, and by the Gateway's and ListenerSets'
      // references into it (listeners, and through them every route).
      for (const from of [...bundle.gateways, ...bundle.listenerSets]) {
        const own = from.metadata.namespace ?? 'default';
        if (referencesOf(from).some((e) => e.to.namespace === ns && own !== ns)) return undefined;
      }
      return [grantsOf(ns)];
    case 'pods':
      // A Pod is read (its readiness probe) through the Services of its namespace that select it.
      return bundle.services
        .filter((s) => (s.metadata.namespace ?? 'default') === ns && serviceSelectsPod(s, o))
        .map((s) => id('Service', s.metadata.name));
    default:
      return undefined;
  }
}
