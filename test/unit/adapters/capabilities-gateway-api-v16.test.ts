import { describe, expect, it } from 'vitest';
import { ALB_CAPABILITIES, NLB_CAPABILITIES } from '#adapters/aws-elbv2/capabilities.js';
import { EVERY_CAPABILITY, unsupportedFeatures, withoutUnsupported } from '#adapters/capabilities.js';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { supportedFeatures } from '#adapters/supported-features.js';
import type { Capabilities } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from './ir-fixture.js';

// The IR features added for Gateway API v1.4–v1.6 (CORS, retries, backend TLS, client-certificate
// validation, mixed TLS modes, 421 detection): every adapter declares them unsupported until it
// renders them, and unsupportedFeatures names each use so that nothing is dropped silently.

const caps = (c: Partial<Capabilities>): Capabilities => ({ ...EVERY_CAPABILITY, ...c });
const NONE: Partial<Capabilities> = {
  filters: EVERY_CAPABILITY.filters.filter((f) => f !== 'CORS'),
  retries: false,
  backendTls: { supported: false, systemTrust: false, subjectAltNames: false, clientCertificate: false },
  frontendClientValidation: [],
  tlsMixedModes: false,
  misdirectedRequests: false,
};
const CERT: ir.Certificate = { secret: 'shop/tls', hostnames: [], certificatePem: 'PEM' };

function everyNewFeature(): ir.LoadBalancer {
  const lb = loadBalancer({ backendClientCertificate: CERT });
  const cors: ir.CorsFilter = {
    type: 'CORS',
    allowOrigins: ['*'],
    allowCredentials: false,
    allowMethods: ['GET'],
    allowHeaders: [],
    exposeHeaders: [],
    maxAgeSeconds: 5,
  };
  const tlsPool: ir.BackendPool = {
    ...pool('shop/secure/443', 'HTTPS'),
    tls: {
      serverName: 'secure.shop',
      trust: { type: 'System' },
      subjectAltNames: [{ type: 'URI', value: 'spiffe://shop/secure' }],
      policy: 'shop/secure',
    },
  };
  const https: ir.Listener = {
    id: 'https-443',
    sources: [{ kind: 'Gateway', namespace: 'shop', name: 'web', section: 'https' }],
    port: 443,
    protocol: 'HTTPS',
    tls: {
      mode: 'Terminate',
      certificates: [CERT],
      clientValidation: { mode: 'AllowInsecureFallback', caCertificatesPem: 'PEM', sources: ['shop/ca'] },
      listenerHostnames: ['a.shop', '*.shop'],
    },
    routes: [
      forwardRoute('cors', 'shop/api/80', { filters: [cors] }),
      forwardRoute('retry', 'shop/api/80', { retry: { attempts: 2, codes: [503] } }),
      forwardRoute('secure', 'shop/secure/443'),
    ],
  };
  const tls: ir.Listener = {
    id: 'tls-8443',
    sources: [{ kind: 'Gateway', namespace: 'shop', name: 'web', section: 'tls' }],
    port: 8443,
    protocol: 'TLS',
    tls: { mode: 'Passthrough', certificates: [CERT] },
    routes: [
      { ...forwardRoute('pass', 'shop/api/80'), tlsMode: 'Passthrough' },
      { ...forwardRoute('term', 'shop/api/80'), tlsMode: 'Terminate' },
    ],
  };
  return { ...lb, listeners: [...lb.listeners, https, tls], pools: [...lb.pools, tlsPool] };
}

