import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import type { ObjectStatus, StatusRelease } from '#core/status/types.js';
import type { StatusRecordWire } from '#events/status-pull.js';
import { LoadBalancerTargets, type ObjectLookup } from '#forwarder/load-balancer-targets.js';

// Ingresses, Ingress groups and the records the status stream may carry; routes and Service load
// balancers over the real forwarder: test/integration/forwarder/pod-admission.test.ts.

const INGRESS_KEY = lbKey('c1', 'Ingress', 'a', 'shop');
const GROUP_KEY = lbKey('c1', 'IngressGroup', undefined, 'public');

function cache(objects: Record<string, unknown>[]): ObjectLookup {
  return {
    get: (kind, namespace, name) =>
      objects.find((o) => {
        const meta = o.metadata as { namespace?: string; name: string };
        return o.kind === kind && meta.namespace === namespace && meta.name === name;
      }),
  };
}
const svc = (name: string, app: string) => ({
  kind: 'Service',
  metadata: { namespace: 'a', name },
  spec: { selector: { app } },
});
const ingress = (name: string, backends: string[], defaultBackend?: string) => ({
  kind: 'Ingress',
  metadata: { namespace: 'a', name },
  spec: {
    ...(defaultBackend
      ? { defaultBackend: { service: { name: defaultBackend, port: { number: 80 } } } }
      : {}),
    rules: [
      {
        http: {
          paths: backends.map((b) => ({
            path: '/',
            pathType: 'Prefix',
            backend: { service: { name: b, port: { number: 80 } } },
          })),
        },
      },
    ],
  },
});
const pod = (app: string) => ({ metadata: { labels: { app } }, spec: {} });
const status = (name: string, key: string): [StatusRecordWire, ObjectStatus] => {
  const s = {
    kind: 'Ingress',
    namespace: 'a',
    name,
    loadBalancers: [key],
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  } as ObjectStatus;
  return [{ cursor: 'c', key, ref: { kind: 'Ingress', namespace: 'a', name }, status: s }, s];
};
const release = (name: string, key?: string): [StatusRecordWire, StatusRelease] => {
  const r: StatusRelease = { kind: 'Ingress', namespace: 'a', name, ingress: [{ ip: '192.0.2.1' }] };
  return [
    { cursor: 'c', ...(key ? { key } : {}), ref: { kind: 'Ingress', namespace: 'a', name }, release: r },
    r,
  ];
};

describe('LoadBalancerTargets', () => {
  const objects = cache([
    svc('web', 'web'),
    svc('api', 'api'),
    svc('fallback', 'fallback'),
    ingress('shop', ['web'], 'fallback'),
    ingress('grouped', ['api']),
  ]);

  it('gives an Ingress load balancer to the pods of its rules’ and default backend’s Services', () => {
    const targets = new LoadBalancerTargets();
    targets.observe(...status('shop', INGRESS_KEY));
    targets.observe(...status('grouped', GROUP_KEY));
    expect(targets.gateTypesFor('a', pod('web'), objects)).toEqual([readinessGateType(INGRESS_KEY)]);
    expect(targets.gateTypesFor('a', pod('fallback'), objects)).toEqual([readinessGateType(INGRESS_KEY)]);
    // an Ingress group has no object of its own: its Ingress is enough
    expect(targets.gateTypesFor('a', pod('api'), objects)).toEqual([readinessGateType(GROUP_KEY)]);
    expect(targets.gateTypesFor('b', pod('web'), objects)).toEqual([]);
    expect(targets.gateTypesFor('a', pod('nothing'), objects)).toEqual([]);
  });

  it('drops a load balancer on its release, and never trusts a record without a key', () => {
    const targets = new LoadBalancerTargets();
    targets.observe(...status('shop', INGRESS_KEY));
    targets.observe(...release('shop', lbKey('c1', 'Ingress', 'a', 'other'))); // another key: kept
    expect(targets.gateTypesFor('a', pod('web'), objects)).toHaveLength(1);
    targets.observe(...release('shop', INGRESS_KEY));
    expect(targets.gateTypesFor('a', pod('web'), objects)).toEqual([]);
    expect(targets.size).toBe(0);

    targets.observe(...status('shop', INGRESS_KEY));
    const [record, s] = status('shop', INGRESS_KEY);
    targets.observe({ ...record, key: undefined } as StatusRecordWire, s); // which key it undoes is unknown
    expect(targets.gateTypesFor('a', pod('web'), objects)).toEqual([]);
  });

  it('gives no gate for an Ingress that is gone from the cache, or a key that is not one', () => {
    const targets = new LoadBalancerTargets();
    targets.observe(...status('shop', INGRESS_KEY));
    targets.observe(...status('grouped', 'not a key'));
    const withoutShop = cache([svc('web', 'web'), svc('api', 'api'), ingress('grouped', ['api'])]);
    expect(targets.gateTypesFor('a', pod('web'), withoutShop)).toEqual([]);
    expect(targets.gateTypesFor('a', pod('api'), withoutShop)).toEqual([]);
  });
});
