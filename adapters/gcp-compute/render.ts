// Pure: one IR load balancer → a managed Application Load Balancer: per HTTP/HTTPS listener a
// forwarding rule → target HTTP(S) proxy → URL map (one host rule and path matcher per hostname,
// route rules in IR order); per pool a backend service, a health check and one GCE_VM_IP_PORT NEG per
// zone of `negZones` with its endpoints; per StorageBucket a (global) backend bucket. Host-first routing is the URL map's own: a request goes to
// the path matcher of its most specific host and never falls through to another host's rules.
// Unmatched requests go to an empty default backend service (a URL map has no fixed response).
// TCP/UDP listeners become a regional passthrough Network Load Balancer (internal/passthrough.ts).
// Unsupported features drop their route or listener whole; limits drop the lowest-precedence routes;
// invalid parameters render nothing.

import { isIP } from 'node:net';
import type * as ir from '#core/ir/load-balancer.js';
import { ownershipLabels } from '#core/naming/index.js';
import type { DesiredResource } from '#core/plan/types.js';
import { unsupportedFeatures, withoutUnsupported } from '../capabilities.js';
import type { AdapterNotice, Rendered } from '../types.js';
import { GCP_CAPABILITIES, GCP_LIMITS, type GcpLimits } from './capabilities.js';
import { locationReference } from './internal/location-collections.js';
import { negEndpointPlan } from './internal/neg-endpoints.js';
import { renderPassthrough } from './internal/passthrough.js';
import { RouteProblem, routeRules } from './internal/route-rules.js';
import { isSafeHost } from './internal/safe-values.js';
import { planBackendTls, planClientValidation } from './internal/tls-plan.js';
import { zonalNegs } from './internal/zonal-negs.js';
import {
  type BackendAuthenticationConfigValue,
  type BackendBucketValue,
  type BackendServiceValue,
  GCP_COMPUTE_ADAPTER,
  type GcpKinds,
  gcpAddress,
  type HealthCheckValue,
  locationPath,
  type NegEndpointsValue,
  type NetworkEndpoint,
  type NetworkEndpointGroupValue,
  type PathMatcher,
  type ReferencedKind,
  type RouteRule,
  resourcePath,
  type ServiceLbPolicyValue,
  type SslCertificateValue,
  type TrustConfigValue,
} from './model.js';
import {
  backendBucketName,
  backendServiceName,
  defaultServiceName,
  forwardingRuleName,
  healthCheckName,
  type NameScope,
  negName,
  ownerDescription,
  pathMatcherName,
  serviceLbPolicyName,
  sslCertificateName,
  targetProxyName,
  urlMapName,
} from './naming.js';
import { type GcpComputeParameters, parseParameters } from './parameters.js';

export interface GcpRenderOptions {
  /** Lower limits (tests). */
  limits?: Partial<GcpLimits>;
}

type Desired = DesiredResource<GcpKinds>;

interface PoolPlan {
  service: BackendServiceValue;
  /** WATERFALL_BY_ZONE for a pool that prefers close endpoints (global load balancers). */
  policy?: ServiceLbPolicyValue;
  healthCheck: HealthCheckValue;
  negs: NetworkEndpointGroupValue[];
  endpoints: NegEndpointsValue[];
  notices: AdapterNotice[];
  /** Backend TLS: what the backend service's tlsSettings refer to. */
  tls?: { config: BackendAuthenticationConfigValue; trustConfig?: TrustConfigValue };
}

