import type * as ir from '#core/ir/load-balancer.js';
import type { AdapterNotice, Capabilities } from './types.js';

/** Everything the IR can say: a starting point for adapters and tests that restrict from it. */
export const EVERY_CAPABILITY: Capabilities = {
  listenerProtocols: ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'],
  tlsPassthrough: true,
  certificateSource: 'secret',
  wildcardHostnames: ['single-label', 'any-depth'],
  pathMatch: ['Exact', 'Prefix', 'RegularExpression'],
  headerMatch: ['Exact', 'RegularExpression'],
  queryParamMatch: ['Exact', 'RegularExpression'],
  methodMatch: true,
  filters: ['RequestHeaderModifier', 'ResponseHeaderModifier', 'URLRewrite', 'RequestMirror', 'CORS'],
  urlRewrite: { hostname: true, path: ['ReplaceFullPath', 'ReplacePrefixMatch'] },
  backendFilters: true,
  corsOriginWildcards: true,
  redirect: {
    supported: true,
    path: ['ReplaceFullPath', 'ReplacePrefixMatch'],
    statusCodes: [301, 302, 303, 307, 308],
  },
  fixedResponse: true,
  weightedBackends: true,
  timeouts: { request: true, backendRequest: true },
  poolProtocols: ['HTTP', 'HTTPS', 'H2C', 'GRPC', 'TCP', 'UDP', 'TLS'],
  sourceRanges: true,
  requestedAddressTypes: ['IPAddress', 'Hostname', 'NamedAddress'],
  retries: true,
  backendTls: { supported: true, systemTrust: true, subjectAltNames: true, clientCertificate: true },
  frontendClientValidation: ['AllowValidOnly', 'AllowInsecureFallback'],
  tlsMixedModes: true,
  misdirectedRequests: true,
  backendBuckets: true,
  ipFamilies: 'dual-stack',
  topology: true,
};

/**
 * Every use of a feature the capabilities do not declare, one notice per IR node and feature, in IR
 * order. Each adapter's render calls it (and withoutUnsupported) so nothing is silently dropped.
 */
