// An adapter whose applies wait at a gate: reconciles that are "running" for as long as a test
// needs, so that changes can be recorded in the middle of them (a slow provider, deterministically).

import type { FakeAdapter } from '#adapters/fake/adapter.js';
import type { FakeKinds } from '#adapters/fake/resources.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';

export interface Gated {
  adapter: LoadBalancerAdapter<FakeKinds>;
  /** Resolves once `n` applies since the gate was last closed are waiting at (or went through) it. */
  entered(n: number): Promise<void>;
  /** Lets every waiting and later apply through. */
  open(): void;
  /** Makes later applies wait again, and counts them from zero. */
  close(): void;
}

/** The fake adapter, every apply of which waits at the gate while it is closed (closed at first). */
export function gatedFake(fake: FakeAdapter): Gated {
  let count = 0;
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const watchers: { n: number; resolve: () => void }[] = [];
  const adapter: LoadBalancerAdapter<FakeKinds> = {
    name: fake.name,
    diffSpec: fake.diffSpec,
    capabilities: () => fake.capabilities(),
    render: (lb) => fake.render(lb),
    observe: (key, opts) => fake.observe(key, opts),
    async apply(plan, opts) {
      count++;
      for (const w of watchers.filter((w) => count >= w.n)) w.resolve();
      await gate;
      return fake.apply(plan, opts);
    },
  };
  return {
    adapter,
    entered: (n) =>
      count >= n ? Promise.resolve() : new Promise((resolve) => watchers.push({ n, resolve })),
    open: () => release(),
    close: () => {
      count = 0;
      gate = new Promise<void>((r) => (release = r));
    },
  };
}