export function renderGcpCompute(lb: ir.LoadBalancer, opts: GcpRenderOptions = {}): Rendered<GcpKinds> {
  const parsed = parseParameters(lb);
  if (!parsed.ok) return { resources: [], notices: parsed.notices };
  const params = parsed.params;
  const limits: GcpLimits = { ...GCP_LIMITS, ...opts.limits };
  const notices: AdapterNotice[] = unsupportedFeatures(lb, GCP_CAPABILITIES, GCP_COMPUTE_ADAPTER);
  // Source ranges or addresses we cannot honour: programming the rest would be wider than asked.
  if (
    notices.some(
      (n) =>
        n.severity === 'error' && n.listener === undefined && n.route === undefined && n.pool === undefined,
    )
  )
    return { resources: [], notices };
  const supported = withoutUnsupported(lb, notices);

  const scope: NameScope = { location: params.location, scheme: params.loadBalancingScheme };
  const region = params.location === 'global' ? undefined : params.location;
  const inScope = region !== undefined ? { region } : {};
  const path = (kind: ReferencedKind, name: string) => resourcePath(kind, name, inScope);
  const internal = params.loadBalancingScheme === 'INTERNAL_MANAGED';
  const resources: Desired[] = [];
  const add = (r: Desired) => resources.push(r);

  // The target of unmatched requests and unresolved backends: a backend service without backends.
  const defaultName = defaultServiceName(lb, scope);
  const defaultService = path('backend-service', defaultName);
  const defaultResource: Desired = {
    address: gcpAddress('backend-service', defaultName),
    kind: 'backend-service',
    value: {
      name: defaultName,
      description: ownerDescription(lb, 'backend-service'),
      ...inScope,
      loadBalancingScheme: params.loadBalancingScheme,
      protocol: 'HTTP',
      timeoutSec: 30,
      healthChecks: [],
      backends: [],
      enableCDN: false,
    },
  };

  const pools = new Map(supported.pools.map((p) => [p.id, p]));
  const plans = new Map<string, PoolPlan>();
  const used = new Set<string>();
  // A pool whose backend TLS cannot be programmed is left out (its routes with it): serving it
  // without verifying the backend would be less than the BackendTLSPolicy asks.
  const refusedPools = new Set<string>();
  const planFor = (id: string): PoolPlan | undefined => {
    const pool = pools.get(id);
    if (!pool || refusedPools.has(id)) return undefined;
    let plan = plans.get(id);
    if (!plan) {
      const tls = pool.tls ? backendTlsFor(pool, pool.tls) : undefined;
      if (tls && 'problem' in tls) {
        refusedPools.add(id);
        notices.push({
          severity: 'error',
          code: 'UnsupportedValue',
          feature: 'pool/tls',
          source: pool.source,
          pool: pool.id,
          message: `pool ${pool.id} left out: ${tls.problem}`,
        });
        return undefined;
      }
      plan = planPool(lb, pool, params, scope, inScope, limits);
      if (tls) {
        plan.service.tlsSettings = tls.tlsSettings;
        plan.tls = { config: tls.config, ...(tls.trustConfig ? { trustConfig: tls.trustConfig } : {}) };
      }
      plans.set(id, plan);
    }
    return plan;
  };
  const tlsContext = { lb, scope, project: params.project };
  const backendTlsFor = (pool: ir.BackendPool, tls: ir.BackendTls) =>
    region !== undefined
      ? {
          problem: `Portico verifies backends (BackendTLSPolicy ${tls.policy}) on global load balancers only; this one is in ${region}`,
        }
      : planBackendTls(tlsContext, pool, tls);

  // One forwarding rule per listener and family: each takes the first requested address of its family.
  const v6Address = supported.requestedAddresses.find((a) => isIP(a.value) === 6);
  const address = supported.requestedAddresses.find((a) => isIP(a.value) !== 6);
  const unused = supported.requestedAddresses.filter((a) => a !== address && a !== v6Address);
  if (unused.length > 0)
    notices.push({
      severity: 'warning',
      code: 'UnsupportedValue',
      feature: 'load-balancer/addresses',
      source: lb.source,
      message: `a forwarding rule has one IP address per family: ${unused.map((a) => a.value).join(', ')} not used`,
    });
  const families = ipFamilyPlan(lb, params, supported.listeners, notices);

  // Backend buckets are global resources: a regional load balancer would need regionBackendBuckets.
  const bucketProblem =
    region !== undefined
      ? `Portico programs global backend buckets only; a regional load balancer (location ${region}) would need regionBackendBuckets`
      : undefined;
  const buckets = new Map((supported.buckets ?? []).map((b) => [b.id, b]));
  const usedBuckets = new Set<string>();

  const ports = new Set<number>();
  const layer4 = supported.listeners.filter((l) => l.protocol === 'TCP' || l.protocol === 'UDP');
  for (const listener of supported.listeners) {
    if (layer4.includes(listener)) continue;
    const onListener = (n: Omit<AdapterNotice, 'source' | 'listener'>) => {
      for (const source of listener.sources.length > 0 ? listener.sources : [lb.source])
        notices.push({ ...n, source, listener: listener.id });
    };
    if (ports.has(listener.port)) {
      onListener({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'listener/port-conflict',
        message: `listener ${listener.id}: port ${listener.port} already has a listener on this load balancer`,
      });
      continue;
    }
    const https = listener.protocol === 'HTTPS';
    let certificates: { sslCertificates: string[] } | { certificateMap: string } | undefined;
    let serverTlsPolicy: string | undefined;
    if (https) {
      const c = certificatesFor(lb, listener, params, scope, inScope);
      for (const p of c.problems) onListener({ severity: c.refs ? 'warning' : 'error', ...p });
      if (!c.refs) continue;
      certificates = c.refs;
      const validation = listener.tls?.clientValidation;
      if (validation) {
        const v =
          region !== undefined
            ? {
                problem: `Portico checks client certificates on global load balancers only; this one is in ${region}`,
              }
            : planClientValidation(tlsContext, listener.port, validation);
        if ('problem' in v) {
          // Serving the listener without the check would admit clients it should refuse.
          onListener({
            severity: 'error',
            code: 'UnsupportedValue',
            feature: 'listener/client-validation',
            message: `listener ${listener.id} left out: ${v.problem}`,
          });
          continue;
        }
        add({
          address: gcpAddress('trust-config', v.trustConfig.name),
          kind: 'trust-config',
          value: v.trustConfig,
        });
        add({
          address: gcpAddress('server-tls-policy', v.policy.name),
          kind: 'server-tls-policy',
          value: v.policy,
        });
        serverTlsPolicy = locationPath('server-tls-policy', params.project, 'global', v.policy.name);
      }
      for (const cert of c.uploads)
        if (!resources.some((r) => r.kind === 'ssl-certificate' && r.value.name === cert.name))
          add({ address: gcpAddress('ssl-certificate', cert.name), kind: 'ssl-certificate', value: cert });
    }
    ports.add(listener.port);

    const umName = urlMapName(lb, scope, listener.port);
    const matchers = pathMatchers(listener, lb, {
      limits,
      internal,
      defaultService,
      regex: !(params.location === 'global' && params.loadBalancingScheme === 'EXTERNAL_MANAGED'),
      service: (id) => {
        const plan = planFor(id);
        return plan ? path('backend-service', plan.service.name) : undefined;
      },
      bucket: (id) => {
        const bucket = bucketProblem === undefined ? buckets.get(id) : undefined;
        return bucket ? path('backend-bucket', backendBucketName(lb, scope, bucket)) : undefined;
      },
      ...(bucketProblem !== undefined ? { bucketProblem } : {}),
      use: (id) => used.add(id),
      useBucket: (id) => usedBuckets.add(id),
      notices,
    });
    add({
      address: gcpAddress('url-map', umName),
      kind: 'url-map',
      value: {
        name: umName,
        description: ownerDescription(lb, 'url-map'),
        ...inScope,
        defaultService,
        hostRules: matchers.map((m) => ({ hosts: [m.host], pathMatcher: m.matcher.name })),
        pathMatchers: matchers.map((m) => m.matcher),
      },
    });
    const proxyName = targetProxyName(lb, scope, listener.port, https);
    const urlMap = path('url-map', umName);
    if (https)
      add({
        address: gcpAddress('target-https-proxy', proxyName),
        kind: 'target-https-proxy',
        value: {
          name: proxyName,
          description: ownerDescription(lb, 'target-https-proxy'),
          ...inScope,
          urlMap,
          ...certificates,
          ...(serverTlsPolicy !== undefined ? { serverTlsPolicy } : {}),
        },
      });
    else
      add({
        address: gcpAddress('target-http-proxy', proxyName),
        kind: 'target-http-proxy',
        value: {
          name: proxyName,
          description: ownerDescription(lb, 'target-http-proxy'),
          ...inScope,
          urlMap,
        },
      });
    for (const ipv6 of families.managed) {
      const ip = ipv6 ? v6Address : address;
      const frName = forwardingRuleName(lb, scope, listener.port, https, ip?.value, ipv6);
      add({
        address: gcpAddress('forwarding-rule', frName),
        kind: 'forwarding-rule',
        value: {
          name: frName,
          description: ownerDescription(lb, 'forwarding-rule'),
          ...inScope,
          loadBalancingScheme: params.loadBalancingScheme,
          IPProtocol: 'TCP',
          portRange: `${listener.port}-${listener.port}`,
          ...(ip ? { IPAddress: ip.value } : {}),
          ...(ipv6 ? { ipVersion: 'IPV6' as const } : {}),
          target: path(https ? 'target-https-proxy' : 'target-http-proxy', proxyName),
          ...(internal && params.network ? { network: params.network } : {}),
          ...(internal && params.subnetwork ? { subnetwork: params.subnetwork } : {}),
          labels: {
            ...params.labels,
            ...ownershipLabels({ cluster: lb.cluster, lbKey: lb.key, role: 'forwarding-rule' }),
          },
        },
      });
    }
  }

  const passthrough = renderPassthrough({
    lb,
    listeners: families.passthrough ? layer4 : [],
    pools,
    params,
    address: address?.value,
    limits,
  });
  notices.push(...passthrough.notices);
  resources.push(...passthrough.resources);

  // Only a load balancer with a URL map needs the default service.
  if (resources.some((r) => r.kind === 'url-map')) add(defaultResource);
  for (const id of [...usedBuckets].sort()) {
    const value = backendBucket(lb, buckets.get(id)!, scope, internal, notices);
    add({ address: gcpAddress('backend-bucket', value.name), kind: 'backend-bucket', value });
  }
  for (const id of [...used].sort()) {
    const plan = plans.get(id)!;
    notices.push(...plan.notices);
    add({
      address: gcpAddress('backend-service', plan.service.name),
      kind: 'backend-service',
      value: plan.service,
    });
    if (plan.tls?.trustConfig)
      add({
        address: gcpAddress('trust-config', plan.tls.trustConfig.name),
        kind: 'trust-config',
        value: plan.tls.trustConfig,
      });
    if (plan.tls)
      add({
        address: gcpAddress('backend-authentication-config', plan.tls.config.name),
        kind: 'backend-authentication-config',
        value: plan.tls.config,
      });
    if (plan.policy)
      add({
        address: gcpAddress('service-lb-policy', plan.policy.name),
        kind: 'service-lb-policy',
        value: plan.policy,
      });
    add({
      address: gcpAddress('health-check', plan.healthCheck.name),
      kind: 'health-check',
      value: plan.healthCheck,
    });
    for (const neg of plan.negs)
      add({
        address: gcpAddress('network-endpoint-group', neg.name, neg.zone),
        kind: 'network-endpoint-group',
        value: neg,
      });
    for (const e of plan.endpoints)
      add({
        address: gcpAddress('neg-endpoints', e.networkEndpointGroup, e.zone),
        kind: 'neg-endpoints',
        value: e,
      });
  }
  return { resources, notices };
}

