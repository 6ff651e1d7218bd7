import { describe, expect, it } from 'vitest';
import { type HAProxyDesired, planHAProxyChange } from '#adapters/haproxy/runtime/apply-runtime.js';

// planHAProxyChange with maps the worker holds in another order than the file (after entry edits).
const file = (entries: readonly (readonly [string, string])[]) =>
  entries.map(([k, v]) => `${k} ${v}\n`).join('');
const CFG = 'global\n';

function state(
  prefixFile: [string, string][],
  prefixRunning: [string, string][] = prefixFile,
): HAProxyDesired {
  return {
    files: { 'haproxy.cfg': CFG, 'maps/prefix.map': file(prefixFile) },
    backends: [],
    maps: [{ path: 'maps/prefix.map', entries: prefixRunning, order: 'prefix' }],
  };
}

describe('planHAProxyChange with map edits', () => {
  const sorted: [string, string][] = [
    ['a.test/1/', 'be_a'],
    ['b.test/2/', 'be_b'],
  ];
  const appended: [string, string][] = [sorted[1]!, sorted[0]!];

  it('sees a prefix map that runs in another order but looks up the same as unchanged', () => {
    expect(planHAProxyChange(state(sorted, appended), state(sorted))).toEqual({ kind: 'noop' });
  });

  it('changes a prefix map by an append when the new key is no prefix of another, else replaces it', () => {
    const added: [string, string][] = [...sorted, ['c.test/3/', 'be_c']];
    expect(planHAProxyChange(state(sorted, appended), state(added))).toMatchObject({
      kind: 'runtime',
      maps: [{ path: 'maps/prefix.map', edits: { add: [['c.test/3/', 'be_c']], set: [], del: [] } }],
    });
    // a.test/1/x/ must be looked at before a.test/1/: an append would shadow it.
    const shadowing: [string, string][] = [['a.test/1/x/', 'be_c'], ...sorted];
    const plan = planHAProxyChange(state(sorted), state(shadowing));
    expect(plan).toMatchObject({ kind: 'runtime', maps: [{ path: 'maps/prefix.map' }] });
    expect(plan.kind === 'runtime' && plan.maps[0]!.edits).toBeFalsy();
  });

  it('puts back a prefix map whose related keys run in the wrong order', () => {
    const wanted: [string, string][] = [
      ['a.test/1/x/', 'be_c'],
      ['a.test/1/', 'be_a'],
    ];
    const wrong: [string, string][] = [wanted[1]!, wanted[0]!];
    const plan = planHAProxyChange(state(wanted, wrong), state(wanted));
    expect(plan).toMatchObject({ kind: 'runtime', maps: [{ path: 'maps/prefix.map', entries: wanted }] });
    expect(plan.kind === 'runtime' && plan.maps[0]!.edits).toBeFalsy();
  });
});
