// A Service port's health check derived from its pods' readiness probes, when nobody chose one
// (docs/health-checks.md, "Derived from readiness probes"). Like ingress-gce, only a probe on the
// serving port itself is used (so the check works through a node port as well as on the pod), with
// no `host` (the load balancer probes the endpoint). Unlike ingress-gce, which takes the first pod
// it finds, every selected pod must give the same check: during a change of probe, or when pods of
// different workloads share a Service, the default check is kept and the reason is given.

import type { HealthCheck } from '#core/ir/load-balancer.js';
import type { Container, Pod } from '#core/model/pod.js';
import type { Service, ServicePort } from '#core/model/service.js';
import type { TranslateContext } from '../context.js';

/** The target a probe gives: protocol and, for HTTP(S), the path. */
export interface ProbeTarget {
  protocol: HealthCheck['protocol'];
  path?: string;
}

export type ProbeDerivation =
  /** Every selected pod probes the serving port the same way. */
  | { ok: true; target: ProbeTarget; pods: number; ignoredHeaders: boolean }
  /** Pods are selected, but their probes give no single usable check: why, for a notice. */
  | { ok: false; reason: string };

type PodResult = { ok: true; target: ProbeTarget; headers: boolean } | { ok: false; problem: string };

/**
 * What the pods selected by `service` say about `port`'s health check, or undefined when there is
 * nothing to derive from: a Service without a selector (its endpoints are managed by hand), or one
 * that selects no pod Portico knows of (pods are not watched, or not running yet).
 */
export function deriveFromReadinessProbes(
  ctx: TranslateContext,
  service: Service,
  port: ServicePort,
  checkPath: (path: string) => string | undefined,
): ProbeDerivation | undefined {
  const pods = selectedPods(ctx, service);
  if (pods.length === 0) return undefined;
  const results = new Map<string, { result: PodResult; count: number }>();
  let headers = false;
  for (const pod of pods) {
    const result = probeTarget(pod, port.targetPort ?? port.port, checkPath);
    if (result.ok && result.headers) headers = true;
    const key = result.ok ? describe(result.target) : result.problem;
    const entry = results.get(key);
    if (entry) entry.count++;
    else results.set(key, { result, count: 1 });
  }
  if (results.size === 1) {
    const [key, { result }] = [...results][0]!;
    if (result.ok) return { ok: true, target: result.target, pods: pods.length, ignoredHeaders: headers };
    return { ok: false, reason: pods.length === 1 ? key : `${key} (all ${pods.length} pods)` };
  }
  // Largest groups first; at most three named, the rest counted.
  const groups = [...results.entries()].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1));
  const named = groups
    .slice(0, 3)
    .map(([key, { count }]) => `${count} ${count === 1 ? 'pod' : 'pods'}: ${key}`);
  const others = groups.slice(3).reduce((n, [, { count }]) => n + count, 0);
  if (others > 0) named.push(`${others} more with other probes`);
  return { ok: false, reason: `the selected pods disagree on the readiness probe (${named.join('; ')})` };
}

/** `HTTP GET /healthz`, `TCP connect`, `gRPC health`: how reasons name a check. */
export function describe(t: ProbeTarget): string {
  switch (t.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return `${t.protocol} GET ${t.path}`;
    case 'GRPC':
      return 'gRPC health';
    default:
      return 'TCP connect';
  }
}

const selected = new WeakMap<TranslateContext, Map<string, Pod[]>>();

/** The pods of the Service's namespace its selector matches, leaving out those being deleted. */
function selectedPods(ctx: TranslateContext, service: Service): Pod[] {
  const selector = service.spec.selector;
  // No selector, or an empty one, selects nothing: the endpoints are someone else's.
  if (!selector || Object.keys(selector).length === 0) return [];
  const namespace = service.metadata.namespace ?? 'default';
  let cache = selected.get(ctx);
  if (!cache) {
    cache = new Map();
    selected.set(ctx, cache);
  }
  const key = `${namespace}/${service.metadata.name}`;
  let pods = cache.get(key);
  if (!pods) {
    pods = (ctx.pods.get(namespace) ?? []).filter(
      (p) => p.metadata.deletionTimestamp === undefined && selects(selector, p.metadata.labels ?? {}),
    );
    cache.set(key, pods);
  }
  return pods;
}

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector))
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  return true;
}

/** The container serving `targetPort` (a number or a port name) and that port's number. */
function servingContainer(
  pod: Pod,
  targetPort: number | string,
): { container: Container; port: number } | undefined {
  for (const container of pod.spec.containers) {
    for (const p of container.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      if (typeof targetPort === 'number' ? p.containerPort === targetPort : p.name === targetPort)
        return { container, port: p.containerPort };
    }
  }
  return undefined;
}

/** What one pod's readiness probe says about the serving port, or why it says nothing usable. */
function probeTarget(
  pod: Pod,
  targetPort: number | string,
  checkPath: (path: string) => string | undefined,
): PodResult {
  const serving = servingContainer(pod, targetPort);
  if (!serving) return { ok: false, problem: `no container declares the target port ${targetPort}` };
  const { container, port } = serving;
  const probe = container.readinessProbe;
  const where = `the readiness probe of container ${container.name}`;
  if (!probe) return { ok: false, problem: `container ${container.name} has no readiness probe` };
  const onPort = (probePort: number | string): string | undefined => {
    const resolved =
      typeof probePort === 'number'
        ? probePort
        : (container.ports ?? []).find((p) => p.name === probePort)?.containerPort;
    if (resolved === undefined)
      return `${where} names port ${probePort}, which the container does not declare`;
    if (resolved !== port) return `${where} checks port ${resolved}, not the serving port ${port}`;
    return undefined;
  };
  if (probe.httpGet) {
    const h = probe.httpGet;
    const problem = onPort(h.port);
    if (problem) return { ok: false, problem };
    if (h.host) return { ok: false, problem: `${where} checks another host (httpGet.host)` };
    // The kubelet probes `/` when the path is empty, and prefixes a relative path with `/`.
    const path = !h.path ? '/' : h.path.startsWith('/') ? h.path : `/${h.path}`;
    const bad = checkPath(path);
    if (bad) return { ok: false, problem: `${where}: path ${JSON.stringify(truncate(path))} ${bad}` };
    return {
      ok: true,
      target: { protocol: h.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP', path },
      headers: (h.httpHeaders?.length ?? 0) > 0,
    };
  }
  if (probe.tcpSocket) {
    const problem = onPort(probe.tcpSocket.port);
    if (problem) return { ok: false, problem };
    if (probe.tcpSocket.host) return { ok: false, problem: `${where} checks another host (tcpSocket.host)` };
    return { ok: true, target: { protocol: 'TCP' }, headers: false };
  }
  if (probe.grpc) {
    const problem = onPort(probe.grpc.port);
    if (problem) return { ok: false, problem };
    // Load balancers ask about the server as a whole (an empty service name) only.
    if (probe.grpc.service)
      return {
        ok: false,
        problem: `${where} asks about gRPC service ${JSON.stringify(truncate(probe.grpc.service))}, which load balancers cannot ask about`,
      };
    return { ok: true, target: { protocol: 'GRPC' }, headers: false };
  }
  if (probe.exec)
    return { ok: false, problem: `${where} runs a command (exec), which load balancers cannot` };
  return { ok: false, problem: `${where} has no httpGet, tcpSocket or grpc check` };
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
