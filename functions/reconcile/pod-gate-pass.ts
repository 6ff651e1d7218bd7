// The reconcile function's readiness-gate pass (docs/readiness-gates.md): after a load balancer is
// applied, read how its provider's health checks see the pods it targets and record the gates that
// open in the status stream, where the forwarder's status pull finds them and patches the Pods.

import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { gatesReleasedByDeletion } from '#core/readiness/deleted-load-balancer.js';
import { openGates } from '#core/readiness/open-gates.js';
import { podGatesOf } from '#core/readiness/pod-gates.js';
import type { GateRecheck } from '#functions/queue/reconcile-message.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';

export interface PodGatePassResult {
  /** Targeted pods whose gate is open. */
  open: number;
  /** Targeted pods still waiting for the provider's health checks: check again later. */
  waiting: number;
}

/**
 * One gate pass over `lb` (absent: the load balancer is deleted). A load balancer that targets no
 * pod, or whose adapter cannot read target health, records no gate (and drops any it recorded). A
 * deleted one releases the Pods still waiting on its gate: one list of the cluster's Pods.
 */
export async function podGatePass(
  store: SnapshotStore,
  cluster: string,
  key: LbKey,
  lb: LoadBalancer | undefined,
  adapter: AnyLoadBalancerAdapter | undefined,
  signal: AbortSignal,
): Promise<PodGatePassResult> {
  if (!lb) {
    const pods = await store.getMany(cluster, await store.list(cluster, 'Pod'));
    const released = gatesReleasedByDeletion(
      key,
      pods.map((p) => p?.object),
    );
    await store.putPodGatesOfKey(cluster, key, released);
    return { open: released.length, waiting: 0 };
  }
  const targetsPods = lb.pools.some((p) => p.endpoints.some((e) => e.pod && !e.terminating));
  if (!adapter?.targetHealth || !targetsPods) {
    if ((await store.podGatesOfKey(cluster, key)).length > 0) await store.putPodGatesOfKey(cluster, key, []);
    return { open: 0, waiting: 0 };
  }
  const report = await adapter.targetHealth(lb, { signal });
  // Only an incomplete report keeps what was open before (putPodGatesOfKey reads it again to write
  // the difference): a complete one needs no extra store read.
  const previous = report.complete ? [] : await store.podGatesOfKey(cluster, key);
  const { open, waiting } = openGates(
    podGatesOf(key, lb, report.targets, {
      checksNotReadyEndpoints: adapter.capabilities().checksNotReadyEndpoints === true,
      ...(report.uncheckedPools ? { uncheckedPools: report.uncheckedPools } : {}),
    }),
    report.complete,
    previous,
  );
  await store.putPodGatesOfKey(cluster, key, open);
  return { open: open.length, waiting: waiting.length };
}

export interface GateRecheckOptions {
  /** The delay before the first re-check (default 1 s); it doubles with each attempt. */
  baseSeconds?: number;
  /**
   * The longest delay between two re-checks (default 5 s). Short, because a waiting re-check holds
   * its key's FIFO group: a change of the key waits at most this long behind it.
   */
  maxSeconds?: number;
  /**
   * Re-checks after one reconcile (default 40: about 3 minutes). A pod that never passes stops
   * being re-checked; the next reconcile of the key (an event, resync's forced one) starts again.
   */
  maxAttempts?: number;
}

/** The re-check after `attempt` re-checks (0 after a reconcile), or undefined when they are used up. */
export function nextGateRecheck(
  attempt: number,
  nowMs: number,
  options: GateRecheckOptions = {},
): GateRecheck | undefined {
  const next = attempt + 1;
  if (next > (options.maxAttempts ?? 40)) return undefined;
  const base = options.baseSeconds ?? 1;
  const seconds = Math.min(options.maxSeconds ?? 5, base * 2 ** Math.min(next - 1, 30));
  return { attempt: next, due: nowMs + Math.round(seconds * 1000) };
}
