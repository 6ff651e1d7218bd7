import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { translate } from '#core/translate/translate.js';
import { loadGoldenCases } from '#test/support/golden.js';

// The golden harness compares output; this checks that what the Ingress translator produces for every
// Ingress golden input is an IR adapters can rely on, and that it does not depend on input order.
const cases = loadGoldenCases(join(import.meta.dirname, '../../../golden/translate')).filter((c) =>
  c.name.startsWith('ingress-'),
);

describe('Ingress golden inputs', () => {
  it('exist', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
  for (const c of cases) {
    it(`${c.name}: valid IR, independent of input order`, () => {
      const result = translate(c.documents, c.options);
      for (const lb of result.loadBalancers) expect(validateLoadBalancer(lb)).toEqual([]);
      expect(translate([...c.documents].reverse(), c.options)).toEqual(result);
    });
  }
});
