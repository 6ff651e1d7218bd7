// Network Services v1 service load balancing policies (`projects.locations.serviceLbPolicies`) beside
// the Compute emulator, on the same server (paths under `/v1/`), as google-auth-library's client
// sends them: create (`?serviceLbPolicyId=`), get, list (pages), patch (`?updateMask=`), delete. Each
// mutation answers a google.longrunning Operation that is done after `operationDelayMs` (polled with
// `GET /v1/<operation name>`); the change shows only once it is done, as on GCP. Bodies are checked
// like the API does (unknown fields, enums, lengths, the id's form); a policy a backend service
// still names cannot be deleted. Errors are Google's JSON error shape.

import type { Json } from './store.js';

export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { code: this.status, message: this.message, status: this.code } };
  }
}

const invalid = (message: string) => new GoogleApiError(400, 'INVALID_ARGUMENT', message);
const ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LOCATION = /^(global|[a-z]+-[a-z]+[0-9])$/;
const ALGORITHMS = [
  'LOAD_BALANCING_ALGORITHM_UNSPECIFIED',
  'SPRAY_TO_WORLD',
  'SPRAY_TO_REGION',
  'WATERFALL_BY_REGION',
  'WATERFALL_BY_ZONE',
];
const FIELDS = [
  'name',
  'description',
  'labels',
  'loadBalancingAlgorithm',
  'autoCapacityDrain',
  'failoverConfig',
  'isolationConfig',
];
const OUTPUT = ['createTime', 'updateTime'];
const PAGE_SIZE = 50;

export interface NetworkServicesRoute {
  /** `networkservices.serviceLbPolicies.create`, `networkservices.operations.get`, ...: counters and faults use it. */
  method: string;
  action: string;
  project: string;
  location: string;
  collection: 'serviceLbPolicies' | 'operations';
  name?: string;
}

