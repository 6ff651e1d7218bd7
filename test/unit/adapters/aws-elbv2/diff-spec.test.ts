import { describe, expect, it } from 'vitest';
import { elbv2DiffSpec, elbv2References } from '#adapters/aws-elbv2/diff-spec.js';
import type { Elbv2Value, RuleValue, TargetGroupValue } from '#adapters/aws-elbv2/model.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import type { DesiredResource } from '#core/plan/types.js';
import { withDefaults } from '#test/support/loose-ir.js';

const rendered = renderElbv2(
  withDefaults({
    listeners: [
      {
        port: 80,
        protocol: 'HTTP',
        routes: [
          {
            match: { path: { type: 'Prefix', value: '/a' } },
            action: { type: 'forward', backends: [{ pool: 'ns/a/80' }] },
          },
          {
            match: { path: { type: 'Prefix', value: '/' } },
            action: { type: 'forward', backends: [{ pool: 'ns/b/80' }] },
          },
        ],
      },
    ],
    pools: [
      { id: 'ns/a/80', endpoints: [{ address: '10.0.0.2' }, { address: '10.0.0.1' }] },
      { id: 'ns/b/80', endpoints: [] },
    ],
  }),
).resources;
const find = (kind: string) => rendered.find((r) => r.kind === kind) as DesiredResource<Elbv2Value>;
const observed = <V extends Elbv2Value>(r: DesiredResource<Elbv2Value>, value: V) => ({
  ...r,
  value,
  owned: true,
});

describe('elbv2DiffSpec', () => {
  it('replaces a target group whose protocol changed, updates its health check in place', () => {
    const tg = find('target-group');
    const v = tg.value as TargetGroupValue;
    expect(elbv2DiffSpec.compare(tg, observed(tg, { ...v, protocol: 'HTTPS' }))).toMatchObject({
      equal: false,
      replace: true,
      replacePaths: ['protocol'],
    });
    expect(
      elbv2DiffSpec.compare(tg, observed(tg, { ...v, healthCheck: { ...v.healthCheck, path: '/x' } })),
    ).toMatchObject({ equal: false, replace: false, paths: ['healthCheck.path'] });
  });

  it('compares targets as a set and rules by content, priority in place', () => {
    const targets = find('targets');
    const t = targets.value as { targetGroup: string; targets: { id: string; port: number }[] };
    expect(
      elbv2DiffSpec.compare(targets, observed(targets, { ...t, targets: [...t.targets].reverse() })),
    ).toEqual({
      equal: true,
    });
    const rule = find('rule');
    const v = rule.value as RuleValue;
    expect(elbv2DiffSpec.compare(rule, observed(rule, { ...v, routes: [], priority: 7 }))).toMatchObject({
      equal: false,
      replace: false,
      paths: ['priority'],
    });
    expect(
      elbv2DiffSpec.compare(
        rule,
        observed(rule, { ...v, conditions: [{ field: 'path-pattern', values: ['/b'] }] }),
      ),
    ).toMatchObject({ replace: true });
  });

  it('ignores load balancer attributes Portico does not set', () => {
    const lb = find('load-balancer');
    const v = lb.value as Extract<Elbv2Value, { type: 'application' | 'network' }>;
    expect(
      elbv2DiffSpec.compare(
        lb,
        observed(lb, { ...v, attributes: { ...v.attributes, 'access_logs.s3.enabled': 'false' } }),
      ),
    ).toEqual({ equal: true });
    expect(elbv2DiffSpec.compare(lb, observed(lb, { ...v, scheme: 'internal' }))).toMatchObject({
      replace: true,
    });
  });

  it('orders rules after their listener and target groups', () => {
    const rule = find('rule');
    const refs = elbv2References(rule);
    expect(refs[0]).toMatch(/^aws-elbv2\/listener\/k8s-shop-web-[a-z2-7]+\/80$/);
    expect(refs[1]).toMatch(/^aws-elbv2\/target-group\//);
    expect(
      rendered
        .filter((r) => r.kind === 'targets')
        .map((r) => (r.value as { targets: unknown[] }).targets.length),
    ).toEqual(expect.arrayContaining([2, 0]));
  });
});

describe('elbv2PureHalf', () => {
  it('declares the union of ALB and NLB and renders with its options', async () => {
    const { elbv2PureHalf } = await import('#adapters/aws-elbv2/pure-half.js');
    const half = elbv2PureHalf({ limits: { rulesPerLoadBalancer: 1 } });
    expect(half.name).toBe('aws-elbv2');
    expect(half.capabilities().listenerProtocols).toEqual(['HTTP', 'HTTPS', 'TCP', 'UDP', 'TLS']);
    const lb = withDefaults({
      listeners: [
        {
          port: 80,
          protocol: 'HTTP',
          routes: [0, 1].map((i) => ({
            match: { path: { type: 'Exact', value: `/${i}` } },
            action: { type: 'fixed-response', statusCode: 200, reason: 'ok' },
          })),
        },
      ],
    });
    expect(half.render(lb).notices.map((n) => n.code)).toEqual(['LimitExceeded']);
  });
});
