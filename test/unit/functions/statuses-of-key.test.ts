import { describe, expect, it } from 'vitest';
import type { ObjectStatus } from '#core/status/types.js';
import { translate } from '#core/translate/translate.js';
import { statusesOfKey } from '#functions/reconcile/handler.js';

const gatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico' },
  spec: { controllerName: 'portico.dev/gateway-controller' },
};
const gateway = (name: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'a' },
  spec: {
    gatewayClassName: 'portico',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    allowedListeners: { namespaces: { from: 'Same' } },
  },
});
const listenerSet = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'ListenerSet',
  metadata: { name: 'extra', namespace: 'a' },
  spec: { parentRef: { name: 'g1' }, listeners: [{ name: 'alt', port: 8080, protocol: 'HTTP' }] },
};
const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'a' },
  spec: {
    parentRefs: [{ name: 'g1' }, { kind: 'ListenerSet', name: 'extra' }, { name: 'g2' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
  },
};
const parentsOf = (statuses: ObjectStatus[]) => {
  const s = statuses.find((x) => x.kind === 'HTTPRoute');
  return s && 'parents' in s.status
    ? s.status.parents.map((p) => `${p.parentRef.kind ?? 'Gateway'}/${p.parentRef.name}`)
    : [];
};

describe('reconcile: statusesOfKey', () => {
  it("keeps a route's entries of the key's Gateway and of its ListenerSets, from the key's own bundle", () => {
    // What the reconcile of g1 translates: g1's bundle (g2 is not in it).
    const { statuses } = translate([gatewayClass, gateway('g1'), listenerSet, route], { cluster: 'c' });
    expect(parentsOf(statuses)).toEqual(['Gateway/g1', 'ListenerSet/extra']);
    expect(parentsOf(statusesOfKey(statuses, 'c/Gateway/a/g1'))).toEqual(['Gateway/g1', 'ListenerSet/extra']);
  });

  it('leaves out the entries of other Gateways, and ListenerSet entries it cannot place', () => {
    const { statuses } = translate([gatewayClass, gateway('g1'), gateway('g2'), listenerSet, route], {
      cluster: 'c',
    });
    expect(parentsOf(statuses)).toEqual(['Gateway/g1', 'ListenerSet/extra', 'Gateway/g2']);
    expect(parentsOf(statusesOfKey(statuses, 'c/Gateway/a/g2'))).toEqual(['Gateway/g2']);
    // A status spanning two keys does not say whose ListenerSet it is: only the Gateway's own entry.
    expect(parentsOf(statusesOfKey(statuses, 'c/Gateway/a/g1'))).toEqual(['Gateway/g1']);
  });
});
