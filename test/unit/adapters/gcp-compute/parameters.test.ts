import { describe, expect, it } from 'vitest';
import { gcpComputeParameters, parseParameters } from '#adapters/gcp-compute/parameters.js';
import { withDefaults } from '#test/support/loose-ir.js';

const BASE = { project: 'shop-prod-123', negZones: ['europe-west1-b', 'europe-west1-c'] };
const lb = (
  providerParameters: Record<string, unknown>,
  scheme: 'internet-facing' | 'internal' = 'internet-facing',
) => withDefaults({}, { provider: 'gcp-compute', scheme, providerParameters });

describe('gcpCompute parameters', () => {
  it('fills defaults; the scheme follows spec.scheme', () => {
    const r = parseParameters(lb(BASE));
    expect(r).toEqual({
      ok: true,
      params: {
        ...BASE,
        location: 'global',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        certificates: { source: 'secrets' },
        labels: {},
      },
    });
    const internal = parseParameters(
      lb(
        {
          ...BASE,
          location: 'europe-west1',
          network: 'vpc',
          subnetwork: 'projects/shop-prod-123/regions/europe-west1/subnetworks/lb',
        },
        'internal',
      ),
    );
    expect(internal.ok && internal.params.loadBalancingScheme).toBe('INTERNAL_MANAGED');
  });

  it('accepts certificate references, a security policy, CDN and labels', () => {
    const p = gcpComputeParameters.parse({
      ...BASE,
      certificates: { source: 'sslCertificates', names: ['shop-2027', 'shop-2026'] },
      securityPolicy: 'edge-armor',
      cdn: { enabled: true },
      labels: { team: 'shop', env: '' },
    });
    expect(p.cdn).toEqual({ enabled: true, cacheMode: 'CACHE_ALL_STATIC' });
    expect(
      gcpComputeParameters.safeParse({
        ...BASE,
        certificates: {
          source: 'certificateMap',
          map: 'projects/shop-prod-123/locations/global/certificateMaps/shop',
        },
      }).success,
    ).toBe(true);
  });

  it.each([
    ['an unknown key', { ...BASE, zones: ['x'] }, 'gcpCompute'],
    ['a bad project id', { ...BASE, project: 'Shop' }, 'gcpCompute.project'],
    ['no NEG zones', { project: BASE.project }, 'gcpCompute.negZones'],
    ['a zone outside the region', { ...BASE, location: 'us-east1' }, 'gcpCompute.negZones.0'],
    [
      'a duplicate zone',
      { ...BASE, negZones: ['europe-west1-b', 'europe-west1-b'] },
      'gcpCompute.negZones.1',
    ],
    ['internal without network', { ...BASE, loadBalancingScheme: 'INTERNAL_MANAGED' }, 'gcpCompute.network'],
    ['a subnetwork on an external LB', { ...BASE, subnetwork: 'lb' }, 'gcpCompute.subnetwork'],
    ['regional CDN', { ...BASE, location: 'europe-west1', cdn: { enabled: true } }, 'gcpCompute.cdn'],
    [
      'a regional certificate map',
      { ...BASE, location: 'europe-west1', certificates: { source: 'certificateMap', map: 'm' } },
      'gcpCompute.certificates.map',
    ],
    [
      '16 certificates',
      {
        ...BASE,
        certificates: { source: 'sslCertificates', names: Array.from({ length: 16 }, (_, i) => `c${i}`) },
      },
      'gcpCompute.certificates.names',
    ],
    ['a bad policy name', { ...BASE, securityPolicy: 'Armor_1' }, 'gcpCompute.securityPolicy'],
    ['a reserved label', { ...BASE, labels: { 'portico-owner': 'x' } }, 'gcpCompute.labels.portico-owner'],
    ['an upper-case label value', { ...BASE, labels: { team: 'Shop' } }, 'gcpCompute.labels.team'],
  ])('renders nothing and says why for %s', (_what, params, field) => {
    const r = parseParameters(lb(params));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.notices.map((n) => n.field)).toContain(field);
    expect(
      r.notices.every((n) => n.severity === 'error' && n.message.endsWith('nothing is programmed')),
    ).toBe(true);
  });

  it('rejects a scheme that contradicts spec.scheme', () => {
    const r = parseParameters(lb({ ...BASE, loadBalancingScheme: 'EXTERNAL_MANAGED' }, 'internal'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.notices[0]?.message).toContain('contradicts spec.scheme internal');
  });
});
