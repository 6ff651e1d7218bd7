// A pool's ready endpoints (and those held back only by Portico's readiness gates, which the health
// check then opens) as GCE_VM_IP_PORT NEG endpoints, per zone, and the address family the
// backend service reaches them by. A dual-stack Service lists each pod once per family (one
// EndpointSlice each); GCP takes both addresses of one pod as ONE endpoint (`ipAddress` and
// `ipv6Address`), so the two are paired by pod and port. The backend service's
// ipAddressSelectionPolicy then says which address the proxies use:
//   - only IPv4 endpoints, or dual-stack ones on an IPv4-first load balancer: IPv4 (GCP's default);
//   - dual-stack endpoints on an IPv6-first load balancer (ipFamilies [IPv6, IPv4]): PREFER_IPV6;
//   - IPv6-only pods (an IPv6-only Service), with or without dual-stack ones: IPV6_ONLY;
//   - IPv6-only pods next to IPv4-only ones: no one policy reaches both; the IPv6-only ones are left
//     out with a warning (IPv4 reaches the rest).

import type * as ir from '#core/ir/load-balancer.js';
import { registersEndpoint } from '#core/readiness/awaiting-load-balancer.js';
import type { BackendServiceValue, NetworkEndpoint } from '../model.js';

export interface NegEndpointPlan {
  /** The endpoints of each zone's NEG (unsorted). */
  byZone: Map<string, NetworkEndpoint[]>;
  ipAddressSelectionPolicy?: BackendServiceValue['ipAddressSelectionPolicy'];
  /** Endpoints put in the first zone's NEG because their zone is not among the NEG zones. */
  elsewhere: number;
  /** IPv6-only endpoints left out: the pool has IPv4-only ones too. */
  ipv6LeftOut: number;
  /** Endpoints past the per-NEG limit. */
  dropped: number;
}

export function negEndpointPlan(
  pool: ir.BackendPool,
  zones: readonly string[],
  opts: { endpointsPerNeg: number; ipv6First: boolean },
): NegEndpointPlan {
  // One entry per pod and port (an endpoint without a pod reference stands alone).
  const merged = new Map<string, { v4?: ir.Endpoint; v6?: ir.Endpoint }>();
  for (const e of pool.endpoints) {
    if (!registersEndpoint(e)) continue;
    const key = e.pod ? `pod ${e.pod.namespace}/${e.pod.name}:${e.port}` : `ip ${e.address}:${e.port}`;
    const entry = merged.get(key) ?? {};
    if (e.family === 'IPv6') entry.v6 ??= e;
    else entry.v4 ??= e;
    merged.set(key, entry);
  }
  const entries = [...merged.values()];
  const v4Only = entries.some((p) => p.v4 && !p.v6);
  const v6Only = entries.some((p) => p.v6 && !p.v4);
  const dual = entries.some((p) => p.v4 && p.v6);
  const ipAddressSelectionPolicy: NegEndpointPlan['ipAddressSelectionPolicy'] =
    v6Only && !v4Only ? 'IPV6_ONLY' : dual && !v4Only && opts.ipv6First ? 'PREFER_IPV6' : undefined;

  const byZone = new Map<string, NetworkEndpoint[]>(zones.map((z) => [z, []]));
  const plan: NegEndpointPlan = {
    byZone,
    ...(ipAddressSelectionPolicy ? { ipAddressSelectionPolicy } : {}),
    elsewhere: 0,
    ipv6LeftOut: 0,
    dropped: 0,
  };
  for (const { v4, v6 } of entries) {
    if (!v4 && v4Only) {
      plan.ipv6LeftOut++;
      continue;
    }
    const first = (v4 ?? v6)!;
    // An endpoint outside the NEG zones goes to the first zone's NEG (GCP checks the instance's zone on attach).
    const zone = first.zone !== undefined && byZone.has(first.zone) ? first.zone : zones[0]!;
    if (zone !== first.zone) plan.elsewhere++;
    const list = byZone.get(zone)!;
    if (list.length >= opts.endpointsPerNeg) {
      plan.dropped++;
      continue;
    }
    list.push({
      ...(first.nodeName !== undefined ? { instance: first.nodeName } : {}),
      ...(v4 ? { ipAddress: v4.address } : {}),
      ...(v6 ? { ipv6Address: v6.address } : {}),
      port: first.port,
    });
  }
  return plan;
}
