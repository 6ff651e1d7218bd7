// Which endpoints of a pool are "close" to a load balancer in a given zone, for pools that prefer
// close endpoints (pool `topology`). Read the way kube-proxy reads EndpointSlices: topology hints
// decide when every ready endpoint carries them (a slice controller that hints some endpoints and
// not others is mid-update, so hints are ignored); otherwise an endpoint's own zone decides.

import type { BackendPool, Endpoint } from './load-balancer.js';

/**
 * The endpoints of `pool` that serve `zone`, and whether that choice applies at all: it does not
 * when the pool has no topology preference, or when no usable endpoint is close (then every
 * endpoint serves alike, as kube-proxy falls back to all of them).
 */
export function closeEndpoints(
  pool: Pick<BackendPool, 'topology' | 'endpoints'>,
  zone: string,
): { applies: boolean; isClose: (e: Endpoint) => boolean } {
  const everywhere = { applies: false, isClose: () => true };
  if (pool.topology !== 'PreferClose') return everywhere;
  const usable = pool.endpoints.filter((e) => e.ready);
  const byHints = usable.length > 0 && usable.every((e) => (e.zoneHints?.length ?? 0) > 0);
  const isClose = (e: Endpoint) => (byHints ? (e.zoneHints ?? []).includes(zone) : e.zone === zone);
  if (!usable.some(isClose)) return everywhere;
  return { applies: true, isClose };
}
