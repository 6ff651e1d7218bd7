import { describe, expect, it } from 'vitest';
import { condition } from '#core/status/conditions.js';
import { mergeConditions, mergeRouteParents } from '#core/status/merge.js';

const ME = 'portico.dev/gateway-controller';
const accepted = condition('Accepted', true, 'Accepted', 'Route is accepted');
const refused = condition('Accepted', false, 'NotAllowedByListeners', 'no');

describe('status: mergeConditions', () => {
  it('keeps lastTransitionTime while the status holds and stamps it when the status changes', () => {
    // Prepare
    const existing = [
      { ...accepted, lastTransitionTime: 'T1' },
      { ...condition('ResolvedRefs', true, 'ResolvedRefs', 'ok'), lastTransitionTime: 'T1' },
    ];
    // Act
    const merged = mergeConditions(
      existing,
      [accepted, condition('ResolvedRefs', false, 'BackendNotFound', 'gone')],
      'T2',
    );
    // Assess
    expect(merged.map((c) => c.lastTransitionTime)).toEqual(['T1', 'T2']);
  });
});

describe('status: mergeRouteParents', () => {
  it("never touches other controllers' entries", () => {
    const other = {
      parentRef: { name: 'gw' },
      controllerName: 'example.com/other',
      conditions: [{ ...refused, lastTransitionTime: 'T0' }],
    };
    const merged = mergeRouteParents({
      existing: [other],
      ours: [{ parentRef: { name: 'gw' }, controllerName: ME, conditions: [accepted] }],
      specParentRefs: [{ name: 'gw' }],
      controllerName: ME,
      now: 'T2',
    });
    expect(merged[0]).toBe(other);
    expect(merged).toHaveLength(2);
  });

  it('keeps our entries for Gateways this translation did not cover, and drops those no longer in the spec', () => {
    const merged = mergeRouteParents({
      existing: [
        {
          parentRef: { name: 'a' },
          controllerName: ME,
          conditions: [{ ...accepted, lastTransitionTime: 'T0' }],
        },
        {
          parentRef: { name: 'b' },
          controllerName: ME,
          conditions: [{ ...accepted, lastTransitionTime: 'T0' }],
        },
        {
          parentRef: { name: 'removed' },
          controllerName: ME,
          conditions: [{ ...accepted, lastTransitionTime: 'T0' }],
        },
      ],
      ours: [{ parentRef: { name: 'a' }, controllerName: ME, conditions: [refused] }],
      specParentRefs: [{ name: 'a' }, { name: 'b' }],
      controllerName: ME,
      now: 'T2',
    });
    expect(
      merged.map((p) => [p.parentRef.name, p.conditions[0]?.status, p.conditions[0]?.lastTransitionTime]),
    ).toEqual([
      ['b', 'True', 'T0'],
      ['a', 'False', 'T2'],
    ]);
  });

  it('treats parentRefs with and without defaulted group/kind as the same parent', () => {
    const merged = mergeRouteParents({
      existing: [
        {
          parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'a' },
          controllerName: ME,
          conditions: [{ ...accepted, lastTransitionTime: 'T0' }],
        },
      ],
      ours: [{ parentRef: { name: 'a' }, controllerName: ME, conditions: [accepted] }],
      specParentRefs: [{ name: 'a' }],
      controllerName: ME,
      now: 'T2',
    });
    expect(merged).toHaveLength(1);
    expect(merged[0]?.conditions[0]?.lastTransitionTime).toBe('T0');
  });
});
