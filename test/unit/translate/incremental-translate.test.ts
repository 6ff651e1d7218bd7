import { describe, expect, it } from 'vitest';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { translate } from '#core/translate/translate.js';

const OPTIONS = { cluster: 'test' };

describe('IncrementalTranslate', () => {
  it('says what the class of an Ingress group says only when the group uses that class', () => {
    const ingressClass = (name: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name, ...extra },
      spec: { controller: 'portico.dev/ingress-controller' },
    });
    const ic2 = {
      ...ingressClass('ic2', { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }),
      spec: {
        controller: 'portico.dev/ingress-controller',
        parameters: {
          apiGroup: 'portico.dev',
          kind: 'LoadBalancerParameters',
          name: 'p1',
          namespace: 'a',
          scope: 'Namespace',
        },
      },
    };
    const ingress = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'a', annotations: { 'portico.dev/group': 'grp1' } },
      spec: {
        ...spec,
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: `/${name}`,
                  pathType: 'Prefix',
                  backend: { service: { name: 'svc', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    // i2 falls back on the default class ic2 (whose parameters do not exist), but its group is ic1's.
    const objects = [ingressClass('ic1'), ic2, ingress('i1', { ingressClassName: 'ic1' }), ingress('i2', {})];
    const t = new IncrementalTranslate(OPTIONS);
    t.apply(objects.map((o) => ({ new: o })));
    const full = translate(objects, OPTIONS).notices;
    expect(full.some((n) => n.source.kind === 'IngressClass' && n.code === 'InvalidParameters')).toBe(false);
    expect(t.result.notices).toEqual(full);
  });
});
