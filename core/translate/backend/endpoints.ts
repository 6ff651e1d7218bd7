import type { Endpoint, PodRef } from '#core/ir/load-balancer.js';
import type { EndpointSlice } from '#core/model/endpoint-slice.js';
import { K8S_NAME } from '#core/model/meta.js';
import type { ServicePort } from '#core/model/service.js';
import { formatIp, parseIp } from '../ip-address.js';

/**
 * The endpoints of one Service port, from all of the Service's EndpointSlices, read the way kube-proxy
 * reads them:
 * - a slice port maps to the Service port of the same name and protocol (both unnamed when the
 *   Service has a single unnamed port);
 * - conditions default as the discovery/v1 API defines: a missing `ready` or `serving` is true, a
 *   missing `terminating` is false;
 * - only an endpoint's first address is used: the API says later ones carry no defined meaning
 *   (they are "fungible"), and using them all would give one pod several shares of traffic;
 * - FQDN slices are left out (load balancers target addresses), as are addresses that are not IPs of
 *   the slice's family;
 * - topology hints (`hints.forZones`) are kept as the endpoint's `zoneHints`;
 * - IPv6 addresses are written canonically, and an address:port listed twice (slices overlap while
 *   the controller moves endpoints between them) is kept once, the most ready copy winning.
 */
export function endpointsForPort(
  slices: readonly EndpointSlice[],
  port: Pick<ServicePort, 'name' | 'protocol' | 'port'>,
  /** The cluster each slice's endpoints come from (multi-cluster services); absent: not recorded. */
  clusterOf?: (slice: EndpointSlice) => string | undefined,
): Endpoint[] {
  const wantName = port.name ?? '';
  const wantProtocol = port.protocol ?? 'TCP';
  const byAddress = new Map<string, Endpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const slicePort = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === wantName && (p.protocol ?? 'TCP') === wantProtocol,
    );
    if (!slicePort?.port) continue;
    const cluster = clusterOf?.(slice);
    for (const e of slice.endpoints ?? []) {
      const address = canonicalAddress(e.addresses[0] ?? '', slice.addressType);
      if (!address) continue;
      const ready = e.conditions?.ready ?? true;
      const serving = e.conditions?.serving ?? true;
      const terminating = e.conditions?.terminating ?? false;
      const endpoint: Endpoint = {
        address,
        family: slice.addressType,
        port: slicePort.port,
        ready,
        serving,
        terminating,
        ...(e.zone ? { zone: e.zone } : {}),
        ...zoneHints(e.hints?.forZones),
        ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        // A multi-cluster endpoint's Pod is in another cluster: its gates are not this cluster's to open.
        ...(cluster !== undefined ? { cluster } : podOf(e.targetRef, slice.metadata.namespace)),
      };
      const id = `${endpoint.address}|${endpoint.port}`;
      const seen = byAddress.get(id);
      if (!seen || rank(endpoint) > rank(seen)) byAddress.set(id, endpoint);
    }
  }
  return [...byAddress.values()].sort(compareEndpoints);
}

/** Hinted zone names, sorted and once each; none = no hint. */
function zoneHints(forZones: readonly { name: string }[] | null | undefined): { zoneHints?: string[] } {
  const names = [...new Set((forZones ?? []).map((z) => z.name))].sort();
  return names.length > 0 ? { zoneHints: names } : {};
}

const CANONICAL_IPV4 =
  /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

/** The address in canonical form if it is an IP of the slice's family; the common IPv4 case is checked cheaply. */
function canonicalAddress(text: string, family: 'IPv4' | 'IPv6'): string | undefined {
  if (family === 'IPv4' && CANONICAL_IPV4.test(text)) return text;
  const ip = parseIp(text);
  return ip && ip.family === family ? formatIp(ip) : undefined;
}

/**
 * The Pod an endpoint stands for: only a `Pod` targetRef with a valid name in the slice's own
 * namespace (an EndpointSlice never targets another namespace's pods; anything else is ignored).
 */
function podOf(
  ref: { kind?: string | undefined; name?: string | undefined; namespace?: string | undefined } | undefined,
  namespace: string | undefined,
): { pod?: PodRef } {
  if (ref?.kind !== 'Pod' || !ref.name || !namespace) return {};
  if (ref.namespace !== undefined && ref.namespace !== namespace) return {};
  if (ref.name.length > 253 || !K8S_NAME.test(ref.name)) return {};
  return { pod: { namespace, name: ref.name } };
}

/** Ready beats serving beats terminating, so a copy from a stale slice never hides a fresher one. */
function rank(e: Endpoint): number {
  return (e.ready ? 4 : 0) + (e.serving ? 2 : 0) + (e.terminating ? 0 : 1);
}

export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port;
}
