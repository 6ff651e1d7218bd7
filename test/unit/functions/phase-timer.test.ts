import { describe, expect, it } from 'vitest';
import { PhaseTimer } from '#functions/shared/phase-timer.js';

describe('functions/shared: PhaseTimer', () => {
  it('times each phase from the previous lap, adds up repeated phases and rounds to 0.1 ms', () => {
    let clock = 1_000;
    const timer = new PhaseTimer(() => clock);
    clock += 2.04;
    timer.lap('parse');
    clock += 10;
    timer.lap('store');
    clock += 1.5;
    timer.lap('parse');
    clock += 7.26;
    timer.lap('dispatch');
    expect(timer.fields()).toEqual({ parse: 3.5, store: 10, dispatch: 7.3 });
    expect(Object.keys(timer.fields())).toEqual(['parse', 'store', 'dispatch']);
  });
});
