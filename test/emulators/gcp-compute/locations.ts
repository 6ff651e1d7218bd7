// The Certificate Manager trust configs and the Network Security ServerTlsPolicies and
// BackendAuthenticationConfigs, served next to Compute by the same emulator (a client aimed at it uses
// it for every API): `/v1/projects/{p}/locations/{l}/{collection}[/{name}]` with create (`?<kind>Id=`),
// get, list, patch (`?updateMask=`) and delete, each mutation a google.longrunning operation polled
// with `GET /v1/{operation}`. Resources are checked like the real APIs check them (ids, unknown
// fields, enums, PEM trust anchors of at most 5 kB, one trust store, labels, references that exist),
// and a resource still referenced (by another of these or by a Compute backend service or target
// proxy) cannot be deleted: 400 FAILED_PRECONDITION.

import { randomBytes } from 'node:crypto';
import { ComputeApiError } from './errors.js';
import type { Json } from './store.js';

export type LocationCollection = 'trustConfigs' | 'serverTlsPolicies' | 'backendAuthenticationConfigs';

export interface LocationRoute {
  project: string;
  location: string;
  collection: LocationCollection | 'operations';
  name?: string;
  action: 'get' | 'list' | 'create' | 'patch' | 'delete';
  /** `trustConfigs.create`, `serverTlsPolicies.get`, `locationOperations.get`: counters and fault patterns use it. */
  method: string;
}

const COLLECTIONS: readonly LocationCollection[] = [
  'trustConfigs',
  'serverTlsPolicies',
  'backendAuthenticationConfigs',
];

/** The fields each collection takes (anything else: "Unknown name"), besides name, description, labels. */
const FIELDS: Record<LocationCollection, readonly string[]> = {
  trustConfigs: ['trustStores', 'allowlistedCertificates'],
  serverTlsPolicies: ['allowOpen', 'serverCertificate', 'mtlsPolicy'],
  backendAuthenticationConfigs: ['clientCertificate', 'trustConfig', 'wellKnownRoots'],
};
const COMMON = ['name', 'description', 'labels'];
const OUTPUT = ['createTime', 'updateTime', 'etag'];

/** Create ids: Certificate Manager `[a-z0-9-]{1,63}`; Network Security letters, digits, `-`, `_`, no leading digit. */
const ID: Record<LocationCollection, RegExp> = {
  trustConfigs: /^[a-z0-9-]{1,63}$/,
  serverTlsPolicies: /^[a-zA-Z_-][a-zA-Z0-9_-]{0,62}$/,
  backendAuthenticationConfigs: /^[a-zA-Z_-][a-zA-Z0-9_-]{0,62}$/,
};
const ID_PARAMETER: Record<LocationCollection, string> = {
  trustConfigs: 'trustConfigId',
  serverTlsPolicies: 'serverTlsPolicyId',
  backendAuthenticationConfigs: 'backendAuthenticationConfigId',
};
const LOCATION = /^(?:global|[a-z]+-[a-z]+[0-9]+)$/;
const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
export const MAX_PEM_BYTES = 5 * 1024;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** A google.rpc.Status error, as these APIs answer: `{error: {code, message, status}}`. */
export class LocationApiError extends ComputeApiError {
  constructor(
    status: number,
    readonly rpcStatus: string,
    message: string,
  ) {
    super(status, rpcStatus, message);
  }

  override body(): unknown {
    return { error: { code: this.status, message: this.message, status: this.rpcStatus } };
  }
}

const invalidArgument = (message: string) => new LocationApiError(400, 'INVALID_ARGUMENT', message);
const notFound = (path: string) => new LocationApiError(404, 'NOT_FOUND', `Resource '${path}' was not found`);

export function parseLocationRoute(httpMethod: string, url: string): LocationRoute | undefined {
  const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/([a-zA-Z]+)(?:\/([^/]+))?$/.exec(
    url.split('?')[0] ?? '',
  );
  if (!m) return undefined;
  const [, project, location, collection, name] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
  if (collection !== 'operations' && !(COLLECTIONS as readonly string[]).includes(collection!))
    return undefined;
  const action =
    name === undefined
      ? { GET: 'list', POST: 'create' }[httpMethod]
      : { GET: 'get', PATCH: 'patch', DELETE: 'delete' }[httpMethod];
  if (!action || (collection === 'operations' && action !== 'get')) return undefined;
  return {
    project: project!,
    location: location!,
    collection: collection as LocationRoute['collection'],
    ...(name !== undefined ? { name } : {}),
    action: action as LocationRoute['action'],
    // The operations of both APIs share a path: `locationOperations.get` tells them from Compute's.
    method: `${collection === 'operations' ? 'locationOperations' : collection}.${action}`,
  };
}

