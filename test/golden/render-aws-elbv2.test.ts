import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import { checkGolden, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';
import { type LooseLb, withDefaults } from '#test/support/loose-ir.js';

// Each case: an IR load balancer (empty lists and the usual defaults may be left out; see withDefaults,
// which also supplies valid awsElbv2 parameters) and `options: {limits}` → `.out.yaml` (resources + notices).
const dir = join(import.meta.dirname, 'render', 'aws-elbv2');
const cases = loadGoldenCases(dir);

describe('golden: render aws-elbv2', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(c.name, () => {
      const lb = withDefaults(c.documents[0] as LooseLb);
      const limits = c.options.limits as Record<string, number> | undefined;
      const rendered = renderElbv2(lb, limits ? { limits } : {});
      const out = checkGolden(c.outPath, toGoldenYaml(rendered));
      expect(out.actual).toBe(out.expected);
    });
  }
});