interface MatcherContext {
  limits: GcpLimits;
  internal: boolean;
  defaultService: string;
  regex: boolean;
  service(pool: string): string | undefined;
  bucket(id: string): string | undefined;
  bucketProblem?: string;
  use(pool: string): void;
  useBucket(id: string): void;
  notices: AdapterNotice[];
}

/**
 * One path matcher per hostname (`*` for routes without one), in order of first appearance, its
 * route rules in IR order. A host whose routes were all refused keeps its matcher: its requests get
 * the default service rather than another host's routes.
 */
function pathMatchers(
  listener: ir.Listener,
  lb: ir.LoadBalancer,
  ctx: MatcherContext,
): { host: string; matcher: PathMatcher }[] {
  const hostLimit = ctx.internal ? ctx.limits.internalHostRulesPerUrlMap : ctx.limits.hostRulesPerUrlMap;
  const byHost = new Map<
    string,
    { matcher: PathMatcher; predicates: number; regexes: number; full?: string }
  >();
  const original = lb.listeners.find((l) => l.id === listener.id) ?? listener;
  const accepted = new Set(listener.routes.map((r) => r.id));
  // Distinct backend services and buckets the URL map references (its default service included).
  const services = new Set([ctx.defaultService]);
  for (const route of original.routes) {
    const host = route.hostname ?? '*';
    const notice = (n: Omit<AdapterNotice, 'source' | 'listener' | 'route'>) =>
      ctx.notices.push({ ...n, source: route.source, listener: listener.id, route: route.id });
    let entry = byHost.get(host);
    if (!entry && host !== '*' && !isSafeHost(host)) {
      if (accepted.has(route.id))
        notice({
          severity: 'error',
          code: 'UnsupportedValue',
          feature: 'match/hostname',
          message: `route ${route.id} left out: ${JSON.stringify(host)} is not a host a URL map takes`,
        });
      continue;
    }
    if (!entry) {
      if (byHost.size >= hostLimit) {
        notice({
          severity: 'error',
          code: 'LimitExceeded',
          feature: 'url-map/host-rules',
          message: `route ${route.id} left out: at most ${hostLimit} host rules per URL map`,
        });
        continue;
      }
      entry = {
        matcher: { name: pathMatcherName(host), defaultService: ctx.defaultService, routeRules: [] },
        predicates: 0,
        regexes: 0,
      };
      byHost.set(host, entry);
    }
    if (!accepted.has(route.id)) continue;
    try {
      const r = routeRules(route, {
        listener,
        service: ctx.service,
        bucket: ctx.bucket,
        ...(ctx.bucketProblem !== undefined ? { bucketProblem: ctx.bucketProblem } : {}),
        defaultService: ctx.defaultService,
        regex: ctx.regex,
        maxWeight: ctx.limits.maxWeight,
        maxRetries: ctx.limits.maxRetries,
      });
      const over =
        entry.full ??
        (entry.matcher.routeRules.length + r.rules.length > ctx.limits.rulesPerPathMatcher
          ? `at most ${ctx.limits.rulesPerPathMatcher} route rules per path matcher`
          : entry.predicates + r.predicates > ctx.limits.predicatesPerPathMatcher
            ? `at most ${ctx.limits.predicatesPerPathMatcher} predicates per path matcher`
            : undefined);
      if (over !== undefined) {
        // Past a limit, every later route of this host is dropped too: precedence is kept.
        entry.full = over;
        notice({
          severity: 'error',
          code: 'LimitExceeded',
          feature: 'url-map/path-matcher',
          message: `route ${route.id} left out: ${over}; lower-precedence routes are dropped first`,
        });
        continue;
      }
      const added = [...new Set(r.rules.flatMap(servicesOf))].filter((s) => !services.has(s));
      if (services.size + added.length > ctx.limits.servicesPerUrlMap) {
        notice({
          severity: 'error',
          code: 'LimitExceeded',
          feature: 'url-map/backend-services',
          message: `route ${route.id} left out: at most ${ctx.limits.servicesPerUrlMap} backend services and buckets per URL map`,
        });
        continue;
      }
      if (entry.regexes + r.regexes > ctx.limits.regexesPerPathMatcher) {
        notice({
          severity: 'error',
          code: 'LimitExceeded',
          feature: 'url-map/regexes',
          message: `route ${route.id} left out: at most ${ctx.limits.regexesPerPathMatcher} regular expressions per path matcher`,
        });
        continue;
      }
      for (const s of added) services.add(s);
      entry.predicates += r.predicates;
      entry.regexes += r.regexes;
      for (const rule of r.rules)
        entry.matcher.routeRules.push({
          priority: entry.matcher.routeRules.length + 1,
          ...rule,
        } as RouteRule);
      for (const pool of poolsOf(route)) ctx.use(pool);
      for (const bucket of bucketsOf(route)) ctx.useBucket(bucket);
      for (const w of r.warnings)
        notice({
          severity: 'warning',
          code: 'UnsupportedValue',
          feature: 'action/backends',
          message: `route ${route.id}: ${w}`,
        });
    } catch (err) {
      if (!(err instanceof RouteProblem)) throw err;
      notice({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: err.feature,
        message: `route ${route.id} left out: ${err.message}`,
      });
    }
  }
  return [...byHost].map(([host, e]) => ({ host, matcher: e.matcher }));
}

