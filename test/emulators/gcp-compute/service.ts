// The stateful Compute API behind the emulator's HTTP server: resources per project and scope, their
// lifecycle through long-running operations, references between them, fingerprints, in-use deletes,
// quotas, NEG endpoints and list pages. `handle` serves one routed call and returns the JSON answer.

import { randomBytes } from 'node:crypto';
import { patternRegExp } from '../fault-patterns.js';
import { EndpointHealth, type HealthMode } from './endpoint-health.js';
import {
  alreadyExists,
  ComputeApiError,
  inUse,
  invalid,
  notFound,
  notReady,
  quotaExceeded,
  required,
  staleFingerprint,
} from './errors.js';
import type { FaultInjector, MethodPattern } from './faults.js';
import { checkName, str } from './fields.js';
import type { KindContext } from './kind.js';
import { KINDS } from './kinds/index.js';
import {
  type ComputeLimits,
  type ComputeQuotas,
  DEFAULT_LIMITS,
  DEFAULT_QUOTA,
  QUOTA_METRICS,
} from './limits.js';
import { listFilter } from './list-filter.js';
import type { LocationService } from './locations.js';
import { EndpointSets, parseEndpoints } from './network-endpoints.js';
import { OperationStore } from './operations.js';
import { page } from './pagination.js';
import {
  parseReference,
  type ResourceRef,
  refPath,
  regionOfZone,
  SELF_LINK_BASE,
  sameScope,
  scopeLink,
  selfLink,
} from './references.js';
import { type Route, type Scope, scopePath } from './routes.js';
import { type Json, ResourceStore, type StoredResource } from './store.js';

export interface ServiceOptions {
  limits?: Partial<ComputeLimits>;
  /** Resources per collection (`urlMaps`, `backendServices`, ...) and scope; default 1000 each. */
  quotas?: ComputeQuotas;
  /** How long an operation takes to reach DONE (default 10 ms, so a first answer is never DONE). */
  operationDelayMs?: number;
  /** Per-method operation delays; the first matching one wins. */
  operationDelays?: { pattern: MethodPattern; ms: number }[];
  /** How long `operations.wait` blocks before answering with a running operation (GCP: ~2 minutes). */
  waitTimeoutMs?: number;
  /**
   * How health checks see NEG endpoints (endpoint-health.ts): `instant` (default) every attached one
   * HEALTHY; `simulated` probes on `now`'s clock (UNKNOWN → HEALTHY after the health check's
   * healthyThreshold, UNHEALTHY on `failHealthChecks`, DRAINING for connection draining).
   */
  healthChecks?: HealthMode;
  now?: () => number;
}

/** Output-only fields: ignored in request bodies, set by the emulator. */
const OUTPUT_FIELDS = [
  'kind',
  'id',
  'creationTimestamp',
  'selfLink',
  'region',
  'zone',
  'size',
  'status',
  'users',
  'labelFingerprint',
  'expireTime',
  'subjectAlternativeNames',
  'usedBy',
];

export class ComputeService {
  readonly store = new ResourceStore();
  readonly operations: OperationStore;
  readonly endpoints = new EndpointSets();
  readonly health: EndpointHealth;
  readonly limits: ComputeLimits;
  /** The trust configs and TLS policies backend services and target proxies refer to (server.ts sets it). */
  locations: LocationService | undefined;
  private readonly now: () => number;
  private nextId = 4_000_000_000_000_000_000n + BigInt(randomBytes(2).readUInt16BE());
  private nextIp = 1;
  /** Whether Network Services holds this policy (`projects/p/locations/l/serviceLbPolicies/n`); set by the server. */
  serviceLbPolicyExists: (policy: string) => boolean = () => false;

