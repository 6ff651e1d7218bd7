// Zonal NEGs (GCE_VM_IP_PORT, and GCE_VM_IP for passthrough NLBs) and their endpoints. A NEG cannot change in place (every field that
// matters is in its name's hash or replaceOn); its endpoints change only with attach and detach, in
// batches of at most 500 (the API's limit per call), new endpoints first so traffic never lacks a
// target. Deleting a NEG drops its endpoints: no detach first.

import { clean, lastSegment, pick } from '../internal/api-values.js';
import type { ApplyContext } from '../internal/apply-context.js';
import { collect, type Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import type { NegEndpointsValue, NetworkEndpoint, NetworkEndpointGroupValue } from '../model.js';

/** Endpoints per attach or detach call (GCP's maximum; ingress-gce's MAX_NETWORK_ENDPOINTS_PER_BATCH). */
export const ENDPOINTS_PER_CALL = 500;

export function negFromApi(api: Json): NetworkEndpointGroupValue {
  const v = pick(api, ['name', 'description', 'networkEndpointType', 'network', 'subnetwork']);
  return { ...(v as unknown as NetworkEndpointGroupValue), zone: lastSegment(String(api.zone ?? '')) };
}

/**
 * The endpoints attached to a NEG, every page. `desired` (what render wants there) tells which IPv4
 * addresses GCP filled in: an IPv6-only endpoint attached with its instance gets the VM's primary IP
 * as `ipAddress`, which render never names.
 */
export async function listNegEndpoints(
  ac: Pick<ApplyContext, 'calls'>,
  name: string,
  zone: string,
  desired: readonly NetworkEndpoint[] = [],
): Promise<NegEndpointsValue> {
  const v6Only = new Set(desired.filter((e) => e.ipAddress === undefined).map(ipv6Key));
  const items = await collect<Json>(ac.calls, 'networkEndpointGroups', 'listNetworkEndpointsAsync', {
    zone,
    networkEndpointGroup: name,
    networkEndpointGroupsListEndpointsRequestResource: {},
  });
  const endpoints = items.map((i) => {
    const api = (i.networkEndpoint as Json | undefined) ?? {};
    // A GCE_VM_IP endpoint (a passthrough NLB's: no port) is attached as its instance alone; GCP
    // answers with the VM's primary IP filled in, which render never names: kept, it would differ
    // from the desired endpoints forever (a detach and re-attach on every reconcile).
    const fields =
      clean(api.port) === undefined && api.instance
        ? ['instance']
        : ['instance', 'ipAddress', 'ipv6Address', 'port'];
    const e = pick(api, fields) as unknown as NetworkEndpoint;
    if (e.ipv6Address !== undefined && v6Only.has(ipv6Key(e))) delete e.ipAddress;
    return e;
  });
  return { networkEndpointGroup: name, zone, endpoints };
}

const endpointKey = (e: NetworkEndpoint) =>
  `${e.instance ?? ''}/${e.ipAddress ?? ''}/${e.ipv6Address ?? ''}:${e.port}`;
const ipv6Key = (e: NetworkEndpoint) => `${e.instance ?? ''}/[${e.ipv6Address ?? ''}]:${e.port}`;

/** Attaches what `after` adds and detaches what it drops, ≤ 500 per call. Returns the calls made. */
export async function syncNegEndpoints(
  ac: ApplyContext,
  before: readonly NetworkEndpoint[],
  after: NegEndpointsValue,
): Promise<void> {
  const had = new Set(before.map(endpointKey));
  const wants = new Set(after.endpoints.map(endpointKey));
  const attach = after.endpoints.filter((e) => !had.has(endpointKey(e)));
  const detach = before.filter((e) => !wants.has(endpointKey(e)));
  await changeEndpoints(ac, after, 'attachNetworkEndpoints', attach);
  await changeEndpoints(ac, after, 'detachNetworkEndpoints', detach);
}

async function changeEndpoints(
  ac: ApplyContext,
  neg: NegEndpointsValue,
  method: 'attachNetworkEndpoints' | 'detachNetworkEndpoints',
  endpoints: readonly NetworkEndpoint[],
): Promise<void> {
  const field =
    method === 'attachNetworkEndpoints'
      ? 'networkEndpointGroupsAttachEndpointsRequestResource'
      : 'networkEndpointGroupsDetachEndpointsRequestResource';
  for (let i = 0; i < endpoints.length; i += ENDPOINTS_PER_CALL) {
    const batch = endpoints.slice(i, i + ENDPOINTS_PER_CALL).map((e) => ({
      ...(e.instance !== undefined ? { instance: e.instance } : {}),
      ...(e.ipAddress !== undefined ? { ipAddress: e.ipAddress } : {}),
      ...(e.ipv6Address !== undefined ? { ipv6Address: e.ipv6Address } : {}),
      port: e.port,
    }));
    await mutateResource(
      ac.calls,
      'network-endpoint-group',
      neg.networkEndpointGroup,
      { zone: neg.zone },
      method,
      {
        [field]: { networkEndpoints: batch },
      },
    );
  }
}