/** The backend services and buckets one route rule sends to or mirrors to. */
function servicesOf(rule: Omit<RouteRule, 'priority'>): string[] {
  return [
    ...(rule.service !== undefined ? [rule.service] : []),
    ...(rule.routeAction?.weightedBackendServices ?? []).map((w) => w.backendService),
    ...(rule.routeAction?.requestMirrorPolicy ? [rule.routeAction.requestMirrorPolicy.backendService] : []),
  ];
}

function poolsOf(route: ir.Route): string[] {
  const mirrors = route.filters.flatMap((f) => (f.type === 'RequestMirror' ? [f.pool] : []));
  const backends =
    route.action.type === 'forward'
      ? route.action.backends.flatMap((b) => (b.pool !== null && b.weight > 0 ? [b.pool] : []))
      : [];
  return [...backends, ...mirrors];
}

function bucketsOf(route: ir.Route): string[] {
  return route.action.type === 'forward'
    ? route.action.backends.flatMap((b) => (b.bucket !== undefined && b.weight > 0 ? [b.bucket] : []))
    : [];
}

/** A StorageBucket as a (global) backend bucket; Cloud CDN only where GCP offers it (external). */
function backendBucket(
  lb: ir.LoadBalancer,
  bucket: ir.BackendBucket,
  scope: NameScope,
  internal: boolean,
  notices: AdapterNotice[],
): BackendBucketValue {
  const cdn = bucket.cdn && !internal ? bucket.cdn : undefined;
  if (bucket.cdn && internal)
    notices.push({
      severity: 'warning',
      code: 'UnsupportedValue',
      feature: 'backend-bucket/cdn',
      source: bucket.source,
      message: `StorageBucket ${bucket.id}: Cloud CDN needs an external load balancer; the bucket is served without it`,
    });
  return {
    name: backendBucketName(lb, scope, bucket),
    description: ownerDescription(lb, 'backend-bucket'),
    bucketName: bucket.bucketName,
    enableCdn: cdn !== undefined,
    ...(cdn ? { cdnPolicy: { cacheMode: cdn.cacheMode } } : {}),
  };
}