interface Entry {
  path: string;
  collection: LocationCollection;
  value: Json;
  state: 'creating' | 'ready' | 'updating' | 'deleting';
}

interface Operation {
  name: string;
  target: string;
  verb: string;
  doneAt: number;
  done: boolean;
  commit: () => void;
}

export interface LocationServiceOptions {
  now: () => number;
  operationDelayMs: number;
  /** The Compute resource (its path) that refers to `path`, if any: such a resource cannot be deleted. */
  computeUser(project: string, path: string): string | undefined;
}

export class LocationService {
  private readonly entries = new Map<string, Entry>();
  private readonly operations = new Map<string, Operation>();
  private nextOperation = 1;

  constructor(private readonly opts: LocationServiceOptions) {}

  reset(): void {
    this.entries.clear();
    this.operations.clear();
  }

  handle(route: LocationRoute, body: Json, query: URLSearchParams): Json {
    this.settle();
    if (route.collection === 'operations') {
      const name = `projects/${route.project}/locations/${route.location}/operations/${route.name}`;
      const op = this.operations.get(name);
      if (!op) throw notFound(name);
      return this.viewOperation(op);
    }
    if (!LOCATION.test(route.location)) throw invalidArgument(`Invalid location '${route.location}'`);
    const collection = route.collection;
    const parent = `projects/${route.project}/locations/${route.location}`;
    if (route.action === 'list') {
      const items = [...this.entries.values()]
        .filter((e) => e.collection === collection && e.path.startsWith(`${parent}/`))
        .sort((a, b) => (a.path < b.path ? -1 : 1))
        .map((e) => structuredClone(e.value));
      return { [collection]: items };
    }
    if (route.action === 'create') {
      const id = query.get(ID_PARAMETER[collection]) ?? '';
      if (!ID[collection].test(id))
        throw invalidArgument(
          `Invalid ${ID_PARAMETER[collection]} '${id}': must match ${ID[collection].source}`,
        );
      const path = `${parent}/${collection}/${id}`;
      if (this.entries.has(path))
        throw new LocationApiError(409, 'ALREADY_EXISTS', `Resource '${path}' already exists`);
      const value = this.checked(collection, route, path, body);
      const at = new Date(this.opts.now()).toISOString();
      const entry: Entry = {
        path,
        collection,
        value: { ...value, name: path, createTime: at, updateTime: at, etag: randomBytes(6).toString('hex') },
        state: 'creating',
      };
      this.entries.set(path, entry);
      return this.start(route, path, 'create', () => {
        entry.state = 'ready';
      });
    }
    const path = `${parent}/${collection}/${route.name}`;
    const entry = this.entries.get(path);
    if (!entry) throw notFound(path);
    if (route.action === 'get') return structuredClone(entry.value);
    if (entry.state !== 'ready')
      throw new LocationApiError(
        400,
        'FAILED_PRECONDITION',
        `Resource '${path}' has an operation in progress`,
      );
    if (route.action === 'delete') {
      const user = this.userOf(route.project, path);
      if (user)
        throw new LocationApiError(400, 'FAILED_PRECONDITION', `Resource '${path}' is in use by '${user}'`);
      entry.state = 'deleting';
      return this.start(route, path, 'delete', () => this.entries.delete(path));
    }
    // patch
    const maskText = query.get('updateMask');
    if (collection === 'trustConfigs' && (maskText === null || maskText === ''))
      throw invalidArgument('updateMask is required');
    const mask = maskText ? maskText.split(',') : [...FIELDS[collection], 'description', 'labels'];
    const known = [...FIELDS[collection], 'description', 'labels'];
    const unknown = mask.filter((f) => !known.includes(f));
    if (unknown.length > 0) throw invalidArgument(`Invalid update mask path(s): ${unknown.join(', ')}`);
    const merged: Json = structuredClone(entry.value);
    for (const f of mask) {
      if (body[f] === undefined || body[f] === null) delete merged[f];
      else merged[f] = structuredClone(body[f]);
    }
    for (const f of OUTPUT) delete merged[f];
    const value = this.checked(collection, route, path, merged);
    const before = entry.value;
    entry.value = {
      ...value,
      name: path,
      createTime: before.createTime,
      updateTime: new Date(this.opts.now()).toISOString(),
      etag: randomBytes(6).toString('hex'),
    };
    entry.state = 'updating';
    return this.start(route, path, 'update', () => {
      entry.state = 'ready';
    });
  }