/** `/v1/projects/{p}/locations/{l}/{serviceLbPolicies|operations}[/{name}]` → the method; undefined otherwise. */
export function parseNetworkServicesRoute(
  httpMethod: string,
  path: string,
): NetworkServicesRoute | undefined {
  const m =
    /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/(serviceLbPolicies|operations)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const [, project, location, collection, name] = m as unknown as [
    string,
    string,
    string,
    'serviceLbPolicies' | 'operations',
    string?,
  ];
  const action =
    collection === 'operations'
      ? name !== undefined && httpMethod === 'GET'
        ? 'get'
        : undefined
      : name === undefined
        ? ({ GET: 'list', POST: 'create' } as Record<string, string>)[httpMethod]
        : ({ GET: 'get', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[httpMethod];
  if (!action) return undefined;
  return {
    method: `networkservices.${collection}.${action}`,
    action,
    project: decodeURIComponent(project),
    location: decodeURIComponent(location),
    collection,
    ...(name !== undefined ? { name: decodeURIComponent(name) } : {}),
  };
}

interface PendingOperation {
  op: Json;
  doneAt: number;
  commit: () => Json;
}

export class NetworkServices {
  /** By resource name: `projects/p/locations/l/serviceLbPolicies/n`. */
  readonly policies = new Map<string, Json>();
  private readonly operations = new Map<string, PendingOperation>();
  /** Resource names with a create or delete in flight: another change of them is refused. */
  private readonly busy = new Set<string>();
  private nextOp = 1;

  constructor(
    private readonly opts: {
      operationDelayMs: number;
      /** The backend service that names this policy (its self link), if any. */
      usedBy: (policyName: string) => string | undefined;
    },
  ) {}

  reset(): void {
    this.policies.clear();
    this.operations.clear();
    this.busy.clear();
  }

  handle(route: NetworkServicesRoute, query: URLSearchParams, body: Json): Json {
    this.settle();
    const parent = `projects/${route.project}/locations/${route.location}`;
    if (route.collection === 'operations') return this.operation(`${parent}/operations/${route.name}`);
    if (!LOCATION.test(route.location)) throw invalid(`Location '${route.location}' is not a valid location`);
    if (route.action === 'list') return this.list(parent, query);
    if (route.action === 'create') return this.create(parent, query, body);
    const name = `${parent}/serviceLbPolicies/${route.name}`;
    const current = this.policies.get(name);
    if (!current) throw new GoogleApiError(404, 'NOT_FOUND', `Resource '${name}' was not found`);
    if (route.action === 'get') return structuredClone(current);
    if (this.busy.has(name))
      throw new GoogleApiError(409, 'ABORTED', `Resource '${name}' has an operation in progress`);
    if (route.action === 'patch') return this.patch(name, current, query, body);
    const user = this.opts.usedBy(name);
    if (user)
      throw new GoogleApiError(
        400,
        'FAILED_PRECONDITION',
        `Resource '${name}' is in use by backend service '${user}'`,
      );
    this.busy.add(name);
    return this.start(parent, name, 'delete', () => {
      this.policies.delete(name);
      this.busy.delete(name);
      return {};
    });
  }

  private list(parent: string, query: URLSearchParams): Json {
    const all = [...this.policies.entries()]
      .filter(([n]) => n.startsWith(`${parent}/serviceLbPolicies/`))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, v]) => structuredClone(v));
    const size = Math.min(Number(query.get('pageSize') ?? PAGE_SIZE) || PAGE_SIZE, PAGE_SIZE);
    const from = Number(query.get('pageToken') ?? 0);
    const page = all.slice(from, from + size);
    return {
      serviceLbPolicies: page,
      ...(from + size < all.length ? { nextPageToken: String(from + size) } : {}),
    };
  }

  private create(parent: string, query: URLSearchParams, body: Json): Json {
    const id = query.get('serviceLbPolicyId');
    if (!id) throw invalid('serviceLbPolicyId is required');
    if (!ID.test(id))
      throw invalid(
        `serviceLbPolicyId '${id}' must be 1 to 63 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen`,
      );
    const name = `${parent}/serviceLbPolicies/${id}`;
    if (this.policies.has(name) || this.busy.has(name))
      throw new GoogleApiError(409, 'ALREADY_EXISTS', `Resource '${name}' already exists`);
    const now = new Date().toISOString();
    const value: Json = { ...checked(body), name, createTime: now, updateTime: now };
    this.busy.add(name);
    return this.start(parent, name, 'create', () => {
      this.policies.set(name, value);
      this.busy.delete(name);
      return structuredClone(value);
    });
  }

  private patch(name: string, current: Json, query: URLSearchParams, body: Json): Json {
    const mask = (query.get('updateMask') ?? '').split(',').filter((f) => f !== '');
    if (mask.length === 0) throw invalid('updateMask is required');
    for (const f of mask)
      if (!FIELDS.includes(f) || f === 'name')
        throw invalid(`updateMask names '${f}', which cannot be updated`);
    const fields = checked(body);
    const next: Json = { ...current, updateTime: new Date().toISOString() };
    for (const f of mask)
      if (fields[f] === undefined) delete next[f];
      else next[f] = fields[f];
    return this.start(name.replace(/\/serviceLbPolicies\/.*$/, ''), name, 'update', () => {
      this.policies.set(name, next);
      return structuredClone(next);
    });
  }

  private start(parent: string, target: string, verb: string, commit: () => Json): Json {
    const name = `${parent}/operations/operation-${Date.now()}-${this.nextOp++}`;
    const op: Json = {
      name,
      metadata: {
        '@type': 'type.googleapis.com/google.cloud.networkservices.v1.OperationMetadata',
        createTime: new Date().toISOString(),
        target,
        verb,
        apiVersion: 'v1',
      },
      done: false,
    };
    this.operations.set(name, { op, doneAt: Date.now() + this.opts.operationDelayMs, commit });
    return structuredClone(op);
  }

  /** Whether `route` (an operations route) names an operation this API started. */
  hasOperation(route: NetworkServicesRoute): boolean {
    return this.operations.has(
      `projects/${route.project}/locations/${route.location}/operations/${route.name}`,
    );
  }

  private operation(name: string): Json {
    const pending = this.operations.get(name);
    if (!pending) throw new GoogleApiError(404, 'NOT_FOUND', `Operation '${name}' was not found`);
    return structuredClone(pending.op);
  }

  /** Operations whose time has come are done: their change is made and their answer set. */
  private settle(): void {
    const now = Date.now();
    for (const p of this.operations.values())
      if (p.op.done !== true && now >= p.doneAt) {
        const response = p.commit();
        p.op = {
          ...p.op,
          done: true,
          response: {
            '@type': 'type.googleapis.com/google.cloud.networkservices.v1.ServiceLbPolicy',
            ...response,
          },
        };
      }
  }
}

/** A request body as the API checks it: known fields only, enums, lengths. */
function checked(body: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(body)) {
    if (OUTPUT.includes(k) || k === 'name') continue;
    if (!FIELDS.includes(k))
      throw invalid(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
    out[k] = v;
  }
  if (out.description !== undefined && (typeof out.description !== 'string' || out.description.length > 1024))
    throw invalid('description must be a string of at most 1024 characters');
  if (out.loadBalancingAlgorithm !== undefined && !ALGORITHMS.includes(String(out.loadBalancingAlgorithm)))
    throw invalid(
      `Invalid value at 'service_lb_policy.load_balancing_algorithm' (${JSON.stringify(out.loadBalancingAlgorithm)})`,
    );
  if (out.labels !== undefined) {
    const labels = out.labels as Json;
    if (
      typeof labels !== 'object' ||
      labels === null ||
      Object.values(labels).some((v) => typeof v !== 'string')
    )
      throw invalid('labels must map strings to strings');
  }
  const threshold = (out.failoverConfig as Json | undefined)?.failoverHealthThreshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || threshold < 1 || threshold > 99))
    throw invalid('failoverConfig.failoverHealthThreshold must be from 1 to 99');
  return out;
}
