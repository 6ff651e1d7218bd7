// The status-check kinds the shipped scenarios do not use, evaluated against given statuses.

import { describe, expect, it } from 'vitest';
import type { StatusCheck } from './scenario-schema.js';
import { type CheckContext, planStatusCheck } from './status-checks.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';

const NS = 'gateway-conformance-infra';

function ctxWith(statuses: Record<string, Record<string, unknown>>, generation = 2): CheckContext {
  return {
    status: async (kind, ns, name) => statuses[`${kind}/${ns}/${name}`],
    generation: () => generation,
    initialGeneration: () => 1,
    objects: () => [],
    controllerName: 'portico.dev/gateway-controller',
  };
}

const check = (c: Record<string, unknown>): StatusCheck => ({ subtest: null, phase: 1, ...c }) as StatusCheck;
const cond = (type: string, status = 'True', reason = type, observedGeneration = 2) => ({
  type,
  status,
  reason,
  observedGeneration,
});

describe('status checks', () => {
  it('GatewayStatusListeners: exact count, supportedKinds, attachedRoutes, conditions', async () => {
    const listener = {
      name: 'http',
      supportedKinds: [{ kind: 'HTTPRoute' }],
      attachedRoutes: 0,
      conditions: [cond('ResolvedRefs', 'False', 'InvalidRouteKinds')],
    };
    const ctx = ctxWith({ [`Gateway/${NS}/gw`]: { listeners: [listener] } });
    const want = (over: Record<string, unknown>) =>
      planStatusCheck(
        check({
          check: 'GatewayStatusListeners',
          gateway: { namespace: NS, name: 'gw' },
          listeners: [
            {
              name: 'http',
              supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
              attachedRoutes: 0,
              conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }],
              ...over,
            },
          ],
        }),
        ctx,
        DEFAULT_TIMEOUTS,
      ).evaluate();
    expect(await want({})).toBeUndefined();
    expect(await want({ attachedRoutes: 1 })).toBe('listener "http": expected attachedRoutes 1, got 0');
    expect(await want({ supportedKinds: [] })).toContain('expected no supportedKinds');
  });

  it('HTTPRouteNoAcceptedParents: one parent Accepted=False passes, an accepted one does not', async () => {
    const plan = (parents: unknown[]) =>
      planStatusCheck(
        check({ check: 'HTTPRouteNoAcceptedParents', route: { namespace: NS, name: 'r' } }),
        ctxWith({ [`HTTPRoute/${NS}/r`]: { parents } }),
        DEFAULT_TIMEOUTS,
      ).evaluate();
    expect(
      await plan([{ conditions: [cond('Accepted', 'False', 'NotAllowedByListeners')] }]),
    ).toBeUndefined();
    expect(await plan([{ conditions: [cond('Accepted')] }])).toContain('condition Accepted=False not found');
    expect(await plan([])).toBe('status.parents is empty but must stay so for 1s');
  });

  it('GatewayZeroRoutes, GatewayLatestConditions, GenerationChanged and unknown kinds', async () => {
    const ctx = ctxWith({
      [`Gateway/${NS}/gw`]: {
        listeners: [{ name: 'a', attachedRoutes: 0 }],
        conditions: [cond('Accepted'), cond('Programmed', 'True', 'Programmed', 1)],
      },
    });
    const run = (c: Record<string, unknown>) =>
      planStatusCheck(
        check({ gateway: { namespace: NS, name: 'gw' }, ...c }),
        ctx,
        DEFAULT_TIMEOUTS,
      ).evaluate();
    expect(await run({ check: 'GatewayZeroRoutes' })).toBeUndefined();
    expect(await run({ check: 'GatewayLatestConditions' })).toBe(
      'conditions not at generation 2: Programmed observedGeneration=1',
    );
    expect(await run({ check: 'GenerationChanged' })).toBeUndefined();
    expect(() => planStatusCheck(check({ check: 'Nope' }), ctx, DEFAULT_TIMEOUTS)).toThrow(
      'unsupported status check kind "Nope"',
    );
  });
});
