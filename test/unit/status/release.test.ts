import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lbKey } from '#core/ir/lb-key.js';
import { condition, PORTICO_CONDITION_TYPES } from '#core/status/conditions.js';
import { mergeConditions, withoutPorticoConditions } from '#core/status/merge.js';
import { releaseOf } from '#core/status/release.js';
import type { ObjectStatus } from '#core/status/types.js';
import { planReleasePatch } from '#kube/status-patch.js';

const ME = 'portico.dev/gateway-controller';
const KEY = lbKey('c1', 'Gateway', 'infra', 'web');
const POLICY = {
  ...condition('example.com/PolicyAttached', true, 'Attached', 'policy'),
  lastTransitionTime: 'T0',
};
const at = (type: string, generation: number) => ({
  ...condition(type, true, type, 'm', generation),
  lastTransitionTime: 'T0',
});

describe('status: condition types', () => {
  it('PORTICO_CONDITION_TYPES holds every condition type the translate goldens write', () => {
    const dir = new URL('../../golden/translate/', import.meta.url);
    const types = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (Array.isArray(o.conditions))
          for (const c of o.conditions) types.add((c as { type: string }).type);
        Object.values(o).forEach(walk);
      }
    };
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.out.yaml'))) {
      walk(parse(readFileSync(new URL(f, dir), 'utf8')).statuses);
    }
    expect(types.size).toBeGreaterThan(2);
    for (const t of types) expect(PORTICO_CONDITION_TYPES.has(t), t).toBe(true);
  });

  it("mergeConditions keeps another writer's type where it is, and drops a type of Portico's it no longer says", () => {
    const merged = mergeConditions(
      [at('Accepted', 1), POLICY, at('Conflicted', 1)],
      [condition('Accepted', true, 'Accepted', 'm', 2), condition('Programmed', true, 'Programmed', 'm', 2)],
      'T1',
    );
    expect(merged.map((c) => c.type)).toEqual(['Accepted', 'example.com/PolicyAttached', 'Programmed']);
    expect(merged[1]).toBe(POLICY);
  });

  it('withoutPorticoConditions removes Portico-typed conditions up to the released generation only', () => {
    const left = withoutPorticoConditions([at('Accepted', 2), POLICY, at('Programmed', 3)], 2);
    expect(left.map((c) => c.type)).toEqual(['example.com/PolicyAttached', 'Programmed']);
  });
});

describe('status: releaseOf', () => {
  const gatewayStatus: ObjectStatus = {
    kind: 'Gateway',
    namespace: 'infra',
    name: 'web',
    generation: 4,
    loadBalancers: [KEY],
    status: { conditions: [], listeners: [] },
  };
  it("withdraws a Gateway's status only under its own load balancer, up to its generation", () => {
    expect(releaseOf(gatewayStatus, KEY)).toEqual({
      kind: 'Gateway',
      namespace: 'infra',
      name: 'web',
      generation: 4,
    });
    expect(releaseOf(gatewayStatus, lbKey('c1', 'Gateway', 'infra', 'other'))).toBeUndefined();
  });
  it("withdraws a route's Portico entries for the key's Gateway", () => {
    const route: ObjectStatus = {
      kind: 'HTTPRoute',
      namespace: 'apps',
      name: 'r',
      loadBalancers: [KEY],
      status: { parents: [] },
    };
    expect(releaseOf(route, KEY)).toMatchObject({ parent: { namespace: 'infra', name: 'web' } });
  });
  it('never withdraws a status every load balancer writes (GatewayClass) under one key', () => {
    const gc: ObjectStatus = {
      kind: 'GatewayClass',
      name: 'portico',
      loadBalancers: [],
      status: { conditions: [] },
    };
    expect(releaseOf(gc, KEY)).toBeUndefined();
    expect(releaseOf(gc)).toEqual({ kind: 'GatewayClass', name: 'portico' });
  });
});

describe('status: planReleasePatch', () => {
  const gw = (status: unknown) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'web', namespace: 'infra', generation: 5 },
    status,
  });

  it('keeps what a new controller wrote at a newer generation, and the addresses it claims', () => {
    const patch = planReleasePatch(
      gw({
        addresses: [{ type: 'IPAddress', value: '10.0.0.9' }],
        conditions: [at('Accepted', 5), at('Programmed', 4), POLICY],
        listeners: [{ name: 'http', conditions: [at('Accepted', 4)] }],
      }),
      { kind: 'Gateway', namespace: 'infra', name: 'web', generation: 4 },
      { controllerName: ME },
    );
    expect(patch).toEqual({ conditions: [at('Accepted', 5), POLICY], listeners: [] });
  });

  it('answers undefined when nothing of Portico is there', () => {
    const release = { kind: 'Gateway' as const, namespace: 'infra', name: 'web', generation: 4 };
    expect(planReleasePatch(gw({ conditions: [POLICY] }), release, { controllerName: ME })).toBeUndefined();
  });

  it('removes only the load-balancer ingress entries Portico last wrote', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'infra' },
      status: { loadBalancer: { ingress: [{ hostname: 'ours.example' }, { ip: '10.1.1.1' }] } },
    };
    const release = {
      kind: 'Service' as const,
      namespace: 'infra',
      name: 'lb',
      ingress: [{ hostname: 'ours.example' }],
    };
    expect(planReleasePatch(svc, release, { controllerName: ME })).toEqual({
      loadBalancer: { ingress: [{ ip: '10.1.1.1' }] },
    });
    const onlyOurs = { ...svc, status: { loadBalancer: { ingress: [{ hostname: 'ours.example' }] } } };
    expect(planReleasePatch(onlyOurs, release, { controllerName: ME })).toEqual({
      loadBalancer: { ingress: null },
    });
  });
});