describe('adapters: capabilities for Gateway API v1.4–v1.6 features', () => {
  it('reports nothing when every feature is declared', () => {
    expect(unsupportedFeatures(everyNewFeature(), EVERY_CAPABILITY)).toEqual([]);
  });

  it('names each new feature when it is not declared', () => {
    const notices = unsupportedFeatures(everyNewFeature(), caps(NONE), 'test');
    expect([...new Set(notices.map((n) => n.feature))].sort()).toEqual([
      'filter/CORS',
      'listener/client-validation/AllowInsecureFallback',
      'listener/misdirected-requests',
      'listener/tls-mixed-modes',
      'pool/tls/policy',
      'retry',
    ]);
    const pooled = notices.find((n) => n.feature === 'pool/tls/policy');
    expect(pooled).toMatchObject({ pool: 'shop/secure/443', route: 'HTTPRoute/shop/secure/rule/0/match/0' });
  });

  it('narrows backend TLS and client validation to the part that is missing', () => {
    const backendTls = { supported: true, systemTrust: true, subjectAltNames: true, clientCertificate: true };
    const feature = (c: Partial<Capabilities>) =>
      unsupportedFeatures(everyNewFeature(), caps(c)).map((n) => n.feature);
    expect(feature({ backendTls: { ...backendTls, systemTrust: false } })).toEqual(['pool/tls/system-trust']);
    expect(feature({ backendTls: { ...backendTls, subjectAltNames: false } })).toEqual([
      'pool/tls/subject-alt-names',
    ]);
    expect(feature({ backendTls: { ...backendTls, clientCertificate: false } })).toEqual([
      'pool/tls/client-certificate',
    ]);
    expect(feature({ frontendClientValidation: ['AllowValidOnly'] })).toEqual([
      'listener/client-validation/AllowInsecureFallback',
    ]);
  });

  it('keeps the listener when only the 421 check is missing: a warning, not a drop', () => {
    const lb = everyNewFeature();
    const notices = unsupportedFeatures(lb, caps({ misdirectedRequests: false }));
    expect(notices.map((n) => [n.feature, n.severity])).toEqual([
      ['listener/misdirected-requests', 'warning'],
    ]);
    expect(notices[0]!.message).toMatch(/programmed without it/);
    expect(withoutUnsupported(lb, notices)).toBe(lb);
  });

  it('drops the listener with client validation it cannot do, and the routes with pools it cannot verify', () => {
    const lb = everyNewFeature();
    const kept = withoutUnsupported(lb, unsupportedFeatures(lb, caps(NONE)));
    expect(kept.listeners.map((l) => l.id)).toEqual(['HTTP-80']);
    expect(kept.pools.map((p) => p.id)).not.toContain('shop/secure/443');
  });

  // HAProxy renders them: test/unit/adapters/haproxy/capabilities.test.ts.
  it('every adapter that does not render them declares the new features unsupported', () => {
    const fake = createFakeAdapter().capabilities();
    for (const declared of [ALB_CAPABILITIES, NLB_CAPABILITIES, fake]) {
      expect(declared.filters).not.toContain('CORS');
      expect(declared.retries).toBe(false);
      expect(declared.backendTls.supported).toBe(false);
      // ALB: AllowValidOnly only (test/integration/aws-elbv2/mutual-tls.test.ts).
      expect(declared.frontendClientValidation).toEqual(
        declared === ALB_CAPABILITIES ? ['AllowValidOnly'] : [],
      );
      expect(declared.tlsMixedModes).toBe(false);
      expect(declared.misdirectedRequests).toBe(false);
    }
  });

  it('claims a feature only with the capabilities it needs', () => {
    const all = supportedFeatures(EVERY_CAPABILITY);
    const none = supportedFeatures(caps(NONE));
    expect(all.filter((f) => !none.includes(f))).toEqual([
      'BackendTLSPolicy',
      'BackendTLSPolicySANValidation',
      'GatewayBackendClientCertificate',
      'GatewayFrontendClientCertificateValidation',
      'GatewayFrontendClientCertificateValidationInsecureFallback',
      'GatewayHTTPSListenerDetectMisdirectedRequests',
      'HTTPRouteCORS',
      'HTTPRouteRetry',
      'HTTPRouteRetryBackendTimeout',
      'HTTPRouteRetryConnectionError',
      'TLSRouteModeMixed',
    ]);
    const noBackendTimeout = supportedFeatures({
      ...EVERY_CAPABILITY,
      timeouts: { request: true, backendRequest: false },
    });
    expect(noBackendTimeout).toContain('HTTPRouteRetry');
    expect(noBackendTimeout).not.toContain('HTTPRouteRetryBackendTimeout');
    // Needs nothing of an adapter: the core does it.
    expect(supportedFeatures(HAPROXY_CAPABILITIES)).toEqual(
      expect.arrayContaining(['ListenerSet', 'HTTPRouteNamedRouteRule']),
    );
  });
});
