// How load balancers probe the endpoints of one Service port. Sources, highest precedence first:
//
//   1. a HealthCheckPolicy (portico.dev/v1alpha1) targeting the Service with `sectionName` = this
//      port's name;
//   2. a HealthCheckPolicy targeting the whole Service (no `sectionName`);
//   3. the Service's `portico.dev/health-check-*` annotations;
//   4. for `externalTrafficPolicy: Local` with a `healthCheckNodePort`: HTTP GET /healthz on that node
//      port, which kube-proxy answers 200 only on nodes holding a ready local endpoint;
//   5. the readiness probe every selected pod runs on the serving port (readiness-probe.ts);
//   6. defaults by protocol: HTTP/H2C → HTTP GET / (200-399); HTTPS → HTTPS GET / (200-399);
//      GRPC → gRPC health (status 0); TCP/TLS/UDP → TCP connect to the traffic port.
//
// Fields merge one by one down this list: a policy that sets only `path` keeps the rest from below.
// Exceptions, because they are not one setting but one target: levels 4 and 5 are used whole or not
// at all, only when no level above them chooses the protocol, port or path (kube-proxy's server is
// not the user's, nor is a probe's path meant for another port); and path/status defaults follow the protocol finally chosen, not the pool's.
// `origin` names the highest level whose value made it into the result, except that a check aimed at
// kube-proxy's node server (level 4) is always `traffic-policy-local`, so adapters can recognise it.
//
// Several policies at one level: the oldest (creationTimestamp, then name) wins, the others get a
// `PolicyConflict` warning. Invalid annotation values are ignored with an `InvalidAnnotation`
// warning. A timeout not below the interval is clamped. docs/health-checks.md says the same for users.

import type { HealthCheck, PoolProtocol, SourceRef } from '#core/ir/load-balancer.js';
import type { HealthCheckPolicy } from '#core/model/health-check-policy.js';
import type { Service, ServicePort } from '#core/model/service.js';
import type { TranslateContext } from '../context.js';
import type { Notice } from '../notice.js';
import { comparePolicyAge } from '../policy-age.js';
import { deriveFromReadinessProbes } from './readiness-probe.js';

type Origin = HealthCheck['origin'];
type Protocol = HealthCheck['protocol'];

/** What one source says; `port: 'traffic-port'` explicitly asks for the traffic port. */
export interface HealthCheckSettings {
  protocol?: Protocol;
  port?: number | 'traffic-port';
  path?: string;
  expectedStatuses?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}

type Field = keyof HealthCheckSettings;

interface Level {
  origin: Origin;
  settings: HealthCheckSettings;
  /** Where to report a problem with one of this level's fields. */
  blame: (field: Field) => { source: SourceRef; field: string };
}

export const HEALTH_CHECK_ANNOTATIONS = {
  protocol: 'portico.dev/health-check-protocol',
  port: 'portico.dev/health-check-port',
  path: 'portico.dev/health-check-path',
  intervalSeconds: 'portico.dev/health-check-interval-seconds',
  timeoutSeconds: 'portico.dev/health-check-timeout-seconds',
  healthyThreshold: 'portico.dev/health-check-healthy-threshold',
  unhealthyThreshold: 'portico.dev/health-check-unhealthy-threshold',
  expectedStatuses: 'portico.dev/health-check-success-codes',
} as const satisfies Record<Field, string>;

const TIMINGS = { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 };
const RANGES = {
  intervalSeconds: [1, 300],
  timeoutSeconds: [1, 120],
  healthyThreshold: [1, 10],
  unhealthyThreshold: [1, 10],
} as const;
const TARGET_FIELDS: readonly Field[] = ['protocol', 'port', 'path'];
const FIELDS: readonly Field[] = [
  'protocol',
  'port',
  'path',
  'expectedStatuses',
  'intervalSeconds',
  'timeoutSeconds',
  'healthyThreshold',
  'unhealthyThreshold',
];
const RANK: Record<Origin, number> = {
  policy: 0,
  annotation: 1,
  'traffic-policy-local': 2,
  'readiness-probe': 3,
  default: 4,
};

