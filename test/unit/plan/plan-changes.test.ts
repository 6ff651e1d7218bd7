import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DependencyCycleError, DuplicateAddressError, InvalidAddressError } from '#core/plan/errors.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { desired, forKey, observed, testSpec } from './support.js';

const actions = (p: ReturnType<typeof planChanges>) => p.changes.map((c) => `${c.action} ${c.address}`);

describe('plan: planChanges', () => {
  it('creates what is missing, keeps what matches, updates what differs', () => {
    // Prepare
    const want = [desired('t/c/new'), desired('t/c/same', { size: 1 }), desired('t/c/grow', { size: 2 })];
    const have = [observed('t/c/same', { size: 1 }), observed('t/c/grow', { size: 1 })];
    // Act
    const plan = planChanges(want, have, testSpec, forKey);
    // Assess
    expect(actions(plan)).toEqual(['update t/c/grow', 'create t/c/new', 'noop t/c/same']);
    const update = plan.changes[0]!;
    expect(update).toMatchObject({ id: 'id-t/c/grow', changedPaths: ['size'], reason: 'size changed' });
    expect(update.before).toEqual({ size: 1 });
    expect(update.after).toEqual({ size: 2 });
    expect(plan.changes[1]).not.toHaveProperty('before');
    expect(plan.conflicts).toEqual([]);
  });

  it('replaces create-first by default and delete-first where the kind says so', () => {
    const plan = planChanges(
      [desired('t/c/a', { mode: 'x' }), desired('t/d/b', { mode: 'x' })],
      [observed('t/c/a', { mode: 'y' }), observed('t/d/b', { mode: 'y' })],
      testSpec,
      forKey,
    );
    expect(plan.changes.map((c) => [c.address, c.action, c.replaceOrder, c.replacePaths])).toEqual([
      ['t/c/a', 'replace', 'create-first', ['mode']],
      ['t/d/b', 'replace', 'delete-first', ['mode']],
    ]);
  });

  it('deletes owned resources nobody wants, and never unowned ones', () => {
    const plan = planChanges(
      [],
      [observed('t/c/mine'), observed('t/c/theirs', {}, { owned: false })],
      testSpec,
      forKey,
    );
    expect(actions(plan)).toEqual(['delete t/c/mine']);
    expect(plan.changes[0]).toMatchObject({ id: 'id-t/c/mine', reason: 'no longer desired' });
    expect(plan.changes[0]).not.toHaveProperty('after');
  });

  it('reports a conflict, not a change, when the address is held by something unowned', () => {
    const plan = planChanges(
      [desired('t/c/a', { size: 1 })],
      [observed('t/c/a', { size: 9 }, { owned: false })],
      testSpec,
      forKey,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([
      {
        address: 't/c/a',
        kind: 'c',
        reason: 'the address is held by a resource Portico does not own; it is left untouched',
        id: 'id-t/c/a',
        desired: { size: 1 },
        observed: { size: 9 },
      },
    ]);
  });

  it('uses its own resource when an unowned one shares the address', () => {
    const plan = planChanges(
      [desired('t/c/a', { size: 1 })],
      [
        observed('t/c/a', { size: 9 }, { owned: false, id: 'x' }),
        observed('t/c/a', { size: 2 }, { id: 'y' }),
      ],
      testSpec,
      forKey,
    );
    expect(plan.changes.map((c) => [c.action, c.id])).toEqual([['update', 'y']]);
    expect(plan.conflicts).toEqual([]);
  });

  it('keeps the matching duplicate and deletes the others (an interrupted replace)', () => {
    const plan = planChanges(
      [desired('t/c/a', { mode: 'new' })],
      [observed('t/c/a', { mode: 'old' }, { id: 'i1' }), observed('t/c/a', { mode: 'new' }, { id: 'i2' })],
      testSpec,
      forKey,
    );
    expect(plan.changes.map((c) => [c.action, c.id])).toEqual([
      ['noop', 'i2'],
      ['delete', 'i1'],
    ]);
    // Without a match, the first by id is kept and brought up to date.
    const none = planChanges(
      [desired('t/c/a', { size: 3 })],
      [observed('t/c/a', { size: 2 }, { id: 'i2' }), observed('t/c/a', { size: 1 }, { id: 'i1' })],
      testSpec,
      forKey,
    );
    expect(none.changes.map((c) => [c.action, c.id])).toEqual([
      ['update', 'i1'],
      ['delete', 'i2'],
    ]);
  });

  it('orders creates parents first and deletes children first', () => {
    const plan = planChanges(
      [
        desired('t/c/child', { refs: ['t/c/parent'] }),
        desired('t/c/parent'),
        desired('t/c/a-grandchild', { refs: ['t/c/child'] }),
      ],
      [observed('t/c/old-parent'), observed('t/c/old-child', { refs: ['t/c/old-parent'] })],
      testSpec,
      forKey,
    );
    expect(actions(plan)).toEqual([
      'create t/c/parent',
      'create t/c/child',
      'create t/c/a-grandchild',
      'delete t/c/old-child',
      'delete t/c/old-parent',
    ]);
    expect(plan.changes[1]!.dependsOn).toEqual(['t/c/parent']);
  });

  it('replaces dependents of a delete-first replacement, and re-points those of a create-first one', () => {
    const plan = planChanges(
      [
        desired('t/d/lb', { mode: 'internal' }),
        desired('t/c/listener', { refs: ['t/d/lb'] }),
        desired('t/c/pool', { mode: 'https' }),
        desired('t/c/route', { refs: ['t/c/pool'] }),
      ],
      [
        observed('t/d/lb', { mode: 'public' }),
        observed('t/c/listener', { refs: ['t/d/lb'] }),
        observed('t/c/stale', { refs: ['t/c/listener'] }),
        observed('t/c/pool', { mode: 'http' }),
        observed('t/c/route', { refs: ['t/c/pool'] }),
      ],
      testSpec,
      forKey,
    );
    const byAddress = Object.fromEntries(plan.changes.map((c) => [c.address, c]));
    expect(byAddress['t/c/listener']).toMatchObject({
      action: 'replace',
      replaceOrder: 'delete-first',
      reason: 'refers to t/d/lb, which must be deleted first',
    });
    expect(byAddress['t/c/route']).toMatchObject({
      action: 'update',
      reason: 'refers to t/c/pool, which is replaced: re-point it to the new one',
    });
    expect(byAddress['t/c/stale']).toMatchObject({ action: 'delete' });
  });

  it('carries the LB key', () => {
    expect(planChanges([], [], testSpec, { lbKey: 'c/Gateway/ns/n' }).lbKey).toBe('c/Gateway/ns/n');
    expect(planChanges([], [], testSpec, { lbKey: 'c/Service/ns/other' }).lbKey).toBe('c/Service/ns/other');
  });

  it('rejects broken adapter output', () => {
    expect(() => planChanges([desired('t/c/a'), desired('t/c/a')], [], testSpec, forKey)).toThrow(
      DuplicateAddressError,
    );
    expect(() => planChanges([{ address: 't/c/a', kind: 'x', value: {} }], [], testSpec, forKey)).toThrow(
      InvalidAddressError,
    );
    expect(() => planChanges([desired('nope')], [], testSpec, forKey)).toThrow(InvalidAddressError);
    expect(() =>
      planChanges(
        [desired('t/c/a', { refs: ['t/c/b'] }), desired('t/c/b', { refs: ['t/c/a'] })],
        [],
        testSpec,
        forKey,
      ),
    ).toThrow(DependencyCycleError);
  });

  it('gives the same plan whatever the input order', () => {
    const want = [
      desired('t/c/a'),
      desired('t/c/b', { refs: ['t/c/a'] }),
      desired('t/d/c', { mode: '1' }),
      desired('t/c/d', { refs: ['t/d/c'], size: 1 }),
      desired('t/c/e', { refs: ['t/c/x'] }),
    ];
    const have = [
      observed('t/c/a', { size: 1 }),
      observed('t/d/c', { mode: '2' }),
      observed('t/c/d', { refs: ['t/d/c'] }),
      observed('t/c/e', {}, { owned: false }),
      observed('t/c/o1', { refs: ['t/c/o2'] }),
      observed('t/c/o2'),
      observed('t/c/x', {}, { owned: false }),
    ];
    const reference = planChanges(want, have, testSpec, forKey);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(want, { minLength: 5 }),
        fc.shuffledSubarray(have, { minLength: 7 }),
        (w, h) => {
          expect(planChanges(w, h, testSpec, forKey)).toEqual(reference);
        },
      ),
    );
  });

  it('only ever plans changes to owned resources', () => {
    const resource = fc.record({
      n: fc.integer({ min: 0, max: 5 }),
      kind: fc.constantFrom('c', 'd'),
      size: fc.integer({ min: 0, max: 2 }),
      owned: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 8 }), fc.array(resource, { maxLength: 8 }), (ws, hs) => {
        const want = [
          ...new Map(
            ws.map((w) => [`t/${w.kind}/r${w.n}`, desired(`t/${w.kind}/r${w.n}`, { size: w.size })]),
          ).values(),
        ];
        const have = hs.map((h, i) =>
          observed(`t/${h.kind}/r${h.n}`, { size: h.size }, { owned: h.owned, id: `i${i}` }),
        );
        const plan = planChanges(want, have, testSpec, forKey);
        const unowned = new Set(have.filter((h) => !h.owned).map((h) => h.id));
        for (const c of plan.changes) if (c.id !== undefined) expect(unowned.has(c.id)).toBe(false);
        // Every desired address is either planned or a conflict, exactly once.
        const planned = plan.changes.filter((c) => c.action !== 'delete').map((c) => c.address);
        const all = [...planned, ...plan.conflicts.map((c) => c.address)].sort();
        expect(all).toEqual(want.map((w) => w.address).sort());
      }),
    );
  });
});

describe('plan: planChanges and conflicts', () => {
  it('holds back whatever would refer to a conflicted address, transitively', () => {
    const plan = planChanges(
      [
        desired('t/c/pool'),
        desired('t/c/route', { refs: ['t/c/pool'], size: 2 }),
        desired('t/c/rule', { refs: ['t/c/route'] }),
        desired('t/c/free'),
      ],
      [observed('t/c/pool', {}, { owned: false }), observed('t/c/route', { refs: ['t/c/pool'], size: 1 })],
      testSpec,
      forKey,
    );
    expect(actions(plan)).toEqual(['create t/c/free']);
    expect(plan.conflicts.map((c) => [c.address, c.blockedBy, c.observed !== undefined])).toEqual([
      ['t/c/pool', undefined, true],
      ['t/c/route', 't/c/pool', true],
      ['t/c/rule', 't/c/route', false],
    ]);
    expect(plan.conflicts[1]!.reason).toBe('refers to t/c/pool, which is in conflict; held back');
  });
});
