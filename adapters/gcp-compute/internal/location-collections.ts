// Certificate Manager and Network Security collections (`/v1/projects/<p>/locations/<l>/<collection>`)
// over REST (google-rest.ts): get, list, create, patch and delete, each mutation awaited to the end of
// its long-running operation (google.longrunning: `done`, and `error` when it failed).

import { InvalidConfigError } from '../../types.js';
import { LOCATION_COLLECTIONS, type LocationKind, locationPath } from '../model.js';
import type { GcpCalls, Json } from './calls.js';
import { NotFoundError } from './errors.js';
import { awaitOperation, restCall } from './google-rest.js';

/** The API of each kind: its host and the create request's id parameter. */
const APIS: Record<LocationKind, { host: string; idParameter: string }> = {
  'trust-config': { host: 'certificatemanager.googleapis.com', idParameter: 'trustConfigId' },
  'server-tls-policy': { host: 'networksecurity.googleapis.com', idParameter: 'serverTlsPolicyId' },
  'backend-authentication-config': {
    host: 'networksecurity.googleapis.com',
    idParameter: 'backendAuthenticationConfigId',
  },
};

const collectionPath = (ctx: GcpCalls, kind: LocationKind, location: string) =>
  `/v1/projects/${ctx.project}/locations/${location}/${LOCATION_COLLECTIONS[kind]}`;

/** The resource as the API returns it, or undefined when there is none by that name. */
export async function getLocationResource(
  ctx: GcpCalls,
  kind: LocationKind,
  location: string,
  name: string,
): Promise<Json | undefined> {
  const path = `/v1/${locationPath(kind, ctx.project, location, name)}`;
  try {
    return await restCall(ctx, { host: APIS[kind].host, method: 'GET', path }, `${kind} get ${name}`);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * An API that is not enabled in the project holds nothing: the project never used client
 * validation or backend TLS, and its deletes and resync listings must not fail for it.
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
    out.push(...((page[LOCATION_COLLECTIONS[kind]] as Json[] | undefined) ?? []));
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
      path: `/v1/${locationPath(kind, ctx.project, location, name)}`,
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
        path: `/v1/${locationPath(kind, ctx.project, location, name)}`,
      },
      what,
    );
    await awaitOperation(ctx, APIS[kind].host, op, what);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
