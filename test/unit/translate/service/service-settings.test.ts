import { describe, expect, it } from 'vitest';
import type { LoadBalancerParameters } from '#core/model/parameters.js';
import type { Service } from '#core/model/service.js';
import { withDefaults } from '#core/translate/options.js';
import { serviceOwnership } from '#core/translate/service/load-balancer-class.js';
import { requestedAddresses } from '#core/translate/service/requested-addresses.js';
import { serviceScheme } from '#core/translate/service/scheme.js';
import { serviceSourceRanges } from '#core/translate/service/source-ranges.js';

function svc(spec: Partial<Service['spec']> = {}, annotations: Record<string, string> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }], ...spec },
  };
}

function params(spec: Partial<LoadBalancerParameters['spec']>): LoadBalancerParameters {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'LoadBalancerParameters',
    metadata: { name: 'p', namespace: 'shop' },
    spec: { provider: 'aws-elbv2', ...spec },
  };
}

describe('serviceOwnership', () => {
  const options = withDefaults();
  it.each([
    ['portico.dev/haproxy', { ours: true, provider: 'haproxy' }],
    ['portico.dev/aws-elbv2', { ours: true, provider: 'aws-elbv2' }],
    ['portico.dev/gcp-compute', { ours: true, provider: 'gcp-compute' }],
    ['service.k8s.aws/nlb', { ours: false }],
    ['portico.dev.evil/haproxy', { ours: false }],
  ])('class %s', (cls, expected) => {
    expect(serviceOwnership(svc({ loadBalancerClass: cls }), options)).toEqual(expected);
  });

  it('an unknown provider after our prefix is ours, with an error', () => {
    const o = serviceOwnership(svc({ loadBalancerClass: 'portico.dev/HAProxy' }), options);
    expect(o.ours && 'problem' in o && o.problem.code).toBe('UnsupportedProvider');
    const empty = serviceOwnership(svc({ loadBalancerClass: 'portico.dev/' }), options);
    expect(empty.ours && 'problem' in empty).toBe(true);
  });

  it('no class: ours only with a default Service provider', () => {
    expect(serviceOwnership(svc(), options)).toEqual({ ours: false });
    expect(serviceOwnership(svc(), withDefaults({ defaultServiceProvider: 'gcp-compute' }))).toEqual({
      ours: true,
      provider: 'gcp-compute',
    });
  });

  it('only type LoadBalancer', () => {
    const o = withDefaults({ defaultServiceProvider: 'haproxy' });
    expect(serviceOwnership(svc({ type: 'NodePort' }), o)).toEqual({ ours: false });
    expect(serviceOwnership(svc({ type: undefined }), o)).toEqual({ ours: false });
  });
});

describe('serviceScheme', () => {
  const scheme = (annotations: Record<string, string>, p?: LoadBalancerParameters) => {
    const r = serviceScheme(svc({}, annotations), p);
    return r.ok ? r.scheme : r.problem.code;
  };
  it('defaults to internet-facing', () => expect(scheme({})).toBe('internet-facing'));
  it.each([
    [{ 'portico.dev/scheme': 'internal' }, 'internal'],
    [
      {
        'portico.dev/scheme': 'internet-facing',
        'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      },
      'internet-facing',
    ],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }, 'internal'],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' }, 'internet-facing'],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' }, 'internal'],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-internal': '0.0.0.0/0' }, 'internal'],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'false' }, 'internet-facing'],
    [{ 'networking.gke.io/load-balancer-type': 'Internal' }, 'internal'],
    [{ 'networking.gke.io/load-balancer-type': 'External' }, 'internet-facing'],
    [{ 'cloud.google.com/load-balancer-type': 'internal' }, 'internal'],
    // Any foreign annotation asking for internal wins over one asking for internet-facing.
    [
      {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
        'networking.gke.io/load-balancer-type': 'Internal',
      },
      'internal',
    ],
    [{ 'portico.dev/scheme': 'Internal' }, 'InvalidAnnotation'],
    [{ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'private' }, 'InvalidAnnotation'],
  ])('%j → %s', (annotations, expected) => {
    expect(scheme(annotations)).toBe(expected);
  });

  it('parameters win, with a warning when the annotation disagrees', () => {
    const r = serviceScheme(
      svc({}, { 'portico.dev/scheme': 'internet-facing' }),
      params({ scheme: 'internal' }),
    );
    expect(r.ok && r.scheme).toBe('internal');
    expect(r.ok && r.notes.map((n) => n.code)).toEqual(['AnnotationOverridden']);
  });

  it('an unreadable annotation fails even when parameters set the scheme', () => {
    expect(scheme({ 'portico.dev/scheme': 'privat' }, params({ scheme: 'internal' }))).toBe(
      'InvalidAnnotation',
    );
  });
});

