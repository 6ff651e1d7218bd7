import type {
  Action,
  BackendBucket,
  BackendPool,
  Listener,
  ListenerProtocol,
  ListenerTls,
  LoadBalancer,
  Route,
  SourceRef,
} from '#core/ir/load-balancer.js';
import type { AnyRoute } from '#core/model/gateway-api.js';
import { objectKey } from '#core/model/meta.js';
import { condition, setCondition } from '#core/status/conditions.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { PolicyUse } from '../backend/backend-tls.js';
import type { TranslateContext } from '../context.js';
import { orderRanked, type RankedRoute } from '../precedence.js';
import type { Attachment, GatewayState } from './attach.js';
import { hostnameCovers } from './hostnames.js';
import { equalOrPrevious, keepEqualById } from './route-memo.js';
import type { RulesResult, RuleTemplate } from './rules.js';

/** A Gateway's load balancer while routes are being attached to it. */
export interface LbBuilder {
  state: GatewayState;
  base: Omit<LoadBalancer, 'listeners' | 'pools' | 'buckets'>;
  listeners: Map<string, ListenerBuild>;
  pools: Map<string, BackendPool>;
  buckets: Map<string, BackendBucket>;
  /** BackendTLSPolicies of the Service ports its routes use: this Gateway is their ancestor. */
  tlsPolicies: PolicyUse[];
}

export interface ListenerBuild {
  id: string;
  protocol: ListenerProtocol;
  port: number;
  sources: SourceRef[];
  tls?: ListenerTls;
  ranked: RankedRoute[];
  /** `ranked` in precedence order, once the load balancer is built. */
  ordered: RankedRoute[];
  routeIds: Set<string>;
  /** Hostnames of the Gateway listeners merged here: requests for them never fall through to other hosts. */
  claimedHostnames: { hostname: string; source: SourceRef }[];
  /** HTTPS: the hostname of every Gateway listener merged here (`*` for none), for 421 checks. */
  listenerHostnames: Set<string>;
  /** TLS: the modes of the Gateway listeners merged here; two of them make every route carry its own. */
  tlsModes: Set<ListenerTls['mode']>;
}

/** Gateway listeners sharing a port (and protocol) become one IR listener. */
export function createLbBuilder(
  ctx: TranslateContext,
  state: GatewayState,
  settings: Pick<
    LoadBalancer,
    | 'provider'
    | 'scheme'
    | 'sourceRanges'
    | 'providerParameters'
    | 'ipFamilies'
    | 'requestedAddresses'
    | 'backendClientCertificate'
  >,
): LbBuilder {
  const g = state.gateway;
  const builder: LbBuilder = {
    state,
    base: {
      key: state.key,
      cluster: ctx.options.cluster,
      source: { kind: 'Gateway', namespace: g.metadata.namespace!, name: g.metadata.name },
      ...settings,
    },
    listeners: new Map(),
    pools: new Map(),
    buckets: new Map(),
    tlsPolicies: [],
  };
  for (const l of state.listeners) {
    if (!l.usable || !l.protocol) continue;
    const id = listenerId(l.protocol, l.spec.port);
    const source: SourceRef = {
      kind: l.owner.kind,
      namespace: l.owner.namespace,
      name: l.owner.name,
      section: l.spec.name,
    };
    let build = builder.listeners.get(id);
    if (!build) {
      build = {
        id,
        protocol: l.protocol,
        port: l.spec.port,
        sources: [],
        ranked: [],
        ordered: [],
        routeIds: new Set(),
        claimedHostnames: [],
        listenerHostnames: new Set(),
        tlsModes: new Set(),
      };
      if (l.tls) build.tls = { mode: l.tls.mode, certificates: [] };
      builder.listeners.set(id, build);
    }
    build.sources.push(source);
    if (l.tls && build.tls) build.tls.certificates.push(...l.tls.certificates);
    // Validation is per port: every listener merged here carries the same one.
    if (l.clientValidation && build.tls) build.tls.clientValidation = l.clientValidation;
    if (l.spec.hostname && (l.protocol === 'HTTP' || l.protocol === 'HTTPS'))
      build.claimedHostnames.push({ hostname: l.spec.hostname, source });
    if (l.protocol === 'HTTPS') build.listenerHostnames.add(l.spec.hostname ?? '*');
    if (l.protocol === 'TLS' && l.tls) build.tlsModes.add(l.tls.mode);
  }
  return builder;
}

export function listenerId(protocol: ListenerProtocol, port: number): string {
  return `${protocol.toLowerCase()}-${port}`;
}

/**
 * Places a route's rules on one listener, once per effective hostname. `placed` (the route's
 * translation's, per attachment) holds the IR routes made for this attachment last time, reused as
 * the same objects; when empty, it is filled (each IR route made passed through `reuse`).
 */
