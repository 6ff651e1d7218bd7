// ELB's target states as readiness gates see them: only `healthy` is in service; `unused` and
// `unavailable` say nothing of the target's health.

import { describe, expect, it } from 'vitest';
import { stateOf } from '#adapters/aws-elbv2/target-health.js';

describe('aws-elbv2 target health states', () => {
  it.each([
    ['healthy', 'healthy'],
    ['unhealthy', 'unhealthy'],
    ['initial', 'initial'],
    ['draining', 'draining'],
    ['unhealthy.draining', 'draining'],
    ['unused', 'unknown'],
    ['unavailable', 'unknown'],
    [undefined, 'unknown'],
    ['a-state-added-later', 'unknown'],
  ] as const)('%s → %s', (aws, state) => {
    expect(stateOf(aws)).toBe(state);
  });
});
