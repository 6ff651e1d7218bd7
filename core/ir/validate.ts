import type { LoadBalancer, Route, SourceRef } from './load-balancer.js';

export interface IrError {
  source: SourceRef;
  message: string;
}

/**
 * Checks the invariants every adapter relies on. The translator should never produce an invalid IR;
 * this is the seam check before anything reaches a provider (Envoy Gateway does the same).
 */
export function validateLoadBalancer(lb: LoadBalancer): IrError[] {
  const errors: IrError[] = [];
  const poolIds = new Set<string>();
  for (const pool of lb.pools) {
    if (poolIds.has(pool.id)) errors.push({ source: pool.source, message: `duplicate pool id ${pool.id}` });
    poolIds.add(pool.id);
    for (const e of pool.endpoints) {
      if (!validPort(e.port))
        errors.push({ source: pool.source, message: `endpoint ${e.address} has invalid port ${e.port}` });
    }
  }
  const bucketIds = new Set<string>();
  for (const bucket of lb.buckets ?? []) {
    if (bucketIds.has(bucket.id))
      errors.push({ source: bucket.source, message: `duplicate bucket id ${bucket.id}` });
    bucketIds.add(bucket.id);
  }
  const listenerIds = new Set<string>();
  const ports = new Map<string, string>();
  for (const l of lb.listeners) {
    const src = l.sources[0] ?? lb.source;
    if (listenerIds.has(l.id)) errors.push({ source: src, message: `duplicate listener id ${l.id}` });
    listenerIds.add(l.id);
    if (!validPort(l.port))
      errors.push({ source: src, message: `listener ${l.id} has invalid port ${l.port}` });
    const transport = l.protocol === 'UDP' ? 'udp' : 'tcp';
    const taken = ports.get(`${transport}/${l.port}`);
    if (taken)
      errors.push({
        source: src,
        message: `listeners ${taken} and ${l.id} share ${transport} port ${l.port}`,
      });
    ports.set(`${transport}/${l.port}`, l.id);
    if ((l.protocol === 'HTTPS' || l.protocol === 'TLS') !== (l.tls !== undefined)) {
      errors.push({
        source: src,
        message: `listener ${l.id}: TLS settings must be present exactly for HTTPS and TLS`,
      });
    }
    if (l.protocol === 'HTTPS' && l.tls?.mode !== 'Terminate')
      errors.push({ source: src, message: `listener ${l.id}: HTTPS must terminate TLS` });
    if (l.tls?.mode === 'Terminate' && l.tls.certificates.length === 0) {
      errors.push({ source: src, message: `listener ${l.id}: TLS termination without a certificate` });
    }
    if ((l.protocol === 'TCP' || l.protocol === 'UDP') && l.routes.length > 1) {
      errors.push({
        source: src,
        message: `listener ${l.id}: ${l.protocol} listeners take at most one route`,
      });
    }
    // Most load balancers are clean: their routes' tallies (kept per routes array, updated by what
    // came and went) say so without a look at each route. Otherwise each route is checked.
    const tally = routesTally(l.routes);
    const clean =
      tally.duplicates === 0 &&
      tally.faulty === 0 &&
      [...tally.pools.keys()].every((p) => poolIds.has(p)) &&
      [...tally.buckets.keys()].every((b) => bucketIds.has(b));
    if (clean) continue;
    const routeIds = new Set<string>();
    for (const r of l.routes) {
      if (routeIds.has(r.id))
        errors.push({ source: r.source, message: `duplicate route id ${r.id} in listener ${l.id}` });
      routeIds.add(r.id);
      const uses = usesOf(r);
      for (const p of uses.pools) {
        if (!poolIds.has(p))
          errors.push({ source: r.source, message: `route ${r.id} references unknown pool ${p}` });
      }
      for (const b of uses.buckets) {
        if (b === BOTH)
          errors.push({
            source: r.source,
            message: `route ${r.id}: a backend is a pool or a bucket, not both`,
          });
        else if (!bucketIds.has(b))
          errors.push({ source: r.source, message: `route ${r.id} references unknown bucket ${b}` });
      }
      if (uses.badWeight)
        errors.push({ source: r.source, message: `route ${r.id} has a negative or fractional weight` });
    }
  }
  return errors;
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** What a route's checks need from it, in the order they report (see usesOf). */
interface RouteUses {
  /** The pools its backends and mirrors name. */
  pools: string[];
  /** The buckets its backends name; BOTH for a backend naming a pool and a bucket. */
  buckets: (string | typeof BOTH)[];
  badWeight: boolean;
}

const BOTH = Symbol('pool and bucket');

/**
 * Per route object: a reconcile validates a load balancer whose routes are mostly the very objects
 * of the last one (the translation keeps them), so each is read once. Routes are never edited.
 */
const routeUses = new WeakMap<Route, RouteUses>();

function usesOf(r: Route): RouteUses {
  let uses = routeUses.get(r);
  if (uses) return uses;
  const backends = r.action.type === 'forward' ? r.action.backends : [];
  const pools: string[] = [];
  for (const b of backends) if (b.pool !== null) pools.push(b.pool);
  for (const f of r.filters) if (f.type === 'RequestMirror') pools.push(f.pool);
  const buckets: (string | typeof BOTH)[] = [];
  for (const b of backends) if (b.bucket !== undefined) buckets.push(b.pool !== null ? BOTH : b.bucket);
  uses = { pools, buckets, badWeight: backends.some((b) => b.weight < 0 || !Number.isInteger(b.weight)) };
  routeUses.set(r, uses);
  return uses;
}

/** What a listener's routes hold, tallied (see routesTally). */
interface RoutesTally {
  routes: readonly Route[];
  members: Set<Route>;
  /** Route ids, with how many routes have each. */
  ids: Map<string, number>;
  /** Routes whose id an earlier route has. */
  duplicates: number;
  /** Pools and buckets the routes name, with how many times. */
  pools: Map<string, number>;
  buckets: Map<string, number>;
  /** Routes with a backend that is a pool and a bucket, or a bad weight. */
  faulty: number;
}

/** Per route object, the tally of the routes array last tallied with it. */
const tallies = new WeakMap<Route, RoutesTally>();

/**
 * The tally of a listener's routes. A load balancer's routes are mostly those of the last one
 * validated (the same objects in a new array): that one's tally is brought up to date with the
 * routes that came and went, instead of going over every route.
 */
function routesTally(routes: readonly Route[]): RoutesTally {
  const last = routes.length > 0 ? (tallies.get(routes[0]!) ?? tallies.get(routes.at(-1)!)) : undefined;
  if (last?.routes === routes) return last;
  if (last) {
    const came = routes.filter((r) => !last.members.has(r));
    let went: Route[] = [];
    if (last.routes.length - (routes.length - came.length) > 0) {
      const now = new Set(routes);
      went = last.routes.filter((r) => !now.has(r));
    }
    const fits = last.routes.length - went.length + came.length === routes.length;
    if (fits && (came.length + went.length) * 2 < routes.length) {
      for (const r of went) count(last, r, -1);
      for (const r of came) count(last, r, 1);
      last.routes = routes;
      return last;
    }
  }
  const tally: RoutesTally = {
    routes,
    members: new Set(),
    ids: new Map(),
    duplicates: 0,
    pools: new Map(),
    buckets: new Map(),
    faulty: 0,
  };
  for (const r of routes) count(tally, r, 1);
  // The same route object twice: the members cannot say what came and went; tallied anew each time.
  if (tally.members.size !== routes.length) for (const r of routes) tallies.delete(r);
  return tally;
}

/** Counts a route in (by 1) or out (by -1) of a tally. */
function count(tally: RoutesTally, r: Route, by: 1 | -1): void {
  if (by > 0) {
    tally.members.add(r);
    tallies.set(r, tally);
  } else tally.members.delete(r);
  const n = tally.ids.get(r.id) ?? 0;
  if (by > 0 ? n > 0 : n > 1) tally.duplicates += by;
  add(tally.ids, r.id, by);
  const uses = usesOf(r);
  for (const p of uses.pools) add(tally.pools, p, by);
  for (const b of uses.buckets) if (b !== BOTH) add(tally.buckets, b, by);
  if (uses.badWeight || uses.buckets.includes(BOTH)) tally.faulty += by;
}

function add(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