/**
 * The health check of one Service port, spoken as `protocol` by the pool. `trafficPolicy` is the
 * pool's: with `Local`, the kube-proxy node check applies (level 4), which only means something to
 * providers that target nodes; providers that target endpoints directly replace a check whose origin
 * is `traffic-policy-local` with `defaultHealthCheck(pool.protocol)`.
 */
export function healthCheckFor(
  ctx: TranslateContext,
  service: Service,
  port: ServicePort,
  protocol: PoolProtocol,
  trafficPolicy: 'Cluster' | 'Local' = 'Cluster',
): HealthCheck {
  const levels: Level[] = [];
  const policies = policiesFor(ctx, service);
  if (policies.length > 0) reportUnknownSections(ctx, service, policies);
  if (port.name) {
    const section = port.name;
    const onPort = policies.filter((p) =>
      p.spec.targetRefs.some((t) => targets(t, service) && t.sectionName === section),
    );
    const level = policyLevel(ctx, service, onPort, `port ${section} of`);
    if (level) levels.push(level);
  }
  const onService = policies.filter((p) =>
    p.spec.targetRefs.some((t) => targets(t, service) && t.sectionName === undefined),
  );
  const serviceLevel = policyLevel(ctx, service, onService, 'the whole of');
  if (serviceLevel) levels.push(serviceLevel);
  const annotations = annotationLevel(ctx, service);
  if (annotations) levels.push(annotations);
  const nodePort = service.spec.healthCheckNodePort;
  const userTarget = levels.some((l) => TARGET_FIELDS.some((f) => l.settings[f] !== undefined));
  if (trafficPolicy === 'Local' && nodePort !== undefined && !userTarget) {
    levels.push({
      origin: 'traffic-policy-local',
      settings: { protocol: 'HTTP', port: nodePort, path: '/healthz', expectedStatuses: '200' },
      blame: (field) => ({ source: serviceSource(service), field: `spec.healthCheckNodePort (${field})` }),
    });
  } else if (!userTarget && protocol !== 'UDP') {
    const probe = probeLevel(ctx, service, port);
    if (probe) levels.push(probe);
  }
  // The common case, kept cheap: nobody said anything about this Service's health check.
  return levels.length === 0 ? defaultHealthCheck(protocol) : merge(ctx, levels, protocol);
}

/** Level 5 alone: what a pool of this protocol gets when nobody says otherwise. */
export function defaultHealthCheck(protocol: PoolProtocol): HealthCheck {
  const p = defaultProtocol(protocol);
  return { protocol: p, ...targetDefaults(p), ...TIMINGS, origin: 'default' };
}

