// URL map validation, as GCP applies it on insert, update and patch: where traffic goes at each level
// (exactly one of a service, a redirect or weighted services), host rules and path matchers that agree,
// path rules or route rules (never both) with valid paths, unique route priorities and well-formed
// matches, the limits of limits.ts, and the load-balancing scheme: all services of one URL map share a
// scheme, and the classic scheme (EXTERNAL) has no route rules, header actions or weighted services.

import { invalid, tooLarge } from '../errors.js';
import { checkName, exactlyOne, int, list, obj, oneOf, requiredStr, str } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json, StoredResource } from '../store.js';

const HOST = /^(?:\*|\*[-.][a-z0-9.-]*[a-z0-9]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/i;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** Header matches also take the HTTP/2 pseudo-headers (`:method` matches the request method). */
const MATCH_HEADER_NAME = /^(?::(?:authority|method|path|scheme)|[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128})$/;
/** retryPolicy.retryConditions GCP knows (HTTP and gRPC classes). */
const RETRY_CONDITIONS = [
  '5xx',
  'gateway-error',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;
const REDIRECT_CODES = [
  'MOVED_PERMANENTLY_DEFAULT',
  'FOUND',
  'SEE_OTHER',
  'TEMPORARY_REDIRECT',
  'PERMANENT_REDIRECT',
] as const;
/** Regular expressions per path matcher and their length (quotas page, URL maps). */
const MAX_REGEX_PER_MATCHER = 5;
const MAX_REGEX_LENGTH = 250;

interface Walk {
  ctx: KindContext;
  services: Map<string, StoredResource>;
  /** Features the classic scheme does not have, with the field that used one. */
  advanced: string[];
  regexes: number;
  /** corsPolicy.allowOriginRegexes fields: only the INTERNAL_SELF_MANAGED scheme takes them. */
  originRegexes: string[];
}

export function prepareUrlMap(body: Json, ctx: KindContext): Json {
  const um = structuredClone(body);
  const w: Walk = { ctx, services: new Map(), advanced: [], regexes: 0, originRegexes: [] };
  routeTarget(w, 'resource', um, 'defaultService', 'defaultUrlRedirect', 'defaultRouteAction');
  headerAction(w, 'resource.headerAction', um.headerAction);

  const matchers = list('resource.pathMatchers', um.pathMatchers).map((m, i) => {
    const f = `resource.pathMatchers[${i}]`;
    const pm = obj(f, m) ?? {};
    checkName(`${f}.name`, pm.name);
    return pm;
  });
  const names = new Set<string>();
  for (const [i, pm] of matchers.entries()) {
    if (names.has(pm.name as string))
      throw invalid(`resource.pathMatchers[${i}].name`, `duplicate path matcher '${String(pm.name)}'`);
    names.add(pm.name as string);
  }
  const hostRules = list('resource.hostRules', um.hostRules);
  const seenHosts = new Map<string, number>();
  for (const [i, h] of hostRules.entries()) {
    const f = `resource.hostRules[${i}]`;
    const hr = obj(f, h) ?? {};
    const hosts = list(`${f}.hosts`, hr.hosts);
    if (hosts.length === 0) throw invalid(`${f}.hosts`, 'a host rule needs at least one host');
    if (hosts.length > ctx.limits.hostsPerHostRule)
      throw tooLarge(`${f}.hosts`, `at most ${ctx.limits.hostsPerHostRule} hosts per host rule`);
    for (const [j, host] of hosts.entries()) {
      const hf = `${f}.hosts[${j}]`;
      if (typeof host !== 'string' || !HOST.test(host))
        throw invalid(hf, `'${String(host)}' is not a valid host`);
      const key = host.toLowerCase();
      if (seenHosts.has(key))
        throw invalid(hf, `host '${host}' is already used by resource.hostRules[${seenHosts.get(key)}]`);
      seenHosts.set(key, i);
    }
    if (!names.has(hr.pathMatcher as string))
      throw invalid(`${f}.pathMatcher`, `no path matcher named '${String(hr.pathMatcher)}'`);
  }
  for (const [i, pm] of matchers.entries()) pathMatcher(w, `resource.pathMatchers[${i}]`, pm);

  const schemes = new Set<string>();
  for (const s of w.services.values())
    if (s.ref.collection === 'backendServices') schemes.add(String(s.value.loadBalancingScheme));
  if (schemes.size > 1)
    throw invalid(
      'resource',
      `a URL map cannot use backend services of different load balancing schemes (${[...schemes].sort().join(', ')})`,
    );
  const scheme = [...schemes][0];
  const internal = scheme === 'INTERNAL_MANAGED' || scheme === 'INTERNAL_SELF_MANAGED';
  if (scheme === 'EXTERNAL' && w.advanced.length > 0)
    throw invalid(
      w.advanced[0]!,
      'not supported for URL maps of the EXTERNAL (classic) load balancing scheme',
    );
  if (w.originRegexes.length > 0 && scheme !== 'INTERNAL_SELF_MANAGED')
    throw invalid(
      w.originRegexes[0]!,
      'allowOriginRegexes can only be used with the INTERNAL_SELF_MANAGED load balancing scheme',
    );
  if (ctx.scope.kind === 'global' && scheme === 'EXTERNAL_MANAGED' && w.regexes > 0)
    throw invalid('resource', 'global external Application Load Balancers do not support regexMatch');
  if (internal && [...w.services.values()].some((s) => s.ref.collection === 'backendBuckets'))
    throw invalid('resource', 'internal Application Load Balancers do not support backend buckets');

  const l = ctx.limits;
  const hostLimit = internal ? l.internalHostRulesPerUrlMap : l.hostRulesPerUrlMap;
  if (hostRules.length > hostLimit)
    throw tooLarge('resource.hostRules', `at most ${hostLimit} host rules per URL map`);
  if (matchers.length > hostLimit)
    throw tooLarge('resource.pathMatchers', `at most ${hostLimit} path matchers per URL map`);
  if (w.services.size > l.servicesPerUrlMap)
    throw tooLarge(
      'resource',
      `at most ${l.servicesPerUrlMap} distinct backend services or buckets per URL map`,
    );
  const bytes = Buffer.byteLength(JSON.stringify(body));
  const maxBytes = internal ? l.internalUrlMapBytes : l.urlMapBytes;
  if (bytes > maxBytes) throw tooLarge('resource', `the URL map is ${bytes} bytes; the limit is ${maxBytes}`);
  return um;
}

function pathMatcher(w: Walk, f: string, pm: Json): void {
  routeTarget(w, f, pm, 'defaultService', 'defaultUrlRedirect', 'defaultRouteAction');
  headerAction(w, `${f}.headerAction`, pm.headerAction);
  str(`${f}.description`, pm.description);
  const pathRules = list(`${f}.pathRules`, pm.pathRules);
  const routeRules = list(`${f}.routeRules`, pm.routeRules);
  if (pathRules.length > 0 && routeRules.length > 0)
    throw invalid(f, 'only one of pathRules or routeRules may be set in a path matcher');
  const limit = w.ctx.limits.rulesPerPathMatcher;
  if (pathRules.length > limit || routeRules.length > limit)
    throw tooLarge(f, `at most ${limit} path rules or route rules per path matcher`);
  let predicates = 0;
  const regexesBefore = w.regexes;
  const paths = new Set<string>();
  for (const [i, r] of pathRules.entries()) {
    const rf = `${f}.pathRules[${i}]`;
    const pr = obj(rf, r) ?? {};
    const ps = list(`${rf}.paths`, pr.paths);
    if (ps.length === 0) throw invalid(`${rf}.paths`, 'a path rule needs at least one path');
    for (const [j, p] of ps.entries()) {
      const pf = `${rf}.paths[${j}]`;
      if (typeof p !== 'string' || !/^\/[^?#*]*(?:\/\*)?$/.test(p) || p.length > 1024)
        throw invalid(pf, `'${String(p)}': a path starts with / and may end with /* only`);
      if (paths.has(p)) throw invalid(pf, `duplicate path '${p}' in the path matcher`);
      paths.add(p);
    }
    predicates += ps.length;
    routeTarget(w, rf, pr, 'service', 'urlRedirect', 'routeAction', true);
  }
  const priorities = new Set<number>();
  for (const [i, r] of routeRules.entries()) {
    const rf = `${f}.routeRules[${i}]`;
    const rr = obj(rf, r) ?? {};
    w.advanced.push(rf);
    const priority = int(`${rf}.priority`, rr.priority, 0, 2_147_483_647);
    if (priority === undefined) throw invalid(`${rf}.priority`, 'a route rule needs a priority');
    if (priorities.has(priority))
      throw invalid(`${rf}.priority`, `priority ${priority} is used twice in the path matcher`);
    priorities.add(priority);
    for (const [j, m] of list(`${rf}.matchRules`, rr.matchRules).entries())
      predicates += matchRule(w, `${rf}.matchRules[${j}]`, obj(`${rf}.matchRules[${j}]`, m) ?? {});
    routeTarget(w, rf, rr, 'service', 'urlRedirect', 'routeAction');
    headerAction(w, `${rf}.headerAction`, rr.headerAction);
  }
  if (predicates > w.ctx.limits.predicatesPerPathMatcher)
    throw tooLarge(
      f,
      `${predicates} predicates; at most ${w.ctx.limits.predicatesPerPathMatcher} per path matcher`,
    );
  if (w.regexes - regexesBefore > MAX_REGEX_PER_MATCHER)
    throw tooLarge(f, `at most ${MAX_REGEX_PER_MATCHER} regular expressions per path matcher`);
}

/** Returns the predicates the match rule counts for (1 path match + header and query matches). */
function matchRule(w: Walk, f: string, m: Json): number {
  const kind = exactlyOne(f, m, ['prefixMatch', 'fullPathMatch', 'regexMatch', 'pathTemplateMatch']);
  const value = requiredStr(`${f}.${kind}`, m[kind!], {
    max: kind === 'regexMatch' ? MAX_REGEX_LENGTH : 1024,
  });
  if ((kind === 'prefixMatch' || kind === 'fullPathMatch') && !value.startsWith('/'))
    throw invalid(`${f}.${kind}`, `'${value}' must start with /`);
  if (kind === 'regexMatch') w.regexes++;
  const headers = list(`${f}.headerMatches`, m.headerMatches);
  for (const [i, h] of headers.entries()) {
    const hf = `${f}.headerMatches[${i}]`;
    const hm = obj(hf, h) ?? {};
    const name = requiredStr(`${hf}.headerName`, hm.headerName);
    if (!MATCH_HEADER_NAME.test(name))
      throw invalid(`${hf}.headerName`, `'${name}' is not an HTTP header name`);
    const how = exactlyOne(hf, hm, [
      'exactMatch',
      'regexMatch',
      'rangeMatch',
      'presentMatch',
      'prefixMatch',
      'suffixMatch',
    ]);
    if (how === 'regexMatch') w.regexes++;
  }
  const queries = list(`${f}.queryParameterMatches`, m.queryParameterMatches);
  for (const [i, q] of queries.entries()) {
    const qf = `${f}.queryParameterMatches[${i}]`;
    const qm = obj(qf, q) ?? {};
    requiredStr(`${qf}.name`, qm.name);
    if (exactlyOne(qf, qm, ['exactMatch', 'regexMatch', 'presentMatch']) === 'regexMatch') w.regexes++;
  }
  return 1 + headers.length + queries.length;
}

/**
 * Where a level sends traffic: a service, a redirect, or weighted services in the route action. A
 * redirect excludes the other two; a service excludes weighted services. `classicRewriteOnly`: in a
 * path rule the classic scheme accepts a route action that only rewrites the URL.
 */
function routeTarget(
  w: Walk,
  f: string,
  o: Json,
  serviceKey: string,
  redirectKey: string,
  actionKey: string,
  classicRewriteOnly = false,
): void {
  const action = obj(`${f}.${actionKey}`, o[actionKey]);
  const redirect = obj(`${f}.${redirectKey}`, o[redirectKey]);
  const weighted = list(`${f}.${actionKey}.weightedBackendServices`, action?.weightedBackendServices);
  if (redirect && (o[serviceKey] !== undefined || action))
    throw invalid(f, `${redirectKey} excludes ${serviceKey} and ${actionKey}`);
  if (o[serviceKey] !== undefined && weighted.length > 0)
    throw invalid(f, `only one of ${serviceKey} or ${actionKey}.weightedBackendServices may be set`);
  if (!redirect && o[serviceKey] === undefined && weighted.length === 0)
    throw invalid(
      f,
      `one of ${serviceKey}, ${redirectKey} or ${actionKey}.weightedBackendServices must be set`,
    );
  if (o[serviceKey] !== undefined) o[serviceKey] = service(w, `${f}.${serviceKey}`, o[serviceKey]);
  if (redirect) urlRedirect(`${f}.${redirectKey}`, redirect);
  if (action) {
    const af = `${f}.${actionKey}`;
    const onlyRewrite = Object.keys(action).every((k) => k === 'urlRewrite');
    if (!(classicRewriteOnly && onlyRewrite)) w.advanced.push(af);
    for (const [i, wb] of weighted.entries()) {
      const wf = `${af}.weightedBackendServices[${i}]`;
      const entry = obj(wf, wb) ?? {};
      entry.backendService = service(w, `${wf}.backendService`, entry.backendService);
      if (int(`${wf}.weight`, entry.weight, 0, 1000) === undefined)
        throw invalid(`${wf}.weight`, 'a weight is required');
      headerAction(w, `${wf}.headerAction`, entry.headerAction);
    }
    const rewrite = obj(`${af}.urlRewrite`, action.urlRewrite);
    if (rewrite) {
      str(`${af}.urlRewrite.pathPrefixRewrite`, rewrite.pathPrefixRewrite, { min: 1, max: 1024 });
      str(`${af}.urlRewrite.hostRewrite`, rewrite.hostRewrite, { min: 1, max: 255 });
    }
    const mirror = obj(`${af}.requestMirrorPolicy`, action.requestMirrorPolicy);
    if (mirror) {
      mirror.backendService = service(w, `${af}.requestMirrorPolicy.backendService`, mirror.backendService);
      const percent = mirror.mirrorPercent;
      if (percent !== undefined && (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)))
        throw invalid(`${af}.requestMirrorPolicy.mirrorPercent`, 'must be between 0.0 and 100.0');
    }
    const retry = obj(`${af}.retryPolicy`, action.retryPolicy);
    if (retry) {
      int(`${af}.retryPolicy.numRetries`, retry.numRetries, 1, 25);
      for (const [i, c] of list(`${af}.retryPolicy.retryConditions`, retry.retryConditions).entries())
        oneOf(`${af}.retryPolicy.retryConditions[${i}]`, c, RETRY_CONDITIONS);
      duration(`${af}.retryPolicy.perTryTimeout`, retry.perTryTimeout);
    }
    duration(`${af}.timeout`, action.timeout);
    corsPolicy(w, `${af}.corsPolicy`, action.corsPolicy);
  }
}

/** A Duration: seconds 0..315,576,000,000 (int64, a string in JSON), nanos 0..999,999,999. */
function duration(f: string, v: unknown): void {
  const d = obj(f, v);
  if (!d) return;
  int(`${f}.seconds`, d.seconds, 0, 315_576_000_000);
  int(`${f}.nanos`, d.nanos, 0, 999_999_999);
  if (Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) === 0) throw invalid(f, 'must be positive');
}

function corsPolicy(w: Walk, f: string, v: unknown): void {
  const cors = obj(f, v);
  if (!cors) return;
  for (const key of ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'allowOriginRegexes'])
    for (const [i, x] of list(`${f}.${key}`, cors[key]).entries()) requiredStr(`${f}.${key}[${i}]`, x);
  if (list(`${f}.allowOriginRegexes`, cors.allowOriginRegexes).length > 0)
    w.originRegexes.push(`${f}.allowOriginRegexes`);
  int(`${f}.maxAge`, cors.maxAge, 0, 2_147_483_647);
  for (const key of ['allowCredentials', 'disabled'])
    if (cors[key] !== undefined && typeof cors[key] !== 'boolean')
      throw invalid(`${f}.${key}`, 'must be a boolean');
}

function service(w: Walk, f: string, v: unknown): string {
  const allowed = w.ctx.scope.kind === 'global' ? ['backendServices', 'backendBuckets'] : ['backendServices'];
  const target = w.ctx.ref(f, v, allowed);
  w.services.set(target.value.selfLink as string, target);
  return target.value.selfLink as string;
}

function urlRedirect(f: string, r: Json): void {
  exactlyOne(f, r, ['pathRedirect', 'prefixRedirect'], true);
  oneOf(`${f}.redirectResponseCode`, r.redirectResponseCode, REDIRECT_CODES);
  str(`${f}.hostRedirect`, r.hostRedirect, { min: 1, max: 255 });
  str(`${f}.pathRedirect`, r.pathRedirect, { min: 1, max: 1024 });
  str(`${f}.prefixRedirect`, r.prefixRedirect, { min: 1, max: 1024 });
}

function headerAction(w: Walk, f: string, v: unknown): void {
  const ha = obj(f, v);
  if (!ha) return;
  w.advanced.push(f);
  for (const key of ['requestHeadersToAdd', 'responseHeadersToAdd'])
    for (const [i, h] of list(`${f}.${key}`, ha[key]).entries()) {
      const hf = `${f}.${key}[${i}]`;
      const name = requiredStr(`${hf}.headerName`, obj(hf, h)?.headerName);
      if (!HEADER_NAME.test(name)) throw invalid(`${hf}.headerName`, `'${name}' is not an HTTP header name`);
    }
  for (const key of ['requestHeadersToRemove', 'responseHeadersToRemove'])
    for (const [i, h] of list(`${f}.${key}`, ha[key]).entries())
      if (typeof h !== 'string' || !HEADER_NAME.test(h))
        throw invalid(`${f}.${key}[${i}]`, `'${String(h)}' is not an HTTP header name`);
}
