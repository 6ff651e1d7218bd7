// GatewayClass spec.parametersRef and Gateway spec.infrastructure.parametersRef: a reference of the
// wrong group or kind, to a missing object, or to a LoadBalancerParameters whose spec is invalid is
// `Accepted=False, reason InvalidParameters` with the precise cause, at the object's generation; the
// Gateway's load balancer is held, never deleted. (Gateway API: "InvalidParameters".)

import { describe, expect, it } from 'vitest';
import type { StatusCondition } from '#core/status/types.js';
import { translate } from '#core/translate/translate.js';

const CONTROLLER = 'portico.dev/gateway-controller';
type Ref = { group: string; kind: string; name: string; namespace?: string };

const PARAMETERS = (name: string, spec: object) => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'LoadBalancerParameters',
  metadata: { name, namespace: 'infra' },
  spec,
});

function objects(classRef?: Ref, gatewayRef?: Omit<Ref, 'namespace'>) {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'portico', generation: 4 },
      spec: { controllerName: CONTROLLER, ...(classRef ? { parametersRef: classRef } : {}) },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'infra', generation: 7 },
      spec: {
        gatewayClassName: 'portico',
        listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
        ...(gatewayRef ? { infrastructure: { parametersRef: gatewayRef } } : {}),
      },
    },
    PARAMETERS('good', { provider: 'haproxy' }),
    PARAMETERS('broken', { provider: 'no-such-cloud' }),
  ];
}

function accepted(result: ReturnType<typeof translate>, kind: 'GatewayClass' | 'Gateway'): StatusCondition {
  const s = result.statuses.find((x) => x.kind === kind)!;
  return (s.status as { conditions: StatusCondition[] }).conditions.find((c) => c.type === 'Accepted')!;
}

const good = { group: 'portico.dev', kind: 'LoadBalancerParameters', name: 'good' };

describe('parametersRef validation', () => {
  it.each([
    [
      'the wrong group',
      { ...good, group: 'example.com' },
      'parameters must be a portico.dev LoadBalancerParameters, not example.com/LoadBalancerParameters',
    ],
    [
      'the wrong kind',
      { ...good, kind: 'ConfigMap', group: '' },
      'parameters must be a portico.dev LoadBalancerParameters, not /ConfigMap',
    ],
    ['a missing object', { ...good, name: 'absent' }, 'LoadBalancerParameters infra/absent not found'],
    [
      'an invalid spec',
      { ...good, name: 'broken' },
      'LoadBalancerParameters infra/broken is invalid: spec.provider:',
    ],
  ])(
    'GatewayClass with %s: not accepted (InvalidParameters), and neither is its Gateway',
    (_, ref, message) => {
      const result = translate(objects({ ...ref, namespace: 'infra' }));
      const cls = accepted(result, 'GatewayClass');
      expect(cls).toMatchObject({ status: 'False', reason: 'InvalidParameters', observedGeneration: 4 });
      expect(cls.message).toContain(message);
      expect(accepted(result, 'Gateway')).toMatchObject({
        status: 'False',
        reason: 'InvalidParameters',
        observedGeneration: 7,
      });
      expect(result.loadBalancers).toEqual([]);
      expect(result.held.map((h) => h.key)).toEqual(['local/Gateway/infra/web']);
    },
  );

  it.each([
    ['the wrong group', { ...good, group: 'example.com' }, 'not example.com/LoadBalancerParameters'],
    ['a missing object', { ...good, name: 'absent' }, 'LoadBalancerParameters infra/absent not found'],
    [
      'an invalid spec',
      { ...good, name: 'broken' },
      'LoadBalancerParameters infra/broken is invalid: spec.provider:',
    ],
  ])(
    'Gateway infrastructure.parametersRef with %s: the Gateway is not accepted, the class is',
    (_, ref, message) => {
      const result = translate(objects(undefined, ref));
      expect(accepted(result, 'GatewayClass')).toMatchObject({ status: 'True', observedGeneration: 4 });
      const gw = accepted(result, 'Gateway');
      expect(gw).toMatchObject({ status: 'False', reason: 'InvalidParameters', observedGeneration: 7 });
      expect(gw.message).toContain(message);
      expect(result.held.map((h) => h.key)).toEqual(['local/Gateway/infra/web']);
    },
  );

  it('valid references on both are accepted and pick the provider', () => {
    const result = translate(objects({ ...good, namespace: 'infra' }, good));
    expect(accepted(result, 'GatewayClass')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(accepted(result, 'Gateway')).toMatchObject({ status: 'True' });
    expect(result.loadBalancers.map((l) => l.provider)).toEqual(['haproxy']);
  });
});
