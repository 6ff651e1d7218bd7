// Service load balancing policies (Network Services v1 `projects.locations.serviceLbPolicies`), one
// more location collection (internal/location-collections.ts): get, list, create, patch and delete,
// each mutation a long-running operation polled to its end. Ownership is the description marker, as for
// Compute resources: an update or delete re-reads the policy first and stops with NotOwnedError when
// the marker is not this load balancer's; a create whose name is taken adopts only its own.

import { ConflictError, NotOwnedError } from '../../types.js';
import type { ApplyContext } from '../internal/apply-context.js';
import type { GcpCalls, Json } from '../internal/calls.js';
import { AlreadyExistsError } from '../internal/errors.js';
import {
  createLocationResource,
  deleteLocationResource,
  getLocationResource,
  listLocationResources,
  locationApiHost,
  patchLocationResource,
} from '../internal/location-collections.js';
import type { ServiceLbPolicyValue } from '../model.js';

const KIND = 'service-lb-policy';

/** `projects/<p>/locations/<l>/serviceLbPolicies/<name>`: the policy's resource name. */
export const policyPath = (project: string, location: string, name: string): string =>
  `projects/${project}/locations/${location}/serviceLbPolicies/${name}`;

/** How a backend service names a policy (`serviceLbPolicy`): the resource name under the service's host. */
export const policyReference = (project: string, location: string, name: string): string =>
  `//${locationApiHost(KIND)}/${policyPath(project, location, name)}`;

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
export const getServiceLbPolicy = (
  ctx: GcpCalls,
  location: string,
  name: string,
): Promise<Json | undefined> => getLocationResource(ctx, KIND, location, name);

/** Every policy of a location, every page (resync and deletes search them by marker). */
export const listServiceLbPolicies = (ctx: GcpCalls, location = 'global'): Promise<Json[]> =>
  listLocationResources(ctx, KIND, location);

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
    await createLocationResource(calls, KIND, v.location, v.name, body(v));
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
  await patchLocationResource(calls, KIND, v.location, v.name, body(v), [
    'description',
    'loadBalancingAlgorithm',
  ]);
}

/** Deletes; a policy already gone counts as deleted. */
export async function deleteServiceLbPolicy(
  ac: ApplyContext,
  address: string,
  v: ServiceLbPolicyValue,
): Promise<void> {
  const { calls } = ac;
  if (await recheck(ac, address, v)) await deleteLocationResource(calls, KIND, v.location, v.name);
}
