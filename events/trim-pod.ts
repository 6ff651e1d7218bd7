import type { ClusterObject } from '#kube/cluster-object.js';

/** The Pod condition readiness gates read (core/readiness/awaiting-load-balancer.ts), besides the gates' own. */
const CONTAINERS_READY = 'ContainersReady';
const CONDITION_STATUSES = new Set(['True', 'False', 'Unknown']);
/** As the API server allows a condition type (a qualified name). */
const MAX_CONDITION_TYPE = 316;

/**
 * A Pod reduced to what core/model/pod.ts reads: identity, labels, each container's name, ports
 * and readiness probe (the handler and its target; an exec probe's command is dropped), the
 * condition type of each readiness gate, and the type and status of `ContainersReady` and of each
 * condition a readiness gate names (Portico's `portico.dev/lb-…` and other controllers': a gate is
 * met only when its condition is True). Pods are the most numerous objects a cluster has and their
 * status changes often: everything else (the rest of the status, `Ready` included, annotations, env,
 * volumes, images) stays in the cluster, so a change of it sends no event. Entries of an unexpected
 * shape are dropped, not passed on.
 */
export function trimPod(pod: ClusterObject): ClusterObject {
  const m = pod.metadata;
  const metadata: Record<string, unknown> = { name: m.name };
  for (const k of ['namespace', 'uid', 'resourceVersion', 'labels', 'deletionTimestamp'])
    if (m[k] !== undefined) metadata[k] = m[k];
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers)
    ? spec.containers.filter(isRecord).map(trimContainer)
    : [];
  const gates = Array.isArray(spec.readinessGates)
    ? spec.readinessGates
        .filter(isRecord)
        .flatMap((g) => (isConditionType(g.conditionType) ? [{ conditionType: g.conditionType }] : []))
    : [];
  const wanted = new Set([CONTAINERS_READY, ...gates.map((g) => g.conditionType)]);
  const conditions = isRecord(pod.status) ? keptConditions(pod.status.conditions, wanted) : [];
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: metadata as ClusterObject['metadata'],
    spec: { containers, ...(gates.length > 0 ? { readinessGates: gates } : {}) },
    ...(conditions.length > 0 ? { status: { conditions } } : {}),
  };
}

/** The `wanted` conditions, type and status only, each type once (the first). */
function keptConditions(list: unknown, wanted: ReadonlySet<string>): { type: string; status: string }[] {
  if (!Array.isArray(list)) return [];
  const kept = new Map<string, string>();
  for (const c of list) {
    if (!isRecord(c) || !isConditionType(c.type) || kept.has(c.type)) continue;
    if (!wanted.has(c.type)) continue;
    if (typeof c.status !== 'string' || !CONDITION_STATUSES.has(c.status)) continue;
    kept.set(c.type, c.status);
  }
  return [...kept].map(([type, status]) => ({ type, status }));
}

function isConditionType(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_CONDITION_TYPE;
}

function trimContainer(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: c.name };
  if (Array.isArray(c.ports))
    out.ports = c.ports.filter(isRecord).map((p) => pick(p, ['name', 'containerPort', 'protocol']));
  const probe = c.readinessProbe;
  if (isRecord(probe)) {
    const kept: Record<string, unknown> = {};
    if (isRecord(probe.httpGet))
      kept.httpGet = pick(probe.httpGet, ['path', 'port', 'host', 'scheme', 'httpHeaders']);
    if (isRecord(probe.tcpSocket)) kept.tcpSocket = pick(probe.tcpSocket, ['port', 'host']);
    if (isRecord(probe.grpc)) kept.grpc = pick(probe.grpc, ['port', 'service']);
    if (isRecord(probe.exec)) kept.exec = {};
    out.readinessProbe = kept;
  }
  return out;
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
