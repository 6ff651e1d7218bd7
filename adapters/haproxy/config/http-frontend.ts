// HTTP/HTTPS listeners. Request flow, all in one frontend:
//   1. host = Host header, port stripped, lower-cased → virtual host id (exact map, then wildcard map,
//      then the no-hostname vhost if any). No fall-through to another vhost afterwards.
//   2. routes with headers/query/method/regex ("rule routes") first, in IR order, the first that
//      holds sets the target: header (exact) and method matches as patterns of the rules map
//      (map_reg over vhost, method, path and header block: rule-map.ts), regexes and query params as
//      one ACL rule each. Then the plain routes (path only): `<vhost><path>` in the exact map, else
//      the longest element-wise prefix (`map_beg` on `<vhost><prefix>/`). Rules first is the IR order
//      as long as no plain route comes before a rule route it overlaps (`rulesFirstHolds`) and the
//      maps agree with the IR order (`mapOrderHolds`); otherwise every route of that vhost is a rule
//      (patterns in IR order, or ACL rules if one needs them). A vhost's rule routes are all patterns
//      or all ACL rules, so the two never compete. Patterns and plain routes are added and removed
//      without a reload.
//   3. target = a backend name (plain forward) or a route tag whose rules apply filters, pick the
//      backend of a weighted split, redirect or answer; nothing → 404. A rule route that only
//      forwards sets its tag, and the targets map turns the tag into the backend; a split reads its
//      backends and weights from the targets and weights maps. So re-pointing any route or
//      re-weighting a split changes map contents only (no reload).

import type * as ir from '#core/ir/load-balancer.js';
import { type BackendRetry, type FrontendModel, type MapModel, mapPath } from '../model.js';
import { frontendName, HELPER_BACKENDS, mapName, routeAclPrefix, routeTag } from '../naming.js';
import { mapKey, mapValue } from './escape.js';
import { atField, FieldError } from './field-error.js';
import type { FrontendScope } from './frontend-scope.js';
import { misdirectedRules } from './misdirected.js';
import { backendRetry, backoffWarning } from './retry.js';
import { compileHttpAction } from './route-actions.js';
import {
  aclConditions,
  isPlain,
  mapOrderHolds,
  normalizePrefix,
  type PathSet,
  type PlainPath,
  pathSet,
  plainPath,
  requestPath,
  rulesFirstHolds,
} from './route-match.js';
import { RouteMemo, type RouteOutcome, routeKey } from './route-memo.js';
import { ruleMapRules, rulePattern } from './rule-map.js';
import { hostEntries, uniqueVhosts, type Vhost, vhostOf } from './vhosts.js';

/** Compiled HTTP routes kept between renders: one per adapter (see route-memo.ts). */
export type HttpRouteMemo = RouteMemo<CompiledRoute, Vhost>;

export function createHttpRouteMemo(): HttpRouteMemo {
  return new RouteMemo();
}

interface CompiledRoute {
  vhost: Vhost;
  tag: string;
  target: string;
  targets: MapModel['entries'];
  weights: MapModel['entries'];
  plain?: PlainPath;
  /** The paths the route can match: for the rules-first check. */
  paths: PathSet;
  acl: { lines: string[]; names: string[] };
  /** The route as a rules-map pattern; absent = it needs ACL rules (see rule-map.ts). */
  pattern?: string;
  request: string[];
  response: string[];
  headerBytes: number;
}

type MapNames = Record<
  'hosts' | 'wildcards' | 'exact' | 'prefix' | 'rules' | 'ruleHosts' | 'targets' | 'weights',
  string
>;

/** The compiled route, or why it is left out; with the warnings and backend names it asked for. */
function compileRoute(
  listener: ir.Listener,
  route: ir.Route,
  maps: MapNames,
  backend: (pool: string | null, retry?: BackendRetry) => string | undefined,
): RouteOutcome<CompiledRoute, Vhost> {
  const outcome: RouteOutcome<CompiledRoute, Vhost> = { warnings: [], backends: [] };
  try {
    const vhost = vhostOf(route);
    // A vhost stays even when its routes are rejected: its requests get 404, not another host's routes.
    outcome.vhost = vhost;
    const tag = routeTag(listener.id, route.id);
    const p = route.match.path;
    const prefix =
      p === undefined
        ? ''
        : p.type === 'Prefix'
          ? normalizePrefix(atField('match.path.value', () => requestPath(p.value)))
          : undefined;
    const retry = route.retry ? backendRetry(route.retry) : undefined;
    const action = compileHttpAction(route, {
      listener,
      tag,
      backend: (pool) => {
        const name = backend(pool, retry);
        outcome.backends.push({ pool, retry, name });
        return name;
      },
      prefix,
      maps: { targets: mapPath(maps.targets), weights: mapPath(maps.weights) },
    });
    const backoff = route.retry ? backoffWarning(route.retry) : undefined;
    if (backoff) outcome.warnings.push({ feature: 'retry/backoff', message: backoff });
    const pattern = rulePattern(vhost.id, route);
    outcome.compiled = {
      vhost,
      tag,
      target: action.target ?? tag,
      targets: action.targets,
      weights: action.weights,
      ...(isPlain(route) ? { plain: plainPath(route) } : {}),
      paths: pathSet(route),
      acl: aclConditions(route, routeAclPrefix(listener.id, route.id)),
      ...(pattern !== undefined ? { pattern } : {}),
      request: action.request,
      response: action.response,
      headerBytes: Math.max(action.headerBytes.request, action.headerBytes.response),
    };
  } catch (err) {
    if (err instanceof FieldError) outcome.rejected = err;
    else throw err;
  }
  return outcome;
}

