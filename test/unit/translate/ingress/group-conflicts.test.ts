import { describe, expect, it } from 'vitest';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { translate } from '#core/translate/translate.js';
import { ingress, ingressClass, service } from './fixtures.js';

const group = (name: string) => ({ 'portico.dev/group': name });

function routesOf(lb: LoadBalancer | undefined): { id: string; pools: (string | null)[] }[] {
  return (lb?.listeners[0]?.routes ?? []).map((r) => ({
    id: r.id,
    pools: r.action.type === 'forward' ? r.action.backends.map((b) => b.pool) : [],
  }));
}

describe('Ingress groups', () => {
  const objects = [
    ingressClass('portico'),
    ingressClass('portico-internal'),
    ingress('newer', {
      namespace: 'team-a',
      createdAt: '2026-02-01T00:00:00Z',
      annotations: group('shared'),
      className: 'portico',
      host: 'shop.example.com',
      paths: [
        { path: '/api', service: 'a' },
        { path: '/a-only', service: 'a' },
      ],
      defaultBackend: 'a',
    }),
    ingress('older', {
      namespace: 'team-b',
      createdAt: '2026-01-01T00:00:00Z',
      annotations: group('shared'),
      className: 'portico',
      host: 'shop.example.com',
      paths: [{ path: '/api/', service: 'b' }],
      defaultBackend: 'b',
    }),
    ingress('other-class', {
      namespace: 'team-c',
      createdAt: '2025-06-01T00:00:00Z',
      annotations: group('shared'),
      className: 'portico-internal',
    }),
    service('a', 'team-a'),
    service('b', 'team-b'),
  ];

  it('puts members of one class on one load balancer; the oldest wins each conflict', () => {
    const result = translate(objects);
    // The oldest member overall has another class, so the group's class is portico-internal...
    expect(result.loadBalancers.map((lb) => lb.key)).toEqual(['local/IngressGroup/-/shared']);
    expect(result.statuses.map((s) => [s.name, s.loadBalancers])).toEqual([
      ['newer', []],
      ['older', []],
      ['other-class', ['local/IngressGroup/-/shared']],
    ]);
    expect(
      result.notices.filter((n) => n.code === 'IngressGroupClassMismatch').map((n) => n.source.name),
    ).toEqual(['newer', 'older']);
  });

  it('settles conflicts by age, naming the winner, and keeps the rest of the loser', () => {
    const result = translate(objects.filter((o) => o.metadata.name !== 'other-class'));
    const [lb] = result.loadBalancers;
    expect(routesOf(lb)).toEqual([
      { id: 'ingress/team-a/newer/rule/0/path/1', pools: ['team-a/a/80/http'] },
      { id: 'ingress/team-b/older/rule/0/path/0', pools: ['team-b/b/80/http'] },
      // The default backend answers what the host's rules do not match, and requests for other hosts.
      { id: 'ingress/team-b/older/default-backend/host/shop.example.com', pools: ['team-b/b/80/http'] },
      { id: 'ingress/team-b/older/default-backend', pools: ['team-b/b/80/http'] },
    ]);
    const conflicts = result.notices.filter((n) => n.code === 'IngressConflict');
    expect(conflicts.map((n) => [n.source.name, n.field])).toEqual([
      ['newer', 'spec.defaultBackend'],
      ['newer', 'spec.rules[0].http.paths[0]'],
    ]);
    for (const n of conflicts) expect(n.message).toContain('Ingress team-b/older');
    expect(validateLoadBalancer(lb!)).toEqual([]);
  });

  it('breaks an age tie by namespace/name, whatever the input order', () => {
    const createdAt = '2026-01-01T00:00:00Z';
    const make = (ns: string, svc: string) =>
      ingress('app', {
        namespace: ns,
        createdAt,
        annotations: group('g'),
        className: 'portico',
        paths: [{ path: '/', service: svc }],
      });
    const inputs = [
      ingressClass('portico'),
      make('zeta', 'z'),
      make('alpha', 'a'),
      service('a', 'alpha'),
      service('z', 'zeta'),
    ];
    const forward = translate(inputs);
    const backward = translate([...inputs].reverse());
    expect(backward).toEqual(forward);
    expect(routesOf(forward.loadBalancers[0])).toEqual([
      { id: 'ingress/alpha/app/rule/0/path/0', pools: ['alpha/a/80/http'] },
    ]);
    expect(forward.notices.map((n) => [n.code, n.source.namespace])).toEqual([['IngressConflict', 'zeta']]);
  });

  it('does not report two members that agree on a match', () => {
    const make = (name: string, createdAt: string) =>
      ingress(name, {
        createdAt,
        annotations: group('g'),
        className: 'portico',
        paths: [{ path: '/x', service: 'web' }],
      });
    const result = translate([
      ingressClass('portico'),
      make('one', '2026-01-01T00:00:00Z'),
      make('two', '2026-01-02T00:00:00Z'),
      service('web'),
    ]);
    expect(result.notices).toEqual([]);
    expect(routesOf(result.loadBalancers[0]).map((r) => r.id)).toEqual(['ingress/shop/one/rule/0/path/0']);
  });

  it('gives a TLS host the oldest member’s Secret', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString(
      'base64',
    );
    const secret = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'shop' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': pem },
    });
    const make = (name: string, createdAt: string, secretName: string) =>
      ingress(name, {
        createdAt,
        annotations: group('g'),
        className: 'portico',
        tls: [{ hosts: ['a.example.com'], secretName }],
      });
    const result = translate([
      ingressClass('portico'),
      make('late', '2026-03-01T00:00:00Z', 'late-tls'),
      make('early', '2026-01-01T00:00:00Z', 'early-tls'),
      secret('late-tls'),
      secret('early-tls'),
      service('web'),
    ]);
    const https = result.loadBalancers[0]?.listeners.find((l) => l.protocol === 'HTTPS');
    expect(https?.tls?.certificates.map((c) => [c.secret, c.hostnames])).toEqual([
      ['shop/early-tls', ['a.example.com']],
    ]);
    expect(result.notices.map((n) => [n.code, n.source.name, n.field])).toEqual([
      ['IngressConflict', 'late', 'spec.tls[0]'],
    ]);
  });
});
