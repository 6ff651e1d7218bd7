import { describe, expect, it } from 'vitest';
import {
  MAX_PEM_CERTIFICATE_BYTES,
  planBackendTls,
  trustAnchors,
} from '#adapters/gcp-compute/internal/tls-plan.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { certificateAuthority } from '#test/conformance/certificates.js';
import { GCP_PARAMETERS, withDefaults } from '#test/support/loose-ir.js';

// The CA bundles, SNI and subjectAltNames come from Kubernetes objects: what Certificate Manager or
// the Compute API would refuse is refused here, with a reason, before any call.

const ca = certificateAuthority();
const lb = withDefaults({});
const ctx = { lb, scope: { location: 'global', scheme: 'EXTERNAL_MANAGED' as const }, project: 'my-project' };
const pool = {
  id: 'shop/api/443',
  source: { kind: 'Service', namespace: 'shop', name: 'api' },
} as ir.BackendPool;
const tls = (over: Partial<ir.BackendTls>): ir.BackendTls => ({
  serverName: 'api.internal',
  trust: { type: 'Bundle', caCertificatesPem: ca.certPem },
  subjectAltNames: [],
  policy: 'shop/api-tls',
  ...over,
});

describe('gcp-compute trust anchors', () => {
  it('keeps each PEM certificate of a bundle as one trust anchor', () => {
    const other = certificateAuthority();
    expect(trustAnchors(`${ca.certPem}${other.certPem}`)).toEqual({
      anchors: [ca.certPem.trim().concat('\n'), other.certPem.trim().concat('\n')],
    });
  });

  it('refuses a bundle with no certificate, with something else in it, or with a certificate over 5 kB', () => {
    expect(trustAnchors('')).toEqual({ problem: 'the CA bundle holds no PEM certificate' });
    expect(
      trustAnchors(`${ca.certPem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`),
    ).toEqual({
      problem: 'the CA bundle holds something other than PEM certificates',
    });
    const big = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(MAX_PEM_CERTIFICATE_BYTES)}\n-----END CERTIFICATE-----\n`;
    expect(trustAnchors(`${ca.certPem}${big}`)).toEqual({
      problem: `certificate 2 of the CA bundle is larger than Certificate Manager's ${MAX_PEM_CERTIFICATE_BYTES} bytes`,
    });
  });
});

describe('gcp-compute backend TLS plan', () => {
  it('sends the hostname as SNI, checks SANs instead when given, and trusts the bundle alone', () => {
    const plan = planBackendTls(
      ctx,
      pool,
      tls({ subjectAltNames: [{ type: 'URI', value: 'spiffe://shop/api' }] }),
    );
    expect('problem' in plan).toBe(false);
    if ('problem' in plan) return;
    expect(plan.tlsSettings).toEqual({
      sni: 'api.internal',
      subjectAltNames: [{ uniformResourceIdentifier: 'spiffe://shop/api' }],
      authenticationConfig: `projects/my-project/locations/global/backendAuthenticationConfigs/${plan.config.name}`,
    });
    expect(plan.config.wellKnownRoots).toBe('NONE');
    expect(plan.config.trustConfig).toBe(
      `projects/my-project/locations/global/trustConfigs/${plan.trustConfig?.name}`,
    );
  });

  it('trusts the public roots for System, with no trust config', () => {
    const plan = planBackendTls(ctx, pool, tls({ trust: { type: 'System' } }));
    expect('problem' in plan ? plan.problem : plan.config).toMatchObject({ wellKnownRoots: 'PUBLIC_ROOTS' });
    expect('trustConfig' in plan).toBe(false);
  });

  it('refuses an SNI or SAN that is not a DNS name or URI', () => {
    const problem = (t: ir.BackendTls) => {
      const p = planBackendTls(ctx, pool, t);
      return 'problem' in p ? p.problem : undefined;
    };
    expect(problem(tls({ serverName: 'api.internal\r\nx: y' }))).toMatch(/is not a DNS name to send as SNI/);
    expect(problem(tls({ subjectAltNames: [{ type: 'Hostname', value: 'a b' }] }))).toMatch(
      /is not a DNS name/,
    );
    expect(problem(tls({ subjectAltNames: [{ type: 'URI', value: 'spiffe://a b' }] }))).toMatch(
      /is not a URI/,
    );
    expect(problem(tls({ trust: { type: 'Bundle', caCertificatesPem: 'junk' } }))).toMatch(
      /holds no PEM certificate \(BackendTLSPolicy shop\/api-tls\)/,
    );
  });
});

describe('gcp-compute render: TLS policies on a regional load balancer', () => {
  it('leaves out the listener with client validation and the pool with backend TLS, saying why', () => {
    const regional = withDefaults({
      providerParameters: { ...GCP_PARAMETERS, location: 'europe-west1', negZones: ['europe-west1-b'] },
      listeners: [
        {
          port: 443,
          protocol: 'HTTPS',
          tls: {
            mode: 'Terminate',
            certificates: [
              { secret: 'shop/tls', hostnames: [], certificatePem: ca.certPem, privateKeyPem: ca.keyPem },
            ],
            clientValidation: { mode: 'AllowValidOnly', caCertificatesPem: ca.certPem, sources: ['shop/ca'] },
          },
        },
        {
          port: 80,
          protocol: 'HTTP',
          routes: [{ action: { type: 'forward', backends: [{ pool: 'shop/api/443', weight: 1 }] } }],
        },
      ],
      pools: [{ id: 'shop/api/443', protocol: 'HTTPS', tls: tls({}) }],
    });
    const out = renderGcpCompute(regional);
    const features = out.notices.filter((n) => n.severity === 'error').map((n) => n.feature);
    expect(features).toEqual(expect.arrayContaining(['listener/client-validation', 'pool/tls']));
    const kinds = out.resources.map((r) => r.kind);
    expect(kinds).not.toContain('target-https-proxy');
    expect(kinds).not.toContain('trust-config');
    expect(kinds).not.toContain('backend-authentication-config');
    expect(out.resources.some((r) => r.kind === 'backend-service' && r.value.tlsSettings !== undefined)).toBe(
      false,
    );
  });
});
