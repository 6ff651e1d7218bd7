// The Google Cloud collections under `/v1/projects/<p>/locations/<l>/<collection>` that Portico
// programs: Certificate Manager trust configs, Network Security ServerTlsPolicies and
// BackendAuthenticationConfigs, Network Services serviceLbPolicies. Over REST (google-rest.ts): get,
// list, create, patch and delete, each mutation awaited to the end of its long-running operation.

import { InvalidConfigError } from '../../types.js';
import { LOCATION_COLLECTIONS, type LocationKind, locationPath } from '../model.js';
import type { GcpCalls, Json } from './calls.js';
import { NotFoundError } from './errors.js';
import { awaitOperation, restCall } from './google-rest.js';

/** The API of each kind: its host, its collection and the create request's id parameter. */
const APIS: Record<LocationKind, { host: string; collection: string; idParameter: string }> = {
  'trust-config': {
    host: 'certificatemanager.googleapis.com',
    collection: LOCATION_COLLECTIONS['trust-config'],
    idParameter: 'trustConfigId',
  },
  'server-tls-policy': {
    host: 'networksecurity.googleapis.com',
    collection: LOCATION_COLLECTIONS['server-tls-policy'],
    idParameter: 'serverTlsPolicyId',
  },
  'backend-authentication-config': {
    host: 'networksecurity.googleapis.com',
    collection: LOCATION_COLLECTIONS['backend-authentication-config'],
    idParameter: 'backendAuthenticationConfigId',
  },
  'service-lb-policy': {
    host: 'networkservices.googleapis.com',
    collection: LOCATION_COLLECTIONS['service-lb-policy'],
    idParameter: 'serviceLbPolicyId',
  },
};

/**
 * How another resource names one (a backend service's `serviceLbPolicy`): its path under the
 * production host of its API, `//networkservices.googleapis.com/projects/…`.
 */
export const locationReference = (kind: LocationKind, project: string, location: string, name: string) =>
  `//${APIS[kind].host}/${locationPath(kind, project, location, name)}`;

const collectionPath = (ctx: GcpCalls, kind: LocationKind, location: string) =>
  `/v1/projects/${ctx.project}/locations/${location}/${APIS[kind].collection}`;

const resourcePath = (ctx: GcpCalls, kind: LocationKind, location: string, name: string) =>
  `${collectionPath(ctx, kind, location)}/${name}`;

/** The resource as the API returns it, or undefined when there is none by that name. */
export async function getLocationResource(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
  name: string,
): Promise<Json | undefined> {
  const path = resourcePath(ctx, kind, location, name);
  try {
    return await restCall(ctx, { host: APIS[kind].host, method: 'GET', path }, `${kind} get ${name}`);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * An API that is not enabled in the project holds nothing: the project never used client
 * validation, backend TLS or topology-aware routing, and its deletes and resync listings must not
 * fail for it.
 */
const API_DISABLED = /SERVICE_DISABLED|has not been used in project|it is disabled/;

/** Every resource of a collection in one location (all pages); none when its API is not enabled. */
export async function listLocationResources(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
): Promise<Json[]> {
  try {
    return await listPages(ctx, kind, location);
  } catch (err) {
    if (err instanceof InvalidConfigError && API_DISABLED.test(err.message)) return [];
    throw err;
  }
}

async function listPages(ctx: GcpCalls, kind: LocationKind, location: string): Promise<Json[]> {
  const out: Json[] = [];
  let pageToken: string | undefined;
  do {
    const page = await restCall(
      ctx,
      {
        host: APIS[kind].host,
        method: 'GET',
        path: collectionPath(ctx, kind, location),
        ...(pageToken !== undefined ? { query: { pageToken } } : {}),
      },
      `${kind} list ${location}`,
    );
    out.push(...((page[APIS[kind].collection] as Json[] | undefined) ?? []));
    pageToken =
      typeof page.nextPageToken === 'string' && page.nextPageToken !== '' ? page.nextPageToken : undefined;
  } while (pageToken !== undefined);
  return out;
}

export async function createLocationResource(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
  name: string,
  body: Json,
): Promise<void> {
  const what = `${kind} create ${name}`;
  const op = await restCall(
    ctx,
    {
      host: APIS[kind].host,
      method: 'POST',
      path: collectionPath(ctx, kind, location),
      query: { [APIS[kind].idParameter]: name },
      body,
    },
    what,
  );
  await awaitOperation(ctx, APIS[kind].host, op, what);
}

/** Replaces the fields `mask` names (top-level field names) with the body's. */
export async function patchLocationResource(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
  name: string,
  body: Json,
  mask: readonly string[],
): Promise<void> {
  const what = `${kind} patch ${name}`;
  const op = await restCall(
    ctx,
    {
      host: APIS[kind].host,
      method: 'PATCH',
      path: resourcePath(ctx, kind, location, name),
      query: { updateMask: mask.join(',') },
      body,
    },
    what,
  );
  await awaitOperation(ctx, APIS[kind].host, op, what);
}

/** Deletes; a resource already gone counts as deleted. */
export async function deleteLocationResource(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
  name: string,
): Promise<void> {
  const what = `${kind} delete ${name}`;
  try {
    const op = await restCall(
      ctx,
      {
        host: APIS[kind].host,
        method: 'DELETE',
        path: resourcePath(ctx, kind, location, name),
      },
      what,
    );
    await awaitOperation(ctx, APIS[kind].host, op, what);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