export function renderHttpFrontend(
  listener: ir.Listener,
  scope: FrontendScope,
): { frontend: FrontendModel; maps: MapModel[] } {
  const name = frontendName(scope.lbKey, listener.id);
  const maps: MapNames = {
    hosts: mapName(scope.lbKey, listener.id, 'hosts'),
    wildcards: mapName(scope.lbKey, listener.id, 'wildcard-hosts'),
    exact: mapName(scope.lbKey, listener.id, 'paths-exact'),
    prefix: mapName(scope.lbKey, listener.id, 'paths-prefix'),
    rules: mapName(scope.lbKey, listener.id, 'rules'),
    ruleHosts: mapName(scope.lbKey, listener.id, 'rule-hosts'),
    targets: mapName(scope.lbKey, listener.id, 'targets'),
    weights: mapName(scope.lbKey, listener.id, 'weights'),
  };
  const backends = new Set<string>();
  const backend = (pool: string | null, retry?: BackendRetry) => {
    const be = scope.backend(pool, 'http', retry);
    if (be) backends.add(be);
    return be;
  };

  const vhosts: Vhost[] = [];
  const compiled: CompiledRoute[] = [];
  const memo = scope.routeMemo?.frontend(name, `${listener.protocol}\0${listener.port}`);
  for (const route of listener.routes) {
    const key = memo ? routeKey(route) : '';
    const last = memo?.memo.get(key);
    // Reused only while every pool still has the backend name it had (asking registers it, too).
    const outcome =
      last?.backends.every((b) => backend(b.pool, b.retry) === b.name) === true
        ? last
        : compileRoute(listener, route, maps, backend);
    memo?.memo.keep(key, outcome);
    if (outcome.vhost) vhosts.push(outcome.vhost);
    for (const w of outcome.warnings) scope.warnRoute(listener, route, w.feature, w.message);
    if (outcome.rejected) scope.rejectRoute(listener, route, outcome.rejected);
    if (outcome.compiled) compiled.push(outcome.compiled);
  }
  memo?.done();

  const unique = uniqueVhosts(vhosts);
  const hosts = hostEntries(unique, (v) => v.id);
  const exact: MapModel['entries'] = [];
  const prefix: MapModel['entries'] = [];
  const aclRules: string[] = [];
  const rules: MapModel['entries'] = [];
  const ruleHosts: MapModel['entries'] = [];
  const seenPatterns = new Set<string>();
  const targets: MapModel['entries'] = compiled.flatMap((c) => c.targets);
  const weights: MapModel['entries'] = compiled.flatMap((c) => c.weights);
  const seen = new Set<string>();
  const put = (entries: MapModel['entries'], key: string, value: string) => {
    // First route wins on equal keys, as in the IR order.
    if (seen.has(`${entries === exact ? 'e' : 'p'}${key}`)) return;
    seen.add(`${entries === exact ? 'e' : 'p'}${key}`);
    entries.push({ key: mapKey(key), value: mapValue(value) });
  };
  const byVhost = new Map<string, CompiledRoute[]>();
  for (const c of compiled) {
    const list = byVhost.get(c.vhost.id);
    if (list) list.push(c);
    else byVhost.set(c.vhost.id, [c]);
  }
  for (const v of unique) {
    const routes = byVhost.get(v.id) ?? [];
    const plain = routes.flatMap((r) => (r.plain ? [r.plain] : []));
    const split =
      mapOrderHolds(plain) &&
      rulesFirstHolds(routes.map((r) => ({ paths: r.paths, rule: r.plain === undefined })));
    // The vhost's routes that are not in the path maps go to the rules map when all of them can
    // (their IR order is then the map's order), else to ACL rules.
    const onRulesMap = routes.every((r) => (split && r.plain) || r.pattern !== undefined);
    for (const r of routes) {
      if (split && r.plain) {
        const path = r.plain;
        if (path.type === 'Exact') put(exact, `${v.id}${path.value}`, r.target);
        else {
          if (path.value !== '') put(exact, `${v.id}${path.value}`, r.target);
          put(prefix, `${v.id}${path.value}/`, r.target);
        }
      } else if (onRulesMap) {
        if (r.target !== r.tag) targets.push({ key: r.tag, value: r.target });
        if (ruleHosts.at(-1)?.key !== v.id) ruleHosts.push({ key: v.id, value: v.id });
        // First route wins on equal patterns, as in the IR order.
        if (!seenPatterns.has(r.pattern!)) rules.push({ key: mapKey(r.pattern!), value: mapValue(r.tag) });
        seenPatterns.add(r.pattern!);
      } else {
        // A route that only forwards is selected by its tag; the targets map names its backend.
        if (r.target !== r.tag) targets.push({ key: r.tag, value: r.target });
        aclRules.push(...r.acl.lines);
        aclRules.push(
          [
            `http-request set-var(txn.rt) str(${r.tag})`,
            `if { var(txn.vh) -m str ${v.id} } !{ var(txn.rt) -m found }`,
            ...r.acl.names,
          ].join(' '),
        );
      }
    }
  }
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

  const hasDefault = unique.some((v) => v.hostname === undefined);
  const frontendRules = [
    'http-request set-var(txn.host) req.hdr(host),field(1,:),lower',
    'http-request set-var(txn.path) path',
    ...misdirectedRules(listener),
    `http-request set-var(txn.vh) var(txn.host),map_str(${mapPath(maps.hosts)})`,
    `http-request set-var(txn.vh) var(txn.host),map_reg(${mapPath(maps.wildcards)}) if !{ var(txn.vh) -m found }`,
    ...(hasDefault ? ['http-request set-var(txn.vh) str(v_any) if !{ var(txn.vh) -m found }'] : []),
    'http-request set-var(txn.key) var(txn.vh),concat(,txn.path)',
    // Rule routes first, then the maps (see the header); a vhost on rules only has no map entries.
    ...aclRules,
    ...ruleMapRules({ rules: mapPath(maps.rules), ruleHosts: mapPath(maps.ruleHosts) }),
    `http-request set-var(txn.rt) var(txn.key),map_str(${mapPath(maps.exact)}) if !{ var(txn.rt) -m found }`,
    `http-request set-var(txn.rt) var(txn.key),map_beg(${mapPath(maps.prefix)}) if !{ var(txn.rt) -m found }`,
    `http-request set-var(txn.be) var(txn.rt),map_str(${mapPath(maps.targets)}) if { var(txn.rt) -m beg rt_ }`,
    ...compiled.flatMap((c) => c.request),
    ...compiled.flatMap((c) => c.response),
    'use_backend %[var(txn.be)] if { var(txn.be) -m found }',
    'use_backend %[var(txn.rt)] if { var(txn.rt) -m found } !{ var(txn.rt) -m beg rt_ }',
  ];
  const lb = scope.lb;
  const addedHeaderBytes = Math.max(0, ...compiled.map((c) => c.headerBytes));
  return {
    frontend: {
      lb,
      listener: listener.id,
      name,
      bind: {
        address: scope.address,
        port: listener.port,
        ...(scope.address6 !== undefined ? { address6: scope.address6 } : {}),
      },
      mode: 'http',
      ...(scope.tls ? { tls: scope.tls } : {}),
      sourceRanges: scope.sourceRanges,
      maps: Object.values(maps).sort(),
      backends: [...backends].sort(),
      rules: frontendRules,
      defaultBackend: HELPER_BACKENDS.notFound,
      ...(addedHeaderBytes > 0 ? { addedHeaderBytes } : {}),
    },
    maps: [
      { lb, name: maps.hosts, match: 'str', entries: hosts.exact },
      { lb, name: maps.wildcards, match: 'reg', entries: hosts.wildcard },
      { lb, name: maps.exact, match: 'str', entries: exact.sort(byKey) },
      { lb, name: maps.prefix, match: 'beg', entries: prefix.sort(byKey) },
      // In IR order within each vhost: map_reg returns the first match.
      { lb, name: maps.rules, match: 'reg', entries: rules },
      { lb, name: maps.ruleHosts, match: 'str', entries: ruleHosts.sort(byKey) },
      {
        lb,
        name: maps.targets,
        match: 'str',
        entries: targets.map((e) => ({ key: mapKey(e.key), value: mapValue(e.value) })).sort(byKey),
      },
      {
        lb,
        name: maps.weights,
        match: 'str',
        entries: weights.map((e) => ({ key: mapKey(e.key), value: mapValue(e.value) })).sort(byKey),
      },
    ],
  };
}
