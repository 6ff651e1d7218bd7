import { describe, expect, it } from 'vitest';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { supportedFeatures } from '#adapters/supported-features.js';

// What HAProxy 2.6 declares of the Gateway API v1.4–v1.6 features: each one rendered and proven on a
// real HAProxy (test/integration/haproxy/gateway-v16.test.ts, the conformance scenarios), no more.

describe('HAProxy capabilities for Gateway API v1.4–v1.6', () => {
  it('declares CORS, retries, client validation, 421, backend TLS and mixed TLS modes, but no SAN checks', () => {
    const c = HAPROXY_CAPABILITIES;
    expect(c.filters).toContain('CORS');
    expect(c.filters).not.toContain('RequestMirror');
    expect(c.retries).toBe(true);
    expect(c.frontendClientValidation).toEqual(['AllowValidOnly', 'AllowInsecureFallback']);
    expect(c.misdirectedRequests).toBe(true);
    expect(c.backendTls).toEqual({
      supported: true,
      systemTrust: true,
      subjectAltNames: false,
      clientCertificate: true,
    });
    expect(c.tlsMixedModes).toBe(true);
  });

  it('claims the features those make whole, and not SAN checks or UDP', () => {
    const claimed = supportedFeatures(HAPROXY_CAPABILITIES);
    expect(claimed).toEqual(
      expect.arrayContaining([
        'HTTPRouteCORS',
        'HTTPRouteRetry',
        'HTTPRouteRetryConnectionError',
        'GatewayFrontendClientCertificateValidation',
        'GatewayFrontendClientCertificateValidationInsecureFallback',
        'GatewayHTTPSListenerDetectMisdirectedRequests',
        'BackendTLSPolicy',
        'GatewayBackendClientCertificate',
        'TLSRouteModeMixed',
      ]),
    );
    for (const f of ['BackendTLSPolicySANValidation', 'UDPRoute']) expect(claimed).not.toContain(f);
  });
});
