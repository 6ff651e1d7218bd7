// A local Kubernetes API server for tests: an in-memory object store with resourceVersions, served over
// real HTTP on 127.0.0.1 so that the real @kubernetes/client-node (informers, Watch, generated APIs)
// can talk to it. It speaks the parts of the API Portico uses, the way the real server does:
//
// - discovery: /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION, /version
// - LIST (list metadata carries the resourceVersion; items of built-in groups carry no apiVersion/kind,
//   as the real server sends them), GET, POST, PUT, DELETE, PATCH (merge patch) of objects and of the
//   `/status` subresource (a write to one ignores changes to the other; spec changes bump generation;
//   a write that changes nothing keeps the resourceVersion and sends no event)
// - WATCH (`?watch=1`): an NDJSON stream of ADDED/MODIFIED/DELETED events from a resourceVersion (or the
//   current state as ADDED events when none is given), BOOKMARK events when allowWatchBookmarks is set,
//   and a 410 Gone ERROR event when the resourceVersion is older than the retained history
// - optimistic concurrency (409 Conflict on a stale metadata.resourceVersion), bearer-token auth
//
// Tests drive it directly too: create/update/remove/setStatus, the status-write log, request log, and
// fault injection (cut every watch stream, force a 410 on the next watch, compact the history, fail
// requests). Not modelled: label/field selectors, pagination, namespace existence, admission, defaults.

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Has a `/status` subresource. */
  status: boolean;
}

const GW = 'gateway.networking.k8s.io';
const ns = true;
const cluster = false;

/** Core v1, networking, discovery, Gateway API (v1, v1beta1, v1alpha2), portico.dev and multicluster.x-k8s.io: what Portico reads (Pods included: readiness probes and readiness gates). */
export const DEFAULT_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: cluster, status: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: ns, status: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: ns, status: false },
  // Read for readiness-probe health checks; readiness gates patch their status (kube/readiness-gate-writer.ts).
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: ns, status: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: ns, status: false },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: ns,
    status: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: ns,
    status: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    plural: 'ingressclasses',
    namespaced: cluster,
    status: false,
  },
  ...(['v1', 'v1beta1'] as const).flatMap((version) => [
    { group: GW, version, kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: cluster, status: true },
    { group: GW, version, kind: 'Gateway', plural: 'gateways', namespaced: ns, status: true },
    { group: GW, version, kind: 'HTTPRoute', plural: 'httproutes', namespaced: ns, status: true },
  ]),
  { group: GW, version: 'v1', kind: 'GRPCRoute', plural: 'grpcroutes', namespaced: ns, status: true },
  { group: GW, version: 'v1', kind: 'ListenerSet', plural: 'listenersets', namespaced: ns, status: true },
  {
    group: GW,
    version: 'v1',
    kind: 'BackendTLSPolicy',
    plural: 'backendtlspolicies',
    namespaced: ns,
    status: true,
  },
  {
    group: GW,
    version: 'v1beta1',
    kind: 'ReferenceGrant',
    plural: 'referencegrants',
    namespaced: ns,
    status: false,
  },
  ...(['TLSRoute', 'TCPRoute', 'UDPRoute', 'GRPCRoute'] as const).map((kind) => ({
    group: GW,
    version: 'v1alpha2',
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced: ns,
    status: true,
  })),
  {
    group: GW,
    version: 'v1alpha2',
    kind: 'ReferenceGrant',
    plural: 'referencegrants',
    namespaced: ns,
    status: false,
  },
  {
    group: 'portico.dev',
    version: 'v1alpha1',
    kind: 'LoadBalancerParameters',
    plural: 'loadbalancerparameters',
    namespaced: ns,
    status: false,
  },
  {
    group: 'portico.dev',
    version: 'v1alpha1',
    kind: 'HealthCheckPolicy',
    plural: 'healthcheckpolicies',
    namespaced: ns,
    status: true,
  },
  {
    group: 'portico.dev',
    version: 'v1alpha1',
    kind: 'StorageBucket',
    plural: 'storagebuckets',
    namespaced: ns,
    status: false,
  },
  {
    group: 'multicluster.x-k8s.io',
    version: 'v1alpha1',
    kind: 'ServiceImport',
    plural: 'serviceimports',
    namespaced: ns,
    status: false,
  },
];

