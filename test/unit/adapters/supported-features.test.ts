import { describe, expect, it } from 'vitest';
import { ALB_CAPABILITIES, NLB_CAPABILITIES } from '#adapters/aws-elbv2/capabilities.js';
import { EVERY_CAPABILITY } from '#adapters/capabilities.js';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { MAPPED_FEATURES, supportedFeatures } from '#adapters/supported-features.js';

describe('adapters: supportedFeatures (capabilities → Gateway API feature names)', () => {
  it('claims for HAProxy exactly what its capabilities declare', () => {
    const features = supportedFeatures(HAPROXY_CAPABILITIES);
    expect(features).toEqual([...features].sort());
    expect(features).toEqual(
      expect.arrayContaining(['Gateway', 'HTTPRoute', 'ReferenceGrant', 'TLSRoute', 'TCPRoute']),
    );
    expect(features).toContain('HTTPRouteRequestTimeout');
    // HAProxy 2.6 declares no mirroring and no UDP: never claimed.
    expect(features).not.toContain('HTTPRouteRequestMirror');
    expect(features).not.toContain('HTTPRouteRequestPercentageMirror');
    expect(features).not.toContain('UDPRoute');
  });

  it('follows each capability: removing one removes the features that need it', () => {
    const all = supportedFeatures(EVERY_CAPABILITY);
    expect(all).toEqual(MAPPED_FEATURES);
    const noTimeouts = supportedFeatures({
      ...EVERY_CAPABILITY,
      timeouts: { request: false, backendRequest: true },
    });
    expect(all.filter((f) => !noTimeouts.includes(f))).toEqual(['HTTPRouteRequestTimeout']);
    const no303 = supportedFeatures({
      ...EVERY_CAPABILITY,
      redirect: { ...EVERY_CAPABILITY.redirect, statusCodes: [301, 302, 307, 308] },
    });
    expect(all.filter((f) => !no303.includes(f))).toEqual(['HTTPRoute303RedirectStatusCode']);
    const noPassthrough = supportedFeatures({ ...EVERY_CAPABILITY, tlsPassthrough: false });
    expect(noPassthrough).not.toContain('TLSRoute');
  });

  it('claims no HTTPRoute for a provider without HTTP listeners (an NLB), and no L4 routes for an ALB', () => {
    expect(supportedFeatures(NLB_CAPABILITIES).filter((f) => f.startsWith('HTTPRoute'))).toEqual([]);
    expect(supportedFeatures(NLB_CAPABILITIES)).toContain('TCPRoute');
    expect(supportedFeatures(ALB_CAPABILITIES)).not.toContain('TCPRoute');
    expect(supportedFeatures(ALB_CAPABILITIES)).toContain('HTTPRoute');
  });
});
