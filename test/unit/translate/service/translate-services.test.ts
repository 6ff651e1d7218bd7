import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { translate } from '#core/translate/translate.js';
import { loadGoldenCases } from '#test/support/golden.js';

// The Service and health-check golden inputs, reused as a corpus for properties the goldens do not show.
const cases = loadGoldenCases(join(import.meta.dirname, '../../../golden/translate')).filter((c) =>
  /^(service|healthcheck)-/.test(c.name),
);

describe('translateServices over the golden corpus', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(15));

  for (const c of cases) {
    it(`${c.name}: every load balancer passes validateLoadBalancer`, () => {
      for (const lb of translate(c.documents, c.options).loadBalancers)
        expect(validateLoadBalancer(lb)).toEqual([]);
    });

    it(`${c.name}: the output does not depend on the input order`, () => {
      const forward = translate(c.documents, c.options);
      const backward = translate([...c.documents].reverse(), c.options);
      expect(backward).toEqual(forward);
    });

    it(`${c.name}: a Service with an error has no IR and is held (unless it has nothing to serve)`, () => {
      const r = translate(c.documents, c.options);
      const failed = new Set(
        r.notices
          .filter((n) => n.severity === 'error' && n.source.kind === 'Service')
          .map((n) => `${n.source.namespace}/${n.source.name}`),
      );
      for (const lb of r.loadBalancers) {
        if (lb.source.kind === 'Service')
          expect(failed.has(`${lb.source.namespace}/${lb.source.name}`)).toBe(false);
      }
      // Held instead, unless there is nothing to serve.
      const noPorts = new Set(
        r.notices.filter((n) => n.code === 'NoPorts').map((n) => `${n.source.namespace}/${n.source.name}`),
      );
      const held = r.held
        .filter((h) => h.key.includes('/Service/'))
        .map((h) => h.key.split('/').slice(2).join('/'));
      expect(held.sort()).toEqual([...failed].filter((k) => !noPorts.has(k)).sort());
    });
  }
});
