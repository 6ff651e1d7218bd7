// Service load balancing policies (Network Services v1 `projects.locations.serviceLbPolicies`), over
// internal/google-rest.ts: get, create (`?serviceLbPolicyId=`), patch (`?updateMask=`) and delete, each
// mutation a long-running operation polled to its end. Ownership is the description marker, as for
// Compute resources: an update or delete re-reads the policy first and stops with NotOwnedError when
// the marker is not this load balancer's; a create whose name is taken adopts only its own.

import { ConflictError, NotOwnedError } from '../../types.js';
import type { ApplyContext } from '../internal/apply-context.js';
import type { GcpCalls, Json } from '../internal/calls.js';
import { AlreadyExistsError, NotFoundError } from '../internal/errors.js';
import { awaitOperation, type GoogleRestRequest, restCall } from '../internal/google-rest.js';
import type { ServiceLbPolicyValue } from '../model.js';

const SERVICE = 'networkservices';
const HOST = `${SERVICE}.googleapis.com`;

/** One Network Services call, named in errors by its method and path. */
const call = (ctx: GcpCalls, r: Omit<GoogleRestRequest, 'host'>): Promise<Json> =>
  restCall(ctx, { host: HOST, ...r }, `${SERVICE} ${r.method} ${r.path}`);

/** `projects/<p>/locations/<l>/serviceLbPolicies/<name>`: the policy's resource name. */
export const policyPath = (project: string, location: string, name: string): string =>
  `projects/${project}/locations/${location}/serviceLbPolicies/${name}`;

/** How a backend service names a policy (`serviceLbPolicy`): the resource name under the service's host. */
export const policyReference = (project: string, location: string, name: string): string =>
  `//${HOST}/${policyPath(project, location, name)}`;

/** The policy a backend service's `serviceLbPolicy` names (any of the URL forms), or undefined. */
export function parsePolicyReference(
  ref: string,
): { project: string; location: string; name: string } | undefined {
  const m = /(?:^|\/)projects\/([^/]+)\/locations\/([^/]+)\/serviceLbPolicies\/([^/]+)$/.exec(ref);
  return m ? { project: m[1]!, location: m[2]!, name: m[3]! } : undefined;
}

export function serviceLbPolicyFromApi(api: Json): ServiceLbPolicyValue {
  const name = String(api.name ?? '');
  const parsed = parsePolicyReference(name);
  return {
    name: parsed?.name ?? name,
    description: typeof api.description === 'string' ? api.description : '',
    location: (parsed?.location ?? 'global') as 'global',
    loadBalancingAlgorithm: api.loadBalancingAlgorithm as ServiceLbPolicyValue['loadBalancingAlgorithm'],
  };
}

/** The policy as the API returns it, or undefined when there is none by that name. */
export async function getServiceLbPolicy(
  ctx: GcpCalls,
  location: string,
  name: string,
): Promise<Json | undefined> {
  try {
    return await call(ctx, {
      method: 'GET',
      path: `/v1/${policyPath(ctx.project, location, name)}`,
    });
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Every policy of a location, every page (resync and deletes search them by marker). */
export async function listServiceLbPolicies(ctx: GcpCalls, location = 'global'): Promise<Json[]> {
  const out: Json[] = [];
  let pageToken: string | undefined;
  do {
    const page = (await call(ctx, {
      method: 'GET',
      path: `/v1/projects/${ctx.project}/locations/${location}/serviceLbPolicies`,
      ...(pageToken ? { query: { pageToken } } : {}),
    })) as { serviceLbPolicies?: Json[]; nextPageToken?: string };
    out.push(...(page.serviceLbPolicies ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return out;
}

const body = (v: ServiceLbPolicyValue): Json => ({
  description: v.description,
  loadBalancingAlgorithm: v.loadBalancingAlgorithm,
});

/** The policy right before a change: undefined when gone; NotOwnedError when not this load balancer's. */
async function recheck(
  ac: ApplyContext,
  address: string,
  v: ServiceLbPolicyValue,
): Promise<Json | undefined> {
  const now = await getServiceLbPolicy(ac.calls, v.location, v.name);
  if (now && !ac.owned(now.description)) throw new NotOwnedError(address);
  return now;
}

export async function createServiceLbPolicy(
  ac: ApplyContext,
  address: string,
  v: ServiceLbPolicyValue,
): Promise<void> {
  const { calls } = ac;
  try {
    const op = await call(calls, {
      method: 'POST',
      path: `/v1/projects/${calls.project}/locations/${v.location}/serviceLbPolicies`,
      query: { serviceLbPolicyId: v.name },
      body: body(v),
    });
    await awaitOperation(calls, HOST, op, `serviceLbPolicies.create ${v.name}`);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    if (!(await recheck(ac, address, v)))
      throw new ConflictError(`${address}: the name is taken, but nothing is found by it`, address);
  }
}

export async function updateServiceLbPolicy(
  ac: ApplyContext,
  address: string,
  v: ServiceLbPolicyValue,
): Promise<void> {
  const { calls } = ac;
  if (!(await recheck(ac, address, v)))
    throw new ConflictError(`${address} is gone since it was observed`, address);
  const op = await call(calls, {
    method: 'PATCH',
    path: `/v1/${policyPath(calls.project, v.location, v.name)}`,
    query: { updateMask: 'description,loadBalancingAlgorithm' },
    body: body(v),
  });
  await awaitOperation(calls, HOST, op, `serviceLbPolicies.patch ${v.name}`);
}

/** Deletes; a policy already gone counts as deleted. */
export async function deleteServiceLbPolicy(
  ac: ApplyContext,
  address: string,
  v: ServiceLbPolicyValue,
): Promise<void> {
  const { calls } = ac;
  if (!(await recheck(ac, address, v))) return;
  try {
    const op = await call(calls, {
      method: 'DELETE',
      path: `/v1/${policyPath(calls.project, v.location, v.name)}`,
    });
    await awaitOperation(calls, HOST, op, `serviceLbPolicies.delete ${v.name}`);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
