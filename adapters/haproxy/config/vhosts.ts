// Host-first routing: a request picks one virtual host (exact name, else the longest matching
// wildcard, else the routes without hostname) and is then matched only against that host's routes.
// Exact names go to a map_str tree; wildcards to a map_reg list in precedence order (first match wins).

import type * as ir from '#core/ir/load-balancer.js';
import { vhostId } from '../naming.js';
import { hostname as dnsName, mapKey, mapValue, regexLiteral } from './escape.js';
import { atField } from './field-error.js';

export interface Vhost {
  id: string;
  /** Lower-cased; absent = the routes without hostname. */
  hostname?: string;
  wildcard: ir.Route['wildcard'];
}

/** The route's virtual host; throws FieldError when the hostname is not a DNS name. */
export function vhostOf(route: ir.Route): Vhost {
  if (route.hostname === undefined)
    return { id: vhostId(undefined, route.wildcard), wildcard: route.wildcard };
  const host = atField('hostname', () => dnsName(route.hostname!, 'hostname'));
  const wildcard = host.startsWith('*.') ? route.wildcard : 'any-depth';
  return { id: vhostId(host, wildcard), hostname: host, wildcard };
}

/** PCRE for a wildcard: `single-label` = exactly one label in front, `any-depth` = one or more. */
export function wildcardPattern(host: string, wildcard: ir.Route['wildcard']): string {
  const suffix = regexLiteral(host.slice(1));
  return wildcard === 'single-label' ? `^[^.]+${suffix}$` : `^[^.]+(\\.[^.]+)*${suffix}$`;
}

/**
 * Map entries choosing `value(vhost)` for a host: exact names sorted, wildcards longest suffix first
 * (single-label before any-depth for the same suffix), since map_reg returns the first match.
 */
export function hostEntries(
  vhosts: readonly Vhost[],
  value: (v: Vhost) => string,
): { exact: { key: string; value: string }[]; wildcard: { key: string; value: string }[] } {
  const named = vhosts.filter((v) => v.hostname !== undefined);
  const exact = named
    .filter((v) => !v.hostname!.startsWith('*.'))
    .map((v) => ({ key: mapKey(v.hostname!), value: mapValue(value(v)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const wildcard = named
    .filter((v) => v.hostname!.startsWith('*.'))
    .sort(
      (a, b) =>
        b.hostname!.length - a.hostname!.length ||
        (a.wildcard === b.wildcard ? 0 : a.wildcard === 'single-label' ? -1 : 1) ||
        (a.hostname! < b.hostname! ? -1 : 1),
    )
    .map((v) => ({ key: mapKey(wildcardPattern(v.hostname!, v.wildcard)), value: mapValue(value(v)) }));
  return { exact, wildcard };
}

/** Vhosts in first-seen order, deduplicated by id. */
export function uniqueVhosts(vhosts: Iterable<Vhost>): Vhost[] {
  const byId = new Map<string, Vhost>();
  for (const v of vhosts) if (!byId.has(v.id)) byId.set(v.id, v);
  return [...byId.values()];
}