describe('serviceSourceRanges', () => {
  const ranges = (
    spec: Partial<Service['spec']>,
    annotations: Record<string, string> = {},
    p?: LoadBalancerParameters,
  ) => {
    const r = serviceSourceRanges(svc(spec, annotations), p);
    return r.ok ? r.sourceRanges : r.problems.map((x) => `${x.code} ${x.field}`);
  };
  const annotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';

  it('none means everyone', () => expect(ranges({})).toEqual([]));
  it('canonical, sorted, nested ranges folded', () => {
    expect(
      ranges({ loadBalancerSourceRanges: ['2001:DB8::/32', '10.1.0.0/16', '10.0.0.0/8', '10.0.0.0/8'] }),
    ).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });
  it('the annotation applies only when the field is empty', () => {
    expect(ranges({}, { [annotation]: '192.0.2.0/24, 198.51.100.0/24' })).toEqual([
      '192.0.2.0/24',
      '198.51.100.0/24',
    ]);
    expect(ranges({ loadBalancerSourceRanges: ['10.0.0.0/8'] }, { [annotation]: '0.0.0.0/0' })).toEqual([
      '10.0.0.0/8',
    ]);
    expect(ranges({ loadBalancerSourceRanges: [] }, { [annotation]: '192.0.2.0/24' })).toEqual([
      '192.0.2.0/24',
    ]);
  });
  it('any invalid entry fails the whole list', () => {
    expect(ranges({ loadBalancerSourceRanges: ['10.0.0.0/8', 'nope'] })).toEqual([
      'InvalidSourceRange spec.loadBalancerSourceRanges[1]',
    ]);
    expect(ranges({}, { [annotation]: '10.0.0.0/8,10.0.0.1/8' })).toEqual([
      `InvalidSourceRange metadata.annotations[${annotation}]`,
    ]);
  });
  it('parameters and Service intersect', () => {
    const p = params({ sourceRanges: ['10.0.0.0/8', '192.168.0.0/16'] });
    expect(ranges({}, {}, p)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(ranges({ loadBalancerSourceRanges: ['0.0.0.0/0'] }, {}, p)).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
    ]);
    expect(ranges({ loadBalancerSourceRanges: ['10.5.0.0/16', '172.16.0.0/12'] }, {}, p)).toEqual([
      '10.5.0.0/16',
    ]);
    expect(ranges({ loadBalancerSourceRanges: ['172.16.0.0/12'] }, {}, p)).toEqual([
      'SourceRangesDisjoint spec.loadBalancerSourceRanges',
    ]);
    expect(ranges({ loadBalancerSourceRanges: ['::/0'] }, {}, p)).toEqual([
      'SourceRangesDisjoint spec.loadBalancerSourceRanges',
    ]);
  });
  it('invalid parameter ranges fail too', () => {
    expect(ranges({}, {}, params({ sourceRanges: ['10.0.0.0/33'] }))[0]).toMatch(
      /^InvalidSourceRange spec.sourceRanges\[0\]/,
    );
  });
});

describe('requestedAddresses', () => {
  const addr = (ip?: string) => {
    const r = requestedAddresses(svc(ip === undefined ? {} : { loadBalancerIP: ip }));
    return r.ok ? r.addresses : r.problem.code;
  };
  it.each([
    [undefined, []],
    ['', []],
    ['203.0.113.10', [{ type: 'IPAddress', value: '203.0.113.10' }]],
    ['2001:DB8:0::10', [{ type: 'IPAddress', value: '2001:db8::10' }]],
    ['203.0.113.256', 'InvalidLoadBalancerIP'],
    ['my-ip', 'InvalidLoadBalancerIP'],
    ['::ffff:203.0.113.10', 'InvalidLoadBalancerIP'],
  ])('%j → %j', (ip, expected) => {
    expect(addr(ip)).toEqual(expected);
  });
});
