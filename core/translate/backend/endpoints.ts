import type { Endpoint } from '#core/ir/load-balancer.js';
import type { EndpointSlice } from '#core/model/endpoint-slice.js';
import type { ServicePort } from '#core/model/service.js';

/**
 * The endpoints of one Service port, from all of the Service's EndpointSlices. A slice port maps to
 * the Service port of the same name (both unnamed when the Service has a single unnamed port), which
 * is how kube-proxy reads them. Conditions default as the EndpointSlice API defines: a missing
 * `ready` is true, a missing `serving` equals `ready`, a missing `terminating` is false. FQDN slices
 * are left out: load balancers target addresses. An address listed twice (slices overlap during
 * updates) is kept once, the most ready copy winning.
 */
export function endpointsForPort(slices: readonly EndpointSlice[], port: ServicePort): Endpoint[] {
  const wantName = port.name ?? '';
  const wantProtocol = port.protocol ?? 'TCP';
  const byAddress = new Map<string, Endpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const slicePort = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === wantName && (p.protocol ?? 'TCP') === wantProtocol,
    );
    if (!slicePort?.port) continue;
    for (const e of slice.endpoints ?? []) {
      const ready = e.conditions?.ready ?? true;
      const serving = e.conditions?.serving ?? ready;
      const terminating = e.conditions?.terminating ?? false;
      for (const address of e.addresses) {
        const endpoint: Endpoint = {
          address: slice.addressType === 'IPv6' ? address.toLowerCase() : address,
          family: slice.addressType,
          port: slicePort.port,
          ready,
          serving,
          terminating,
          ...(e.zone ? { zone: e.zone } : {}),
          ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        };
        const id = `${endpoint.address}|${endpoint.port}`;
        const seen = byAddress.get(id);
        if (!seen || rank(endpoint) > rank(seen)) byAddress.set(id, endpoint);
      }
    }
  }
  return [...byAddress.values()].sort(compareEndpoints);
}

function rank(e: Endpoint): number {
  return (e.ready ? 4 : 0) + (e.serving ? 2 : 0) + (e.terminating ? 0 : 1);
}

export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port;
}
