// Which pods a load balancer's readiness gate lets through: pure, from the IR pools' endpoints and
// how the provider's own health checks see them.

import type { LbKey, LoadBalancer, PodRef } from '#core/ir/load-balancer.js';
import { readinessGateType } from './gate-condition.js';

/** One target as the provider sees it (adapters/types.ts TargetHealth has this shape). */
export interface TargetHealthView {
  pool: string;
  address: string;
  port: number;
  state: 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unknown';
  reason?: string;
}

export interface PodGate {
  pod: PodRef;
  /** Every target of the pod in this load balancer passes the provider's health check. */
  healthy: boolean;
  /** Why not (yet), for logs and condition messages; absent when healthy. */
  reason?: string;
  /** Open although the provider never checked the pod, and why: the condition message says so. */
  unenforced?: string;
}

export interface LoadBalancerPodGates {
  key: LbKey;
  conditionType: string;
  /** The pods the load balancer sends (or will send) traffic to, sorted by namespace and name. */
  pods: PodGate[];
  /** Services (`namespace/name`) whose endpoints the load balancer targets, sorted. */
  services: string[];
}

export interface PodGateOptions {
  /** The adapter's capability (adapters/types.ts): it registers and checks not-ready endpoints. */
  checksNotReadyEndpoints: boolean;
  /** Pools whose pods the provider does not check one by one (TargetHealthReport.uncheckedPools). */
  uncheckedPools?: readonly { pool: string; reason: string }[];
}

/**
 * The gate of each pod the load balancer targets. A pod is targeted by its endpoints that are not
 * terminating (a terminating pod is leaving: its readiness no longer matters); it is healthy when
 * every one of them, in every pool, is reported `healthy`. A target missing from the report is not
 * healthy (it is not checked yet, or the read was incomplete).
 */
export function podGatesOf(
  key: LbKey,
  lb: LoadBalancer,
  targets: readonly TargetHealthView[],
  options: PodGateOptions = { checksNotReadyEndpoints: true },
): LoadBalancerPodGates {
  const unchecked = new Map((options.uncheckedPools ?? []).map((u) => [u.pool, u.reason]));
  const seen = new Map<string, TargetHealthView[]>();
  for (const t of targets) {
    const id = targetId(t.pool, t.address, t.port);
    seen.set(id, [...(seen.get(id) ?? []), t]);
  }
  const pods = new Map<string, PodGate>();
  const services = new Set<string>();
  for (const pool of lb.pools) {
    if (pool.source.kind === 'Service' && pool.source.namespace)
      services.add(`${pool.source.namespace}/${pool.source.name}`);
    for (const e of pool.endpoints) {
      if (!e.pod || e.terminating) continue;
      const id = `${e.pod.namespace}/${e.pod.name}`;
      const gate = pods.get(id) ?? { pod: { ...e.pod }, healthy: true };
      pods.set(id, gate);
      if (!gate.healthy) continue;
      const notChecked = unchecked.get(pool.id);
      if (notChecked !== undefined) {
        // The provider checks nodes here, not this pod: waiting would never end.
        gate.unenforced ??= `pool ${pool.id}: ${notChecked}`;
        continue;
      }
      const reports = seen.get(targetId(pool.id, e.address, e.port)) ?? [];
      if (reports.length === 0 && !e.ready && !options.checksNotReadyEndpoints) {
        // Such a provider registers the pod only once it is Ready, which its gate withholds: waiting
        // would never end. The gate opens, and its message says the load balancer did not check it.
        gate.unenforced ??= `provider ${lb.provider} registers only ready endpoints, so it cannot check ${e.address}:${e.port} before the pod is Ready`;
        continue;
      }
      const bad = reports.find((r) => r.state !== 'healthy');
      if (reports.length === 0 || bad) {
        gate.healthy = false;
        const where = `${e.address}:${e.port} in pool ${pool.id}`;
        gate.reason = bad
          ? `${where} is ${bad.state}${bad.reason ? ` (${bad.reason})` : ''}`
          : `${where} is not in the provider's health report yet`;
      }
    }
  }
  return {
    key,
    conditionType: readinessGateType(key),
    pods: [...pods.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g),
    services: [...services].sort(),
  };
}

/** Pods still waiting for the load balancer's health checks. */
export function pendingPods(gates: LoadBalancerPodGates): PodRef[] {
  return gates.pods.filter((g) => !g.healthy).map((g) => g.pod);
}

/** A pod as the gate writer sees it in the cluster. */
export interface GatedPod {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * Pods carrying the load balancer's gate that it must not block: it does not target them, and no
 * Service behind it selects them (a pod that a Service selects may simply not be in its
 * EndpointSlice yet; one that none selects will never be). `selectors` are the Services'
 * `spec.selector`, by `namespace/name`; a Service without a selector selects nothing, one missing
 * from `selectors` is taken to select the pod.
 */
export function podsNotTargeted(
  gates: LoadBalancerPodGates,
  pods: readonly GatedPod[],
  selectors: ReadonlyMap<string, Readonly<Record<string, string>> | undefined>,
): GatedPod[] {
  const targeted = new Set(gates.pods.map((g) => `${g.pod.namespace}/${g.pod.name}`));
  return pods.filter((pod) => {
    if (targeted.has(`${pod.namespace}/${pod.name}`)) return false;
    return !gates.services.some((service) => {
      if (!service.startsWith(`${pod.namespace}/`)) return false;
      // A Service not known here may select the pod: it is not released on a guess.
      if (!selectors.has(service)) return true;
      const selector = selectors.get(service);
      if (!selector || Object.keys(selector).length === 0) return false;
      return Object.entries(selector).every(([k, v]) => pod.labels[k] === v);
    });
  });
}

function targetId(pool: string, address: string, port: number): string {
  return `${pool}|${address}|${port}`;
}
