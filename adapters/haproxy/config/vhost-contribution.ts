// What each HTTP route adds to its virtual host's maps and rules (made once per compiled route), and
// what a virtual host's routes add together: plain routes to the path maps while that keeps the IR
// order, the others to the rules map or ACL rules (the flow is described in http-frontend.ts).

import type { MapModel } from '../model.js';
import { mapKey, mapValue } from './escape.js';
import type { CompiledRoute } from './http-route.js';
import { mapOrderHolds, rulesFirstHolds } from './route-match.js';

type Entry = MapModel['entries'][number];

/** A vhost's map entries, rules-map patterns and ACL rules. */
export interface VhostContribution {
  exact: Entry[];
  prefix: Entry[];
  /** `tag → backend` of its rule routes that only forward. */
  targets: Entry[];
  rules: Entry[];
  /** Whether the vhost is in the rule-hosts map (its rule routes are patterns). */
  ruleHost: boolean;
  acl: string[];
}

/** No routes: what a vhost adds while the path maps serve it key by key (plain-paths.ts). */
export const NO_CONTRIBUTION: VhostContribution = {
  exact: [],
  prefix: [],
  targets: [],
  rules: [],
  ruleHost: false,
  acl: [],
};

/** What a route can add to its vhost's maps and rules, made once per compiled route. */
export interface RouteParts {
  /** `<vhost><path>` in the exact map (Exact, and Prefix other than ``). */
  exact?: Entry;
  /** `<vhost><prefix>/` in the prefix map. */
  prefix?: Entry;
  /** `tag → backend` when the route is a rule that only forwards. */
  target?: Entry;
  /** Its rules-map pattern. */
  rule?: Entry;
  /** Its ACL rules. */
  acl: string[];
}

export function routeParts(r: CompiledRoute): RouteParts {
  const id = r.vhost.id;
  const p: RouteParts = {
    acl: [
      ...r.acl.lines,
      [
        `http-request set-var(txn.rt) str(${r.tag})`,
        `if { var(txn.vh) -m str ${id} } !{ var(txn.rt) -m found }`,
        ...r.acl.names,
      ].join(' '),
    ],
  };
  const path = r.plain;
  if (path && (path.type === 'Exact' || path.value !== ''))
    p.exact = { key: mapKey(`${id}${path.value}`), value: mapValue(r.target) };
  if (path?.type === 'Prefix') p.prefix = { key: mapKey(`${id}${path.value}/`), value: mapValue(r.target) };
  if (r.target !== r.tag) p.target = { key: mapKey(r.tag), value: mapValue(r.target) };
  if (r.pattern !== undefined) p.rule = { key: mapKey(r.pattern), value: mapValue(r.tag) };
  return p;
}

/**
 * A vhost's map entries, rules-map patterns and ACL rules from its compiled routes in IR order: the
 * plain routes go to the path maps if that keeps the IR order, the others to the rules map when all
 * of them can be patterns, else to ACL rules (http-frontend.ts).
 */
export function vhostContribution(
  entries: readonly { compiled: CompiledRoute; parts: RouteParts }[],
): VhostContribution {
  const routes = entries.map((e) => e.compiled);
  const out: VhostContribution = { exact: [], prefix: [], targets: [], rules: [], ruleHost: false, acl: [] };
  const plain = routes.flatMap((r) => (r.plain ? [r.plain] : []));
  const split =
    mapOrderHolds(plain) &&
    rulesFirstHolds(routes.map((r) => ({ paths: r.paths, rule: r.plain === undefined })));
  // The vhost's routes that are not in the path maps go to the rules map when all of them can
  // (their IR order is then the map's order), else to ACL rules.
  const onRulesMap = routes.every((r) => (split && r.plain) || r.pattern !== undefined);
  // First route wins on equal keys and patterns, as in the IR order.
  const seenExact = new Set<string>();
  const seenPrefix = new Set<string>();
  const seenPatterns = new Set<string>();
  for (const { compiled: r, parts: p } of entries) {
    if (split && r.plain) {
      if (p.exact && !seenExact.has(p.exact.key)) {
        seenExact.add(p.exact.key);
        out.exact.push(p.exact);
      }
      if (p.prefix && !seenPrefix.has(p.prefix.key)) {
        seenPrefix.add(p.prefix.key);
        out.prefix.push(p.prefix);
      }
    } else if (onRulesMap) {
      if (p.target) out.targets.push(p.target);
      out.ruleHost = true;
      if (!seenPatterns.has(p.rule!.key)) {
        seenPatterns.add(p.rule!.key);
        out.rules.push(p.rule!);
      }
    } else {
      // A route that only forwards is selected by its tag; the targets map names its backend.
      if (p.target) out.targets.push(p.target);
      out.acl.push(...p.acl);
    }
  }
  return out;
}
