import { describe, expect, it } from 'vitest';
import { parseDurationFlag } from '#cli/duration-flag.js';

describe('parseDurationFlag', () => {
  it('reads 0 and whole numbers with a unit, in milliseconds', () => {
    expect(parseDurationFlag('--x', '0')).toBe(0);
    expect(parseDurationFlag('--x', '250ms')).toBe(250);
    expect(parseDurationFlag('--x', '30s')).toBe(30_000);
    expect(parseDurationFlag('--x', '5m')).toBe(300_000);
    expect(parseDurationFlag('--x', '2h')).toBe(7_200_000);
  });

  it.each(['', '5', '-1s', '1.5m', '5 m', '05m', '0s', '1d', 's', '1e3ms', '9999999999s'])(
    'refuses %j, naming the flag and the forms it takes',
    (value) => {
      expect(() => parseDurationFlag('--resync-interval', value)).toThrow(
        `--resync-interval takes 0 or a whole number with a unit (ms, s, m, h), e.g. 30s or 5m; got ${JSON.stringify(value)}`,
      );
    },
  );
});