  /**
   * A reference from a Compute resource: `projects/p/locations/l/<collection>/<name>` (or with a
   * `//networksecurity.googleapis.com/` prefix) of an existing, ready resource in `location`; its
   * relative path. Throws the Compute API's errors otherwise.
   */
  resolve(
    project: string,
    field: string,
    value: unknown,
    collection: LocationCollection,
    location: string,
  ): string {
    this.settle();
    const path = typeof value === 'string' ? value.replace(/^\/\/[a-z]+\.googleapis\.com\//, '') : '';
    const expected = `projects/${project}/locations/${location}/${collection}/`;
    if (!path.startsWith(expected) || path.slice(expected.length).includes('/') || path === expected)
      throw new ComputeApiError(
        400,
        'invalid',
        `Invalid value for field '${field}': '${String(value)}' is not a ${collection} of location ${location}`,
      );
    const entry = this.entries.get(path);
    if (!entry) throw new ComputeApiError(404, 'notFound', `The resource '${path}' was not found`);
    if (entry.state === 'creating' || entry.state === 'deleting')
      throw new ComputeApiError(400, 'resourceNotReady', `The resource '${path}' is not ready`);
    return path;
  }

  /** The stored resource (tests). */
  get(path: string): Json | undefined {
    return this.entries.get(path)?.value;
  }

  private userOf(project: string, path: string): string | undefined {
    const needle = `${path}"`;
    for (const e of this.entries.values())
      if (e.path !== path && e.state !== 'deleting' && JSON.stringify(e.value).includes(needle))
        return e.path;
    return this.opts.computeUser(project, path);
  }

  /** The body checked as the API checks it, references resolved; output fields dropped. */
  private checked(collection: LocationCollection, route: LocationRoute, path: string, body: Json): Json {
    const allowed = [...COMMON, ...FIELDS[collection], ...OUTPUT];
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    if (unknown.length > 0)
      throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown[0]}"`);
    if (body.name !== undefined && body.name !== '' && body.name !== path)
      throw invalidArgument(`name '${String(body.name)}' does not match the resource '${path}'`);
    const out: Json = {};
    if (body.description !== undefined) {
      if (typeof body.description !== 'string' || body.description.length > 2048)
        throw invalidArgument('description must be a string of at most 2048 characters');
      out.description = body.description;
    }
    if (body.labels !== undefined) out.labels = checkLabels(body.labels);
    const ref = (field: string, value: unknown, target: LocationCollection): string => {
      const p = typeof value === 'string' ? value.replace(/^\/\/[a-z]+\.googleapis\.com\//, '') : '';
      const entry = this.entries.get(p);
      if (!p.startsWith(`projects/${route.project}/locations/${route.location}/${target}/`))
        throw invalidArgument(`${field}: '${String(value)}' is not a ${target} resource of this location`);
      if (!entry || entry.state === 'deleting') throw invalidArgument(`${field}: '${p}' does not exist`);
      return p;
    };
    if (collection === 'trustConfigs') {
      const stores = listOf('trustStores', body.trustStores);
      if (stores.length > 1)
        throw invalidArgument('trustStores: only one TrustStore specified is currently allowed');
      out.trustStores = stores.map((s, i) => {
        const store = objectOf(`trustStores[${i}]`, s);
        const extra = Object.keys(store).filter((k) => k !== 'trustAnchors' && k !== 'intermediateCas');
        if (extra.length > 0)
          throw invalidArgument(`Invalid JSON payload received. Unknown name "${extra[0]}"`);
        return {
          trustAnchors: pems(`trustStores[${i}].trustAnchors`, store.trustAnchors),
          ...(store.intermediateCas !== undefined
            ? { intermediateCas: pems(`trustStores[${i}].intermediateCas`, store.intermediateCas) }
            : {}),
        };
      });
      if (body.allowlistedCertificates !== undefined)
        out.allowlistedCertificates = pems('allowlistedCertificates', body.allowlistedCertificates);
    } else if (collection === 'serverTlsPolicies') {
      if (body.serverCertificate !== undefined || body.allowOpen === true)
        throw invalidArgument(
          'an Application Load Balancer ServerTlsPolicy takes neither serverCertificate nor allowOpen',
        );
      const m = objectOf('mtlsPolicy', body.mtlsPolicy ?? {});
      const extra = Object.keys(m).filter(
        (k) => !['clientValidationMode', 'clientValidationTrustConfig', 'clientValidationCa'].includes(k),
      );
      if (extra.length > 0)
        throw invalidArgument(`Invalid JSON payload received. Unknown name "${extra[0]}"`);
      const mode = m.clientValidationMode;
      if (mode !== 'ALLOW_INVALID_OR_MISSING_CLIENT_CERT' && mode !== 'REJECT_INVALID')
        throw invalidArgument(
          `mtlsPolicy.clientValidationMode: '${String(mode)}' must be ALLOW_INVALID_OR_MISSING_CLIENT_CERT or REJECT_INVALID`,
        );
      if (listOf('mtlsPolicy.clientValidationCa', m.clientValidationCa).length > 0)
        throw invalidArgument('mtlsPolicy.clientValidationCa must be empty for Application Load Balancers');
      if (
        mode === 'REJECT_INVALID' &&
        (m.clientValidationTrustConfig === undefined || m.clientValidationTrustConfig === '')
      )
        throw invalidArgument('mtlsPolicy.clientValidationTrustConfig is required with REJECT_INVALID');
      out.mtlsPolicy = {
        clientValidationMode: mode,
        ...(m.clientValidationTrustConfig !== undefined && m.clientValidationTrustConfig !== ''
          ? {
              clientValidationTrustConfig: ref(
                'mtlsPolicy.clientValidationTrustConfig',
                m.clientValidationTrustConfig,
                'trustConfigs',
              ),
            }
          : {}),
      };
    } else {
      const roots = body.wellKnownRoots ?? 'WELL_KNOWN_ROOTS_UNSPECIFIED';
      if (!['NONE', 'PUBLIC_ROOTS', 'WELL_KNOWN_ROOTS_UNSPECIFIED'].includes(String(roots)))
        throw invalidArgument(`wellKnownRoots: '${String(roots)}' must be NONE or PUBLIC_ROOTS`);
      out.wellKnownRoots = roots;
      if (body.trustConfig !== undefined && body.trustConfig !== '')
        out.trustConfig = ref('trustConfig', body.trustConfig, 'trustConfigs');
      if (body.clientCertificate !== undefined && body.clientCertificate !== '') {
        if (
          typeof body.clientCertificate !== 'string' ||
          !/^projects\/[^/]+\/locations\/[^/]+\/certificates\/[a-z0-9-]{1,63}$/.test(body.clientCertificate)
        )
          throw invalidArgument(
            `clientCertificate: '${String(body.clientCertificate)}' is not a certificate`,
          );
        out.clientCertificate = body.clientCertificate;
      }
    }
    return out;
  }

  private start(route: LocationRoute, target: string, verb: string, commit: () => void): Json {
    const name = `projects/${route.project}/locations/${route.location}/operations/operation-${this.nextOperation++}`;
    const op: Operation = {
      name,
      target,
      verb,
      doneAt: this.opts.now() + this.opts.operationDelayMs,
      done: false,
      commit,
    };
    this.operations.set(name, op);
    return this.viewOperation(op);
  }

  private settle(): void {
    const now = this.opts.now();
    for (const op of this.operations.values())
      if (!op.done && op.doneAt <= now) {
        op.done = true;
        op.commit();
      }
  }

  private viewOperation(op: Operation): Json {
    return {
      name: op.name,
      metadata: { target: op.target, verb: op.verb },
      done: op.done,
      ...(op.done ? { response: this.entries.get(op.target)?.value ?? {} } : {}),
    };
  }
}

function listOf(field: string, v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidArgument(`${field} must be a list`);
  return v;
}

function objectOf(field: string, v: unknown): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw invalidArgument(`${field} must be an object`);
  return v as Json;
}

