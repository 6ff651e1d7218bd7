import { describe, expect, it } from 'vitest';
import { readObjects } from '#core/model/read-objects.js';
import { createContext } from '#core/translate/context.js';
import { createClassSelector } from '#core/translate/ingress/ingress-class.js';
import { withDefaults } from '#core/translate/options.js';
import { translate } from '#core/translate/translate.js';
import { ingress, ingressClass } from './fixtures.js';

/** The class chosen for each Ingress of a bundle, by name (undefined = not Portico's). */
function choose(objects: unknown[]) {
  const { bundle } = readObjects(objects);
  const ctx = createContext(bundle, withDefaults());
  const select = createClassSelector(ctx);
  const chosen = Object.fromEntries(bundle.ingresses.map((i) => [i.metadata.name, select(i)?.className]));
  return { chosen, notices: ctx.notices };
}

const nginx = ingressClass('nginx', { controller: 'k8s.io/ingress-nginx' });

describe('Ingress class selection', () => {
  it('selects by spec.ingressClassName when the class names Portico as controller', () => {
    const { chosen } = choose([
      ingressClass('portico'),
      nginx,
      ingress('ours', { className: 'portico' }),
      ingress('theirs', { className: 'nginx' }),
      ingress('unknown', { className: 'missing' }),
    ]);
    expect(chosen).toEqual({ ours: 'portico', theirs: undefined, unknown: undefined });
  });

  it('lets the legacy annotation win over spec.ingressClassName, both ways', () => {
    const { chosen } = choose([
      ingressClass('portico'),
      nginx,
      ingress('annotated-ours', {
        className: 'nginx',
        annotations: { 'kubernetes.io/ingress.class': 'portico' },
      }),
      ingress('annotated-theirs', {
        className: 'portico',
        annotations: { 'kubernetes.io/ingress.class': 'nginx' },
      }),
      // An empty annotation is no annotation.
      ingress('empty-annotation', {
        className: 'portico',
        annotations: { 'kubernetes.io/ingress.class': ' ' },
      }),
    ]);
    expect(chosen).toEqual({
      'annotated-ours': 'portico',
      'annotated-theirs': undefined,
      'empty-annotation': 'portico',
    });
  });

  it('accepts a legacy annotation value even when no IngressClass of that name exists', () => {
    const { bundle } = readObjects([
      ingress('a', { annotations: { 'kubernetes.io/ingress.class': 'portico' } }),
    ]);
    const select = createClassSelector(createContext(bundle, withDefaults()));
    expect(select(bundle.ingresses[0]!)).toEqual({
      className: 'portico',
      ingressClass: undefined,
      via: 'annotation',
    });
  });

  it('uses the newest default class for Ingresses without a class, with one notice', () => {
    const { chosen, notices } = choose([
      ingressClass('old-default', { isDefault: true, createdAt: '2024-01-01T00:00:00Z' }),
      ingressClass('new-default', { isDefault: true, createdAt: '2025-01-01T00:00:00Z' }),
      ingress('a'),
      ingress('b'),
    ]);
    expect(chosen).toEqual({ a: 'new-default', b: 'new-default' });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      code: 'MultipleDefaultIngressClasses',
      source: { kind: 'IngressClass', name: 'new-default' },
    });
  });

  it('breaks a tie between default classes created together by name', () => {
    const createdAt = '2025-01-01T00:00:00Z';
    const { chosen } = choose([
      ingressClass('b-default', { isDefault: true, createdAt }),
      ingressClass('a-default', { isDefault: true, createdAt }),
      ingress('x'),
    ]);
    expect(chosen).toEqual({ x: 'a-default' });
  });

  it('leaves classless Ingresses alone when the newest default class is not Portico’s', () => {
    const { chosen, notices } = choose([
      ingressClass('portico', { isDefault: true, createdAt: '2024-01-01T00:00:00Z' }),
      ingressClass('nginx', {
        controller: 'k8s.io/ingress-nginx',
        isDefault: true,
        createdAt: '2025-01-01T00:00:00Z',
      }),
      ingress('x'),
    ]);
    expect(chosen).toEqual({ x: undefined });
    // Portico's class lost the default: that is worth a notice, since Portico's users may expect it.
    expect(notices.map((n) => n.code)).toEqual(['MultipleDefaultIngressClasses']);
  });

  it('reports nothing at all for other controllers’ Ingresses', () => {
    const result = translate([nginx, ingress('theirs', { className: 'nginx' })]);
    expect(result).toEqual({ loadBalancers: [], statuses: [], notices: [], held: [] });
  });
});