export function unsupportedFeatures(
  lb: ir.LoadBalancer,
  caps: Capabilities,
  adapter = 'this',
  kept?: KeptRouteChecks,
): AdapterNotice[] {
  const notices: AdapterNotice[] = [];
  const seen = new Set<string>();
  const add = (
    n: Omit<AdapterNotice, 'severity' | 'message'>,
    what: string,
    limit = false,
    severity: 'error' | 'warning' = 'error',
  ) => {
    const id = `${n.listener ?? ''}|${n.route ?? ''}|${n.pool ?? ''}|${n.feature}|${JSON.stringify(n.source)}`;
    if (seen.has(id)) return;
    seen.add(id);
    const message = limit
      ? `${what} exceeds the ${adapter} provider's limit`
      : severity === 'warning'
        ? `the ${adapter} provider does not support ${what}; the rest is programmed without it`
        : `the ${adapter} provider does not support ${what}`;
    notices.push({ severity, ...n, message });
  };
  const pools = new Map(lb.pools.map((p) => [p.id, p]));
  const listenerChecks = kept?.begin(lb, caps);

  if (lb.sourceRanges.length > 0 && !caps.sourceRanges)
    add(
      { code: 'UnsupportedValue', feature: 'load-balancer/source-ranges', source: lb.source },
      'source ranges',
    );
  const families = lb.ipFamilies ?? ['IPv4'];
  if (caps.ipFamilies === 'ipv4' && families.includes('IPv6'))
    // IPv6 only: an IPv4 load balancer would look programmed while unreachable for its clients.
    add(
      { code: 'UnsupportedValue', feature: 'load-balancer/ip-family/IPv6', source: lb.source },
      'IPv6 listeners',
      false,
      families.includes('IPv4') ? 'warning' : 'error',
    );
  for (const p of lb.pools)
    if (p.topology !== undefined && !caps.topology)
      add(
        { code: 'UnsupportedValue', feature: `pool/topology/${p.topology}`, source: p.source, pool: p.id },
        `keeping traffic in the load balancer's zone (${p.topology})`,
        false,
        'warning',
      );
  for (const a of lb.requestedAddresses)
    if (!caps.requestedAddressTypes.includes(a.type))
      add(
        { code: 'UnsupportedValue', feature: `load-balancer/address/${a.type}`, source: lb.source },
        `requested addresses of type ${a.type}`,
      );

  lb.listeners.forEach((l, li) => {
    const onListener = (
      code: AdapterNotice['code'],
      feature: string,
      what: string,
      limit = false,
      severity: 'error' | 'warning' = 'error',
    ) => {
      for (const source of l.sources.length > 0 ? l.sources : [lb.source])
        add({ code, feature, source, listener: l.id }, what, limit, severity);
    };
    if (caps.maxListeners !== undefined && li >= caps.maxListeners)
      onListener('LimitExceeded', 'load-balancer/listeners', `listener ${l.id}: ${li + 1} listeners`, true);
    if (!caps.listenerProtocols.includes(l.protocol))
      onListener('UnsupportedProtocol', `listener/protocol/${l.protocol}`, `${l.protocol} listeners`);
    if (l.tls?.mode === 'Passthrough' && !caps.tlsPassthrough)
      onListener('UnsupportedValue', 'listener/tls-passthrough', 'TLS passthrough');
    const validation = l.tls?.clientValidation;
    if (validation && !caps.frontendClientValidation.includes(validation.mode))
      onListener(
        'UnsupportedValue',
        `listener/client-validation/${validation.mode}`,
        `client certificate validation (${validation.mode})`,
      );
    // A hardening, not routing: without it the listener still serves every request it should.
    if (l.tls?.listenerHostnames && !caps.misdirectedRequests)
      onListener(
        'UnsupportedValue',
        'listener/misdirected-requests',
        '421 answers to requests misdirected between HTTPS listeners',
        false,
        'warning',
      );
    // Capabilities first: reading every route of a large listener costs.
    if (!caps.tlsMixedModes && l.routes.some((r) => r.tlsMode !== undefined && r.tlsMode !== l.tls?.mode))
      onListener(
        'UnsupportedValue',
        'listener/tls-mixed-modes',
        'TLS passthrough and termination on one port',
      );
    const certs = l.tls?.certificates.length ?? 0;
    if (caps.maxCertificatesPerListener !== undefined && certs > caps.maxCertificatesPerListener)
      onListener('LimitExceeded', 'listener/certificates', `${certs} certificates on listener ${l.id}`, true);

    const routeChecks = listenerChecks?.listener(l);
    for (let ri = 0; ri < l.routes.length; ri++) {
      const r = l.routes[ri]!;
      if (caps.maxRoutesPerListener !== undefined && ri >= caps.maxRoutesPerListener)
        add(
          {
            code: 'LimitExceeded',
            feature: 'listener/routes',
            source: r.source,
            listener: l.id,
            route: r.id,
          },
          `route ${ri + 1} on listener ${l.id}`,
          true,
        );
      let uses = routeChecks?.get(r);
      if (uses === undefined) {
        uses = routeFeatureUses(lb, r, pools, caps);
        routeChecks?.set(r, uses);
      }
      if (uses.length > 0)
        for (const u of uses)
          add(
            {
              code: u.limit ? 'LimitExceeded' : 'UnsupportedValue',
              feature: u.feature,
              source: r.source,
              listener: l.id,
              route: r.id,
              ...(u.pool !== undefined ? { pool: u.pool } : {}),
            },
            u.what,
            u.limit,
          );
    }
  });
  listenerChecks?.end();
  return notices;
}

/** A feature one route uses that the capabilities lack (a route notice without its ids and message). */
interface FeatureUse {
  feature: string;
  what: string;
  pool?: string;
  limit: boolean;
}

/**
 * The route checks of one load balancer's last call, for a caller that renders it again and again
 * (the HAProxy adapter keeps one per load balancer): the translation keeps an unchanged route as the
 * same object and IR objects are never edited, so a call after one route changed checks that route
 * only. A route's check reads, besides the route, only the capabilities, its listener's id and its
 * pools' protocol and backend TLS settings (with the backend client certificate): when any of
 * those changed, every route is checked again.
 */
