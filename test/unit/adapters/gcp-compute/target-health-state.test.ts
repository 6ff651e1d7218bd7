// Compute's endpoint health states as readiness gates see them: only HEALTHY is in service.

import { describe, expect, it } from 'vitest';
import { stateOf } from '#adapters/gcp-compute/target-health.js';

describe('gcp-compute target health states', () => {
  it.each([
    ['HEALTHY', 'healthy'],
    ['UNHEALTHY', 'unhealthy'],
    ['TIMEOUT', 'unhealthy'],
    ['DRAINING', 'draining'],
    ['UNKNOWN', 'unknown'],
    [undefined, 'unknown'],
    ['healthy', 'unknown'],
  ] as const)('%s → %s', (gcp, state) => {
    expect(stateOf(gcp)).toBe(state);
  });
});
