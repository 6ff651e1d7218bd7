import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route } from '#core/ir/load-balancer.js';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { compareRoutePrecedence, type RankedRoute } from '#core/translate/precedence.js';
import { translate } from '#core/translate/translate.js';
import { cluster } from './arbitraries.js';

const RUNS = 300;

describe('property: translate', () => {
  it('does not depend on the order of its input objects', () => {
    fc.assert(
      fc.property(
        cluster.chain((c) =>
          fc
            .shuffledSubarray(c.objects, { minLength: c.objects.length })
            .map((shuffled) => ({ c, shuffled })),
        ),
        ({ c, shuffled }) => {
          expect(translate(shuffled)).toEqual(translate(c.objects));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('produces IR that passes validation', () => {
    fc.assert(
      fc.property(cluster, (c) => {
        for (const lb of translate(c.objects).loadBalancers) expect(validateLoadBalancer(lb)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('accounts for every rule of every route: in the IR, or in a status condition or notice', () => {
    fc.assert(
      fc.property(cluster, (c) => {
        const result = translate(c.objects);
        const inIr = new Set<string>();
        for (const lb of result.loadBalancers) {
          for (const l of lb.listeners)
            for (const r of l.routes) inIr.add(`${r.source.namespace}/${r.source.name}/${r.source.rule}`);
        }
        for (const route of c.routes) {
          const status = result.statuses.find(
            (s) => s.kind === 'HTTPRoute' && s.namespace === route.namespace && s.name === route.name,
          );
          const parents = status && 'parents' in status.status ? status.status.parents : [];
          const refused =
            parents.length > 0 &&
            parents.every((p) => p.conditions.some((x) => x.type === 'Accepted' && x.status === 'False'));
          route.rules.forEach((_, i) => {
            const key = `${route.namespace}/${route.name}/${i}`;
            const noticed = result.notices.some(
              (n) =>
                n.source.namespace === route.namespace && n.source.name === route.name && n.source.rule === i,
            );
            const rejectedObject = result.notices.some(
              (n) =>
                n.code === 'InvalidObject' &&
                n.source.name === route.name &&
                n.source.namespace === route.namespace,
            );
            // A route none of whose parents is Portico's (or that attaches nowhere) is reported on its parents.
            const accounted = inIr.has(key) || noticed || refused || rejectedObject;
            if (!accounted) throw new Error(`rule ${key} is neither programmed nor reported`);
          });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

const rankedRoute: fc.Arbitrary<RankedRoute> = fc
  .record({
    hostname: fc.constantFrom(undefined, 'a.example.com', 'b.example.com', '*.example.com', '*.com'),
    pathType: fc.constantFrom('Exact', 'Prefix', 'RegularExpression', undefined),
    pathValue: fc.constantFrom('/', '/a', '/a/', '/ab', '/a/b'),
    method: fc.constantFrom(undefined, 'GET'),
    headers: fc.nat({ max: 2 }),
    queries: fc.nat({ max: 2 }),
    createdAt: fc.constantFrom(undefined, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
    objectKey: fc.constantFrom('ns/a', 'ns/b'),
    rule: fc.nat({ max: 2 }),
    match: fc.nat({ max: 2 }),
    salt: fc.nat({ max: 3 }),
  })
  .map((x) => {
    const route: Route = {
      id: `${x.objectKey}/${x.rule}/${x.match}/${x.hostname ?? '-'}/${x.salt}`,
      source: { kind: 'HTTPRoute', name: x.objectKey },
      ...(x.hostname ? { hostname: x.hostname } : {}),
      wildcard: 'any-depth',
      match: {
        ...(x.pathType ? { path: { type: x.pathType, value: x.pathValue } } : {}),
        headers: Array.from({ length: x.headers }, (_, i) => ({
          name: `h${i}`,
          type: 'Exact' as const,
          value: 'v',
        })),
        queryParams: Array.from({ length: x.queries }, (_, i) => ({
          name: `q${i}`,
          type: 'Exact' as const,
          value: 'v',
        })),
        ...(x.method ? { method: x.method } : {}),
      },
      filters: [],
      action: { type: 'fixed-response', statusCode: 200, reason: 'test' },
    };
    return {
      route,
      ...(x.createdAt ? { createdAt: x.createdAt } : {}),
      objectKey: x.objectKey,
      rule: x.rule,
      match: x.match,
    };
  });

describe('property: route precedence', () => {
  it('is antisymmetric, and only equal for the same route id', () => {
    fc.assert(
      fc.property(rankedRoute, rankedRoute, (a, b) => {
        const ab = Math.sign(compareRoutePrecedence(a, b));
        const ba = Math.sign(compareRoutePrecedence(b, a));
        // a sum, not toBe(-ba): two equal routes give 0 and -0, which Object.is tells apart
        expect(ab + ba).toBe(0);
        if (a.route.id !== b.route.id) expect(ab).not.toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(rankedRoute, rankedRoute, rankedRoute, (a, b, c) => {
        if (compareRoutePrecedence(a, b) < 0 && compareRoutePrecedence(b, c) < 0) {
          expect(compareRoutePrecedence(a, c)).toBeLessThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