const HEALTH_CHECK_KEY = {
  HTTP: 'httpHealthCheck',
  HTTPS: 'httpsHealthCheck',
  TCP: 'tcpHealthCheck',
  GRPC: 'grpcHealthCheck',
} as const;

function planPool(
  lb: ir.LoadBalancer,
  pool: ir.BackendPool,
  params: GcpComputeParameters,
  scope: NameScope,
  inScope: { region?: string },
  limits: GcpLimits,
): PoolPlan {
  const notices: AdapterNotice[] = [];
  const warn = (feature: string, message: string, code: AdapterNotice['code'] = 'UnsupportedValue') =>
    notices.push({
      severity: 'warning',
      code,
      feature,
      source: pool.source,
      pool: pool.id,
      message: `pool ${pool.id}: ${message}`,
    });
  // A BackendTLSPolicy makes the pool HTTPS whatever its appProtocol said (tlsSettings need it).
  const protocol = pool.protocol === 'HTTPS' || pool.tls ? 'HTTPS' : 'HTTP';
  const hc = pool.healthCheck;
  const hcName = healthCheckName(lb, scope, pool, hc.protocol);
  const probe = {
    ...(hc.port !== undefined
      ? { portSpecification: 'USE_FIXED_PORT' as const, port: hc.port }
      : { portSpecification: 'USE_SERVING_PORT' as const }),
    ...(hc.protocol === 'HTTP' || hc.protocol === 'HTTPS' ? { requestPath: hc.path ?? '/' } : {}),
  };
  if (hc.expectedStatuses !== undefined && hc.expectedStatuses !== '200')
    warn('health-check/expected-statuses', `GCP health checks accept 200 only, not ${hc.expectedStatuses}`);
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(n)));
  const interval = clamp(hc.intervalSeconds, 1, 300);
  const healthCheck: HealthCheckValue = {
    name: hcName,
    description: ownerDescription(lb, 'health-check'),
    ...inScope,
    type: hc.protocol,
    [HEALTH_CHECK_KEY[hc.protocol]]: probe,
    checkIntervalSec: interval,
    // GCP refuses a timeout longer than the interval.
    timeoutSec: clamp(hc.timeoutSeconds, 1, interval),
    healthyThreshold: clamp(hc.healthyThreshold, 1, 10),
    unhealthyThreshold: clamp(hc.unhealthyThreshold, 1, 10),
  };

  const network = params.network ?? 'global/networks/default';
  const name = negName(lb, scope, pool, network);
  const zones = params.negZones;
  const placed = negEndpointPlan(pool, zones, {
    endpointsPerNeg: limits.endpointsPerNeg,
    ipv6First: lb.ipFamilies?.[0] === 'IPv6',
  });
  if (placed.elsewhere > 0)
    warn(
      'neg/zone',
      `${placed.elsewhere} endpoint(s) have no zone among negZones; they are put in the NEG of ${zones[0]}`,
    );
  if (placed.ipv6LeftOut > 0)
    warn(
      'neg/ipv6',
      `${placed.ipv6LeftOut} IPv6 endpoint(s) of pods without an IPv4 endpoint left out: the pool has IPv4-only pods too, and a backend service reaches its endpoints by one family`,
    );
  if (placed.dropped > 0)
    warn(
      'neg/endpoints',
      `${placed.dropped} endpoint(s) left out: at most ${limits.endpointsPerNeg} per NEG`,
      'LimitExceeded',
    );

  const { negs, endpoints } = zonalNegs(
    lb,
    {
      name,
      type: 'GCE_VM_IP_PORT',
      network,
      ...(params.subnetwork ? { subnetwork: params.subnetwork } : {}),
    },
    zones,
    (zone) => [...placed.byZone.get(zone)!].sort(compareEndpoints),
  );
  const policy = closeZonePolicy(lb, pool, params, scope, warn);
  const serviceName = backendServiceName(lb, scope, pool, protocol);
  const service: BackendServiceValue = {
    name: serviceName,
    description: ownerDescription(lb, 'backend-service'),
    ...inScope,
    loadBalancingScheme: params.loadBalancingScheme,
    protocol,
    timeoutSec: 30,
    healthChecks: [resourcePath('health-check', hcName, inScope)],
    // RATE with 1 request per second per endpoint, as ingress-gce: only the ratio between endpoints counts.
    // With a zone-first policy, a zone spills over when "at capacity": a capacity no pod reaches
    // keeps traffic in the zone while it has a healthy endpoint, as PreferClose asks.
    backends: zones.map((zone) => ({
      group: resourcePath('network-endpoint-group', name, { zone }),
      balancingMode: 'RATE',
      maxRatePerEndpoint: policy ? PREFER_CLOSE_MAX_RATE : 1,
      capacityScaler: 1,
    })),
    enableCDN: params.cdn?.enabled ?? false,
    ...(params.cdn?.enabled ? { cdnPolicy: { cacheMode: params.cdn.cacheMode } } : {}),
    ...(params.securityPolicy !== undefined ? { securityPolicy: params.securityPolicy } : {}),
    ...(placed.ipAddressSelectionPolicy ? { ipAddressSelectionPolicy: placed.ipAddressSelectionPolicy } : {}),
    ...(policy
      ? {
          serviceLbPolicy: locationReference(
            'service-lb-policy',
            params.project,
            policy.location,
            policy.name,
          ),
        }
      : {}),
    pool: pool.id,
  };
  return { service, healthCheck, negs, endpoints, notices, ...(policy ? { policy } : {}) };
}

