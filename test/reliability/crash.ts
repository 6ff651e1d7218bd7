// Adapters that die in the middle of an apply, as a Lambda does when it times out or its container
// is recycled: some of the plan's steps reached the provider, the rest did not, and the function never
// got to write the statuses or remember the fingerprint.

import type { FakeAdapter } from '#adapters/fake/adapter.js';
import type { FakeKinds } from '#adapters/fake/resources.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';
import { executionSteps } from '#core/plan/execution-steps.js';
import type { Change, KindValue, Plan } from '#core/plan/types.js';

/** The simulated crash (not one of the adapter error vocabulary: the process just stopped). */
export class CrashError extends Error {
  override readonly name = 'CrashError';
}

export interface CrashLog {
  /** Steps of every apply seen, in order (n of "k of n"). */
  steps: number[];
  crashes: number;
}

export interface Crashing<K extends KindValue> {
  adapter: LoadBalancerAdapter<K>;
  log: CrashLog;
  /** Crash the next apply whose plan has more than `k` steps, after `k` of them (once). */
  arm(k: number): void;
}

/**
 * The fake adapter, crashing inside its own apply loop once armed: after `k` provider calls of the
 * next apply whose plan has more than `k` steps. The steps before the crash did reach the fake cloud.
 */
export function crashingFake(fake: FakeAdapter): Crashing<FakeKinds> {
  const log: CrashLog = { steps: [], crashes: 0 };
  let k = -1;
  const adapter: LoadBalancerAdapter<FakeKinds> = {
    name: fake.name,
    diffSpec: fake.diffSpec,
    capabilities: () => fake.capabilities(),
    render: (lb) => fake.render(lb),
    observe: (key, opts) => fake.observe(key, opts),
    async apply(plan, opts) {
      const n = executionSteps(plan).length;
      log.steps.push(n);
      if (k >= 0 && n > k) {
        log.crashes++;
        fake.cloud.injectFailure({
          afterCalls: k,
          times: 1,
          error: (call) => new CrashError(`crashed at ${call}`),
        });
        k = -1;
      }
      return fake.apply(plan, opts);
    },
  };
  return {
    adapter,
    log,
    arm: (at) => {
      k = at;
    },
  };
}

/**
 * Any adapter, crashing once armed after the first `k` steps of the next apply with more than `k`
 * steps: the changes of those steps are applied (as one apply of the partial plan), then it throws.
 * For adapters whose apply converges a whole plan at once (HAProxy writes one configuration), this is
 * the state a crash between two steps leaves.
 */
export function crashingAdapter<K extends KindValue>(inner: LoadBalancerAdapter<K>): Crashing<K> {
  const log: CrashLog = { steps: [], crashes: 0 };
  let k = -1;
  const adapter: LoadBalancerAdapter<K> = {
    name: inner.name,
    diffSpec: inner.diffSpec,
    capabilities: () => inner.capabilities(),
    render: (lb) => inner.render(lb),
    observe: (key, opts) => inner.observe(key, opts),
    async apply(plan, opts) {
      const steps = executionSteps(plan);
      log.steps.push(steps.length);
      if (k < 0 || steps.length <= k) return inner.apply(plan, opts);
      const at = k;
      k = -1;
      log.crashes++;
      const done = new Set<Change<K>>(steps.slice(0, at).map((s) => s.change));
      const partial: Plan<K> = {
        ...plan,
        changes: plan.changes.filter((c) => c.action === 'noop' || done.has(c)),
      };
      if (at > 0) await inner.apply(partial, opts);
      throw new CrashError(`crashed after ${at} of ${steps.length} steps`);
    },
  };
  return {
    adapter,
    log,
    arm: (at) => {
      k = at;
    },
  };
}
