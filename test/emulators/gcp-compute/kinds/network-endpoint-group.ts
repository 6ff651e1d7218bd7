// Zonal network endpoint groups: GCE_VM_IP_PORT (proxy load balancers) or GCE_VM_IP (passthrough), in a
// network (default: `default`). Endpoints are attached and detached separately (network-endpoints.ts).

import { invalid } from '../errors.js';
import { int, oneOf } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

export const NEG_TYPES = ['GCE_VM_IP_PORT', 'GCE_VM_IP'] as const;

export function prepareNetworkEndpointGroup(body: Json, ctx: KindContext): Json {
  const neg = structuredClone(body);
  const type = oneOf('resource.networkEndpointType', neg.networkEndpointType, NEG_TYPES) ?? 'GCE_VM_IP_PORT';
  const defaultPort = int('resource.defaultPort', neg.defaultPort, 1, 65535);
  if (type === 'GCE_VM_IP' && defaultPort !== undefined)
    throw invalid('resource.defaultPort', 'GCE_VM_IP endpoints have no port');
  return {
    ...neg,
    networkEndpointType: type,
    network: ctx.externalRef('resource.network', neg.network ?? 'global/networks/default', 'networks'),
    ...(neg.subnetwork !== undefined
      ? { subnetwork: ctx.externalRef('resource.subnetwork', neg.subnetwork, 'subnetworks') }
      : {}),
    size: 0,
  };
}