function merge(ctx: TranslateContext, levels: readonly Level[], poolProtocol: PoolProtocol): HealthCheck {
  const chosen = new Map<Field, Level>();
  for (const field of FIELDS) {
    const level = levels.find((l) => l.settings[field] !== undefined);
    if (level) chosen.set(field, level);
  }
  const value = <F extends Field>(f: F): HealthCheckSettings[F] => chosen.get(f)?.settings[f];
  const used: Origin[] = [];
  const take = <F extends Field>(f: F): HealthCheckSettings[F] => {
    const level = chosen.get(f);
    if (level) used.push(level.origin);
    return value(f);
  };
  const ignore = (f: Field, why: string) => {
    const level = chosen.get(f)!;
    const { source, field } = level.blame(f);
    noticeOnce(ctx, {
      severity: 'warning',
      code: 'HealthCheckFieldIgnored',
      source,
      field,
      message: `${field}: ${why}; it is ignored`,
    });
    chosen.delete(f);
  };

  const protocol = take('protocol') ?? defaultProtocol(poolProtocol);
  const defaults = targetDefaults(protocol);
  if (value('path') !== undefined && defaults.path === undefined)
    ignore('path', `a ${protocol} health check has no path`);
  const statuses = value('expectedStatuses');
  if (statuses !== undefined) {
    if (defaults.expectedStatuses === undefined) {
      ignore('expectedStatuses', `a ${protocol} health check has no status codes`);
    } else {
      const problem = checkStatuses(statuses, protocol);
      if (problem) ignore('expectedStatuses', problem);
    }
  }
  const port = take('port');
  const path = take('path') ?? defaults.path;
  const expectedStatuses = take('expectedStatuses') ?? defaults.expectedStatuses;
  let intervalSeconds = take('intervalSeconds') ?? TIMINGS.intervalSeconds;
  let timeoutSeconds = take('timeoutSeconds') ?? TIMINGS.timeoutSeconds;
  const healthyThreshold = take('healthyThreshold') ?? TIMINGS.healthyThreshold;
  const unhealthyThreshold = take('unhealthyThreshold') ?? TIMINGS.unhealthyThreshold;

  // A probe still waiting when the next one is due overlaps it; providers reject it (AWS) or misreport.
  if (timeoutSeconds >= intervalSeconds) {
    const was = `timeout ${timeoutSeconds}s, interval ${intervalSeconds}s`;
    if (intervalSeconds < 2) intervalSeconds = 2;
    timeoutSeconds = intervalSeconds - 1;
    const explicit = chosen.get('timeoutSeconds');
    const blamed = explicit ?? chosen.get('intervalSeconds');
    if (blamed) {
      const { source, field } = blamed.blame(explicit ? 'timeoutSeconds' : 'intervalSeconds');
      noticeOnce(ctx, {
        severity: explicit ? 'warning' : 'info',
        code: 'HealthCheckTimeoutClamped',
        source,
        field,
        message: `${field}: the health-check timeout must be shorter than the interval (${was}); using timeout ${timeoutSeconds}s, interval ${intervalSeconds}s`,
      });
    }
  }

  // A check aimed at kube-proxy's node server says so whatever tuned its timings: adapters that target
  // endpoints rather than nodes must recognise it (see healthCheckFor).
  const origin =
    chosen.get('port')?.origin === 'traffic-policy-local'
      ? 'traffic-policy-local'
      : used.reduce<Origin>((best, o) => (RANK[o] < RANK[best] ? o : best), 'default');
  return {
    protocol,
    ...(typeof port === 'number' ? { port } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(expectedStatuses !== undefined ? { expectedStatuses } : {}),
    intervalSeconds,
    timeoutSeconds,
    healthyThreshold,
    unhealthyThreshold,
    origin,
  };
}

function defaultProtocol(pool: PoolProtocol): Protocol {
  switch (pool) {
    case 'HTTP':
    case 'H2C':
      return 'HTTP';
    case 'HTTPS':
      return 'HTTPS';
    case 'GRPC':
      return 'GRPC';
    default:
      // TLS is probed by connecting only (no SNI to offer); UDP too: no provider has a UDP health
      // check (AWS NLB and GCP both ask for TCP/HTTP on UDP target groups). See docs/health-checks.md.
      return 'TCP';
  }
}

function targetDefaults(protocol: Protocol): { path?: string; expectedStatuses?: string } {
  switch (protocol) {
    case 'HTTP':
    case 'HTTPS':
      return { path: '/', expectedStatuses: '200-399' };
    case 'GRPC':
      // grpc.health.v1 answers SERVING with status OK (0).
      return { expectedStatuses: '0' };
    default:
      return {};
  }
}

// --- policies (levels 1 and 2) ---

function policiesFor(ctx: TranslateContext, service: Service): HealthCheckPolicy[] {
  const listed = ctx.healthCheckPolicies.get(`${service.metadata.namespace}/${service.metadata.name}`) ?? [];
  // A policy listing the Service twice (two ports) appears twice in the lookup.
  return [...new Set(listed)].filter(
    (p) =>
      p.metadata.namespace === service.metadata.namespace &&
      p.spec.targetRefs.some((t) => targets(t, service)),
  );
}

function targets(ref: HealthCheckPolicy['spec']['targetRefs'][number], service: Service): boolean {
  return (ref.group ?? '') === '' && ref.kind === 'Service' && ref.name === service.metadata.name;
}

function policyLevel(
  ctx: TranslateContext,
  service: Service,
  candidates: readonly HealthCheckPolicy[],
  what: string,
): Level | undefined {
  const [winner, ...losers] = [...candidates].sort(comparePolicyAge);
  if (!winner) return undefined;
  for (const p of losers) {
    const why =
      p.metadata.creationTimestamp === winner.metadata.creationTimestamp
        ? 'is as old and first by name'
        : 'is older';
    noticeOnce(ctx, {
      severity: 'warning',
      code: 'PolicyConflict',
      source: policySource(p),
      field: 'spec.targetRefs',
      message: `HealthCheckPolicy ${p.metadata.name} and ${winner.metadata.name} both target ${what} Service ${service.metadata.namespace}/${service.metadata.name}; ${winner.metadata.name} ${why}, so it wins and this one is ignored there`,
    });
  }
  const spec = winner.spec;
  const settings: HealthCheckSettings = {};
  const blame = (field: Field) => ({ source: policySource(winner), field: `spec.${field}` });
  if (spec.protocol !== undefined) settings.protocol = spec.protocol;
  if (spec.port !== undefined) settings.port = spec.port;
  if (spec.path !== undefined) {
    const problem = checkPath(spec.path);
    if (problem) {
      noticeOnce(ctx, {
        severity: 'warning',
        code: 'InvalidPolicy',
        source: policySource(winner),
        field: 'spec.path',
        message: `spec.path: ${problem}; it is ignored`,
      });
    } else settings.path = spec.path;
  }
  if (spec.expectedStatuses !== undefined) settings.expectedStatuses = spec.expectedStatuses;
  for (const f of ['intervalSeconds', 'timeoutSeconds', 'healthyThreshold', 'unhealthyThreshold'] as const) {
    if (spec[f] !== undefined) settings[f] = spec[f];
  }
  return { origin: 'policy', settings, blame };
}

/** A policy naming a port the Service does not have would silently do nothing: say so. */
function reportUnknownSections(
  ctx: TranslateContext,
  service: Service,
  policies: readonly HealthCheckPolicy[],
): void {
  const names = new Set((service.spec.ports ?? []).flatMap((p) => (p.name ? [p.name] : [])));
  for (const p of policies) {
    p.spec.targetRefs.forEach((t, i) => {
      if (!targets(t, service) || t.sectionName === undefined || names.has(t.sectionName)) return;
      noticeOnce(ctx, {
        severity: 'warning',
        code: 'PolicyTargetNotFound',
        source: policySource(p),
        field: `spec.targetRefs[${i}].sectionName`,
        message: `Service ${service.metadata.namespace}/${service.metadata.name} has no port named ${t.sectionName}`,
      });
    });
  }
}

// --- annotations (level 3) ---

function annotationLevel(ctx: TranslateContext, service: Service): Level | undefined {
  const annotations = service.metadata.annotations ?? {};
  const settings: HealthCheckSettings = {};
  const fieldOf = (f: Field) => `metadata.annotations[${HEALTH_CHECK_ANNOTATIONS[f]}]`;
  let any = false;
  for (const f of FIELDS) {
    const raw = annotations[HEALTH_CHECK_ANNOTATIONS[f]];
    if (raw === undefined) continue;
    const parsed = parseAnnotation(f, raw.trim());
    if (typeof parsed === 'object' && 'problem' in parsed) {
      noticeOnce(ctx, {
        severity: 'warning',
        code: 'InvalidAnnotation',
        source: serviceSource(service),
        field: fieldOf(f),
        message: `${HEALTH_CHECK_ANNOTATIONS[f]}: ${JSON.stringify(truncate(raw))} ${parsed.problem}; it is ignored`,
      });
      continue;
    }
    (settings as Record<Field, unknown>)[f] = parsed;
    any = true;
  }
  if (!any) return undefined;
  return {
    origin: 'annotation',
    settings,
    blame: (f) => ({ source: serviceSource(service), field: fieldOf(f) }),
  };
}

function parseAnnotation(field: Field, raw: string): HealthCheckSettings[Field] | { problem: string } {
  switch (field) {
    case 'protocol': {
      const p = raw.toUpperCase();
      return p === 'HTTP' || p === 'HTTPS' || p === 'TCP' || p === 'GRPC'
        ? p
        : { problem: 'is not a health-check protocol (HTTP, HTTPS, TCP or GRPC)' };
    }
    case 'port': {
      if (raw === 'traffic-port') return 'traffic-port';
      const n = integer(raw);
      return n !== undefined && n >= 1 && n <= 65535
        ? n
        : { problem: 'is not a port number (1-65535) or "traffic-port"' };
    }
    case 'path': {
      const problem = checkPath(raw);
      return problem ? { problem } : raw;
    }
    case 'expectedStatuses':
      return /^[0-9]{1,3}(-[0-9]{1,3})?(,[0-9]{1,3}(-[0-9]{1,3})?)*$/.test(raw)
        ? raw
        : { problem: 'is not a list of status codes or ranges such as "200", "200-299" or "200,204"' };
    default: {
      const [min, max] = RANGES[field];
      const n = integer(raw);
      return n !== undefined && n >= min && n <= max
        ? n
        : { problem: `is not a whole number from ${min} to ${max}` };
    }
  }
}

function integer(raw: string): number | undefined {
  return /^[0-9]{1,6}$/.test(raw) ? Number(raw) : undefined;
}

/** Paths end up in provider configuration: absolute, URL path characters only, percent-escapes well formed. */
function checkPath(path: string): string | undefined {
  if (path.length > 1024) return 'is longer than 1024 characters';
  if (!path.startsWith('/')) return 'must be an absolute path starting with "/"';
  // No spaces, quotes, `#`, `?`, backslashes or control characters: only unreserved, sub-delims, `:@/%`.
  if (!/^\/[A-Za-z0-9\-._~!$&()*+,;=:@/%]*$/.test(path))
    return 'may contain only URL path characters (no spaces, quotes, "#" or "?")';
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return 'has a "%" that is not followed by two hex digits';
  return undefined;
}

/** HTTP codes 100-599, gRPC codes 0-99 (the ranges providers accept); ranges low to high. */
function checkStatuses(statuses: string, protocol: Protocol): string | undefined {
  const [min, max] = protocol === 'GRPC' ? [0, 99] : [100, 599];
  for (const part of statuses.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number) as [number, number?];
    if (lo < min || hi < min || lo > max || hi > max)
      return `"${part}" is outside ${min}-${max} for a ${protocol} health check`;
    if (lo > hi) return `"${part}" is not a low-to-high range`;
  }
  return undefined;
}

