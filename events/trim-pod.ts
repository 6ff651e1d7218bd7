import type { ClusterObject } from '#kube/cluster-object.js';

/**
 * A Pod reduced to what core/model/pod.ts reads: identity, labels, and each container's name, ports
 * and readiness probe (the handler and its target; an exec probe's command is dropped). Pods are
 * the most numerous objects a cluster has and their status changes often: everything else (status,
 * annotations, env, volumes, images) stays in the cluster.
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
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: metadata as ClusterObject['metadata'],
    spec: { containers },
  };
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