  constructor(
    private readonly opts: ServiceOptions,
    private readonly faults: FaultInjector,
    private readonly onOperation: () => void,
  ) {
    this.now = opts.now ?? Date.now;
    this.operations = new OperationStore(this.now);
    this.health = new EndpointHealth(opts.healthChecks ?? 'instant', this.now);
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  reset(): void {
    this.store.clear();
    this.operations.clear();
    this.endpoints.clear();
    this.health.clear();
  }

  /** The self link of a backend service that names this Network Services policy, if any. */
  serviceLbPolicyUser(policy: string): string | undefined {
    const project = policy.split('/')[1] ?? '';
    const user = this.store
      .inProject(project)
      .find(
        (e) =>
          e.ref.collection === 'backendServices' &&
          typeof e.value.serviceLbPolicy === 'string' &&
          e.value.serviceLbPolicy.endsWith(`/${policy}`),
      );
    return user?.value.selfLink as string | undefined;
  }

  /** Test hook (`simulated` health): probes of `ipAddress` (on `port`, or any port) fail from now on. */
  failHealthChecks(ipAddress: string, opts: { port?: number } = {}): void {
    this.health.checks.fail(ipAddress, this.now(), opts);
  }

  /** Test hook (`simulated` health): probes of `ipAddress` pass again from now on. */
  passHealthChecks(ipAddress: string, port?: number): void {
    this.health.checks.pass(ipAddress, this.now(), port);
  }

  async handle(route: Route, body: Json, query: URLSearchParams): Promise<Json> {
    this.operations.settle();
    if (route.collection === 'operations') return this.operation(route);
    const kind = KINDS[route.collection]!;
    const { action } = route;
    if (!['get', 'list', 'aggregatedList', 'insert', 'delete', ...kind.methods].includes(action))
      throw new ComputeApiError(501, 'notImplemented', `The emulator does not implement ${route.method}`);
    if (action === 'list') return this.list(route, query);
    if (action === 'aggregatedList') return this.aggregatedList(route, query);
    if (action === 'insert') return this.insert(route, body);
    const ref = this.refOf(route, route.name!);
    const entry = this.store.get(ref);
    if (!entry) throw notFound(refPath(ref));
    switch (action) {
      case 'get':
        return this.view(entry);
      case 'delete':
        return this.remove(route, entry);
      case 'update':
        return this.update(route, entry, body, body);
      case 'patch':
        return this.update(route, entry, mergePatch(entry.value, body), body);
      case 'setUrlMap':
        return this.update(route, entry, { ...entry.value, urlMap: body.urlMap }, undefined);
      case 'setSslCertificates':
        return this.update(
          route,
          entry,
          { ...entry.value, sslCertificates: body.sslCertificates },
          undefined,
        );
      case 'setCertificateMap': {
        const { sslCertificates: _drop, ...rest } = entry.value;
        return this.update(route, entry, { ...rest, certificateMap: body.certificateMap }, undefined);
      }
      case 'setTarget':
        return this.update(route, entry, { ...entry.value, target: body.target }, undefined);
      case 'setLabels':
        // Labels carry their own fingerprint: a stale one is the same 412 as a stale resource fingerprint.
        this.ready(entry);
        if (body.labelFingerprint !== entry.value.labelFingerprint) throw staleFingerprint();
        return this.update(route, entry, { ...entry.value, labels: body.labels ?? {} }, undefined);
      case 'setSecurityPolicy':
        return this.setSecurityPolicy(route, entry, body);
      case 'attachNetworkEndpoints':
      case 'detachNetworkEndpoints':
        return this.changeEndpoints(route, entry, body);
      case 'getHealth':
        return this.getHealth(route, entry, body);
      default:
        return this.listEndpoints(entry, body, query);
    }
  }

  /** The resource as the API returns it now (derived fields included). */
  view(entry: StoredResource): Json {
    const v = structuredClone(entry.value);
    if (entry.ref.collection === 'networkEndpointGroups')
      v.size = this.endpoints.of(v.selfLink as string).size;
    if (entry.ref.collection === 'addresses') {
      const users = this.addressUsers(entry).map((u) => u.value.selfLink);
      v.status = users.length > 0 ? 'IN_USE' : 'RESERVED';
      if (users.length > 0) v.users = users;
    }
    return v;
  }

  // --- reads -------------------------------------------------------------------------------------------

  private list(route: Route, query: URLSearchParams): Json {
    const filter = listFilter(query.get('filter'));
    const all = this.store
      .list(route.project, route.scope, route.collection)
      .map((e) => this.view(e))
      .filter((v) => filter?.(v) ?? true);
    const listId = `projects/${route.project}/${scopePath(route.scope)}/${route.collection}`;
    const p = page(all, listId, query, this.limits.maxResults);
    return {
      kind: `${KINDS[route.collection]!.kind}List`,
      id: listId,
      items: p.items,
      selfLink: `${scopeLink(route.project, route.scope)}/${route.collection}`,
      ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    };
  }

  /** Every scope's resources of a collection, grouped by scope (`global`, `regions/r`, `zones/z`), in pages. */
  private aggregatedList(route: Route, query: URLSearchParams): Json {
    const filter = listFilter(query.get('filter'));
    // forwardingRules and addresses have separate global services: their aggregated lists are regional.
    const regionalOnly = route.collection === 'forwardingRules' || route.collection === 'addresses';
    const entries = this.store
      .inProject(route.project)
      .filter(
        (e) => e.ref.collection === route.collection && !(regionalOnly && e.ref.scope.kind === 'global'),
      )
      .map((e) => ({ scope: scopePath(e.ref.scope), value: this.view(e) }))
      .filter((e) => filter?.(e.value) ?? true)
      .sort((a, b) => (a.scope + a.value.name < b.scope + b.value.name ? -1 : 1));
    const listId = `projects/${route.project}/aggregated/${route.collection}`;
    const p = page(entries, listId, query, this.limits.maxResults);
    const items: Record<string, Json> = {};
    for (const e of p.items) {
      items[e.scope] ??= { [route.collection]: [] };
      (items[e.scope]![route.collection] as Json[]).push(e.value);
    }
    return {
      kind: `${KINDS[route.collection]!.kind}AggregatedList`,
      id: listId,
      items,
      selfLink: `${SELF_LINK_BASE}${listId}`,
      ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    };
  }

  private async operation(route: Route): Promise<Json> {
    const rec = route.name ? this.operations.get(route.project, route.scope, route.name) : undefined;
    if (!rec)
      throw notFound(`projects/${route.project}/${scopePath(route.scope)}/operations/${route.name ?? ''}`);
    if (route.action === 'wait') {
      await this.operations.wait(rec, this.opts.waitTimeoutMs ?? 120_000);
      this.operations.settle();
    } else if (route.action !== 'get')
      throw new ComputeApiError(501, 'notImplemented', `The emulator does not implement ${route.method}`);
    return this.operations.view(rec);
  }

  private listEndpoints(neg: StoredResource, body: Json, query: URLSearchParams): Json {
    const showHealth = body.healthStatus === 'SHOW';
    const link = neg.value.selfLink as string;
    const attached = [...this.endpoints.of(link).values()];
    const services = showHealth ? this.users(neg).filter((u) => u.ref.collection === 'backendServices') : [];
    const states = services.map((u) => this.health.of(u.value, link, attached, this.checkOf(u)));
    const items = attached.map((e, i) => ({
      networkEndpoint: { ...e, annotations: {} },
      ...(showHealth
        ? {
            healths: services.map((u, s) => ({
              backendService: { backendService: u.value.selfLink },
              healthCheck: { healthCheck: (u.value.healthChecks as string[])[0] },
              healthState: states[s]![i]!.healthState,
            })),
          }
        : {}),
    }));
    const p = page(items, `${neg.value.selfLink}/endpoints`, query, this.limits.maxResults);
    return {
      kind: 'compute#networkEndpointGroupsListNetworkEndpoints',
      id: refPath(neg.ref),
      items: p.items,
      ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    };
  }

  /**
   * backendServices.getHealth: how the service's health check sees the endpoints of one of its NEG
   * backends (those draining after a detach included). A group that is not a backend is an error.
   */
  private getHealth(route: Route, service: StoredResource, body: Json): Json {
    if (body.group === undefined || body.group === null || body.group === '') throw required('group');
    const neg = this.resolve(route, 'group', body.group, ['networkEndpointGroups']);
    const link = neg.value.selfLink as string;
    const backends = (service.value.backends as Json[] | undefined) ?? [];
    if (!backends.some((b) => b.group === link))
      throw invalid('group', `'${link}' is not a backend of ${refPath(service.ref)}`);
    const attached = [...this.endpoints.of(link).values()];
    const healthStatus = this.health.of(service.value, link, attached, this.checkOf(service)).map((h) => ({
      ...(h.endpoint.ipAddress !== undefined ? { ipAddress: h.endpoint.ipAddress } : {}),
      ...(h.endpoint.ipv6Address !== undefined ? { ipv6Address: h.endpoint.ipv6Address } : {}),
      ...(h.endpoint.port !== undefined ? { port: h.endpoint.port } : {}),
      ...(h.endpoint.instance !== undefined
        ? { instance: `${scopeLink(route.project, neg.ref.scope)}/instances/${h.endpoint.instance}` }
        : {}),
      healthState: h.healthState,
    }));
    return {
      kind: 'compute#backendServiceGroupHealth',
      ...(healthStatus.length > 0 ? { healthStatus } : {}),
    };
  }

  /** A backend service's health check, as stored. */
  private checkOf(service: StoredResource): Json | undefined {
    const link = (service.value.healthChecks as string[] | undefined)?.[0];
    const ref = link !== undefined ? parseReference(link, service.ref.project) : undefined;
    return ref ? this.store.get(ref)?.value : undefined;
  }

  // --- mutations ---------------------------------------------------------------------------------------

  private insert(route: Route, body: Json): Json {
    const name = checkName('resource.name', body.name);
    const ref = this.refOf(route, name);
    if (this.store.get(ref)) throw alreadyExists(refPath(ref));
    const quota = this.opts.quotas?.[route.collection] ?? DEFAULT_QUOTA;
    if (this.store.list(route.project, route.scope, route.collection).length >= quota)
      throw quotaExceeded(
        QUOTA_METRICS[route.collection] ?? route.collection,
        quota,
        route.scope.kind === 'global' ? 'globally' : `in ${route.scope.kind} ${route.scope.name}`,
      );
    const kind = KINDS[route.collection]!;
    const value = this.decorate(ref, kind.prepare(stripOutputs(body), this.context(route)), {
      id: String(this.nextId++),
      creationTimestamp: new Date(this.now()).toISOString(),
    });
    const entry: StoredResource = { ref, value, state: 'creating' };
    this.store.put(entry);
    this.noteBackends(entry);
    return this.startOperation(route, entry, 'insert', {
      commit: () => {
        entry.state = 'ready';
      },
      rollback: () => this.store.delete(ref),
    });
  }

  /** `request`: the body that must carry the current fingerprint (update, patch); set* methods carry none. */
  private update(route: Route, entry: StoredResource, body: Json, request: Json | undefined): Json {
    const kind = KINDS[route.collection]!;
    this.ready(entry);
    if (request && kind.fingerprinted) {
      if (request.fingerprint === undefined || request.fingerprint === '')
        throw required('resource.fingerprint');
      if (request.fingerprint !== entry.value.fingerprint) throw staleFingerprint();
    }
    if (body.name !== undefined && body.name !== entry.ref.name)
      throw invalid('resource.name', `a resource cannot be renamed ('${String(body.name)}')`);
    const ctx = { ...this.context(route), current: entry };
    const value = this.decorate(
      entry.ref,
      kind.prepare(stripOutputs({ ...body, name: entry.ref.name }), ctx),
      {
        id: entry.value.id as string,
        creationTimestamp: entry.value.creationTimestamp as string,
      },
    );
    const before = entry.value;
    entry.value = value;
    entry.state = 'updating';
    this.noteBackends(entry);
    return this.startOperation(route, entry, route.action, {
      commit: () => {
        entry.state = 'ready';
      },
      rollback: () => {
        entry.value = before;
        entry.state = 'ready';
      },
    });
  }

  private remove(route: Route, entry: StoredResource): Json {
    this.ready(entry);
    const user = this.users(entry)[0];
    if (user) throw inUse(KINDS[route.collection]!.noun, refPath(entry.ref), refPath(user.ref));
    entry.state = 'deleting';
    return this.startOperation(route, entry, 'delete', {
      commit: () => {
        this.store.delete(entry.ref);
        this.endpoints.drop(entry.value.selfLink as string);
        this.health.forget(entry.value.selfLink as string);
      },
      rollback: () => {
        entry.state = 'ready';
      },
    });
  }

  /** Output only on the resource in v1: set here, kept by updates (kinds/backend-service.ts). */
  private setSecurityPolicy(route: Route, entry: StoredResource, body: Json): Json {
    this.ready(entry);
    // An empty reference detaches the policy.
    const policy =
      body.securityPolicy === undefined || body.securityPolicy === null || body.securityPolicy === ''
        ? undefined
        : this.context(route).externalRef('securityPolicy', body.securityPolicy, 'securityPolicies');
    const before = entry.value.securityPolicy;
    const { securityPolicy: _old, ...rest } = entry.value;
    entry.value = policy !== undefined ? { ...rest, securityPolicy: policy } : rest;
    entry.state = 'updating';
    return this.startOperation(route, entry, 'setSecurityPolicy', {
      commit: () => {
        entry.state = 'ready';
      },
      rollback: () => {
        entry.value = { ...entry.value, securityPolicy: before };
        entry.state = 'ready';
      },
    });
  }

  private changeEndpoints(route: Route, neg: StoredResource, body: Json): Json {
    if (neg.state === 'creating' || neg.state === 'deleting') throw notReady(refPath(neg.ref));
    const endpoints = parseEndpoints(body, neg.value, this.limits);
    const link = neg.value.selfLink as string;
    const attach = route.action === 'attachNetworkEndpoints';
    const undo = attach
      ? this.endpoints.attach(link, endpoints, this.limits)
      : this.endpoints.detach(link, endpoints);
    if (attach) this.health.attached(link, endpoints);
    else this.health.detached(link, endpoints);
    return this.startOperation(route, neg, route.action, { rollback: undo });
  }

  private startOperation(
    route: Route,
    entry: StoredResource,
    operationType: string,
    effects: { commit?: () => void; rollback?: () => void },
  ): Json {
    this.onOperation();
    const delay = this.opts.operationDelays?.find((d) => patternRegExp(d.pattern).test(route.method))?.ms;
    const failure = this.faults.operationFailure(route.method);
    const rec = this.operations.start({
      project: route.project,
      scope: route.scope,
      operationType,
      targetLink: entry.value.selfLink as string,
      targetId: entry.value.id as string,
      delayMs: delay ?? this.opts.operationDelayMs ?? 10,
      ...(failure ? { failure } : {}),
      ...effects,
    });
    return this.operations.view(rec);
  }

  // --- helpers -----------------------------------------------------------------------------------------

  /** A backend service's NEG backends, for the health model: probes of a new backend start now. */
  private noteBackends(entry: StoredResource): void {
    if (entry.ref.collection !== 'backendServices') return;
    const groups = ((entry.value.backends as Json[] | undefined) ?? []).map((b) => String(b.group));
    this.health.backends(entry.value.selfLink as string, groups);
  }

  private ready(entry: StoredResource): void {
    if (entry.state !== 'ready') throw notReady(refPath(entry.ref));
  }

  /** Resources that reference this one (an address: forwarding rules holding its IP). */
  private users(entry: StoredResource): StoredResource[] {
    if (entry.ref.collection === 'addresses') return this.addressUsers(entry);
    const needle = JSON.stringify(entry.value.selfLink);
    return this.store
      .inProject(entry.ref.project)
      .filter((e) => e !== entry && e.state !== 'deleting' && JSON.stringify(e.value).includes(needle));
  }

  private addressUsers(entry: StoredResource): StoredResource[] {
    return this.store
      .list(entry.ref.project, entry.ref.scope, 'forwardingRules')
      .filter((fr) => fr.value.IPAddress === entry.value.address);
  }

  private refOf(route: Route, name: string): ResourceRef {
    return { project: route.project, scope: route.scope, collection: route.collection, name };
  }

  private decorate(ref: ResourceRef, prepared: Json, keep: { id: string; creationTimestamp: string }): Json {
    str('resource.description', prepared.description, { max: 2048 });
    const kind = KINDS[ref.collection]!;
    const value: Json = {
      ...prepared,
      kind: kind.kind,
      id: keep.id,
      creationTimestamp: keep.creationTimestamp,
      name: ref.name,
      selfLink: selfLink(ref),
    };
    if (ref.scope.kind === 'region') value.region = scopeLink(ref.project, ref.scope);
    if (ref.scope.kind === 'zone') value.zone = scopeLink(ref.project, ref.scope);
    if (kind.fingerprinted) value.fingerprint = randomBytes(8).toString('base64');
    else delete value.fingerprint;
    return value;
  }

  private context(route: Route): KindContext {
    return {
      project: route.project,
      scope: route.scope,
      limits: this.limits,
      ref: (field, value, allowed) => this.resolve(route, field, value, allowed),
      externalRef: (field, value, collection) => {
        const ref = typeof value === 'string' ? parseReference(value, route.project) : undefined;
        if (!ref || ref.collection !== collection)
          throw invalid(field, `'${String(value)}' is not a ${collection} URL`);
        return selfLink(ref);
      },
      serviceLbPolicy: (field, value) => {
        const m =
          typeof value === 'string'
            ? /^(?:\/\/networkservices\.googleapis\.com\/|https:\/\/networkservices\.googleapis\.com\/v1(?:beta1|alpha1)?\/)?(projects\/([^/]+)\/locations\/([^/]+)\/serviceLbPolicies\/[^/]+)$/.exec(
                value,
              )
            : null;
        if (!m) throw invalid(field, `'${String(value)}' is not a service load balancing policy URL`);
        if (m[2] !== route.project)
          throw invalid(field, 'cross-project references are not supported by the emulator');
        if (!this.serviceLbPolicyExists(m[1]!)) throw notFound(m[1]!);
        return `//networkservices.googleapis.com/${m[1]}`;
      },
      allocateIp: (internal) => {
        const n = this.nextIp++;
        return `${internal ? '10.128' : '34.120'}.${(n >> 8) & 255}.${n & 255}`;
      },
      allocateIpv6: () => `2600:1901:0:${(this.nextIp++).toString(16)}::`,
      locationRef: (field, value, collection) => {
        if (!this.locations) throw invalid(field, 'the emulator holds no Network Security resources');
        const location = route.scope.kind === 'region' ? route.scope.name : 'global';
        return this.locations.resolve(route.project, field, value, collection, location);
      },
    };
  }

  private resolve(route: Route, field: string, value: unknown, allowed: readonly string[]): StoredResource {
    if (value === undefined || value === null || value === '') throw required(field);
    const ref = typeof value === 'string' ? parseReference(value, route.project) : undefined;
    if (!ref) throw invalid(field, `'${String(value)}' is not a resource URL`);
    if (!allowed.includes(ref.collection))
      throw invalid(field, `'${String(value)}' must name one of: ${allowed.join(', ')}`);
    if (ref.project !== route.project)
      throw invalid(field, 'cross-project references are not supported by the emulator');
    if (!scopeFits(route.scope, ref))
      throw invalid(field, `'${String(value)}' is not in a scope ${scopePath(route.scope)} can use`);
    const entry = this.store.get(ref);
    if (!entry) throw notFound(refPath(ref));
    if (entry.state === 'creating' || entry.state === 'deleting') throw notReady(refPath(ref));
    return entry;
  }
}

/** Global resources use global ones (NEGs in any zone); regional ones use their region's (NEGs in its zones). */
function scopeFits(from: Scope, ref: ResourceRef): boolean {
  if (ref.collection === 'networkEndpointGroups')
    return (
      ref.scope.kind === 'zone' && (from.kind !== 'region' || regionOfZone(ref.scope.name) === from.name)
    );
  if (ref.collection === 'backendBuckets') return ref.scope.kind === 'global';
  return sameScope(from, ref.scope);
}

function stripOutputs(body: Json): Json {
  const out = { ...body };
  for (const f of OUTPUT_FIELDS) delete out[f];
  return out;
}

/** RFC 7396 JSON merge patch, the semantics of GCP's PATCH methods. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = structuredClone(target);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof out[k] === 'object' &&
      out[k] !== null &&
      !Array.isArray(out[k])
    )
      out[k] = mergePatch(out[k] as Json, v as Json);
    else out[k] = structuredClone(v);
  }
  return out;
}
