// Where each kind lives in the API: its client per scope (global, regional, zonal) and the request
// fields that name it and carry its body. get, insert and delete are the same for every kind; the
// set* and update calls are per kind (resources/).

import type { ReferencedKind } from '../model.js';
import { type GcpCalls, invoke, type Json } from './calls.js';
import type { ClientName } from './clients.js';
import { NotFoundError } from './errors.js';
import { mutate } from './operations.js';

/** A resource's scope: a zone (NEGs), a region, or neither (global). */
export interface Scope {
  region?: string;
  zone?: string;
}

interface Collection {
  /** The request field holding the name (`urlMap`); the body is `<nameField>Resource`. */
  nameField: string;
  global?: ClientName;
  region?: ClientName;
  zone?: ClientName;
}

export const COLLECTION_CLIENTS: Record<ReferencedKind, Collection> = {
  'forwarding-rule': {
    nameField: 'forwardingRule',
    global: 'globalForwardingRules',
    region: 'forwardingRules',
  },
  'target-http-proxy': {
    nameField: 'targetHttpProxy',
    global: 'targetHttpProxies',
    region: 'regionTargetHttpProxies',
  },
  'target-https-proxy': {
    nameField: 'targetHttpsProxy',
    global: 'targetHttpsProxies',
    region: 'regionTargetHttpsProxies',
  },
  'url-map': { nameField: 'urlMap', global: 'urlMaps', region: 'regionUrlMaps' },
  'backend-service': {
    nameField: 'backendService',
    global: 'backendServices',
    region: 'regionBackendServices',
  },
  'health-check': { nameField: 'healthCheck', global: 'healthChecks', region: 'regionHealthChecks' },
  'network-endpoint-group': { nameField: 'networkEndpointGroup', zone: 'networkEndpointGroups' },
  'ssl-certificate': {
    nameField: 'sslCertificate',
    global: 'sslCertificates',
    region: 'regionSslCertificates',
  },
  'backend-bucket': { nameField: 'backendBucket', global: 'backendBuckets' },
};

/** The client and the scope fields of a request about `kind` in `scope`. */
export function clientFor(kind: ReferencedKind, scope: Scope): { client: ClientName; request: Json } {
  const c = COLLECTION_CLIENTS[kind];
  const client = scope.zone !== undefined ? c.zone : scope.region !== undefined ? c.region : c.global;
  if (!client)
    throw new Error(
      `${kind} has no ${scope.zone ? 'zonal' : scope.region ? 'regional' : 'global'} collection`,
    );
  return {
    client,
    request:
      scope.zone !== undefined
        ? { zone: scope.zone }
        : scope.region !== undefined
          ? { region: scope.region }
          : {},
  };
}

/** The resource as the API returns it, or undefined when there is none by that name. */
export async function getResource(
  ctx: GcpCalls,
  kind: ReferencedKind,
  name: string,
  scope: Scope,
): Promise<Json | undefined> {
  const { client, request } = clientFor(kind, scope);
  try {
    return await invoke(ctx, client, 'get', { ...request, [COLLECTION_CLIENTS[kind].nameField]: name });
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function insertResource(
  ctx: GcpCalls,
  kind: ReferencedKind,
  scope: Scope,
  body: Json,
): Promise<void> {
  const { client, request } = clientFor(kind, scope);
  await mutate(ctx, client, 'insert', {
    ...request,
    [`${COLLECTION_CLIENTS[kind].nameField}Resource`]: body,
  });
}

/** Deletes; a resource already gone counts as deleted. */
export async function deleteResource(
  ctx: GcpCalls,
  kind: ReferencedKind,
  name: string,
  scope: Scope,
): Promise<void> {
  const { client, request } = clientFor(kind, scope);
  try {
    await mutate(ctx, client, 'delete', { ...request, [COLLECTION_CLIENTS[kind].nameField]: name });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** Any other mutation of one named resource: `update`, `setUrlMap`, `attachNetworkEndpoints`... */
export async function mutateResource(
  ctx: GcpCalls,
  kind: ReferencedKind,
  name: string,
  scope: Scope,
  method: string,
  fields: Json,
): Promise<void> {
  const { client, request } = clientFor(kind, scope);
  await mutate(ctx, client, method, { ...request, [COLLECTION_CLIENTS[kind].nameField]: name, ...fields });
}