/**
 * The RATE capacity per endpoint of a pool that prefers close endpoints: far above what one pod
 * serves, so that WATERFALL_BY_ZONE moves traffic to another zone for health, never for load (the
 * other pools keep ingress-gce's 1, where only the ratio between endpoints counts).
 */
export const PREFER_CLOSE_MAX_RATE = 1_000_000;

/**
 * PreferClose on GCP: the NEGs are zonal already, and a service load balancing policy with
 * WATERFALL_BY_ZONE keeps each proxy's traffic in its own zone's NEG until that zone has no healthy
 * capacity. Backend services take policies on global load balancers only (global external and
 * cross-region internal); a regional one is served from every zone, with a warning.
 */
function closeZonePolicy(
  lb: ir.LoadBalancer,
  pool: ir.BackendPool,
  params: GcpComputeParameters,
  scope: NameScope,
  warn: (feature: string, message: string) => void,
): ServiceLbPolicyValue | undefined {
  if (pool.topology !== 'PreferClose') return undefined;
  if (params.location !== 'global') {
    warn(
      'pool/topology/PreferClose',
      `traffic cannot be kept in the zone (PreferClose): service load balancing policies apply to global load balancers only (this one is in ${params.location}); every endpoint gets traffic`,
    );
    return undefined;
  }
  return {
    name: serviceLbPolicyName(lb, scope, pool),
    description: ownerDescription(lb, 'service-lb-policy'),
    location: 'global',
    loadBalancingAlgorithm: 'WATERFALL_BY_ZONE',
  };
}

