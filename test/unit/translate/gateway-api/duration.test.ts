import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '#core/translate/gateway-api/duration.js';

describe('translate: Gateway API durations', () => {
  it('parses GEP-2257 durations', () => {
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1h2m3s4ms')).toBe(3_723_004);
    expect(parseDurationMs('0s')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '1', '1d', '1.5s', ' 1s', '1s ', 's', '-1s'])
      expect(parseDurationMs(bad)).toBeUndefined();
  });
});
