import { describe, expect, it } from 'vitest';
import { applyProgrammedStates } from '#core/status/programmed.js';
import { translate } from '#core/translate/translate.js';

const objects = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico' },
    spec: { controllerName: 'portico.dev/gateway-controller' },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'web', namespace: 'infra', generation: 2 },
    spec: {
      gatewayClassName: 'portico',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'bad', port: 81, protocol: 'SCTP' },
      ],
    },
  },
];

describe('status: applyProgrammedStates', () => {
  it('marks an accepted Gateway and its valid listeners Programmed, with addresses', () => {
    // Prepare
    const { statuses, loadBalancers } = translate(objects);
    const key = loadBalancers[0]!.key;
    // Act
    const after = applyProgrammedStates(
      statuses,
      new Map([
        [key, { key, programmed: true, addresses: [{ type: 'IPAddress' as const, value: '127.0.0.10' }] }],
      ]),
    );
    // Assess
    const gw = after.find((s) => s.kind === 'Gateway');
    if (gw?.kind !== 'Gateway') throw new Error('no gateway status');
    expect(gw.status.addresses).toEqual([{ type: 'IPAddress', value: '127.0.0.10' }]);
    expect(gw.status.conditions.find((c) => c.type === 'Programmed')).toMatchObject({
      status: 'True',
      reason: 'Programmed',
      observedGeneration: 2,
    });
    const [http, bad] = gw.status.listeners;
    expect(http?.conditions.find((c) => c.type === 'Programmed')?.status).toBe('True');
    expect(bad?.conditions.find((c) => c.type === 'Programmed')).toMatchObject({
      status: 'False',
      reason: 'Invalid',
    });
  });

  it('reports a provider failure on the Gateway', () => {
    const { statuses, loadBalancers } = translate(objects);
    const key = loadBalancers[0]!.key;
    const after = applyProgrammedStates(
      statuses,
      new Map([[key, { key, programmed: false, addresses: [], message: 'quota exceeded' }]]),
    );
    const gw = after.find((s) => s.kind === 'Gateway');
    expect(gw?.kind === 'Gateway' && gw.status.conditions.find((c) => c.type === 'Programmed')).toMatchObject(
      { status: 'False', message: 'quota exceeded' },
    );
  });
});