/** Groups whose list items the real server sends without apiVersion/kind (built-in types). */
const BUILT_IN_GROUPS = new Set(['', 'discovery.k8s.io', 'networking.k8s.io']);

export interface KubeApiServerOptions {
  /** The resources served; DEFAULT_RESOURCES when omitted. Drop entries to test partial clusters. */
  resources?: readonly ApiResource[];
  /** Bearer token every request must carry (written into the kubeconfig). */
  token?: string;
  /** Events kept for watches to resume from; older resourceVersions get 410 Gone. Unbounded by default. */
  historyLimit?: number;
  /** How often watches that asked for bookmarks get one. */
  bookmarkIntervalMs?: number;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    managedFields?: unknown[];
    [k: string]: unknown;
  };
  status?: unknown;
  [k: string]: unknown;
}

/** One write to a `/status` subresource, as received. */
export interface StatusWrite {
  method: 'PATCH' | 'PUT';
  kind: string;
  namespace?: string;
  name: string;
  contentType: string;
  body: unknown;
  /** False when the write changed nothing (the server kept the resourceVersion). */
  changed: boolean;
  /** The HTTP status answered. */
  code: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  code: number;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  rv: number;
  type: EventType;
  group: string;
  kind: string;
  object: KubeObject;
}

interface Watcher {
  resource: ApiResource;
  namespace: string | undefined;
  res: ServerResponse;
  bookmarks: boolean;
  timers: NodeJS.Timeout[];
}

interface InjectedFailure {
  method?: string;
  path?: RegExp;
  code: number;
  times: number;
  message: string;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export class KubeApiServer {
  readonly #server: Server;
  readonly #resources: readonly ApiResource[];
  readonly #token: string;
  readonly #historyLimit: number;
  readonly #bookmarkIntervalMs: number;
  /** `group|kind|namespace|name` → object, stored at the apiVersion it was written with. */
  readonly #objects = new Map<string, KubeObject>();
  readonly #history: StoredEvent[] = [];
  readonly #watchers = new Set<Watcher>();
  readonly #sockets = new Set<Socket>();
  readonly #failures: InjectedFailure[] = [];
  #nextWatchFailure: { kind?: string; as: 'event' | 'http'; code: number } | undefined;
  #rv = 1;
  /** Watches from a resourceVersion older than this get 410 Gone. */
  #compactedRv = 0;
  #url = '';

  /** Every `/status` write received, in order. */
  readonly statusWrites: StatusWrite[] = [];
  /** Every request received, in order. */
  readonly requests: RequestRecord[] = [];

  private constructor(options: KubeApiServerOptions) {
    this.#resources = options.resources ?? DEFAULT_RESOURCES;
    this.#token = options.token ?? 'portico-test-token';
    this.#historyLimit = options.historyLimit ?? Number.POSITIVE_INFINITY;
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1_000;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.#sendError(res, new HttpError(500, 'InternalError', String(err)));
        else res.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const server = new KubeApiServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(0, '127.0.0.1', () => resolve());
    });
    server.#url = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  get url(): string {
    return this.#url;
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Open watch streams. */
  get watchCount(): number {
    return this.#watchers.size;
  }

  /** A kubeconfig for this server (plain http, so `insecure-skip-tls-verify`; bearer token), as YAML. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: portico-test',
      '  cluster:',
      `    server: ${this.#url}`,
      // client-node refuses plain http unless TLS verification is explicitly off.
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: portico-test',
      '  user:',
      `    token: ${this.#token}`,
      'contexts:',
      '- name: portico-test',
      '  context:',
      '    cluster: portico-test',
      '    user: portico-test',
      'current-context: portico-test',
      '',
    ].join('\n');
  }

  /** Writes the kubeconfig into `dir` and returns its path. */
  writeKubeconfig(dir: string): string {
    const file = join(dir, 'kubeconfig.yaml');
    writeFileSync(file, this.kubeconfig(), { mode: 0o600 });
    return file;
  }