export function addRoute(
  builder: LbBuilder,
  route: AnyRoute,
  attachment: Attachment,
  rules: RulesResult,
  placed: RankedRoute[],
  reuse?: (made: RankedRoute) => RankedRoute,
): void {
  const l = attachment.listener;
  const build = builder.listeners.get(listenerId(l.protocol!, l.spec.port));
  if (!build) return;
  for (const pool of rules.pools) builder.pools.set(pool.id, pool);
  for (const bucket of rules.buckets) builder.buckets.set(bucket.id, bucket);
  for (const policy of rules.tlsPolicies) builder.tlsPolicies.push(policy);
  if (placed.length === 0) {
    const tlsMode = build.protocol === 'TLS' && l.tls ? l.tls.mode : undefined;
    for (const t of rules.templates)
      for (const hostname of attachment.hostnames) {
        const made = rankedRoute(route, t, hostname, build, tlsMode);
        placed.push(reuse ? reuse(made) : made);
      }
  }
  for (const ranked of placed) {
    // The first route to claim an id on the listener has it.
    if (build.routeIds.has(ranked.route.id)) continue;
    build.routeIds.add(ranked.route.id);
    build.ranked.push(ranked);
  }
}

function rankedRoute(
  route: AnyRoute,
  t: RuleTemplate,
  hostname: string | undefined,
  build: ListenerBuild,
  tlsMode: ListenerTls['mode'] | undefined,
): RankedRoute {
  const ir: Route = {
    id: hostname === undefined ? t.idBase : `${t.idBase}/host/${hostname}`,
    source: {
      kind: route.kind,
      namespace: route.metadata.namespace!,
      name: route.metadata.name,
      rule: t.rule,
      match: t.match,
      ...(t.ruleName ? { ruleName: t.ruleName } : {}),
    },
    ...(hostname !== undefined ? { hostname } : {}),
    wildcard: 'any-depth',
    match: t.matchSpec,
    filters: t.filters,
    action: finishAction(t, build),
    ...(t.timeouts ? { timeouts: t.timeouts } : {}),
    ...(t.retry ? { retry: t.retry } : {}),
    // Kept only where the port mixes modes (buildLoadBalancer).
    ...(tlsMode ? { tlsMode } : {}),
  };
  return {
    route: ir,
    ...(route.metadata.creationTimestamp ? { createdAt: route.metadata.creationTimestamp } : {}),
    objectKey: objectKey(route),
    rule: t.rule,
    match: t.match,
  };
}

/**
 * A redirect keeps the request's scheme, and its port unless the scheme changes; the Gateway API
 * derives the port from the listener (or from the new scheme's well-known port).
 */
function finishAction(t: RuleTemplate, build: ListenerBuild): Action {
  if (t.action.type !== 'partial-redirect') return t.action;
  const r = t.action.redirect;
  const scheme = r.scheme ?? (build.protocol === 'HTTPS' ? 'https' : 'http');
  const port = r.port ?? (r.scheme ? (r.scheme === 'https' ? 443 : 80) : build.port);
  return { type: 'redirect', ...r, scheme, port };
}

/**
 * The builder's load balancer. Its pools and buckets equal to those of `previous` (the key's last
 * one) are those very objects: routes resolve their own, so a shared pool may come from another.
 */
export function buildLoadBalancer(
  ctx: TranslateContext,
  builder: LbBuilder,
  previous?: LoadBalancer,
): LoadBalancer {
  const listeners: Listener[] = [];
  for (const b of builder.listeners.values()) {
    // The routes made here rather than by a route's translation: those of the last one where equal.
    let last: Map<string, Route> | undefined;
    const kept = (r: Route): Route => {
      const before =
        previous?.key === builder.base.key ? previous.listeners.find((l) => l.id === b.id) : undefined;
      last ??= new Map(before?.routes.map((x) => [x.id, x]));
      return equalOrPrevious(r, last.get(r.id));
    };
    addNotFoundRoutes(b, kept);
    b.ordered = orderRanked(b.ranked);
    let routes = b.ordered.map((r) => r.route);
    if ((b.protocol === 'TCP' || b.protocol === 'UDP') && routes.length > 1) {
      const [winner, ...losers] = routes;
      for (const r of losers) {
        const message = `${b.protocol} listener ${b.id} already carries ${winner!.source.kind} ${winner!.source.namespace}/${winner!.source.name}; only the oldest route is programmed`;
        ctx.notice({ severity: 'warning', code: 'ListenerRouteConflict', source: r.source, message });
        refuseAttachment(ctx, builder, b, r, message);
      }
      routes = [winner!];
    }
    // (Routes without a mode stay the same objects: render memoises by identity.)
    if (b.tlsModes.size < 2)
      routes = routes.map((r) => (r.tlsMode === undefined ? r : kept(withoutTlsMode(r))));
    listeners.push({
      id: b.id,
      sources: b.sources,
      port: b.port,
      protocol: b.protocol,
      ...(b.tls ? { tls: withListenerHostnames(b.tls, b.listenerHostnames) } : {}),
      routes,
    });
  }
  const used = new Set<string>();
  const usedBuckets = new Set<string>();
  for (const l of listeners) for (const r of l.routes) addUses(r, used, usedBuckets);
  const buckets = [...builder.buckets.values()].filter((b) => usedBuckets.has(b.id));
  const pools = [...builder.pools.values()].filter((p) => used.has(p.id));
  if (previous?.key === builder.base.key) {
    keepEqualById(pools, previous.pools);
    keepEqualById(buckets, previous.buckets);
  }
  return {
    ...builder.base,
    listeners,
    pools,
    ...(buckets.length > 0 ? { buckets } : {}),
  };
}

