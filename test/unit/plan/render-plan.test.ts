import { describe, expect, it } from 'vitest';
import { compareFields } from '#core/plan/compare-fields.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { isEmptyPlan, summarizePlan } from '#core/plan/plan-summary.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { desired, forKey, observed, testSpec } from './support.js';

describe('plan: renderPlan', () => {
  it('never prints a private key, in created values or in changed fields', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const plan = planChanges(
      [desired('t/c/new', { mode: key }), desired('t/c/rotated', { size: 2, mode: `chain\n${key}` })],
      [observed('t/c/rotated', { size: 1, mode: `old\n${key}` })],
      { ...testSpec, compare: (p) => compareFields(p.desired, p.observed) },
      forKey,
    );
    const text = renderPlan(plan, { values: true });
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('MIIE');
    expect(text).toContain('mode: "(sensitive value)"');
    expect(text).toContain('mode: "(sensitive value)" → "(sensitive value)"');
    expect(text).toContain('size: 1 → 2');
  });

  it('says No changes. for an empty plan', () => {
    const plan = planChanges([desired('t/c/a')], [observed('t/c/a')], testSpec, forKey);
    expect(renderPlan(plan)).toBe('Plan for c/Gateway/ns/n:\n\nNo changes.\n');
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('renders each action like terraform plan, with a summary', () => {
    const plan = planChanges(
      [
        desired('t/c/new'),
        desired('t/c/grow', { size: 2 }),
        desired('t/d/swap', { mode: 'b' }),
        desired('t/c/taken'),
      ],
      [
        observed('t/c/grow', { size: 1 }),
        observed('t/d/swap', { mode: 'a' }),
        observed('t/c/gone'),
        observed('t/c/taken', {}, { owned: false }),
      ],
      testSpec,
      { lbKey: 'c/Gateway/ns/web' },
    );
    expect(renderPlan(plan)).toBe(
      [
        'Plan for c/Gateway/ns/web:',
        '',
        '  ~ update   t/c/grow',
        '      # size changed',
        '      size: 1 → 2',
        '  + create   t/c/new',
        '      # not found in the provider',
        '-/+ replace  t/d/swap  (delete-first)',
        '      # mode cannot change in place',
        '      mode: "a" → "b"  # forces replacement',
        '  - delete   t/c/gone',
        '      id: id-t/c/gone',
        '      # no longer desired',
        '  ! conflict t/c/taken',
        '      # the address is held by a resource Portico does not own; it is left untouched',
        '',
        'Plan: 1 to add, 1 to change, 1 to replace, 1 to destroy.',
        '1 conflict, held back: Portico never changes what it does not own.',
        '',
      ].join('\n'),
    );
    expect(summarizePlan(plan)).toEqual({
      add: 1,
      change: 1,
      replace: 1,
      destroy: 1,
      unchanged: 0,
      conflicts: 1,
    });
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it('shortens long values and marks absent ones', () => {
    const plan = planChanges(
      [desired('t/c/a', { refs: ['x'.repeat(100)] })],
      [observed('t/c/a')],
      testSpec,
      forKey,
    );
    const text = renderPlan(plan);
    expect(text).toContain('refs: (absent) → ["xxxx');
    expect(text).toContain('…');
  });
});
