// Every status-check kind, evaluated once against statuses the test sets (pass and fail for each).

import { describe, expect, it } from 'vitest';
import type { StatusCheck } from './scenario-schema.js';
import { type CheckContext, FatalCheckError, planStatusCheck } from './status-checks.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';

const NS = 'gateway-conformance-infra';

function ctxWith(
  statuses: Record<string, Record<string, unknown>>,
  generation = 2,
  generationBeforeActions = 1,
): CheckContext {
  return {
    status: async (kind, ns, name) => statuses[`${kind}/${ns}/${name}`],
    generation: () => generation,
    initialGeneration: () => generationBeforeActions,
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

  /** Plans `c` against these statuses and evaluates it once. */
  const evaluate = (c: Record<string, unknown>, statuses: Record<string, Record<string, unknown>>) =>
    planStatusCheck(check(c), ctxWith(statuses), DEFAULT_TIMEOUTS).evaluate();

  it('GatewayCondition: the condition present and every Gateway condition at the latest generation', async () => {
    const c = {
      check: 'GatewayCondition',
      gateway: { namespace: NS, name: 'gw' },
      condition: { type: 'Programmed', status: 'False', reason: null },
    };
    const gw = (...conditions: unknown[]) => ({ [`Gateway/${NS}/gw`]: { conditions } });
    expect(await evaluate(c, gw(cond('Accepted'), cond('Programmed', 'False', 'Invalid')))).toBeUndefined();
    expect(await evaluate(c, gw(cond('Accepted'), cond('Programmed')))).toContain(
      'condition Programmed=False not found',
    );
    expect(
      await evaluate(c, gw(cond('Accepted', 'True', 'Accepted', 1), cond('Programmed', 'False', 'Invalid'))),
    ).toBe('conditions not at generation 2: Accepted observedGeneration=1');
    expect(await evaluate(c, {})).toContain('condition Programmed=False not found; conditions: []');
  });

  it('GatewayListenerConditions: the named listener carries every listed condition', async () => {
    const c = {
      check: 'GatewayListenerConditions',
      gateway: { namespace: NS, name: 'gw' },
      listener: 'https',
      conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }],
    };
    const listeners = (conditions: unknown[]) => ({
      [`Gateway/${NS}/gw`]: {
        listeners: [
          { name: 'http', conditions: [cond('Accepted', 'False', 'Whatever', 7)] },
          { name: 'https', conditions },
        ],
      },
    });
    // Other listeners and observedGeneration are not checked.
    expect(
      await evaluate(c, listeners([cond('ResolvedRefs', 'False', 'RefNotPermitted', 1)])),
    ).toBeUndefined();
    expect(await evaluate(c, listeners([cond('ResolvedRefs', 'False', 'InvalidCertificateRef')]))).toContain(
      'listener "https": condition ResolvedRefs=False (reason RefNotPermitted) not found',
    );
    expect(await evaluate({ ...c, listener: 'tls' }, listeners([]))).toBe(
      'listener "tls" missing from status (got http, https)',
    );
  });

  it('GatewayClassAccepted: Accepted with that status (null = any), every condition at the latest generation', async () => {
    const c = { check: 'GatewayClassAccepted', gatewayClass: { name: 'other' }, status: 'False' };
    const gwc = (...conditions: unknown[]) => ({ 'GatewayClass//other': { conditions } });
    expect(await evaluate(c, gwc(cond('Accepted', 'False', 'InvalidParameters')))).toBeUndefined();
    expect(await evaluate(c, gwc(cond('Accepted')))).toBe('Accepted is True, want False');
    expect(await evaluate({ ...c, status: null }, gwc(cond('Accepted')))).toBeUndefined();
    expect(await evaluate(c, gwc(cond('SupportedVersion')))).toBe('no Accepted condition');
    expect(await evaluate(c, gwc(cond('Accepted', 'False', 'InvalidParameters', 1)))).toBe(
      'conditions not at generation 2: Accepted observedGeneration=1',
    );
    expect(() =>
      planStatusCheck(check({ check: 'GatewayClassAccepted' }), ctxWith({}), DEFAULT_TIMEOUTS),
    ).toThrow('status check GatewayClassAccepted: missing gatewayClass.name');
  });

  it('GatewayClassLatestConditions: every condition at the latest generation, vacuously with none', async () => {
    const c = { check: 'GatewayClassLatestConditions', gatewayClass: { name: 'other' } };
    expect(await evaluate(c, { 'GatewayClass//other': { conditions: [cond('Accepted')] } })).toBeUndefined();
    expect(await evaluate(c, {})).toBeUndefined();
    expect(
      await evaluate(c, {
        'GatewayClass//other': { conditions: [cond('Accepted'), cond('SupportedVersion', 'True', 'x', 1)] },
      }),
    ).toBe('conditions not at generation 2: SupportedVersion observedGeneration=1');
  });

  it('HTTPRouteLatestConditions: every parent condition at the latest generation, for any route kind', async () => {
    const c = { check: 'HTTPRouteLatestConditions', route: { namespace: NS, name: 'r', kind: 'TLSRoute' } };
    const parents = (...conditions: unknown[]) => ({
      [`TLSRoute/${NS}/r`]: {
        parents: [
          { parentRef: { name: 'a' }, conditions: [cond('Accepted')] },
          { parentRef: { name: 'b' }, conditions },
        ],
      },
    });
    expect(await evaluate(c, parents(cond('Accepted', 'False', 'NotAllowedByListeners')))).toBeUndefined();
    expect(await evaluate(c, {})).toBeUndefined();
    expect(await evaluate(c, parents(cond('ResolvedRefs', 'True', 'ResolvedRefs', 1)))).toBe(
      'parent "b": conditions not at generation 2: ResolvedRefs observedGeneration=1',
    );
    // Without route.kind the check reads the HTTPRoute, which has no such stale parent.
    expect(
      await evaluate(
        { ...c, route: { namespace: NS, name: 'r' } },
        parents(cond('Accepted', 'True', 'x', 1)),
      ),
    ).toBeUndefined();
  });

  it('GenerationChanged names a gateway, a gatewayClass, a route or a policy', async () => {
    const seen: string[] = [];
    const ctx = (now: number, before: number): CheckContext => ({
      ...ctxWith({}),
      generation: (kind, ns, name) => {
        seen.push(`${kind}/${ns}/${name}`);
        return now;
      },
      initialGeneration: () => before,
    });
    const targets = [
      { gateway: { namespace: NS, name: 'gw' } },
      { gatewayClass: { name: 'other' } },
      { route: { namespace: NS, name: 'r', kind: 'TCPRoute' } },
      {
        policy: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'BackendTLSPolicy',
          namespace: NS,
          name: 'p',
        },
      },
    ];
    for (const t of targets) {
      const plan = (now: number, before: number) =>
        planStatusCheck(check({ check: 'GenerationChanged', ...t }), ctx(now, before), DEFAULT_TIMEOUTS);
      expect(await plan(3, 2).evaluate()).toBeUndefined();
      expect(await plan(2, 2).evaluate()).toBe('metadata.generation did not change (was 2, now 2)');
    }
    expect([...new Set(seen)]).toEqual([
      `Gateway/${NS}/gw`,
      'GatewayClass//other',
      `TCPRoute/${NS}/r`,
      `BackendTLSPolicy/${NS}/p`,
    ]);
  });

  it('GatewayAttachedListenerSets: the count (absent = 0) and the Gateway conditions at the latest generation', async () => {
    const c = { check: 'GatewayAttachedListenerSets', gateway: { namespace: NS, name: 'gw' }, count: 2 };
    const gw = (st: Record<string, unknown>) => ({ [`Gateway/${NS}/gw`]: st });
    expect(
      await evaluate(c, gw({ attachedListenerSets: 2, conditions: [cond('Accepted')] })),
    ).toBeUndefined();
    expect(await evaluate(c, gw({ attachedListenerSets: 1 }))).toBe(
      'status.attachedListenerSets is 1, want 2',
    );
    expect(await evaluate({ ...c, count: 0 }, gw({ conditions: [cond('Accepted')] }))).toBeUndefined();
    expect(
      await evaluate(c, gw({ attachedListenerSets: 2, conditions: [cond('Accepted', 'True', 'A', 1)] })),
    ).toBe('conditions not at generation 2: Accepted observedGeneration=1');
  });

  describe('ListenerSet checks', () => {
    const listenerSet = { namespace: NS, name: 'ls' };
    const ls = (st: Record<string, unknown>) => ({ [`ListenerSet/${NS}/ls`]: st });
    const programmedListener = (name: string, observedGeneration = 2) => ({
      name,
      supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
      attachedRoutes: 1,
      conditions: [cond('Programmed', 'True', 'Programmed', observedGeneration)],
    });

    it('ListenerSetCondition: present (reason null = any) and every condition at the latest generation', async () => {
      const c = {
        check: 'ListenerSetCondition',
        listenerSet,
        condition: { type: 'Accepted', status: 'False', reason: null },
      };
      expect(
        await evaluate(c, ls({ conditions: [cond('Accepted', 'False', 'NotAllowed')] })),
      ).toBeUndefined();
      expect(await evaluate(c, ls({ conditions: [cond('Accepted')] }))).toContain(
        'condition Accepted=False not found',
      );
      expect(
        await evaluate(
          c,
          ls({ conditions: [cond('Accepted', 'False', 'NotAllowed'), cond('Programmed', 'False', 'x', 1)] }),
        ),
      ).toBe('conditions not at generation 2: Programmed observedGeneration=1');
    });

    it('ListenerSetListenersConditions: named listeners, or every listener when listeners is null', async () => {
      const c = {
        check: 'ListenerSetListenersConditions',
        listenerSet,
        listeners: ['a'],
        conditions: [{ type: 'Programmed', status: 'True', reason: null }],
      };
      const st = ls({
        conditions: [cond('Accepted')],
        // Listener conditions' own observedGeneration is not compared.
        listeners: [programmedListener('a', 1), { name: 'b', conditions: [] }],
      });
      expect(await evaluate(c, st)).toBeUndefined();
      expect(await evaluate({ ...c, listeners: ['b'] }, st)).toContain(
        'listener "b": condition Programmed=True not found',
      );
      expect(await evaluate({ ...c, listeners: null }, st)).toContain('listener "b"');
      expect(await evaluate({ ...c, listeners: null }, ls({ conditions: [] }))).toBeUndefined();
      expect(
        await evaluate(
          c,
          ls({ conditions: [cond('Accepted', 'True', 'A', 1)], listeners: [programmedListener('a')] }),
        ),
      ).toBe('conditions not at generation 2: Accepted observedGeneration=1');
    });

    it('ListenerSetStatusListeners: exact count, kinds, attachedRoutes, conditions, latest generation', async () => {
      const want = (over: Record<string, unknown> = {}) => ({
        check: 'ListenerSetStatusListeners',
        listenerSet,
        listeners: [
          {
            name: 'a',
            supportedKinds: [{ kind: 'HTTPRoute' }],
            attachedRoutes: 1,
            conditions: [{ type: 'Programmed', status: 'True', reason: null }],
            ...over,
          },
        ],
      });
      const st = ls({ conditions: [cond('Accepted')], listeners: [programmedListener('a')] });
      expect(await evaluate(want(), st)).toBeUndefined();
      expect(await evaluate(want({ attachedRoutes: 0 }), st)).toBe(
        'listener "a": expected attachedRoutes 0, got 1',
      );
      expect(await evaluate(want({ supportedKindsMustBeEmpty: true }), st)).toContain(
        'listener "a": expected no supportedKinds',
      );
      expect(
        await evaluate(
          want(),
          ls({
            conditions: [cond('Accepted')],
            listeners: [programmedListener('a'), programmedListener('b')],
          }),
        ),
      ).toBe('expected 1 listeners in status, got 2');
      expect(
        await evaluate(
          want(),
          ls({ conditions: [cond('Accepted', 'True', 'A', 1)], listeners: [programmedListener('a')] }),
        ),
      ).toBe('conditions not at generation 2: Accepted observedGeneration=1');
    });
  });

  describe('policy checks', () => {
    const policy = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      namespace: NS,
      name: 'p',
    };
    const pol = (...ancestors: unknown[]) => ({ [`BackendTLSPolicy/${NS}/p`]: { ancestors } });
    const ancestor = (name: string, namespace: string | undefined, ...conditions: unknown[]) => ({
      ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name, namespace },
      controllerName: 'portico.dev/gateway-controller',
      conditions,
    });

    it('PolicyAncestorCondition: the first entry for that ancestor with the condition; stale entries mean not yet', async () => {
      const c = {
        check: 'PolicyAncestorCondition',
        policy,
        ancestor: { namespace: NS, name: 'gw' },
        condition: { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' },
      };
      const invalid = cond('Accepted', 'False', 'NoValidCACertificate');
      expect(
        await evaluate(c, pol(ancestor('other', NS, cond('Accepted')), ancestor('gw', NS, invalid))),
      ).toBeUndefined();
      // An absent ancestorRef.namespace matches.
      expect(await evaluate(c, pol(ancestor('gw', undefined, invalid)))).toBeUndefined();
      expect(await evaluate(c, pol(ancestor('gw', 'elsewhere', invalid)))).toContain(
        `no status.ancestors entry for ${NS}/gw carries Accepted=False (reason NoValidCACertificate)`,
      );
      expect(await evaluate(c, pol(ancestor('gw', NS, cond('Accepted'))))).toContain(
        'no status.ancestors entry',
      );
      expect(
        await evaluate(
          c,
          pol(ancestor('other', NS, cond('Accepted', 'True', 'A', 1)), ancestor('gw', NS, invalid)),
        ),
      ).toBe('an ancestor entry is not at the latest observedGeneration yet');
    });

    it('PolicyAncestorCondition: a failed read of the policy fails at once', async () => {
      const ctx: CheckContext = {
        ...ctxWith({}),
        status: async () => {
          throw new Error('forbidden');
        },
      };
      const plan = planStatusCheck(
        check({
          check: 'PolicyAncestorCondition',
          policy,
          ancestor: { namespace: NS, name: 'gw' },
          condition: { type: 'Accepted', status: 'True', reason: null },
        }),
        ctx,
        DEFAULT_TIMEOUTS,
      );
      await expect(plan.evaluate()).rejects.toThrow(FatalCheckError);
      await expect(plan.evaluate()).rejects.toThrow(
        `reading BackendTLSPolicy ${NS}/p failed: Error: forbidden`,
      );
    });

    it('PolicyLatestConditions: every ancestor condition at the latest generation, read once with poll: false', async () => {
      const c = { check: 'PolicyLatestConditions', policy, poll: false };
      expect(
        await evaluate(c, pol(ancestor('gw', NS, cond('Accepted'), cond('ResolvedRefs')))),
      ).toBeUndefined();
      expect(await evaluate(c, pol())).toBeUndefined();
      expect(
        await evaluate(c, pol(ancestor('gw', NS, cond('Accepted'), cond('ResolvedRefs', 'True', 'R', 1)))),
      ).toBe('ancestor "gw": conditions not at generation 2: ResolvedRefs observedGeneration=1');
      expect(planStatusCheck(check(c), ctxWith({}), DEFAULT_TIMEOUTS).timeoutMs).toBe(0);
      expect(planStatusCheck(check({ ...c, poll: undefined }), ctxWith({}), DEFAULT_TIMEOUTS).timeoutMs).toBe(
        DEFAULT_TIMEOUTS.latestObservedGenerationSet,
      );
    });
  });

  describe('Ingress checks', () => {
    const ingress = { namespace: 'ingress-conformance-x', name: 'ing' };
    const ing = (...entries: unknown[]) => ({
      'Ingress/ingress-conformance-x/ing': { loadBalancer: { ingress: entries } },
    });

    it('IngressHasAddress: an entry with a non-empty ip or hostname', async () => {
      const c = { check: 'IngressHasAddress', ingress };
      expect(await evaluate(c, ing({ ip: '127.0.0.1' }))).toBeUndefined();
      expect(await evaluate(c, ing({ ip: '' }, { hostname: 'lb.example' }))).toBeUndefined();
      expect(await evaluate(c, ing({ ip: '', hostname: '' }))).toBe(
        'status.loadBalancer.ingress has no entry with an ip or hostname',
      );
      expect(await evaluate(c, {})).toBe('status.loadBalancer.ingress has no entry with an ip or hostname');
    });

    it('IngressIgnored: holds only at the end of the wait, fails at once when an address appears', async () => {
      const timeouts = { ...DEFAULT_TIMEOUTS, waitForIngressStatus: 300 };
      const statuses: Record<string, Record<string, unknown>> = ing();
      const plan = planStatusCheck(check({ check: 'IngressIgnored', ingress }), ctxWith(statuses), timeouts);
      expect(plan.timeoutMs).toBe(300);
      expect(plan.pollIntervalMs).toBe(30);
      expect(await plan.evaluate()).toBe(
        'still watching: the Ingress must get no address during the whole wait',
      );
      await new Promise((r) => setTimeout(r, 320));
      expect(await plan.evaluate()).toBeUndefined();
      Object.assign(statuses, ing({ hostname: 'lb.example' }));
      await expect(plan.evaluate()).rejects.toThrow(
        new FatalCheckError('the Ingress got an address (lb.example) although no controller of ours owns it'),
      );
    });
  });
});
