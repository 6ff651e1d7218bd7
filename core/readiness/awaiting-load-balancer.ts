// Which not-ready endpoints a load balancer must register so that its health checks can open their
// pods' readiness gates (docs/readiness-gates.md, "Registered while gated"). A gate keeps its pod
// not Ready, and a provider that registers only ready endpoints would never check it; one that
// registers every endpoint would also take in pods failing their own readiness probe. Like the AWS
// Load Balancer Controller, a pod is registered early only when its own containers are ready and
// nothing but Portico's gates holds it back.

import type { Endpoint } from '#core/ir/load-balancer.js';
import type { Pod } from '#core/model/pod.js';
import { isReadinessGateType } from './gate-condition.js';

/**
 * Whether the pod is held back only by Portico's gates: it carries at least one
 * (`portico.dev/lb-…`), `ContainersReady` is `True`, and every readiness gate whose condition is
 * not `True` is one of Portico's. All of them met counts too: the gate just opened and the pod's
 * Ready (or its endpoint) has not caught up yet, and deregistering the pod for that moment would
 * send it back to the load balancer's initial checks. A pod being deleted, or with no such
 * conditions (not known), does not await.
 */
export function podAwaitsLoadBalancer(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const gates = pod.spec.readinessGates ?? [];
  if (!gates.some((g) => isReadinessGateType(g.conditionType))) return false;
  const status = new Map<string, string>();
  for (const c of pod.status?.conditions ?? []) if (!status.has(c.type)) status.set(c.type, c.status);
  if (status.get('ContainersReady') !== 'True') return false;
  return gates.every((g) => status.get(g.conditionType) === 'True' || isReadinessGateType(g.conditionType));
}

/**
 * The endpoints with `awaitingLoadBalancer` set on those not ready, not terminating, whose Pod (by
 * the endpoint's `pod`, looked up in `podsByName` of its namespace) awaits the load balancer.
 * Endpoints are returned as they are otherwise (the same objects when nothing changes).
 */
export function markAwaitingLoadBalancer(
  endpoints: readonly Endpoint[],
  podOf: (namespace: string, name: string) => Pod | undefined,
): Endpoint[] {
  return endpoints.map((e) => {
    if (e.ready || e.terminating || !e.pod) return e;
    const pod = podOf(e.pod.namespace, e.pod.name);
    return pod && podAwaitsLoadBalancer(pod) ? { ...e, awaitingLoadBalancer: true } : e;
  });
}

const lookups = new WeakMap<ReadonlyMap<string, readonly Pod[]>, Map<string, Pod>>();

/** Finds a Pod by namespace and name among `pods` (by namespace), indexed once per map. */
export function podLookup(
  pods: ReadonlyMap<string, readonly Pod[]>,
): (namespace: string, name: string) => Pod | undefined {
  let index = lookups.get(pods);
  if (!index) {
    index = new Map();
    for (const [namespace, list] of pods)
      for (const p of list) index.set(`${namespace}/${p.metadata.name}`, p);
    lookups.set(pods, index);
  }
  const found = index;
  return (namespace, name) => found.get(`${namespace}/${name}`);
}

/**
 * Whether a provider that registers endpoints for its health checks (ELBv2 target groups, GCP
 * NEGs) registers this one: ready and not terminating, or awaiting the load balancer. The provider
 * sends traffic only to the endpoints its health check passes, as it does for ready ones.
 */
export function registersEndpoint(e: Endpoint): boolean {
  return !e.terminating && (e.ready || e.awaitingLoadBalancer === true);
}
