import { describe, expect, it } from 'vitest';
import { applyProgrammedStates } from '#core/status/programmed.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
import type { ObjectStatus } from '#core/status/types.js';
import { translate } from '#core/translate/translate.js';

// ListenerSets are served by their Gateway's load balancer: what the provider reports for it (programmed,
// or a listener it cannot program) lands on the ListenerSet's status too, and only errors count.

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
    metadata: { name: 'web', namespace: 'infra', generation: 1 },
    spec: {
      gatewayClassName: 'portico',
      allowedListeners: { namespaces: { from: 'All' } },
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ListenerSet',
    metadata: { name: 'extra', namespace: 'team', generation: 5 },
    spec: {
      parentRef: { name: 'web', namespace: 'infra' },
      listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
    },
  },
];

const listenerSet = (statuses: readonly ObjectStatus[]) => {
  const s = statuses.find((x) => x.kind === 'ListenerSet');
  if (s?.kind !== 'ListenerSet') throw new Error('no ListenerSet status');
  return s;
};

describe('status: ListenerSets after the provider reports', () => {
  it('marks an accepted ListenerSet and its listeners Programmed at its own generation', () => {
    const { statuses, loadBalancers } = translate(objects);
    const key = loadBalancers[0]!.key;
    const after = applyProgrammedStates(statuses, new Map([[key, { key, programmed: true, addresses: [] }]]));
    const ls = listenerSet(after);
    expect(ls.status.conditions.find((c) => c.type === 'Programmed')).toMatchObject({
      status: 'True',
      reason: 'Programmed',
      observedGeneration: 5,
    });
    expect(ls.status.listeners[0]!.conditions.find((c) => c.type === 'Programmed')?.status).toBe('True');
  });

  it('puts a listener notice on the ListenerSet listener it is about, not on the Gateway listener of the same name', () => {
    const { statuses, loadBalancers } = translate(objects);
    const lb = loadBalancers[0]!;
    const listener = lb.listeners.find((l) => l.port === 8080)!;
    const after = applyProviderNotices(statuses, lb, 'test', [
      {
        code: 'UnsupportedProtocol',
        message: 'no port 8080 here',
        source: listener.sources[0]!,
        listener: listener.id,
      },
    ]);
    expect(
      listenerSet(after).status.listeners[0]!.conditions.find((c) => c.type === 'Accepted'),
    ).toMatchObject({
      status: 'False',
      reason: 'UnsupportedProtocol',
    });
    const gw = after.find((s) => s.kind === 'Gateway');
    if (gw?.kind !== 'Gateway') throw new Error('no Gateway status');
    expect(gw.status.listeners[0]!.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
  });

  it('ignores warnings: the listener they name still serves', () => {
    const { statuses, loadBalancers } = translate(objects);
    const lb = loadBalancers[0]!;
    const listener = lb.listeners.find((l) => l.port === 8080)!;
    const after = applyProviderNotices(statuses, lb, 'test', [
      {
        severity: 'warning',
        code: 'UnsupportedValue',
        message: 'no 421',
        source: listener.sources[0]!,
        listener: listener.id,
      },
    ]);
    expect(after).toEqual(statuses);
  });
});
