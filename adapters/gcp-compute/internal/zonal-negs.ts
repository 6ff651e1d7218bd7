// One NEG of the same name per zone, with the endpoints attached in each: the shape both the
// Application Load Balancers (GCE_VM_IP_PORT) and the passthrough NLBs (GCE_VM_IP) render.

import type * as ir from '#core/ir/load-balancer.js';
import type { NegEndpointsValue, NetworkEndpoint, NetworkEndpointGroupValue } from '../model.js';
import { ownerDescription } from '../naming.js';

export function zonalNegs(
  lb: ir.LoadBalancer,
  neg: {
    name: string;
    type: NetworkEndpointGroupValue['networkEndpointType'];
    network: string;
    subnetwork?: string;
  },
  zones: readonly string[],
  endpointsIn: (zone: string) => NetworkEndpoint[],
): { negs: NetworkEndpointGroupValue[]; endpoints: NegEndpointsValue[] } {
  return {
    negs: zones.map((zone) => ({
      name: neg.name,
      description: ownerDescription(lb, 'network-endpoint-group'),
      zone,
      networkEndpointType: neg.type,
      network: neg.network,
      ...(neg.subnetwork ? { subnetwork: neg.subnetwork } : {}),
    })),
    endpoints: zones.map((zone) => ({ networkEndpointGroup: neg.name, zone, endpoints: endpointsIn(zone) })),
  };
}
