import type { PathMatch, Route } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';

/** A route with the facts its precedence is decided on, beyond the match itself. */
export interface RankedRoute {
  route: Route;
  /** RFC 3339 creation timestamp of the source object; absent sorts as the newest. */
  createdAt?: string;
  /** `namespace/name` of the source object. */
  objectKey: string;
  rule: number;
  match: number;
  /**
   * A fallback answers what no other route of its host matched (an Ingress default backend, a
   * listener's 404): it sorts after every non-fallback route of the same host, whatever its match.
   */
  fallback?: boolean;
}

/**
 * The one place where route precedence is decided, for every input API. A negative result means
 * `a` is tried before `b`. The order, continuing on ties:
 *
 * 1. Host: exact hostnames, then `*.` wildcards, then routes for any host; within a kind, the longer
 *    hostname first (Gateway API: "characters in a matching non-wildcard hostname", then "in a
 *    matching hostname"; Ingress v1: exact hosts before wildcards).
 * 2. Fallback routes (default backends, 404s) after every other route of their host.
 * 3. Path: `Exact`; then `RegularExpression` (the spec leaves its rank to implementations; before
 *    prefixes, so that a catch-all `/` never shadows a regular expression); then `Prefix`. The longer
 *    value first within a type. No path counts as `Prefix /`.
 * 4. A method match before none.
 * 5. More header matches first; then more query-parameter matches first.
 * 6. The oldest source object; then `namespace/name` alphabetically; then rule and match index.
 *
 * It is a strict total order on distinct route ids (the property tests check this).
 */
export function compareRoutePrecedence(a: RankedRoute, b: RankedRoute): number {
  return (
    compareHost(a.route.hostname, b.route.hostname) ||
    Number(a.fallback === true) - Number(b.fallback === true) ||
    comparePath(a.route.match.path, b.route.match.path) ||
    Number(b.route.match.method !== undefined) - Number(a.route.match.method !== undefined) ||
    b.route.match.headers.length - a.route.match.headers.length ||
    b.route.match.queryParams.length - a.route.match.queryParams.length ||
    compareCreated(a.createdAt, b.createdAt) ||
    compareStrings(a.objectKey, b.objectKey) ||
    a.rule - b.rule ||
    a.match - b.match ||
    compareStrings(a.route.id, b.route.id)
  );
}

export function orderRoutes(routes: readonly RankedRoute[]): Route[] {
  return orderRanked(routes).map((r) => r.route);
}

/** The routes in precedence order (a new array). */
export function orderRanked(routes: readonly RankedRoute[]): RankedRoute[] {
  return [...routes].sort(compareRoutePrecedence);
}

/** Puts a route into routes already in precedence order, where it belongs. */
export function insertRanked(ordered: RankedRoute[], r: RankedRoute): void {
  ordered.splice(rankedPosition(ordered, r), 0, r);
}

/** Where this very route is in routes in precedence order; -1 when it is not there. */
export function rankedIndex(ordered: readonly RankedRoute[], r: RankedRoute): number {
  const i = rankedPosition(ordered, r);
  return ordered[i] === r ? i : -1;
}

/** The first position whose route is not tried before `r` (a binary search: the order is total). */
function rankedPosition(ordered: readonly RankedRoute[], r: RankedRoute): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareRoutePrecedence(ordered[mid]!, r) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hostRank(h: string | undefined): number {
  return h === undefined ? 0 : h.startsWith('*.') ? 1 : 2;
}

function compareHost(a: string | undefined, b: string | undefined): number {
  return hostRank(b) - hostRank(a) || (b?.length ?? 0) - (a?.length ?? 0) || compareStrings(a ?? '', b ?? '');
}

const PATH_RANK = { Exact: 3, RegularExpression: 2, Prefix: 1 } as const;

function comparePath(a: PathMatch | undefined, b: PathMatch | undefined): number {
  const pa = a ?? { type: 'Prefix', value: '/' };
  const pb = b ?? { type: 'Prefix', value: '/' };
  return (
    PATH_RANK[pb.type] - PATH_RANK[pa.type] ||
    normalisedLength(pb) - normalisedLength(pa) ||
    compareStrings(pa.value, pb.value)
  );
}

/** `/foo/` and `/foo` are the same prefix. */
function normalisedLength(p: PathMatch): number {
  return p.type === 'Prefix' && p.value.length > 1 && p.value.endsWith('/')
    ? p.value.length - 1
    : p.value.length;
}

function compareCreated(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  // RFC 3339 timestamps as Kubernetes writes them (UTC, `Z`) order lexicographically.
  return compareStrings(a, b);
}
