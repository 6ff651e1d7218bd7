import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionCost } from '#adapters/aws-elbv2/internal/conditions.js';
import type { Elbv2Kind } from '#adapters/aws-elbv2/model.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { ELBV2_NAME_MAX, ELBV2_NAME_PATTERN } from '#core/naming/index.js';
import { type LooseLb, type LooseRoute, withDefaults } from '#test/support/loose-ir.js';

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/);
const hostname = fc.option(
  fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'x.example.org'),
  {
    nil: undefined,
  },
);
const pathValue = fc.oneof(
  { arbitrary: fc.stringMatching(/^\/[a-z0-9/]{0,20}$/), weight: 9 },
  { arbitrary: fc.stringMatching(/^\/[a-z0-9/*?%]{0,20}$/), weight: 1 },
);
const path = fc.option(
  fc.record({ type: fc.constantFrom('Exact', 'Prefix', 'RegularExpression'), value: pathValue }),
  { nil: undefined },
);
const header = fc.record({
  name: fc.stringMatching(/^x-[a-z]{1,8}$/),
  type: fc.constantFrom('Exact', 'RegularExpression'),
  value: fc.stringMatching(/^[a-z0-9]{1,10}\*?$/),
});
const query = fc.record({
  name: fc.stringMatching(/^[a-z]{1,6}$/),
  type: fc.constant('Exact'),
  value: fc.stringMatching(/^[a-z0-9*?]{0,6}$/),
});

function arbLb(pools: string[]) {
  const backend = fc.record({
    pool: fc.option(fc.constantFrom(...pools), { nil: null }),
    weight: fc.integer({ min: 0, max: 100_000 }),
  });
  const action = fc.oneof(
    fc.record({ type: fc.constant('forward'), backends: fc.array(backend, { minLength: 0, maxLength: 7 }) }),
    fc.record({
      type: fc.constant('redirect'),
      scheme: fc.constantFrom('http', 'https'),
      statusCode: fc.constantFrom(301, 302, 308),
    }),
    fc.record({
      type: fc.constant('fixed-response'),
      statusCode: fc.constantFrom(200, 302, 404, 503),
      reason: fc.constant('x'),
    }),
  );
  const route = fc.record({
    hostname,
    match: fc.record({
      path,
      headers: fc.array(header, { maxLength: 2 }),
      queryParams: fc.array(query, { maxLength: 1 }),
      method: fc.option(fc.constantFrom('GET', 'POST'), { nil: undefined }),
    }),
    action,
  });
  const listener = fc.record({
    port: fc.constantFrom(80, 8080),
    protocol: fc.constant('HTTP'),
    routes: fc.array(route, { maxLength: 110, size: 'max' }),
  });
  return fc.record({
    source: fc.record({ kind: fc.constant('Gateway'), namespace: label, name: label }),
    listeners: fc.uniqueArray(listener, { maxLength: 2, selector: (l) => l.port }),
  });
}

describe('renderElbv2 properties', () => {
  it('names are valid, rules fit ALB quotas, and every route is rendered or noticed', () => {
    const pools = [
      'shop/a/80',
      'shop/a-very-long-service-name-that-goes-on-and-on/8080',
      'x/y/1',
      'x/z/2',
      'q/r/3',
      'q/s/4',
    ];
    let maxRules = 0;
    let overflowed = 0;
    fc.assert(
      fc.property(arbLb(pools), fc.constantFrom(100, 100, 30, 7), (raw, ruleLimit) => {
        const loose = {
          ...raw,
          listeners: raw.listeners.map((l) => ({
            ...l,
            routes: l.routes.map(
              (r, i) => ({ ...r, id: `HTTPRoute/shop/r${l.port}-${i}/rule/0/match/0` }) as LooseRoute,
            ),
          })),
          pools: pools.map((id) => ({ id, endpoints: [{ address: '10.0.0.1' }] })),
        } as LooseLb;
        const lb = withDefaults(loose);
        const { resources, notices } = renderElbv2(lb, { limits: { rulesPerLoadBalancer: ruleLimit } });
        type Rendered = (typeof resources)[number];
        const of = <Kind extends Elbv2Kind>(kind: Kind) =>
          resources.filter((r): r is Extract<Rendered, { kind: Kind }> => r.kind === kind);

        for (const r of [...of('load-balancer'), ...of('target-group')]) {
          expect(r.value.name.length).toBeLessThanOrEqual(ELBV2_NAME_MAX);
          expect(r.value.name).toMatch(ELBV2_NAME_PATTERN);
          expect(r.value.name.toLowerCase().startsWith('internal-')).toBe(false);
        }
        const tgNames = new Set(of('target-group').map((r) => r.value.name));
        expect(tgNames.size).toBeLessThanOrEqual(100);
        const rules = of('rule');
        maxRules = Math.max(maxRules, rules.length);
        if (notices.some((n) => n.feature === 'load-balancer/rules')) overflowed++;
        expect(rules.length).toBeLessThanOrEqual(ruleLimit);
        expect(new Set(resources.map((r) => r.address)).size).toBe(resources.length);
        for (const { value: rule } of rules) {
          const cost = conditionCost(rule.conditions);
          expect(cost.values).toBeLessThanOrEqual(5);
          expect(cost.maxPerCondition).toBeLessThanOrEqual(3);
          expect(cost.wildcards).toBeLessThanOrEqual(5);
          expect(rule.priority).toBeGreaterThanOrEqual(1);
          expect(rule.priority).toBeLessThanOrEqual(50_000);
          for (const a of rule.actions)
            if (a.type === 'forward') {
              expect(a.targetGroups.length).toBeLessThanOrEqual(5);
              for (const t of a.targetGroups) {
                expect(tgNames.has(t.name)).toBe(true);
                expect(t.weight).toBeGreaterThanOrEqual(0);
                expect(t.weight).toBeLessThanOrEqual(999);
              }
            }
        }
        for (const port of new Set(rules.map((r) => r.value.listenerPort))) {
          const ps = rules.filter((r) => r.value.listenerPort === port).map((r) => r.value.priority);
          expect(new Set(ps).size).toBe(ps.length);
        }
        const rendered = new Set(rules.flatMap((r) => r.value.routes));
        const noticed = new Set(notices.filter((n) => n.route !== undefined).map((n) => n.route));
        const noticedListeners = new Set(notices.filter((n) => n.route === undefined).map((n) => n.listener));
        for (const l of lb.listeners as ir.Listener[])
          for (const r of l.routes)
            expect(rendered.has(r.id) || noticed.has(r.id) || noticedListeners.has(l.id)).toBe(true);
      }),
      { numRuns: 150 },
    );
    // The generator does reach the quotas (a property that never overflows proves little).
    expect(maxRules).toBeGreaterThan(50);
    expect(overflowed).toBeGreaterThan(0);
  });
});