/**
 * Which forwarding rules each listener gets. IPv6 rules (`ipVersion: IPV6`, GCP's own ephemeral IPv6
 * address or a requested one) are rendered for the global external Application LB, where GCP takes
 * them as they are; regional and internal ones need a dual-stack subnet and are reported, as are
 * passthrough (TCP/UDP) listeners. `managed` lists the families of the Application LB's rules
 * (false = IPv4, true = IPv6); `passthrough` is false when those listeners get no rule at all.
 */
function ipFamilyPlan(
  lb: ir.LoadBalancer,
  params: GcpComputeParameters,
  listeners: readonly ir.Listener[],
  notices: AdapterNotice[],
): { managed: boolean[]; passthrough: boolean } {
  const families = lb.ipFamilies ?? ['IPv4'];
  const v4 = families.includes('IPv4');
  if (!families.includes('IPv6')) return { managed: [false], passthrough: true };
  const globalExternal = params.location === 'global' && params.loadBalancingScheme === 'EXTERNAL_MANAGED';
  const layer4 = listeners.some((l) => l.protocol === 'TCP' || l.protocol === 'UDP');
  const managed = listeners.some((l) => l.protocol !== 'TCP' && l.protocol !== 'UDP');
  const refuse = (what: string, why: string) =>
    notices.push({
      severity: v4 ? 'warning' : 'error',
      code: 'UnsupportedValue',
      feature: 'load-balancer/ip-family/IPv6',
      source: lb.source,
      message: `${what}: ${why}; ${v4 ? 'served on IPv4 only' : 'nothing is served (the load balancer is IPv6 only)'}`,
    });
  if (managed && !globalExternal)
    refuse(
      'IPv6 forwarding rules',
      `Portico renders them for the global external Application LB only (this one is ${params.loadBalancingScheme} in ${params.location}, which needs a dual-stack subnet)`,
    );
  if (layer4) refuse('IPv6 passthrough forwarding rules', 'not rendered yet (they need a dual-stack subnet)');
  return {
    managed: globalExternal ? (v4 ? [false, true] : [true]) : v4 ? [false] : [],
    passthrough: v4,
  };
}