export class KeptRouteChecks {
  #caps: Capabilities | undefined;
  #clientCertificate = false;
  /** What the checks read of each pool, by pool id. */
  #pools = new Map<string, string>();
  #listeners = new Map<string, KeptListenerChecks>();
  #call = 0;

  /**
   * Starts a call: forgets every check if what they read besides the routes changed. Pools that
   * come or go do not count: a kept route still names only pools it named before, and a route that
   * names a new pool is a new route object, checked anyway.
   */
  begin(lb: ir.LoadBalancer, caps: Capabilities): this {
    const clientCertificate = lb.backendClientCertificate !== undefined;
    const pools = new Map(
      lb.pools.map((p) => [
        p.id,
        p.tls ? `${p.protocol} ${p.tls.trust.type} ${p.tls.subjectAltNames.length}` : p.protocol,
      ]),
    );
    let samePools = true;
    for (const [id, read] of pools) {
      const before = this.#pools.get(id);
      if (before !== undefined && before !== read) samePools = false;
    }
    if (caps !== this.#caps || clientCertificate !== this.#clientCertificate || !samePools) {
      this.#listeners = new Map();
      this.#caps = caps;
      this.#clientCertificate = clientCertificate;
    }
    this.#pools = pools;
    this.#call++;
    return this;
  }

