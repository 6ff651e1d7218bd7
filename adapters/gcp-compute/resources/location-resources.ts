// Trust configs (Certificate Manager), ServerTlsPolicies and BackendAuthenticationConfigs (Network
// Security) and service load balancing policies (Network Services): read back into the model,
// created, patched in place (the fields that changed) and deleted, through
// internal/location-collections.ts. Ownership is the description marker, as on
// Compute resources, re-read right before any change.

import { ConflictError, NotOwnedError } from '../../types.js';
import { clean, pick } from '../internal/api-values.js';
import type { ApplyContext } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { AlreadyExistsError } from '../internal/errors.js';
import {
  createLocationResource,
  deleteLocationResource,
  getLocationResource,
  patchLocationResource,
} from '../internal/location-collections.js';
import {
  type BackendAuthenticationConfigValue,
  type GcpValues,
  type LocationKind,
  parseLocationPath,
  type ServerTlsPolicyValue,
  type ServiceLbPolicyValue,
  type TrustConfigValue,
} from '../model.js';

type LocationValue = GcpValues[LocationKind];

/** `//certificatemanager.googleapis.com/projects/…` and `projects/…` alike: the relative form. */
const relative = (link: unknown): unknown =>
  typeof link === 'string' ? link.replace(/^\/\/[a-z]+\.googleapis\.com\//, '') : link;

/** Name, description and location: what every kind has. */
function identity(api: Json): Pick<TrustConfigValue, 'name' | 'description' | 'location'> {
  const path = parseLocationPath(String(api.name ?? ''));
  return {
    name: path?.name ?? String(api.name ?? ''),
    description: typeof api.description === 'string' ? api.description : '',
    location: (path?.location ?? 'global') as 'global',
  };
}

function base(api: Json): Omit<TrustConfigValue, 'trustStores'> {
  return { ...identity(api), labels: (clean(api.labels) as Record<string, string> | undefined) ?? {} };
}

export function locationResourceFromApi<K extends LocationKind>(kind: K, api: Json): GcpValues[K] {
  switch (kind) {
    case 'trust-config': {
      const stores = ((clean(api.trustStores) as Json[] | undefined) ?? []).map((s) => ({
        trustAnchors: ((s.trustAnchors as Json[] | undefined) ?? []).map((a) => ({
          pemCertificate: String(a.pemCertificate ?? ''),
        })),
      }));
      return { ...base(api), trustStores: stores } satisfies TrustConfigValue as GcpValues[K];
    }
    case 'server-tls-policy': {
      const m = (pick(api, ['mtlsPolicy']).mtlsPolicy as Json | undefined) ?? {};
      return {
        ...base(api),
        mtlsPolicy: {
          clientValidationMode:
            m.clientValidationMode as ServerTlsPolicyValue['mtlsPolicy']['clientValidationMode'],
          clientValidationTrustConfig: String(relative(m.clientValidationTrustConfig) ?? ''),
        },
      } satisfies ServerTlsPolicyValue as GcpValues[K];
    }
    case 'service-lb-policy':
      return {
        ...identity(api),
        loadBalancingAlgorithm: api.loadBalancingAlgorithm as ServiceLbPolicyValue['loadBalancingAlgorithm'],
      } satisfies ServiceLbPolicyValue as GcpValues[K];
    default: {
      const trustConfig = relative(api.trustConfig);
      return {
        ...base(api),
        ...(typeof trustConfig === 'string' && trustConfig !== '' ? { trustConfig } : {}),
        wellKnownRoots: api.wellKnownRoots === 'PUBLIC_ROOTS' ? 'PUBLIC_ROOTS' : 'NONE',
      } satisfies BackendAuthenticationConfigValue as GcpValues[K];
    }
  }
}

/** The request body: the API's fields (the name and location are in the URL). */
function body(value: LocationValue): Json {
  const { name: _name, location: _location, ...rest } = value;
  return rest as unknown as Json;
}

/** The resource right before a change: undefined when gone; NotOwnedError when not this load balancer's. */
async function recheck(ac: ApplyContext, address: string, kind: LocationKind, v: LocationValue) {
  const now = await getLocationResource(ac.calls, kind, v.location, v.name);
  if (now && !ac.owned(now.description)) throw new NotOwnedError(address);
  return now;
}

/** Creates; a name already taken is adopted only when it carries this load balancer's marker. */
export async function createLocationValue(
  ac: ApplyContext,
  address: string,
  kind: LocationKind,
  v: LocationValue,
): Promise<void> {
  try {
    await createLocationResource(ac.calls, kind, v.location, v.name, body(v));
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    if (!(await recheck(ac, address, kind, v)))
      throw new ConflictError(`${address}: the name is taken, but nothing is found by it`, address);
  }
}

/** Patches the top-level fields that changed. */
export async function updateLocationValue(
  ac: ApplyContext,
  address: string,
  kind: LocationKind,
  v: LocationValue,
  changedPaths: readonly string[],
): Promise<void> {
  if (!(await recheck(ac, address, kind, v)))
    throw new ConflictError(`${address} is gone since it was observed`, address);
  const mask = [...new Set(changedPaths.map((p) => p.split(/[.[]/)[0]!))].filter(
    (f) => f !== 'name' && f !== 'location',
  );
  if (mask.length === 0) return;
  const b = body(v);
  // A field the desired value leaves out is cleared: it is in the mask and absent from the body.
  await patchLocationResource(ac.calls, kind, v.location, v.name, b, mask.sort());
}

export async function deleteLocationValue(
  ac: ApplyContext,
  address: string,
  kind: LocationKind,
  v: LocationValue,
): Promise<void> {
  if (await recheck(ac, address, kind, v)) await deleteLocationResource(ac.calls, kind, v.location, v.name);
}