/** `[{pemCertificate}]`: each one PEM certificate of at most 5 kB. */
function pems(field: string, v: unknown): Json[] {
  return listOf(field, v).map((item, i) => {
    const o = objectOf(`${field}[${i}]`, item);
    const pem = o.pemCertificate;
    if (Object.keys(o).some((k) => k !== 'pemCertificate'))
      throw invalidArgument(
        `Invalid JSON payload received. Unknown name "${Object.keys(o).find((k) => k !== 'pemCertificate')}"`,
      );
    if (typeof pem !== 'string' || !PEM_CERTIFICATE.test(pem))
      throw invalidArgument(`${field}[${i}].pemCertificate: not one PEM certificate`);
    if (Buffer.byteLength(pem) > MAX_PEM_BYTES)
      throw invalidArgument(`${field}[${i}].pemCertificate: larger than ${MAX_PEM_BYTES} bytes`);
    return { pemCertificate: pem };
  });
}

function checkLabels(v: unknown): Record<string, string> {
  const labels = objectOf('labels', v);
  const entries = Object.entries(labels);
  if (entries.length > 64) throw invalidArgument('at most 64 labels');
  for (const [k, value] of entries)
    if (!LABEL_KEY.test(k) || typeof value !== 'string' || !LABEL_VALUE.test(value))
      throw invalidArgument(`labels: '${k}: ${String(value)}' is not a valid label`);
  return labels as Record<string, string>;
}
