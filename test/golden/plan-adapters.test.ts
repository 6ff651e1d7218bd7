import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS, providerNames } from '#adapters/registry.js';
import type { AnyKinds, ObservedResource, PureAdapter } from '#adapters/types.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { checkGolden, goldenOutputPath, loadGoldenCases } from '#test/support/golden.js';
import { type LooseLb, parametersFor, withDefaults } from '#test/support/loose-ir.js';

// How every registered adapter plans one change: each case holds the load balancer `before` (what
// the provider runs: its render, observed as owned, as an apply would have left it) and `after`
// (null: deleted) → `<case>.<adapter>.plan.txt`. The same change read side by side shows what each
// provider updates in place, replaces, or must delete first.
const dir = join(import.meta.dirname, 'plan-adapters');
const cases = loadGoldenCases(dir);
const adapters: PureAdapter<AnyKinds>[] = await Promise.all(
  providerNames().map(async (name) => PROVIDERS[name].pure()),
);

interface CaseInput {
  before: LooseLb | null;
  after: LooseLb | null;
}

describe('golden: plan, every adapter', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of cases) {
    describe(c.name, () => {
      const input = c.documents[0] as CaseInput;
      for (const adapter of adapters) {
        const lb = (raw: LooseLb | null) =>
          raw ? { ...withDefaults(raw), ...parametersFor(adapter.name, raw) } : undefined;
        const before = lb(input.before);
        const after = lb(input.after);
        it(adapter.name, () => {
          const observed: ObservedResource<AnyKinds>[] = before
            ? adapter.render(before).resources.map((r, i) => ({ ...r, owned: true, id: `id-${i + 1}` }))
            : [];
          const desired = after ? adapter.render(after).resources : [];
          const key = (after ?? before)!.key;
          const plan = planChanges(desired, observed, adapter.diffSpec, { lbKey: key });
          expect(plan.conflicts).toEqual([]);
          const text = checkGolden(
            goldenOutputPath(c, `.${adapter.name}.plan.txt`),
            renderPlan(plan, { values: true }),
          );
          expect(text.actual).toBe(text.expected);
        });
      }
    });
  }
});