// --- readiness probes (level 5) ---

function probeLevel(ctx: TranslateContext, service: Service, port: ServicePort): Level | undefined {
  const derived = deriveFromReadinessProbes(ctx, service, port, checkPath);
  if (!derived) return undefined;
  const source = { ...serviceSource(service), section: port.name ?? String(port.port) };
  const what = `Service ${service.metadata.namespace}/${service.metadata.name} port ${port.name ?? port.port}`;
  if (!derived.ok) {
    noticeOnce(ctx, {
      severity: 'info',
      code: 'HealthCheckNotDerived',
      source,
      field: 'spec.selector',
      message: `${what}: the pods' readiness probe is not used for the health check, the default is: ${derived.reason}`,
    });
    return undefined;
  }
  if (derived.ignoredHeaders) {
    noticeOnce(ctx, {
      severity: 'info',
      code: 'HealthCheckFieldIgnored',
      source,
      field: 'spec.selector',
      message: `${what}: the readiness probe's httpHeaders are not sent by the load balancer's health check`,
    });
  }
  return {
    origin: 'readiness-probe',
    settings: derived.target,
    blame: (field) => ({ source, field: `readinessProbe (${field})` }),
  };
}

// --- notices ---

const reported = new WeakMap<TranslateContext, Set<string>>();

/**
 * Every route using a Service port asks for its health check: say each thing once per translation
 * (a route translation kept from the last one says its notices again through here).
 */
export function noticeOnce(ctx: TranslateContext, notice: Notice): void {
  let seen = reported.get(ctx);
  if (!seen) {
    seen = new Set();
    reported.set(ctx, seen);
  }
  const key = JSON.stringify(notice);
  if (seen.has(key)) return;
  seen.add(key);
  ctx.notice(notice);
}

function serviceSource(service: Service): SourceRef {
  return { kind: 'Service', namespace: service.metadata.namespace!, name: service.metadata.name };
}

function policySource(p: HealthCheckPolicy): SourceRef {
  return { kind: 'HealthCheckPolicy', namespace: p.metadata.namespace!, name: p.metadata.name };
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
