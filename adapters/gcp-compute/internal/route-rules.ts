// One IR route → the route rules that express it (priorities are set by the caller). Element-wise
// prefixes need two match rules (`/foo` exact or `/foo/` prefix, as ingress-gce does); a prefix
// redirect or rewrite then needs two rules, since prefixRedirect/pathPrefixRewrite replace what a
// prefixMatch matched. What GCP cannot hold throws RouteProblem: the route is left out whole.

import type * as ir from '#core/ir/load-balancer.js';
import type {
  CorsPolicy,
  HeaderAction,
  HeaderMatch,
  MatchRule,
  QueryParameterMatch,
  RedirectResponseCode,
  RouteAction,
  RouteRule,
  UrlRedirect,
  WeightedBackendService,
} from '../model.js';
import { RouteProblem } from './route-problem.js';
import { checkRouteValues } from './safe-values.js';

export { RouteProblem };

export interface RouteRuleContext {
  listener: ir.Listener;
  /** The backend service of a pool, or undefined when it is left out. */
  service(pool: string): string | undefined;
  /** The backend bucket of a bucket backend, or undefined when it is left out (see bucketProblem). */
  bucket(id: string): string | undefined;
  /** Why this load balancer has no backend buckets at all, if so. */
  bucketProblem?: string;
  /** Where unresolved backends go: the empty default service. */
  defaultService: string;
  /** The global external scheme has no regexMatch. */
  regex: boolean;
  maxWeight: number;
  maxRetries: number;
}