/** Endpoints in a stable order: by IP and port (GCE_VM_IP_PORT), or by instance (GCE_VM_IP). */
function compareEndpoints(a: NetworkEndpoint, b: NetworkEndpoint): number {
  const key = (e: NetworkEndpoint) =>
    `${e.ipAddress ?? ''}|${e.ipv6Address ?? ''}|${String(e.port ?? 0).padStart(5, '0')}|${e.instance ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

type CertificateProblem = Pick<AdapterNotice, 'code' | 'feature' | 'message'> & { field?: string };

/** The HTTPS proxy's certificates: references from the parameters, or SslCertificates from the Secrets. */
function certificatesFor(
  lb: ir.LoadBalancer,
  listener: ir.Listener,
  params: GcpComputeParameters,
  scope: NameScope,
  inScope: { region?: string },
): {
  refs?: { sslCertificates: string[] } | { certificateMap: string };
  uploads: SslCertificateValue[];
  problems: CertificateProblem[];
} {
  const c = params.certificates;
  if (c.source === 'sslCertificates')
    return {
      refs: { sslCertificates: c.names.map((n) => resourcePath('ssl-certificate', n, inScope)) },
      uploads: [],
      problems: [],
    };
  if (c.source === 'certificateMap')
    return {
      refs: {
        certificateMap: c.map.startsWith('projects/')
          ? c.map
          : `projects/${params.project}/locations/global/certificateMaps/${c.map}`,
      },
      uploads: [],
      problems: [],
    };
  const uploads: SslCertificateValue[] = [];
  const problems: CertificateProblem[] = [];
  for (const cert of listener.tls?.certificates ?? []) {
    if (cert.privateKeyPem === undefined) {
      problems.push({
        code: 'UnsupportedValue',
        feature: 'listener/certificate-key',
        message: `listener ${listener.id}: the private key of ${cert.secret} was not shipped; GCP needs it to upload the certificate`,
      });
      continue;
    }
    const name = sslCertificateName(lb, scope, cert);
    uploads.push({
      name,
      description: ownerDescription(lb, 'ssl-certificate'),
      ...inScope,
      type: 'SELF_MANAGED',
      certificate: cert.certificatePem,
      privateKey: cert.privateKeyPem,
      secret: cert.secret,
    });
  }
  if (uploads.length === 0) {
    if (problems.length === 0)
      problems.push({
        code: 'UnsupportedValue',
        feature: 'listener/certificates',
        message: `listener ${listener.id}: an HTTPS listener needs a certificate; it is not created`,
      });
    return { uploads, problems };
  }
  return {
    refs: { sslCertificates: uploads.map((u) => resourcePath('ssl-certificate', u.name, inScope)) },
    uploads,
    problems,
  };
}
