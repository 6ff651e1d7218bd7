import { describe, expect, it } from 'vitest';
import { elbv2DiffSpec, elbv2References } from '#adapters/aws-elbv2/diff-spec.js';
import type { Elbv2Kind } from '#adapters/aws-elbv2/model.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
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
type Rendered = (typeof rendered)[number];
/** The first rendered resource of a kind, its value typed by the kind. */
const find = <Kind extends Elbv2Kind>(kind: Kind) => {
  const found = rendered.find((r): r is Extract<Rendered, { kind: Kind }> => r.kind === kind);
  if (!found) throw new Error(`no ${kind} rendered`);
  return found;
};

describe('elbv2DiffSpec', () => {
  it('replaces a target group whose protocol changed, updates its health check in place', () => {
    const { kind, address, value: v } = find('target-group');
    expect(
      elbv2DiffSpec.compare({ kind, address, desired: v, observed: { ...v, protocol: 'HTTPS' } }),
    ).toMatchObject({
      equal: false,
      replace: true,
      replacePaths: ['protocol'],
    });
    expect(
      elbv2DiffSpec.compare({
        kind,
        address,
        desired: v,
        observed: { ...v, healthCheck: { ...v.healthCheck, path: '/x' } },
      }),
    ).toMatchObject({ equal: false, replace: false, paths: ['healthCheck.path'] });
  });

  it('compares targets as a set and rules by content, priority in place', () => {
    const targets = find('targets');
    const t = targets.value;
    expect(
      elbv2DiffSpec.compare({
        ...targets,
        desired: t,
        observed: { ...t, targets: [...t.targets].reverse() },
      }),
    ).toEqual({
      equal: true,
    });
    const rule = find('rule');
    const v = rule.value;
    expect(
      elbv2DiffSpec.compare({ ...rule, desired: v, observed: { ...v, routes: [], priority: 7 } }),
    ).toMatchObject({
      equal: false,
      replace: false,
      paths: ['priority'],
    });
    expect(
      elbv2DiffSpec.compare({
        ...rule,
        desired: v,
        observed: { ...v, conditions: [{ field: 'path-pattern', values: ['/b'] }] },
      }),
    ).toMatchObject({ replace: true });
  });

  it('ignores load balancer attributes Portico does not set', () => {
    const lb = find('load-balancer');
    const v = lb.value;
    expect(
      elbv2DiffSpec.compare({
        ...lb,
        desired: v,
        observed: { ...v, attributes: { ...v.attributes, 'access_logs.s3.enabled': 'false' } },
      }),
    ).toEqual({ equal: true });
    expect(
      elbv2DiffSpec.compare({ ...lb, desired: v, observed: { ...v, scheme: 'internal' } }),
    ).toMatchObject({
      replace: true,
    });
  });

  it('orders rules after their listener and target groups', () => {
    const rule = find('rule');
    const refs = elbv2References(rule);
    expect(refs[0]).toMatch(/^aws-elbv2\/listener\/k8s-shop-web-[a-z2-7]+\/80$/);
    expect(refs[1]).toMatch(/^aws-elbv2\/target-group\//);
    expect(rendered.flatMap((r) => (r.kind === 'targets' ? [r.value.targets.length] : []))).toEqual(
      expect.arrayContaining([2, 0]),
    );
  });
});

describe('elbv2PureHalf', () => {
  it('declares the union of ALB and NLB and renders with its options', async () => {
    const { elbv2PureHalf } = await import('#adapters/aws-elbv2/adapter.js');
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
