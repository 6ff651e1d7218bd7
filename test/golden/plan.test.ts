import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeDiffSpec } from '#adapters/fake/diff-spec.js';
import type { FakeValue } from '#adapters/fake/resources.js';
import { parseAddress } from '#core/plan/address.js';
import { executionSteps } from '#core/plan/execution-steps.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import type { DesiredResource, ObservedResource } from '#core/plan/types.js';
import { checkGolden, goldenOutputPath, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';

// Each case: `desired:` and `observed:` lists of fake resources (kind is taken from the address)
// → `.out.yaml` (the plan as data and the apply order) and `.plan.txt` (renderPlan).
const dir = join(import.meta.dirname, 'plan');
const cases = loadGoldenCases(dir);

interface CaseInput {
  desired?: { address: string; value: FakeValue }[];
  observed?: { address: string; value: FakeValue; owned: boolean; id?: string }[];
}

describe('golden: plan', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(c.name, () => {
      const input = (c.documents[0] ?? {}) as CaseInput;
      const desired: DesiredResource<FakeValue>[] = (input.desired ?? []).map((r) => ({
        ...r,
        kind: parseAddress(r.address).kind,
      }));
      const observed: ObservedResource<FakeValue>[] = (input.observed ?? []).map((r) => ({
        ...r,
        kind: parseAddress(r.address).kind,
      }));
      const lbKey = c.options.lbKey as string | undefined;
      const plan = planChanges(desired, observed, fakeDiffSpec, lbKey !== undefined ? { lbKey } : {});
      const steps = executionSteps(plan).map(
        (s) => `${s.op} ${s.change.address}${s.op !== 'create' && s.change.id ? ` (${s.change.id})` : ''}`,
      );

      const out = checkGolden(c.outPath, toGoldenYaml({ ...plan, steps }));
      expect(out.actual).toBe(out.expected);
      const text = checkGolden(goldenOutputPath(c, '.plan.txt'), renderPlan(plan));
      expect(text.actual).toBe(text.expected);
    });
  }
});