const CODES: Record<ir.RedirectAction['statusCode'], RedirectResponseCode> = {
  301: 'MOVED_PERMANENTLY_DEFAULT',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

/** The rules (one or two) in order, without priorities, and the regexes they use. */
export function routeRules(
  route: ir.Route,
  ctx: RouteRuleContext,
): { rules: Omit<RouteRule, 'priority'>[]; regexes: number; predicates: number; warnings: string[] } {
  checkRouteValues(route);
  const warnings: string[] = [];
  const extra = extraMatches(route, ctx);
  const path = route.match.path;
  const prefix = path?.type === 'Prefix' ? path.value.replace(/\/+$/, '') : undefined;
  const prefixModifier = [
    ...route.filters.flatMap((f) => (f.type === 'URLRewrite' && f.path ? [f.path] : [])),
    ...(route.action.type === 'redirect' && route.action.path ? [route.action.path] : []),
  ].some((p) => p.type === 'ReplacePrefixMatch');

  // Path predicates: [exact-part, prefix-part] for element-wise prefixes.
  let paths: ({ prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string })[];
  let regexes = extra.regexes;
  if (!path || (prefix !== undefined && prefix === '')) paths = [{ prefixMatch: '/' }];
  else if (path.type === 'Exact') paths = [{ fullPathMatch: path.value }];
  else if (path.type === 'RegularExpression') {
    if (!ctx.regex)
      throw new RouteProblem(
        'match/path/RegularExpression',
        'global external Application Load Balancers have no regexMatch',
      );
    regexes++;
    paths = [{ regexMatch: path.value }];
  } else paths = [{ fullPathMatch: prefix! }, { prefixMatch: `${prefix}/` }];

  const action = (p: (typeof paths)[number]) => routeTarget(route, ctx, p, warnings);
  const headerAction = routeHeaderAction(route);
  const rule = (ps: typeof paths, p: (typeof paths)[number]): Omit<RouteRule, 'priority'> => ({
    matchRules: ps.map((m) => ({ ...m, ...extra.match }) as MatchRule),
    ...action(p),
    ...(headerAction ? { headerAction } : {}),
    routes: [route.id],
  });
  const rules =
    prefixModifier && paths.length === 2
      ? paths.map((p) => rule([p], p))
      : [rule(paths, paths[paths.length - 1]!)];
  const predicates = rules.reduce((n, r) => n + r.matchRules.length * (1 + extra.count), 0);
  return { rules, regexes: regexes * rules.length, predicates, warnings };
}

function extraMatches(
  route: ir.Route,
  ctx: RouteRuleContext,
): { match: Pick<MatchRule, 'headerMatches' | 'queryParameterMatches'>; regexes: number; count: number } {
  let regexes = 0;
  const regex = (what: string, value: string) => {
    if (!ctx.regex)
      throw new RouteProblem(what, 'global external Application Load Balancers have no regexMatch');
    regexes++;
    return { regexMatch: value };
  };
  const headerMatches = route.match.headers.map(
    (h): HeaderMatch => ({
      headerName: h.name,
      ...(h.type === 'Exact' ? { exactMatch: h.value } : regex('match/headers/RegularExpression', h.value)),
    }),
  );
  // matchRules have no method field; the `:method` pseudo-header is GCP's documented way.
  if (route.match.method !== undefined)
    headerMatches.push({ headerName: ':method', exactMatch: route.match.method });
  const queryParameterMatches = route.match.queryParams.map(
    (q): QueryParameterMatch => ({
      name: q.name,
      ...(q.type === 'Exact' ? { exactMatch: q.value } : regex('match/query/RegularExpression', q.value)),
    }),
  );
  return {
    match: {
      ...(headerMatches.length > 0 ? { headerMatches } : {}),
      ...(queryParameterMatches.length > 0 ? { queryParameterMatches } : {}),
    },
    regexes,
    count: headerMatches.length + queryParameterMatches.length,
  };
}

/** Where the rule sends traffic: a service, weighted services (with rewrites etc.) or a redirect. */
function routeTarget(
  route: ir.Route,
  ctx: RouteRuleContext,
  path: { prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string },
  warnings: string[],
): Pick<RouteRule, 'service' | 'routeAction' | 'urlRedirect'> {
  const a = route.action;
  if (a.type === 'fixed-response')
    throw new RouteProblem('action/fixed-response', 'a URL map has no fixed response');
  if (a.type === 'redirect') return { urlRedirect: redirect(a, ctx, path) };

  const live = a.backends.filter((b) => b.weight > 0);
  if (live.some((b) => b.bucket !== undefined)) return bucketTarget(route, ctx, live, path);
  const routeAction: RouteAction = {};
  const resolved = live.map((b) => {
    const service = b.pool !== null ? ctx.service(b.pool) : undefined;
    if (b.pool !== null && service === undefined)
      throw new RouteProblem('action/pool', `pool ${b.pool} is left out (see its notice)`);
    return {
      backendService: service ?? ctx.defaultService,
      weight: b.weight,
      unresolved: b.pool === null,
      headerAction: backendHeaderAction(b),
    };
  });
  if (resolved.length === 0 || resolved.some((r) => r.unresolved))
    warnings.push(
      'requests for unresolved or zero-weight backends go to the empty default backend service, ' +
        'which answers with an error status rather than 500',
    );
  // Backends naming one service with the same header action are one weighted entry.
  const merged = new Map<string, WeightedBackendService>();
  for (const r of resolved) {
    const key = JSON.stringify([r.backendService, r.headerAction ?? null]);
    const entry = merged.get(key);
    if (entry) entry.weight += r.weight;
    else
      merged.set(key, {
        backendService: r.backendService,
        weight: r.weight,
        ...(r.headerAction ? { headerAction: r.headerAction } : {}),
      });
  }
  if (merged.size === 0) merged.set('', { backendService: ctx.defaultService, weight: 1 });
  const max = Math.max(...[...merged.values()].map((e) => e.weight));
  const scale = max > ctx.maxWeight ? ctx.maxWeight / max : 1;
  const weighted = [...merged.values()].map((e) => ({
    ...e,
    weight: Math.max(1, Math.round(e.weight * scale)),
  }));

  for (const f of route.filters) {
    if (f.type === 'URLRewrite') {
      routeAction.urlRewrite = {
        ...(f.hostname !== undefined ? { hostRewrite: f.hostname } : {}),
        ...(f.path?.type === 'ReplacePrefixMatch'
          ? { pathPrefixRewrite: replacement(f.path.value, path) }
          : {}),
      };
    } else if (f.type === 'RequestMirror') {
      if (routeAction.requestMirrorPolicy)
        throw new RouteProblem(
          'filter/RequestMirror/multiple',
          'a route action mirrors to one backend service',
        );
      const backendService = ctx.service(f.pool);
      if (!backendService) throw new RouteProblem('filter/RequestMirror', `pool ${f.pool} is left out`);
      routeAction.requestMirrorPolicy = {
        backendService,
        ...(f.percent !== 100 ? { mirrorPercent: f.percent } : {}),
      };
    } else if (f.type === 'CORS') routeAction.corsPolicy = corsPolicy(f);
  }
  const { requestMs, backendRequestMs } = route.timeouts ?? {};
  const retrying = (route.retry?.attempts ?? 0) > 0;
  // One attempt: the whole request is bounded by the smaller of the two; with retries, each attempt
  // is bounded by perTryTimeout and the whole by timeout.
  const whole = retrying
    ? requestMs
    : [requestMs, backendRequestMs].reduce<number | undefined>(
        (a, b) => (b === undefined ? a : a === undefined ? b : Math.min(a, b)),
        undefined,
      );
  if (whole !== undefined) routeAction.timeout = duration(whole);
  if (route.retry) {
    const codes = [...route.retry.codes].sort().join(',');
    const conditions =
      codes === ''
        ? ['connect-failure']
        : codes === '502,503,504'
          ? ['connect-failure', 'gateway-error']
          : undefined;
    if (!conditions)
      throw new RouteProblem(
        'retry/codes',
        'GCP retries by class (5xx, gateway-error = 502/503/504), not by status code list',
      );
    if (route.retry.attempts > ctx.maxRetries)
      throw new RouteProblem('retry/attempts', `at most ${ctx.maxRetries} retries`);
    if (route.retry.backoffMs !== undefined)
      warnings.push('retry backoff is not configurable on GCP; its default applies');
    if (route.retry.attempts > 0)
      routeAction.retryPolicy = {
        retryConditions: conditions,
        numRetries: route.retry.attempts,
        ...(backendRequestMs !== undefined ? { perTryTimeout: duration(backendRequestMs) } : {}),
      };
  }
  const single =
    weighted.length === 1 && weighted[0]!.headerAction === undefined && Object.keys(routeAction).length === 0;
  if (single) return { service: weighted[0]!.backendService };
  return { routeAction: { ...routeAction, weightedBackendServices: weighted } };
}

/**
 * A route served from a Cloud Storage bucket: the bucket is the rule's `service`. The URL map's
 * weightedBackendServices and requestMirrorPolicy name backend services only, so a bucket takes no
 * weighted share and no mirror; timeouts and retries are backend-service settings. A URL rewrite
 * stays (routeAction beside `service`: rewrites take effect before the request reaches it).
 */
function bucketTarget(
  route: ir.Route,
  ctx: RouteRuleContext,
  live: readonly ir.WeightedBackend[],
  path: { prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string },
): Pick<RouteRule, 'service' | 'routeAction'> {
  const id = live.find((b) => b.bucket !== undefined)!.bucket!;
  if (live.length > 1)
    throw new RouteProblem(
      'action/backend-bucket/weighted',
      `StorageBucket ${id} cannot share a route with other backends: GCP splits traffic between backend services only`,
    );
  if (live[0]!.filters.length > 0)
    throw new RouteProblem(
      'action/backend-bucket/filters',
      `filters on the StorageBucket ${id} backend: GCP applies per-backend header actions to backend services only`,
    );
  const service = ctx.bucket(id);
  if (service === undefined)
    throw new RouteProblem('action/backend-bucket', ctx.bucketProblem ?? `StorageBucket ${id} is left out`);
  if (route.filters.some((f) => f.type === 'RequestMirror'))
    throw new RouteProblem(
      'action/backend-bucket/mirror',
      `requests served from StorageBucket ${id} cannot be mirrored: GCP mirrors requests bound for backend services only`,
    );
  if (
    route.timeouts?.requestMs !== undefined ||
    route.timeouts?.backendRequestMs !== undefined ||
    route.retry
  )
    throw new RouteProblem(
      'action/backend-bucket/timeouts',
      `timeouts and retries apply to backend services, not to StorageBucket ${id}`,
    );
  const rewrite = route.filters.find(
    (f): f is Extract<ir.Filter, { type: 'URLRewrite' }> => f.type === 'URLRewrite',
  );
  const cors = route.filters.find((f): f is ir.CorsFilter => f.type === 'CORS');
  const routeAction: RouteAction = {
    ...(rewrite
      ? {
          urlRewrite: {
            ...(rewrite.hostname !== undefined ? { hostRewrite: rewrite.hostname } : {}),
            ...(rewrite.path?.type === 'ReplacePrefixMatch'
              ? { pathPrefixRewrite: replacement(rewrite.path.value, path) }
              : {}),
          },
        }
      : {}),
    ...(cors ? { corsPolicy: corsPolicy(cors) } : {}),
  };
  return Object.keys(routeAction).length > 0 ? { service, routeAction } : { service };
}

/** Every method a Gateway API CORS filter can name (HTTPMethodWithWildcard without `*`). */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/**
 * The CORS filter as a route action's corsPolicy (Envoy's CORS filter: preflights answered by the
 * load balancer). Subdomain-wildcard origins need allowOriginRegexes, which only the
 * INTERNAL_SELF_MANAGED scheme takes; the capabilities declare them unsupported. An allowed origin,
 * `*` included, is answered with the request's Origin, which is what credentials need. The method,
 * header and expose lists are sent as written, and with credentials a browser reads `*` there
 * literally, where the Gateway API means "any": a `*` method list is spelled out (every method a
 * route can name), and `*` header lists, which cannot be, are refused.
 */
function corsPolicy(f: ir.CorsFilter): CorsPolicy {
  const wildcard = f.allowOrigins.find((o) => o.includes('*.'));
  if (wildcard !== undefined)
    throw new RouteProblem(
      'filter/CORS/origin-wildcards',
      `origin ${JSON.stringify(wildcard)}: GCP matches origin patterns only on the INTERNAL_SELF_MANAGED scheme`,
    );
  const literal = f.allowCredentials
    ? (['allowHeaders', 'exposeHeaders'] as const).find((k) => f[k].includes('*'))
    : undefined;
  if (literal !== undefined)
    throw new RouteProblem(
      'filter/CORS/credentials-wildcard',
      `${literal} "*" with allowCredentials: GCP sends the list as written and browsers read "*" literally when credentials are allowed; name the headers`,
    );
  const methods = f.allowCredentials && f.allowMethods.includes('*') ? HTTP_METHODS : f.allowMethods;
  return {
    allowOrigins: f.allowOrigins,
    ...(methods.length > 0 ? { allowMethods: methods } : {}),
    ...(f.allowHeaders.length > 0 ? { allowHeaders: f.allowHeaders } : {}),
    ...(f.exposeHeaders.length > 0 ? { exposeHeaders: f.exposeHeaders } : {}),
    maxAge: f.maxAgeSeconds,
    allowCredentials: f.allowCredentials,
    disabled: false,
  };
}

/**
 * A backend's own filters as the weighted entry's headerAction: GCP has per-backend header actions,
 * and nothing else per backend.
 */
function backendHeaderAction(b: ir.WeightedBackend): HeaderAction | undefined {
  const other = b.filters.find(
    (f) => f.type !== 'RequestHeaderModifier' && f.type !== 'ResponseHeaderModifier',
  );
  if (other)
    throw new RouteProblem(
      `action/backend-filters/${other.type}`,
      `the ${other.type} filter on one backend: GCP has per-backend header actions only`,
    );
  return headerActionOf(b.filters);
}

function redirect(
  a: ir.RedirectAction,
  ctx: RouteRuleContext,
  path: { prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string },
): UrlRedirect {
  const https = ctx.listener.protocol === 'HTTPS';
  if (a.scheme === 'http' && https)
    throw new RouteProblem('action/redirect/scheme', 'urlRedirect cannot redirect HTTPS to HTTP');
  const scheme = a.scheme ?? (https ? 'https' : 'http');
  if (a.port !== undefined && a.port !== (scheme === 'https' ? 443 : 80))
    throw new RouteProblem(
      'action/redirect/port',
      'urlRedirect has no port; only the scheme default port is possible',
    );
  const p = a.path;
  return {
    redirectResponseCode: CODES[a.statusCode],
    ...(a.scheme === 'https' && !https ? { httpsRedirect: true } : {}),
    ...(a.hostname !== undefined ? { hostRedirect: a.hostname } : {}),
    ...(p?.type === 'ReplaceFullPath' ? { pathRedirect: p.value } : {}),
    ...(p?.type === 'ReplacePrefixMatch'
      ? 'fullPathMatch' in path
        ? { pathRedirect: p.value }
        : { prefixRedirect: replacement(p.value, path) }
      : {}),
    stripQuery: false,
  };
}

/**
 * The replacement for what the path predicate matched: an exact part (`/foo`) is replaced whole; a
 * prefix part (`/foo/`) keeps its trailing slash so `/foo/x` → `/bar/x`.
 */
function replacement(
  value: string,
  path: { prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string },
): string {
  if ('fullPathMatch' in path) return value;
  const base = value.replace(/\/+$/, '');
  return `${base}/`;
}

function duration(ms: number): { seconds: string; nanos?: number } {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  return { seconds: String(seconds), ...(nanos > 0 ? { nanos } : {}) };
}

function routeHeaderAction(route: ir.Route): HeaderAction | undefined {
  return headerActionOf(route.filters);
}

function headerActionOf(filters: readonly ir.Filter[]): HeaderAction | undefined {
  const ha: HeaderAction = {};
  for (const f of filters) {
    if (f.type !== 'RequestHeaderModifier' && f.type !== 'ResponseHeaderModifier') continue;
    const side = f.type === 'RequestHeaderModifier' ? 'request' : 'response';
    const add = [
      ...f.set.map((h) => ({ headerName: h.name, headerValue: h.value, replace: true })),
      ...f.add.map((h) => ({ headerName: h.name, headerValue: h.value, replace: false })),
    ];
    if (add.length > 0) ha[`${side}HeadersToAdd`] = [...(ha[`${side}HeadersToAdd`] ?? []), ...add];
    if (f.remove.length > 0)
      ha[`${side}HeadersToRemove`] = [...(ha[`${side}HeadersToRemove`] ?? []), ...f.remove];
  }
  return Object.keys(ha).length > 0 ? ha : undefined;
}
