import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeDiffSpec } from '#adapters/fake/diff-spec.js';
import type { FakeKinds } from '#adapters/fake/resources.js';
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

// The YAML is trusted test data: its kind is the address's, and its value is of that kind.
interface CaseInput {
  desired?: { address: string; value: unknown }[];
  observed?: { address: string; value: unknown; owned: boolean; id?: string }[];
}

describe('golden: plan', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(c.name, () => {
      const input = (c.documents[0] ?? {}) as CaseInput;
      const desired = (input.desired ?? []).map(
        (r) => ({ ...r, kind: parseAddress(r.address).kind }) as DesiredResource<FakeKinds>,
      );
      const observed = (input.observed ?? []).map(
        (r) => ({ ...r, kind: parseAddress(r.address).kind }) as ObservedResource<FakeKinds>,
      );
      const lbKey = c.options.lbKey as string;
      const plan = planChanges(desired, observed, fakeDiffSpec, { lbKey });
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
