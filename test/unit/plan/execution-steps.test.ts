import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionSteps } from '#core/plan/execution-steps.js';
import { planChanges } from '#core/plan/plan-changes.js';
import type { ObservedResource } from '#core/plan/types.js';
import { desired, forKey, observed, type TestKinds, type TestValue, testSpec } from './support.js';

const ops = (steps: ReturnType<typeof executionSteps>) => steps.map((s) => `${s.op} ${s.change.address}`);

describe('plan: executionSteps', () => {
  it('create-first: builds the new one, moves dependents, then deletes the old one', () => {
    const plan = planChanges(
      [desired('t/c/pool', { mode: 'b' }), desired('t/c/route', { refs: ['t/c/pool'] })],
      [observed('t/c/pool', { mode: 'a' }), observed('t/c/route', { refs: ['t/c/pool'] })],
      testSpec,
      forKey,
    );
    expect(ops(executionSteps(plan))).toEqual(['create t/c/pool', 'update t/c/route', 'delete t/c/pool']);
  });

  it('delete-first: clears dependents and the resource, then rebuilds parents first', () => {
    const plan = planChanges(
      [desired('t/d/lb', { mode: 'b' }), desired('t/c/listener', { refs: ['t/d/lb'] })],
      [
        observed('t/d/lb', { mode: 'a' }),
        observed('t/c/listener', { refs: ['t/d/lb'] }),
        observed('t/c/orphan', { refs: ['t/c/listener'] }),
        observed('t/c/unrelated-orphan'),
      ],
      testSpec,
      forKey,
    );
    expect(ops(executionSteps(plan))).toEqual([
      'delete t/c/orphan',
      'delete t/c/listener',
      'delete t/d/lb',
      'create t/d/lb',
      'create t/c/listener',
      'delete t/c/unrelated-orphan',
    ]);
  });

  it('skips no-ops', () => {
    expect(executionSteps(planChanges([desired('t/c/a')], [observed('t/c/a')], testSpec, forKey))).toEqual(
      [],
    );
  });

  // A strict provider: a resource needs what it refers to; the last one at an address cannot be
  // deleted while referred to; kind `d` names are unique. Any plan, run step by step, must
  // never break these rules and must end exactly at the desired state.
  it('runs any plan on a strict provider without breaking a rule, and converges', () => {
    const node = fc.record({
      kind: fc.constantFrom('c', 'd'),
      mode: fc.constantFrom('x', 'y'),
      size: fc.nat(2),
    });
    const graph = fc.record({
      want: fc.array(fc.option(fc.tuple(node, fc.array(fc.nat(5), { maxLength: 3 })), { nil: undefined }), {
        minLength: 6,
        maxLength: 6,
      }),
      have: fc.array(fc.option(fc.tuple(node, fc.array(fc.nat(5), { maxLength: 3 })), { nil: undefined }), {
        minLength: 6,
        maxLength: 6,
      }),
    });
    fc.assert(
      fc.property(graph, ({ want, have }) => {
        // Index i may only refer to lower indexes present on the same side: a DAG.
        const build = (side: typeof want) => {
          const addr = (i: number) => `t/${side[i]![0].kind}/r${i}`;
          return side.flatMap((entry, i) => {
            if (!entry) return [];
            const refs = [...new Set(entry[1].filter((j) => j < i && side[j]).map(addr))].sort();
            return [
              { address: addr(i), value: { mode: entry[0].mode, size: entry[0].size, refs } as TestValue },
            ];
          });
        };
        const want_ = build(want).map((r) => desired(r.address, r.value));
        const have_ = build(have).map((r, i) => observed(r.address, r.value, { id: `old${i}` }));

        const world = new Map<string, ObservedResource<TestKinds>>(have_.map((o) => [o.id!, o]));
        const at = (a: string) => [...world.values()].filter((r) => r.address === a);
        let next = 0;
        for (const { op, change } of executionSteps(planChanges(want_, have_, testSpec, forKey))) {
          if (op === 'create' || op === 'update') {
            for (const ref of change.after!.refs ?? [])
              expect(at(ref), `${op} ${change.address} needs ${ref}`).not.toEqual([]);
          }
          if (op === 'create') {
            if (change.kind === 'd') expect(at(change.address), `name ${change.address} taken`).toEqual([]);
            world.set(`new${next}`, { ...observed(change.address, change.after!), id: `new${next++}` });
          } else if (op === 'update') {
            world.set(change.id!, { ...world.get(change.id!)!, value: change.after! });
          } else {
            if (at(change.address).length === 1) {
              const users = [...world.values()].filter((r) => (r.value.refs ?? []).includes(change.address));
              expect(
                users.map((u) => u.address),
                `delete ${change.address} while in use`,
              ).toEqual([]);
            }
            world.delete(change.id!);
          }
        }
        const final = [...world.values()].map((r) => [r.address, r.value]).sort();
        expect(final).toEqual(want_.map((r) => [r.address, r.value]).sort());
      }),
      { numRuns: 1000 },
    );
  });
});