  async close(): Promise<void> {
    for (const w of [...this.#watchers]) this.#closeWatcher(w, false);
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ── test API ────────────────────────────────────────────────────────────────────────────────

  /** Creates an object (its status included, as if its controllers had written it). */
  create(object: KubeObject | Record<string, unknown>): KubeObject {
    const o = object as KubeObject;
    return this.#create(this.#resourceOfObject(o), o.metadata?.namespace, o, true);
  }

  /** Replaces an object's spec and metadata (its status is kept); creates it when missing. */
  apply(object: KubeObject | Record<string, unknown>): KubeObject {
    const o = object as KubeObject;
    const resource = this.#resourceOfObject(o);
    const existing = this.#objects.get(this.#key(resource, o.metadata.namespace, o.metadata.name));
    if (!existing) return this.#create(resource, o.metadata.namespace, o, true);
    const { resourceVersion: _, ...metadata } = o.metadata;
    return this.#update(resource, { ...o, metadata }, 'main');
  }

  /** Replaces an object's status, as another controller would. */
  setStatus(kind: string, namespace: string | undefined, name: string, status: unknown): KubeObject {
    const resource = this.#resourceOfKind(kind);
    const existing = this.#mustGet(resource, namespace, name);
    return this.#update(resource, { ...existing, status }, 'status');
  }

  /** Deletes an object; false when there was none. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const resource = this.#resourceOfKind(kind);
    if (!this.#objects.has(this.#key(resource, namespace, name))) return false;
    this.#delete(resource, namespace, name);
    return true;
  }

  /** A copy of the stored object, or undefined. */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const resource = this.#resourceOfKind(kind);
    const o = this.#objects.get(this.#key(resource, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Copies of every stored object of a kind. */
  list(kind: string): KubeObject[] {
    const resource = this.#resourceOfKind(kind);
    return this.#matching(resource, undefined).map((o) => structuredClone(o));
  }

  // ── fault injection ─────────────────────────────────────────────────────────────────────────

  /**
   * Cuts every open watch stream: abruptly (the socket is destroyed mid-stream, as when a proxy or
   * the network drops it) or cleanly (the response ends, as when the server times a watch out).
   */
  cutWatches(how: 'abrupt' | 'clean' = 'abrupt'): number {
    const n = this.#watchers.size;
    for (const w of [...this.#watchers]) this.#closeWatcher(w, how === 'abrupt');
    return n;
  }

  /**
   * The next watch request (of `kind`, or any) fails with `code` (410 by default): as an ERROR event on
   * a 200 stream, as the real server does, or as a plain HTTP error response.
   */
  failNextWatch(options: { kind?: string; as?: 'event' | 'http'; code?: number } = {}): void {
    this.#nextWatchFailure = {
      ...(options.kind ? { kind: options.kind } : {}),
      as: options.as ?? 'event',
      code: options.code ?? 410,
    };
  }

  /** Forgets the event history: a watch from any older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.#history.length = 0;
    this.#compactedRv = this.#rv;
  }

  /** The next `times` requests matching `method` and `path` get an error status `code`. */
  failRequests(options: {
    method?: string;
    path?: RegExp;
    code?: number;
    times?: number;
    message?: string;
  }): void {
    this.#failures.push({
      ...(options.method ? { method: options.method } : {}),
      ...(options.path ? { path: options.path } : {}),
      code: options.code ?? 500,
      times: options.times ?? 1,
      message: options.message ?? 'injected failure',
    });
  }

  /** Sends a BOOKMARK now to every watch that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.#watchers) if (w.bookmarks) this.#bookmark(w);
  }

  // ── store ───────────────────────────────────────────────────────────────────────────────────

  #key(resource: ApiResource, namespace: string | undefined, name: string): string {
    return `${resource.group}|${resource.kind}|${resource.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  #resourceOfKind(kind: string): ApiResource {
    const r = this.#resources.find((x) => x.kind === kind);
    if (!r) throw new Error(`kube-api-server: kind ${kind} is not served`);
    return r;
  }

  #resourceOfObject(o: KubeObject): ApiResource {
    if (!o?.metadata?.name) throw new Error('kube-api-server: the object has no metadata.name');
    const [group, version] = splitApiVersion(o.apiVersion);
    const r = this.#resources.find((x) => x.group === group && x.version === version && x.kind === o.kind);
    if (!r) throw new Error(`kube-api-server: ${o.apiVersion} ${o.kind} is not served`);
    return r;
  }

  #mustGet(resource: ApiResource, namespace: string | undefined, name: string): KubeObject {
    const o = this.#objects.get(this.#key(resource, namespace, name));
    if (!o) throw new HttpError(404, 'NotFound', `${resource.plural} "${name}" not found`);
    return o;
  }

  #matching(resource: ApiResource, namespace: string | undefined): KubeObject[] {
    const prefix = `${resource.group}|${resource.kind}|`;
    return [...this.#objects.entries()]
      .filter(
        ([k, o]) => k.startsWith(prefix) && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  #managedFields(resource: ApiResource, operation: string, subresource?: string): unknown[] {
    return [
      {
        manager: 'portico-test',
        operation,
        apiVersion: groupVersion(resource),
        time: nowSeconds(),
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(subresource ? { subresource } : {}),
      },
    ];
  }

  #create(
    resource: ApiResource,
    namespace: string | undefined,
    input: KubeObject,
    keepStatus: boolean,
  ): KubeObject {
    const name = input.metadata?.name;
    if (typeof name !== 'string' || name === '')
      throw new HttpError(422, 'Invalid', 'metadata.name: Required value');
    if (resource.namespaced && !namespace) namespace = 'default';
    if (resource.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace)
      throw new HttpError(
        400,
        'BadRequest',
        'the namespace of the object does not match the namespace of the request',
      );
    const key = this.#key(resource, namespace, name);
    if (this.#objects.has(key))
      throw new HttpError(
        409,
        'AlreadyExists',
        `${resource.plural}.${resource.group} "${name}" already exists`,
      );
    const rv = ++this.#rv;
    const { status, ...rest } = structuredClone(input);
    const object: KubeObject = {
      ...rest,
      apiVersion: groupVersion(resource),
      kind: resource.kind,
      metadata: {
        ...rest.metadata,
        ...(resource.namespaced ? { namespace } : {}),
        uid: randomUUID(),
        resourceVersion: String(rv),
        generation: 1,
        creationTimestamp: rest.metadata.creationTimestamp ?? nowSeconds(),
        managedFields: this.#managedFields(resource, 'Update'),
      },
      ...(status !== undefined && (keepStatus || !resource.status) ? { status } : {}),
    };
    if (!resource.namespaced) delete object.metadata.namespace;
    this.#objects.set(key, object);
    this.#record(rv, 'ADDED', resource, object);
    return structuredClone(object);
  }

  /**
   * Writes `next` over the stored object: `main` keeps the stored status (when the resource has a
   * status subresource), `status` keeps everything but the status. Returns the stored object; a
   * write that changes nothing keeps the resourceVersion and sends no event.
   */
  #update(resource: ApiResource, next: KubeObject, part: 'main' | 'status'): KubeObject {
    const namespace = resource.namespaced ? (next.metadata.namespace ?? 'default') : undefined;
    const key = this.#key(resource, namespace, next.metadata.name);
    const old = this.#mustGet(resource, namespace, next.metadata.name);
    const wanted = next.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion)
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource.plural}.${resource.group} "${old.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    let candidate: KubeObject;
    if (part === 'status') {
      candidate = { ...structuredClone(old), status: structuredClone(next.status) };
      if (next.status === undefined) delete candidate.status;
    } else {
      const { status: _ignored, ...body } = structuredClone(next);
      candidate = {
        ...body,
        apiVersion: old.apiVersion,
        kind: old.kind,
        metadata: {
          ...body.metadata,
          namespace: old.metadata.namespace,
          name: old.metadata.name,
          uid: old.metadata.uid,
          creationTimestamp: old.metadata.creationTimestamp,
          resourceVersion: old.metadata.resourceVersion,
          generation: old.metadata.generation,
          managedFields: old.metadata.managedFields,
        },
        ...(resource.status
          ? old.status !== undefined
            ? { status: old.status }
            : {}
          : next.status !== undefined
            ? { status: next.status }
            : {}),
      };
      if (!resource.namespaced) delete candidate.metadata.namespace;
    }
    if (canonical(candidate) === canonical(old)) return structuredClone(old);
    const specChanged = canonical(specOf(candidate)) !== canonical(specOf(old));
    const rv = ++this.#rv;
    candidate.metadata = {
      ...candidate.metadata,
      resourceVersion: String(rv),
      generation: (old.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      managedFields: this.#managedFields(resource, 'Update', part === 'status' ? 'status' : undefined),
    };
    this.#objects.set(key, candidate);
    this.#record(rv, 'MODIFIED', resource, candidate);
    return structuredClone(candidate);
  }

