// Host-first routing on ALB. The IR picks the most specific matching hostname and tries only its
// routes (none match → 404); ALB tries every rule by priority. So after the last route of a host, a
// catch-all 404 for that host stops its requests from reaching a later, less specific host's rules.

import type * as ir from '#core/ir/load-balancer.js';

/** Whether route hostname `outer` (absent = any host) also matches requests for `inner`. */
export function hostCovers(outer: string | undefined, inner: string | undefined): boolean {
  if (outer === undefined) return inner !== undefined;
  if (inner === undefined || outer === inner || !outer.startsWith('*.')) return false;
  return inner.endsWith(outer.slice(1));
}

/**
 * For each hostname that needs a catch-all, the index of its last route. Decided on the IR's own
 * routes, before anything is left out: a host whose routes were all refused still answers 404 rather
 * than falling through to another host's routes.
 */
export function catchAllPositions(routes: readonly ir.Route[]): Map<string, number> {
  const last = new Map<string, number>();
  routes.forEach((r, i) => {
    if (r.hostname !== undefined) last.set(r.hostname, i);
  });
  const out = new Map<string, number>();
  for (const [host, i] of last)
    if (routes.slice(i + 1).some((r) => hostCovers(r.hostname, host))) out.set(host, i);
  return out;
}
