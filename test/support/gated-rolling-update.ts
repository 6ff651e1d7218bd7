// A rolling update under pod readiness gates, against a provider adapter whose load balancer checks
// the pods itself (on a clock the test moves): each new pod is registered while gated, the
// provider's check opens its gate, and only then does the Deployment (maxUnavailable 0) take an old
// pod out; the pool keeps two healthy targets at every step. A pod failing its own readiness probe
// is never registered. Each provider's test gives the wiring; the scenario and its checks are here.

import { expect } from 'vitest';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type { KindValue, LoadBalancerAdapter, TargetHealthReport } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { type OpenGate, openGates } from '#core/readiness/open-gates.js';
import { podGatesOf } from '#core/readiness/pod-gates.js';
import { translate } from '#core/translate/translate.js';
import { type GatedPod, withGatedPods } from './gated-pods.js';

/** The load balancer `key` as translate gives it for `objects` with Service shop/app's `pods`. */
export function lbWithGatedPods(
  objects: readonly unknown[],
  key: string,
  pods: readonly GatedPod[],
  gate: string,
): ir.LoadBalancer {
  const all = withGatedPods(objects, 'shop', 'app', pods, gate);
  const lb = translate(all, { cluster: 'it' }).loadBalancers.find((l) => l.key === key);
  if (!lb) throw new Error(`no load balancer ${key}`);
  return lb;
}

/** The state of each target of `pool`, by address. */
export const poolStates = (r: TargetHealthReport, pool: string) =>
  Object.fromEntries(r.targets.filter((t) => t.pool === pool).map((t) => [t.address, t.state]));

export interface RollingUpdateWiring<K extends KindValue> {
  /** Named in the line the scenario prints. */
  provider: string;
  adapter: LoadBalancerAdapter<K>;
  key: string;
  /** The pool of Service shop/app. */
  pool: string;
  gate: string;
  lbOf(pods: readonly GatedPod[]): ir.LoadBalancer;
  /** The app pool's health check, read from what the adapter renders. */
  check(lb: ir.LoadBalancer): { intervalSeconds: number; healthyThreshold: number };
  advanceClock(ms: number): void;
  /** Pod n's zone is zones[(n - 1) % 2] when given; no zone otherwise. */
  zones?: readonly [string, string];
  /** What the provider reports for a registered target not checked yet. */
  uncheckedState: string;
  /** What it reports for the target of a terminating pod (undefined: detached at once). */
  leavingState: string | undefined;
  /** How long the provider drains a deregistered target, waited for before the last read. */
  drainMs?: number;
  /** More the provider promises of each report. */
  expectReport?(report: TargetHealthReport): void;
}