function withoutTlsMode({ tlsMode: _, ...r }: Route): Route {
  return r;
}

/**
 * An HTTPS port shared by Gateway listeners of different hostnames: a client may reuse one
 * connection (HTTP/2 coalescing) for a host another listener owns, which must get 421.
 */
function withListenerHostnames(tls: ListenerTls, hostnames: ReadonlySet<string>): ListenerTls {
  return hostnames.size < 2 ? tls : { ...tls, listenerHostnames: [...hostnames].sort() };
}

/** The pools (backends and mirrors) and buckets a route uses, added to the sets. */
export function addUses(r: Route, pools: Set<string>, buckets: Set<string>): void {
  if (r.action.type === 'forward')
    for (const b of r.action.backends) {
      if (b.pool) pools.add(b.pool);
      if (b.bucket !== undefined) buckets.add(b.bucket);
    }
  for (const f of r.filters) if (f.type === 'RequestMirror') pools.add(f.pool);
}

/** Whether a route of another hostname could catch the requests for `hostname` (see addNotFoundRoutes). */
export function shadows(r: RankedRoute, hostname: string): boolean {
  return (
    r.route.hostname !== hostname &&
    (r.route.hostname === undefined || hostnameCovers(r.route.hostname, hostname))
  );
}

/**
 * Routing picks the most specific matching hostname first and never falls through to a less specific
 * one. A Gateway listener with a hostname owns the requests for it even when no route matches them,
 * so where a broader route could otherwise catch them, a lowest-precedence 404 is added for it.
 */
function addNotFoundRoutes(b: ListenerBuild, kept: (r: Route) => Route): void {
  for (const { hostname, source } of b.claimedHostnames) {
    const shadowed = b.ranked.some((r) => shadows(r, hostname));
    if (!shadowed) continue;
    const id = `${source.kind.toLowerCase()}/${source.namespace}/${source.name}/listener/${source.section}/not-found`;
    if (b.routeIds.has(id)) continue;
    b.routeIds.add(id);
    b.ranked.push({
      route: kept({
        id,
        source,
        hostname,
        wildcard: 'any-depth',
        match: { path: { type: 'Prefix', value: '/' }, headers: [], queryParams: [] },
        filters: [],
        action: { type: 'fixed-response', statusCode: 404, reason: 'no route matches' },
      }),
      objectKey: `${source.namespace}/${source.name}`,
      fallback: true,
      rule: 0,
      match: 0,
    });
  }
}

/** A route that lost its listener to an older one: no longer accepted there, nor counted as attached. */
function refuseAttachment(
  ctx: TranslateContext,
  builder: LbBuilder,
  b: ListenerBuild,
  route: Route,
  message: string,
): void {
  const owner = (s: { kind?: string | undefined; namespace?: string | undefined; name: string }) =>
    `${s.kind ?? 'Gateway'}/${s.namespace ?? route.source.namespace}/${s.name}`;
  const sections = new Set(b.sources.map((s) => `${owner(s)}/${s.section}`));
  for (const l of builder.state.listeners) {
    if (sections.has(`${owner(l.owner)}/${l.spec.name}`) && l.status.attachedRoutes > 0)
      l.status.attachedRoutes--;
  }
  const owners = new Set(b.sources.map(owner));
  const i = ctx.statuses.findIndex(
    (s) =>
      s.kind === route.source.kind && s.namespace === route.source.namespace && s.name === route.source.name,
  );
  const status = ctx.statuses[i];
  if (!status || !('parents' in status.status)) return;
  const refused = condition('Accepted', false, 'NotAllowedByListeners', message, status.generation);
  // A new status, not an edit: the route memo keeps the one it replaces for the next translation.
  const parents = status.status.parents.map((p) => {
    if (!owners.has(owner(p.parentRef))) return p;
    const conditions = [...p.conditions];
    setCondition(conditions, refused);
    return { ...p, conditions };
  });
  ctx.statuses[i] = { ...status, status: { parents } } as ObjectStatus;
}
