import { describe, expect, it } from 'vitest';
import { ELBV2_LIMITS } from '#adapters/aws-elbv2/capabilities.js';
import { QuotaBudget } from '#adapters/aws-elbv2/internal/quotas.js';
import { loadBalancerName, targetGroupName } from '#adapters/aws-elbv2/naming.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import { withDefaults } from '#test/support/loose-ir.js';

describe('quotas', () => {
  it('reserves all or nothing', () => {
    const b = new QuotaBudget({ ...ELBV2_LIMITS, rulesPerLoadBalancer: 2, targetGroupsPerLoadBalancer: 1 });
    expect(b.take(1, ['a'])).toEqual({ ok: true });
    expect(b.take(1, ['b'])).toMatchObject({ ok: false, feature: 'load-balancer/target-groups' });
    expect(b.ruleCount).toBe(1);
    expect(b.take(1, ['a'])).toEqual({ ok: true });
    expect(b.take(1, [])).toMatchObject({ ok: false, feature: 'load-balancer/rules' });
  });

  it('refuses only the routes that need a target group past the limit', () => {
    const lb = withDefaults({
      listeners: [
        {
          port: 80,
          protocol: 'HTTP',
          routes: ['a', 'b', 'a'].map((p, i) => ({
            match: { path: { type: 'Exact', value: `/${i}` } },
            action: { type: 'forward', backends: [{ pool: `ns/${p}/80` }] },
          })),
        },
      ],
      pools: [{ id: 'ns/a/80' }, { id: 'ns/b/80' }],
    });
    const { resources, notices } = renderElbv2(lb, { limits: { targetGroupsPerLoadBalancer: 1 } });
    expect(resources.filter((r) => r.kind === 'rule')).toHaveLength(2);
    expect(notices.map((n) => [n.code, n.feature, n.route])).toEqual([
      ['LimitExceeded', 'load-balancer/target-groups', 'HTTPRoute/shop/r1/rule/0/match/0'],
    ]);
  });

  it('keeps room for a host catch-all so a kept route never falls through', () => {
    const lb = withDefaults({
      listeners: [
        {
          port: 80,
          protocol: 'HTTP',
          routes: [
            {
              hostname: 'a.example.com',
              match: { path: { type: 'Exact', value: '/a' } },
              action: { type: 'fixed-response', statusCode: 200, reason: 'a' },
            },
            {
              hostname: 'a.example.com',
              match: { path: { type: 'Exact', value: '/b' } },
              action: { type: 'fixed-response', statusCode: 200, reason: 'b' },
            },
            {
              match: { path: { type: 'Prefix', value: '/' } },
              action: { type: 'fixed-response', statusCode: 200, reason: 'c' },
            },
          ],
        },
      ],
    });
    const { resources, notices } = renderElbv2(lb, { limits: { rulesPerLoadBalancer: 2 } });
    const rules = resources
      .filter((r) => r.kind === 'rule')
      .map((r) => (r.value as { routes: string[] }).routes);
    expect(rules).toEqual([['HTTPRoute/shop/r0/rule/0/match/0/host/a.example.com'], []]);
    expect(notices.map((n) => n.route)).toEqual([
      'HTTPRoute/shop/r1/rule/0/match/0/host/a.example.com',
      'HTTPRoute/shop/r2/rule/0/match/0',
    ]);
  });

  it('names change with the fields that force a replacement', () => {
    const lb = withDefaults({ pools: [{ id: 'ns/svc/80' }] });
    const pool = lb.pools[0]!;
    const shape = {
      protocol: 'HTTP',
      protocolVersion: 'HTTP1',
      port: 80,
      targetType: 'ip',
      vpcId: 'vpc-1',
      ipAddressType: 'ipv4',
    } as const;
    const a = targetGroupName(lb, pool, shape);
    expect(targetGroupName(lb, pool, { ...shape, protocol: 'HTTPS' })).not.toBe(a);
    expect(targetGroupName(lb, pool, shape)).toBe(a);
    expect(loadBalancerName(lb, 'application')).not.toBe(loadBalancerName(lb, 'network'));
    expect(loadBalancerName({ ...lb, scheme: 'internal' }, 'application')).not.toBe(
      loadBalancerName(lb, 'application'),
    );
  });
});