export async function rollGatedPods<K extends KindValue>(w: RollingUpdateWiring<K>): Promise<void> {
  const { adapter, key, pool, gate } = w;
  const signal = new AbortController().signal;
  const ip = (n: number) => `10.0.1.${n}`;
  const podAt = (n: number) => (w.zones ? `${ip(n)}@${w.zones[(n - 1) % 2]}` : ip(n));
  const states = (r: TargetHealthReport) => poolStates(r, pool);
  const pods: GatedPod[] = [
    { name: 'old-1', address: podAt(1), containersReady: true, gateOpen: true },
    { name: 'old-2', address: podAt(2), containersReady: true, gateOpen: true },
    // Fails its own readiness probe the whole time: never registered, its gate never opens.
    { name: 'broken', address: podAt(9), containersReady: false, gateOpen: false },
  ];
  let opened: OpenGate[] = [];
  const healthyCounts: number[] = [];
  const seen = new Set<string>();

  async function gatePass(lb: ir.LoadBalancer) {
    const report = await adapter.targetHealth!(lb, { signal });
    expect(report.complete).toBe(true);
    w.expectReport?.(report);
    const gates = podGatesOf(key, lb, report.targets, {
      checksNotReadyEndpoints: adapter.capabilities().checksNotReadyEndpoints === true,
    });
    const result = openGates(gates, report.complete, opened);
    opened = result.open;
    // The forwarder patches the gates that opened.
    for (const g of result.open) {
      const pod = pods.find((p) => p.name === g.pod.name);
      if (pod) pod.gateOpen = true;
    }
    for (const t of report.targets) if (t.pool === pool) seen.add(t.address);
    healthyCounts.push(report.targets.filter((t) => t.pool === pool && t.state === 'healthy').length);
    return { report, waiting: result.waiting.map((p) => p.name) };
  }
  /** Kubernetes changed: reconcile, then one gate pass (what the reconcile function does). */
  async function sync() {
    const lb = w.lbOf(pods);
    await reconcileLoadBalancer<K>({ key, lb, adapter, signal });
    return gatePass(lb);
  }
  const check = w.check(w.lbOf(pods));

  await sync();
  w.advanceClock(check.intervalSeconds * check.healthyThreshold * 1000);
  expect(states((await sync()).report)).toEqual({ [ip(1)]: 'healthy', [ip(2)]: 'healthy' });
  healthyCounts.length = 0; // the rolling update starts from two healthy pods

  for (const [n, old] of [
    [3, 'old-1'],
    [4, 'old-2'],
  ] as const) {
    const name = `new-${n - 2}`;
    // Created, its containers still starting: not registered, its gate waits.
    const fresh: GatedPod = { name, address: podAt(n), containersReady: false, gateOpen: false };
    pods.push(fresh);
    const starting = await sync();
    expect(states(starting.report)[ip(n)]).toBeUndefined();
    expect(starting.waiting).toContain(name);

    // Its readiness probe passes; the pod is not Ready (the gate): registered all the same.
    fresh.containersReady = true;
    const registered = await sync();
    expect(states(registered.report)[ip(n)]).toBe(w.uncheckedState);
    expect(fresh.gateOpen).toBe(false);

    // The provider's checks, interval by interval: the gate opens on the pass that sees it healthy.
    for (let waited = 0; !fresh.gateOpen; waited++) {
      expect(waited).toBeLessThan(20);
      w.advanceClock(check.intervalSeconds * 1000);
      const { report } = await gatePass(w.lbOf(pods));
      expect(fresh.gateOpen).toBe(states(report)[ip(n)] === 'healthy');
    }
    expect(opened.find((g) => g.pod.name === name)).toEqual({
      pod: { namespace: 'shop', name },
      conditionType: gate,
      message: `healthy in load balancer ${key}`,
    });

    // The gate is True, Ready not yet (kubelet lags): the pod stays registered and healthy.
    fresh.readyLags = true;
    const lagging = await sync();
    expect(states(lagging.report)[ip(n)]).toBe('healthy');
    fresh.readyLags = false;

    // The pod is Ready now: the Deployment (maxUnavailable 0) takes an old pod out.
    const leaving = pods.find((p) => p.name === old)!;
    leaving.terminating = true;
    const drained = await sync();
    expect(states(drained.report)[leaving.address.split('@')[0]!]).toBe(w.leavingState);
    pods.splice(pods.indexOf(leaving), 1);
  }
  if (w.drainMs) w.advanceClock(w.drainMs);
  const done = await sync();
  expect(states(done.report)).toEqual({ [ip(3)]: 'healthy', [ip(4)]: 'healthy' });

  console.log(
    `[target-health-gates] ${w.provider}: ${healthyCounts.length} health reads in the update, at least ${Math.min(...healthyCounts)} healthy at each`,
  );
  expect(healthyCounts.length).toBeGreaterThan(10);
  // Two healthy targets at every step (maxUnavailable 0, the surge pod counted only once healthy).
  expect(Math.min(...healthyCounts)).toBeGreaterThanOrEqual(2);
  expect(seen.has(ip(9))).toBe(false);
  expect(done.waiting).toEqual(['broken']);
  expect(opened.some((g) => /not enforced/.test(g.message))).toBe(false);
}