  /** The kept checks of one listener's routes, for this call. */
  listener(l: ir.Listener): KeptListenerChecks {
    let kept = this.#listeners.get(l.id);
    if (kept === undefined) {
      kept = new KeptListenerChecks();
      this.#listeners.set(l.id, kept);
    }
    kept.begin(this.#call, l.routes);
    return kept;
  }

  /** Ends a call: keeps only the listeners and routes it checked. */
  end(): void {
    for (const [id, kept] of this.#listeners) if (!kept.end(this.#call)) this.#listeners.delete(id);
  }
}

/** No feature uses: what most routes have. */
const NONE: FeatureUse[] = [];

/**
 * One listener's kept checks. A call walks the listener's routes beside the last call's: a route at
 * the same place in both is the same object (a pointer compare, nothing else read), so only routes
 * added, removed or moved cost more than that.
 */
class KeptListenerChecks {
  #last: readonly ir.Route[] = [];
  #routes: readonly ir.Route[] = [];
  /** Where the walk is in `#last`. */
  #at = 0;
  #call = 0;
  readonly #uses = new Map<ir.Route, FeatureUse[]>();
  /** How many kept routes use an unsupported feature (none: a kept route's uses need no lookup). */
  #withUses = 0;
  /** Routes of the last call dropped in this one, and this call's routes as a set once there are many. */
  #drops = 0;
  #present: Set<ir.Route> | undefined;

  begin(call: number, routes: readonly ir.Route[]): void {
    this.#call = call;
    this.#routes = routes;
    this.#at = 0;
    this.#drops = 0;
    this.#present = undefined;
  }

  /** The route's feature uses as a call checked this very route object; undefined if none did. */
  get(r: ir.Route): FeatureUse[] | undefined {
    const last = this.#last;
    if (last[this.#at] === r) {
      this.#at++;
      return this.#withUses === 0 ? NONE : this.#uses.get(r);
    }
    const uses = this.#uses.get(r);
    if (uses === undefined) return undefined;
    // Kept further on: the routes before it in the last call were removed (or moved: then checked again).
    const k = last.indexOf(r, this.#at);
    if (k !== -1) {
      while (this.#at < k) this.#drop(last[this.#at++]!);
      this.#at++;
    }
    return uses;
  }

  set(r: ir.Route, uses: FeatureUse[]): void {
    if ((this.#uses.get(r)?.length ?? 0) > 0) this.#withUses--;
    this.#uses.set(r, uses);
    if (uses.length > 0) this.#withUses++;
  }

  /** Ends a call: drops the routes left in the last call's; false if the listener was not checked. */
  end(call: number): boolean {
    if (this.#call !== call) return false;
    while (this.#at < this.#last.length) this.#drop(this.#last[this.#at++]!);
    this.#last = this.#routes;
    return true;
  }

  /** Forgets a route of the last call that is not where this call has it, unless this call has it elsewhere. */
  #drop(r: ir.Route): void {
    const uses = this.#uses.get(r);
    if (uses === undefined) return;
    // A scan is cheaper than a set while few routes go (most calls: one or none).
    if (++this.#drops > 8) this.#present ??= new Set(this.#routes);
    if (this.#present ? this.#present.has(r) : this.#routes.includes(r)) return;
    this.#uses.delete(r);
    if (uses.length > 0) this.#withUses--;
  }
}

/** The features one route uses that the capabilities lack. */
function routeFeatureUses(
  lb: ir.LoadBalancer,
  r: ir.Route,
  pools: ReadonlyMap<string, ir.BackendPool>,
  caps: Capabilities,
): FeatureUse[] {
  const uses: FeatureUse[] = [];
  const onRoute = (feature: string, what: string, extra: { pool?: string } = {}, limit = false) =>
    uses.push({ feature, what, ...extra, limit });
  if (r.hostname?.startsWith('*.') && !caps.wildcardHostnames.includes(r.wildcard))
    onRoute(`match/hostname/wildcard-${r.wildcard}`, `${r.wildcard} wildcard hostnames`);
  const { match } = r;
  if (match.path && !caps.pathMatch.includes(match.path.type))
    onRoute(`match/path/${match.path.type}`, `${match.path.type} path matches`);
  for (const h of match.headers)
    if (!caps.headerMatch.includes(h.type)) onRoute(`match/headers/${h.type}`, `${h.type} header matches`);
  for (const q of match.queryParams)
    if (!caps.queryParamMatch.includes(q.type))
      onRoute(`match/query/${q.type}`, `${q.type} query parameter matches`);
  if (match.method !== undefined && !caps.methodMatch) onRoute('match/method', 'method matches');
  const checkFilter = (f: ir.Filter) => {
    if (!caps.filters.includes(f.type)) return onRoute(`filter/${f.type}`, `the ${f.type} filter`);
    if (f.type === 'URLRewrite') {
      if (f.hostname !== undefined && !caps.urlRewrite.hostname)
        onRoute('filter/URLRewrite/hostname', 'hostname rewrites');
      if (f.path && !caps.urlRewrite.path.includes(f.path.type))
        onRoute(`filter/URLRewrite/path/${f.path.type}`, `${f.path.type} path rewrites`);
    }
    if (f.type === 'RequestMirror') checkPool(f.pool);
    if (f.type === 'CORS' && !caps.corsOriginWildcards && f.allowOrigins.some((o) => o.includes('*.')))
      onRoute('filter/CORS/origin-wildcards', 'CORS origins with a subdomain wildcard');
  };
  const checkPool = (id: string | null) => {
    const pool = id !== null ? pools.get(id) : undefined;
    if (!pool) return;
    if (!caps.poolProtocols.includes(pool.protocol))
      onRoute(`pool/protocol/${pool.protocol}`, `${pool.protocol} backends`, { pool: pool.id });
    const missing = pool.tls ? missingBackendTls(pool.tls, lb, caps) : undefined;
    if (missing) onRoute(`pool/tls/${missing.feature}`, missing.what, { pool: pool.id });
  };
  r.filters.forEach(checkFilter);
  const mirrors = r.filters.filter((f) => f.type === 'RequestMirror').length;
  if (caps.maxMirrorsPerRoute !== undefined && mirrors > caps.maxMirrorsPerRoute)
    onRoute('filter/RequestMirror/multiple', `${mirrors} request mirrors on one route`);
  if (r.retry && !caps.retries) onRoute('retry', 'retries');
  if (r.timeouts?.requestMs !== undefined && !caps.timeouts.request)
    onRoute('timeouts/request', 'request timeouts');
  if (r.timeouts?.backendRequestMs !== undefined && !caps.timeouts.backendRequest)
    onRoute('timeouts/backend-request', 'backend request timeouts');
  const { action } = r;
  if (action.type === 'forward') {
    const live = action.backends.filter((b) => b.weight > 0);
    if (live.length > 1 && !caps.weightedBackends) onRoute('action/weighted-backends', 'weighted backends');
    if (caps.maxBackendsPerRoute !== undefined && action.backends.length > caps.maxBackendsPerRoute)
      onRoute('action/backends', `${action.backends.length} backends in one route`, {}, true);
    for (const b of action.backends) {
      checkPool(b.pool);
      if (b.bucket !== undefined && !caps.backendBuckets)
        onRoute('action/backend-bucket', `Cloud Storage bucket backends (StorageBucket ${b.bucket})`);
      if (b.filters.length > 0 && !caps.backendFilters)
        onRoute('action/backend-filters', 'per-backend filters');
      b.filters.forEach(checkFilter);
    }
  } else if (action.type === 'redirect') {
    if (!caps.redirect.supported) onRoute('action/redirect', 'redirects');
    else {
      if (action.path && !caps.redirect.path.includes(action.path.type))
        onRoute(`action/redirect/path/${action.path.type}`, `${action.path.type} redirect paths`);
      if (!caps.redirect.statusCodes.includes(action.statusCode))
        onRoute(`action/redirect/status/${action.statusCode}`, `redirect status ${action.statusCode}`);
    }
  } else if (!caps.fixedResponse) onRoute('action/fixed-response', 'fixed responses');
  return uses;
}

/** The first part of a pool's backend TLS the capabilities lack, if any. */
function missingBackendTls(
  tls: ir.BackendTls,
  lb: ir.LoadBalancer,
  caps: Capabilities,
): { feature: string; what: string } | undefined {
  if (!caps.backendTls.supported) return { feature: 'policy', what: 'TLS to backends (BackendTLSPolicy)' };
  if (tls.trust.type === 'System' && !caps.backendTls.systemTrust)
    return { feature: 'system-trust', what: 'verifying backends against the system CAs' };
  if (tls.subjectAltNames.length > 0 && !caps.backendTls.subjectAltNames)
    return { feature: 'subject-alt-names', what: 'checking backend subjectAltNames' };
  if (lb.backendClientCertificate && !caps.backendTls.clientCertificate)
    return { feature: 'client-certificate', what: 'a client certificate for backends' };
  return undefined;
}

/**
 * The load balancer without what the notices name: routes whole, listeners whole, pools the
 * provider cannot program, and every listener when a notice concerns the load balancer itself
 * (ignoring source ranges would open it wider than asked).
 */
export function withoutUnsupported(lb: ir.LoadBalancer, notices: readonly AdapterNotice[]): ir.LoadBalancer {
  // Warnings name what is programmed without a hardening; nothing is left out for them.
  const errors = notices.filter((n) => n.severity === 'error');
  if (errors.length === 0) return lb;
  // Only a notice about no listener, route or pool is about the whole load balancer.
  const lbWide = (n: AdapterNotice) =>
    n.listener === undefined && n.route === undefined && n.pool === undefined;
  if (errors.some(lbWide)) return { ...lb, listeners: [], pools: [] };
  const listeners = new Set(
    errors.filter((n) => n.route === undefined && n.listener !== undefined).map((n) => n.listener),
  );
  // Route ids to leave out, per listener: only those listeners' routes are filtered.
  const routes = new Map<string | undefined, Set<string>>();
  for (const n of errors)
    if (n.route !== undefined) {
      const ids = routes.get(n.listener) ?? new Set<string>();
      ids.add(n.route);
      routes.set(n.listener, ids);
    }
  const pools = new Set(errors.flatMap((n) => (n.pool !== undefined ? [n.pool] : [])));
  return {
    ...lb,
    listeners: lb.listeners
      .filter((l) => !listeners.has(l.id))
      .map((l) => {
        const out = routes.get(l.id);
        return out ? { ...l, routes: l.routes.filter((r) => !out.has(r.id)) } : l;
      }),
    pools: lb.pools.filter((p) => !pools.has(p.id)),
  };
}
