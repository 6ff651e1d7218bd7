import { describe, expect, it } from 'vitest';
import { serialRunner } from '#cli/serial-runner.js';

describe('cli: serialRunner', () => {
  it('never runs twice at once, folds requests made meanwhile into one more run, and stops with its signal', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const stop = new AbortController();
    const runner = serialRunner(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setTimeout(r, 10));
        active--;
        if (runs === 1) throw new Error('first run fails');
      },
      (err) => errors.push(err),
      stop.signal,
    );
    runner.request();
    runner.request();
    runner.request();
    await runner.idle();
    expect({ runs, maxActive, errors: errors.map(String) }).toEqual({
      runs: 2,
      maxActive: 1,
      errors: ['Error: first run fails'],
    });
    stop.abort();
    runner.request();
    await runner.idle();
    expect(runs).toBe(2);
  });
});