  #delete(resource: ApiResource, namespace: string | undefined, name: string): KubeObject {
    const old = this.#mustGet(resource, namespace, name);
    const rv = ++this.#rv;
    this.#objects.delete(this.#key(resource, namespace, name));
    const gone = {
      ...structuredClone(old),
      metadata: { ...structuredClone(old.metadata), resourceVersion: String(rv) },
    };
    this.#record(rv, 'DELETED', resource, gone);
    return gone;
  }

  #record(rv: number, type: EventType, resource: ApiResource, object: KubeObject): void {
    const event: StoredEvent = {
      rv,
      type,
      group: resource.group,
      kind: resource.kind,
      object: structuredClone(object),
    };
    this.#history.push(event);
    while (this.#history.length > this.#historyLimit) this.#compactedRv = this.#history.shift()!.rv;
    for (const w of this.#watchers) if (this.#watches(w, event)) this.#send(w, event.type, event.object);
  }

  #watches(w: Watcher, e: StoredEvent): boolean {
    return (
      w.resource.group === e.group &&
      w.resource.kind === e.kind &&
      (w.namespace === undefined || e.object.metadata.namespace === w.namespace)
    );
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const record: RequestRecord = { method, path: url.pathname, query: url.search, code: 200 };
    this.requests.push(record);
    res.on('finish', () => {
      record.code = res.statusCode;
    });
    try {
      if (req.headers.authorization !== `Bearer ${this.#token}`)
        throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      const failure = this.#failures.find(
        (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)),
      );
      if (failure) {
        failure.times--;
        throw new HttpError(failure.code, REASONS[failure.code] ?? 'InternalError', failure.message);
      }
      await this.#route(req, res, url, method);
    } catch (err) {
      if (err instanceof HttpError) this.#sendError(res, err);
      else throw err;
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'GET' && parts.length === 1 && parts[0] === 'version')
      return this.#json(res, 200, {
        major: '1',
        minor: '33',
        gitVersion: 'v1.33.0-portico-test',
        platform: 'linux/amd64',
      });
    if (method === 'GET' && parts.length === 1 && parts[0] === 'api')
      return this.#json(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [
          { clientCIDR: '0.0.0.0/0', serverAddress: this.#url.replace('http://', '') },
        ],
      });
    if (method === 'GET' && parts.length === 1 && parts[0] === 'apis')
      return this.#json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: this.#groups() });
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 2) {
      group = parts[1]!;
      if (parts.length === 2) {
        const g = this.#groups().find((x) => x.name === group);
        if (!g || method !== 'GET')
          throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
        return this.#json(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
      }
      version = parts[2]!;
      rest = parts.slice(3);
    } else {
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const served = this.#resources.filter((r) => r.group === group && r.version === version);
    if (served.length === 0)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
      return this.#json(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: served.flatMap((r) => [
          {
            name: r.plural,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
          },
          ...(r.status
            ? [
                {
                  name: `${r.plural}/status`,
                  singularName: '',
                  namespaced: r.namespaced,
                  kind: r.kind,
                  verbs: ['get', 'patch', 'update'],
                },
              ]
            : []),
        ]),
      });
    }
    // [plural] [plural name] [plural name status] [namespaces ns plural] [namespaces ns plural name] [... status]
    let namespace: string | undefined;
    let tail = rest;
    const byPlural = (p: string | undefined) => served.find((r) => r.plural === p);
    if (rest[0] === 'namespaces' && rest.length >= 3 && byPlural(rest[2])?.namespaced) {
      namespace = rest[1];
      tail = rest.slice(2);
    }
    const resource = byPlural(tail[0]);
    if (!resource || tail.length > 3 || (tail.length === 3 && tail[2] !== 'status'))
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const name = tail[1];
    const subresource = tail[2] as 'status' | undefined;
    if (subresource && !resource.status)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (name === undefined) return this.#collection(req, res, url, method, resource, namespace);
    if (resource.namespaced && namespace === undefined)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    return this.#object(req, res, method, resource, namespace, name, subresource);
  }

  async #collection(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    resource: ApiResource,
    namespace: string | undefined,
  ): Promise<void> {
    if (url.searchParams.has('labelSelector') || url.searchParams.has('fieldSelector'))
      throw new HttpError(400, 'BadRequest', 'selectors are not supported by this test server');
    if (method === 'GET') {
      const watch = url.searchParams.get('watch');
      if (watch === '1' || watch === 'true') return this.#watch(req, res, url, resource, namespace);
      return this.#json(res, 200, {
        kind: `${resource.kind}List`,
        apiVersion: groupVersion(resource),
        metadata: { resourceVersion: String(this.#rv) },
        items: this.#matching(resource, namespace).map((o) => {
          const view = this.#view(o, resource);
          if (!BUILT_IN_GROUPS.has(resource.group)) return view;
          const { apiVersion: _a, kind: _k, ...item } = view;
          return item;
        }),
      });
    }
    if (method === 'POST') {
      const body = (await readJson(req)) as KubeObject;
      if (body?.kind !== resource.kind)
        throw new HttpError(400, 'BadRequest', `the body must be a ${resource.kind}`);
      return this.#json(res, 201, this.#view(this.#create(resource, namespace, body, false), resource));
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported on a collection here`);
  }

  async #object(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    resource: ApiResource,
    namespace: string | undefined,
    name: string,
    subresource: 'status' | undefined,
  ): Promise<void> {
    const part = subresource === 'status' ? 'status' : 'main';
    switch (method) {
      case 'GET':
        return this.#json(res, 200, this.#view(this.#mustGet(resource, namespace, name), resource));
      case 'DELETE':
        return this.#json(res, 200, this.#view(this.#delete(resource, namespace, name), resource));
      case 'PUT': {
        const body = (await readJson(req)) as KubeObject;
        if (body?.metadata?.name !== name)
          throw new HttpError(400, 'BadRequest', 'metadata.name must match the URL');
        return this.#writeLogged(res, resource, namespace, name, part, 'PUT', 'application/json', body, () =>
          this.#update(
            resource,
            { ...body, metadata: { ...body.metadata, ...(namespace ? { namespace } : {}) } },
            part,
          ),
        );
      }
      case 'PATCH': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const body = await readJson(req);
        const strategicAsMerge =
          contentType === 'application/strategic-merge-patch+json' && BUILT_IN_GROUPS.has(resource.group);
        return this.#writeLogged(res, resource, namespace, name, part, 'PATCH', contentType, body, () => {
          if (contentType !== 'application/merge-patch+json' && !strategicAsMerge)
            throw new HttpError(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`,
            );
          if (!isRecord(body)) throw new HttpError(400, 'BadRequest', 'a merge patch must be a JSON object');
          const old = this.#mustGet(resource, namespace, name);
          const patched = mergePatch(structuredClone(old), body) as KubeObject;
          const wanted = (isRecord(body.metadata) ? body.metadata.resourceVersion : undefined) as
            | string
            | undefined;
          patched.metadata = {
            ...patched.metadata,
            resourceVersion: wanted ?? old.metadata.resourceVersion!,
          };
          return this.#update(resource, patched, part);
        });
      }
      default:
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported here`);
    }
  }

  #writeLogged(
    res: ServerResponse,
    resource: ApiResource,
    namespace: string | undefined,
    name: string,
    part: 'main' | 'status',
    method: 'PATCH' | 'PUT',
    contentType: string,
    body: unknown,
    write: () => KubeObject,
  ): void {
    const before = this.#objects.get(this.#key(resource, namespace, name))?.metadata.resourceVersion;
    const log: StatusWrite = {
      method,
      kind: resource.kind,
      ...(namespace ? { namespace } : {}),
      name,
      contentType,
      body,
      changed: false,
      code: 200,
    };
    try {
      const after = write();
      log.changed = after.metadata.resourceVersion !== before;
      this.#json(res, 200, this.#view(after, resource));
    } catch (err) {
      if (err instanceof HttpError) log.code = err.code;
      throw err;
    } finally {
      if (part === 'status') this.statusWrites.push(log);
    }
  }

  #watch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    resource: ApiResource,
    namespace: string | undefined,
  ): void {
    const failure = this.#nextWatchFailure;
    if (failure && (!failure.kind || failure.kind === resource.kind)) {
      this.#nextWatchFailure = undefined;
      if (failure.as === 'http')
        throw new HttpError(failure.code, REASONS[failure.code] ?? 'InternalError', 'injected watch failure');
    }
    const rvParam = url.searchParams.get('resourceVersion') ?? '';
    const from = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    if (from !== undefined && !Number.isInteger(from))
      throw new HttpError(400, 'BadRequest', `invalid resourceVersion ${JSON.stringify(rvParam)}`);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const watcher: Watcher = {
      resource,
      namespace,
      res,
      bookmarks: ['1', 'true'].includes(url.searchParams.get('allowWatchBookmarks') ?? ''),
      timers: [],
    };
    const expired = (message: string, code = 410) => {
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message,
            reason: REASONS[code] ?? 'Expired',
            code,
          },
        })}\n`,
      );
    };
    if (failure && failure.as === 'event' && (!failure.kind || failure.kind === resource.kind)) {
      expired(`too old resource version: ${rvParam || '0'} (${this.#rv}) [injected]`, failure.code);
      return;
    }
    if (from !== undefined && from < this.#compactedRv) {
      expired(`too old resource version: ${from} (${this.#compactedRv})`);
      return;
    }
    if (from === undefined) {
      for (const o of this.#matching(resource, namespace)) this.#send(watcher, 'ADDED', o);
    } else {
      for (const e of this.#history)
        if (e.rv > from && this.#watches(watcher, e)) this.#send(watcher, e.type, e.object);
    }
    this.#watchers.add(watcher);
    if (watcher.bookmarks) {
      const t = setInterval(() => this.#bookmark(watcher), this.#bookmarkIntervalMs);
      t.unref();
      watcher.timers.push(t);
    }
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '');
    if (Number.isFinite(timeout) && timeout > 0) {
      const t = setTimeout(() => this.#closeWatcher(watcher, false), timeout * 1000);
      t.unref();
      watcher.timers.push(t);
    }
    req.on('close', () => this.#closeWatcher(watcher, false));
  }

  #send(w: Watcher, type: EventType, object: KubeObject): void {
    w.res.write(`${JSON.stringify({ type, object: this.#view(object, w.resource) })}\n`);
  }

  #bookmark(w: Watcher): void {
    w.res.write(
      `${JSON.stringify({
        type: 'BOOKMARK',
        object: {
          kind: w.resource.kind,
          apiVersion: groupVersion(w.resource),
          metadata: { resourceVersion: String(this.#rv) },
        },
      })}\n`,
    );
  }

  #closeWatcher(w: Watcher, abrupt: boolean): void {
    if (!this.#watchers.delete(w)) return;
    for (const t of w.timers) clearTimeout(t);
    if (abrupt) w.res.socket?.destroy();
    else w.res.end();
  }

  /** The object as served at `resource`'s version. */
  #view(o: KubeObject, resource: ApiResource): KubeObject {
    return { ...structuredClone(o), apiVersion: groupVersion(resource) };
  }

  #groups() {
    const groups = new Map<string, string[]>();
    for (const r of this.#resources) {
      if (r.group === '') continue;
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0]! },
    }));
  }

  #json(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #sendError(res: ServerResponse, err: HttpError): void {
    this.#json(res, err.code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: err.reason,
      code: err.code,
    });
  }
}

function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

function groupVersion(r: ApiResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What bumps generation: everything but metadata and status. */
function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...spec } = o;
  return spec;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** JSON with object keys sorted: equal texts mean equal values. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    isRecord(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 3 * 1024 * 1024)
      throw new HttpError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}
