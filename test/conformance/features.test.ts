// Upstream's feature gating: required features, skipIfFeatures, skipUnlessFeatures, and --features narrowing.

import { describe, expect, it } from 'vitest';
import { CORE_FEATURES, claimedFeatures, skipReason } from './features.js';
import type { ScenarioExpect } from './scenario-schema.js';

const scenario = (over: Partial<ScenarioExpect>): ScenarioExpect =>
  ({ test: 'T', features: ['Gateway'], manifests: ['T.yaml'], ...over }) as ScenarioExpect;

describe('feature gating', () => {
  const claimed = new Set(['Gateway', 'HTTPRoute', 'GatewayPort8080']);

  it('runs a test whose features are claimed and whose skip lists do not apply', () => {
    expect(
      skipReason(scenario({ skipIfFeatures: ['TLSRoute'], skipUnlessFeatures: ['HTTPRoute'] }), claimed),
    ).toBeUndefined();
  });

  it('skips on an unclaimed feature, a claimed skipIfFeatures one, or an unclaimed skipUnlessFeatures one', () => {
    expect(skipReason(scenario({ features: ['Gateway', 'TLSRoute'] }), claimed)).toBe(
      'needs unclaimed feature(s) TLSRoute',
    );
    expect(skipReason(scenario({ skipIfFeatures: ['TLSRoute', 'GatewayPort8080'] }), claimed)).toBe(
      'skipped because the implementation claims GatewayPort8080 (skipIfFeatures)',
    );
    expect(skipReason(scenario({ skipUnlessFeatures: ['HTTPRoute', 'UDPRoute'] }), claimed)).toBe(
      'skipped unless UDPRoute claimed (skipUnlessFeatures)',
    );
  });

  it('claims the GatewayClass features (Core when none) and --features only narrows them', () => {
    expect([...claimedFeatures(undefined)]).toEqual([...CORE_FEATURES]);
    expect([...claimedFeatures(['Gateway', 'HTTPRoute'], ['HTTPRoute'])]).toEqual(['HTTPRoute']);
    expect(() => claimedFeatures(['Gateway'], ['TLSRoute'])).toThrow(
      '--features may only narrow what the GatewayClass supports; not supported: TLSRoute (supported: Gateway)',
    );
  });
});
