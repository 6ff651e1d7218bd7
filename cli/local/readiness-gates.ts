// Pod readiness gates in local mode (`portico dev --kubeconfig`): after a sync, and again every
// `recheckMs` while a gated pod still waits, read how the provider's health checks see each load
// balancer's targets and turn the gates of the healthy pods True. The same core decision
// (core/readiness) and the same Pod writer (kube/readiness-gate-writer.ts) as the forwarder.

import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { gatesReleasedByDeletion } from '#core/readiness/deleted-load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { podGatesOf, podsNotTargeted } from '#core/readiness/pod-gates.js';
import type { GateWriteReport, ReadinessGateWriter } from '#kube/readiness-gate-writer.js';

export interface ReadinessGatesOptions {
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  writer: ReadinessGateWriter;
  /** `spec.selector` of the Services known, by `namespace/name` (undefined: the Service has none). */
  selectors: () => ReadonlyMap<string, Readonly<Record<string, string>> | undefined>;
}

export interface GatesPassResult {
  /** Gated pods still waiting on a load balancer's health checks: check again soon. */
  waiting: number;
  written: string[];
  failed: GateWriteReport['failed'];
}

/** One pass over every load balancer that targets pods. */
export async function readinessGatesPass(
  options: ReadinessGatesOptions,
  loadBalancers: readonly LoadBalancer[],
  signal: AbortSignal,
): Promise<GatesPassResult> {
  const result: GatesPassResult = { waiting: 0, written: [], failed: [] };
  for (const lb of loadBalancers) {
    const adapter = options.adapters[lb.provider];
    if (!adapter?.targetHealth) continue;
    if (!lb.pools.some((p) => p.endpoints.some((e) => e.pod))) continue;
    const report = await adapter.targetHealth(lb, { signal });
    const gates = podGatesOf(lb.key, lb, report.targets, {
      checksNotReadyEndpoints: adapter.capabilities().checksNotReadyEndpoints === true,
      ...(report.uncheckedPools ? { uncheckedPools: report.uncheckedPools } : {}),
    });
    const namespaces = [...new Set(gates.services.map((s) => s.slice(0, s.indexOf('/'))))];
    // Only pods that carry this gate and are not True yet are patched (one list per namespace).
    const waiting = await options.writer.podsWaitingOn(gates.conditionType, namespaces, signal);
    const waits = new Set(waiting.map((p) => `${p.namespace}/${p.name}`));
    const healthy = gates.pods.filter((g) => g.healthy && waits.has(`${g.pod.namespace}/${g.pod.name}`));
    const released = podsNotTargeted(gates, waiting, options.selectors());
    result.waiting += gates.pods.filter(
      (g) => !g.healthy && waits.has(`${g.pod.namespace}/${g.pod.name}`),
    ).length;
    const writes = [
      ...healthy.map((g) => ({
        pod: g.pod,
        message: g.unenforced
          ? `not enforced by load balancer ${lb.key}: ${g.unenforced}`
          : `healthy in load balancer ${lb.key}`,
      })),
      ...released.map((p) => ({
        pod: { namespace: p.namespace, name: p.name },
        message: `not a target of load balancer ${lb.key}: it does not hold the pod back`,
      })),
    ];
    if (writes.length === 0) continue;
    const written = await options.writer.markReady(gates.conditionType, writes, signal);
    result.written.push(...written.written.map((p) => `${p} (${gates.conditionType})`));
    result.failed.push(...written.failed);
  }
  return result;
}

/**
 * Releases the Pods still waiting on the gates of load balancers that are deleted (`keys`): nothing
 * will check them any more. `pods` are the Pods known (untrusted objects); the writer reads each live.
 */
export async function releaseDeletedGates(
  writer: ReadinessGateWriter,
  keys: readonly LbKey[],
  pods: readonly unknown[],
  signal: AbortSignal,
): Promise<Pick<GatesPassResult, 'written' | 'failed'>> {
  const result: Pick<GatesPassResult, 'written' | 'failed'> = { written: [], failed: [] };
  for (const key of keys) {
    const released = gatesReleasedByDeletion(key, pods);
    if (released.length === 0) continue;
    const conditionType = readinessGateType(key);
    const written = await writer.markReady(conditionType, released, signal);
    result.written.push(...written.written.map((p) => `${p} (${conditionType})`));
    result.failed.push(...written.failed);
  }
  return result;
}

/** `spec.selector` of every Service among `objects`, by `namespace/name` (objects are untrusted). */
export function serviceSelectors(
  objects: readonly unknown[],
): Map<string, Readonly<Record<string, string>> | undefined> {
  const out = new Map<string, Readonly<Record<string, string>> | undefined>();
  for (const o of objects) {
    const s = o as {
      kind?: unknown;
      metadata?: { namespace?: unknown; name?: unknown };
      spec?: { selector?: unknown };
    };
    if (
      s?.kind !== 'Service' ||
      typeof s.metadata?.namespace !== 'string' ||
      typeof s.metadata.name !== 'string'
    )
      continue;
    const selector = s.spec?.selector;
    const valid =
      typeof selector === 'object' &&
      selector !== null &&
      !Array.isArray(selector) &&
      Object.values(selector).every((v) => typeof v === 'string');
    out.set(
      `${s.metadata.namespace}/${s.metadata.name}`,
      valid ? (selector as Record<string, string>) : undefined,
    );
  }
  return out;
}
