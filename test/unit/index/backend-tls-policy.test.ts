import { describe, expect, it } from 'vitest';
import { affectedKeys, DependencyGraph, referencesOf, selectBundle } from '#core/index/index.js';
import { CLUSTER, gateway, gatewayClass, httpRoute, namespace, service } from './fixtures.js';

// A BackendTLSPolicy changes how the Gateways routing to its Service speak to it, and so does its
// CA ConfigMap; a Gateway's own CA ConfigMaps (client-certificate validation) and backend client
// certificate Secret are its references too.

const policy = (ns: string, name: string, target: string, ca: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'BackendTLSPolicy',
  metadata: { name, namespace: ns },
  spec: {
    targetRefs: [{ group: '', kind: 'Service', name: target }],
    validation: { caCertificateRefs: [ca], hostname: 'api.internal' },
  },
});
const configMap = (ns: string, name: string, pem = 'x') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data: { 'ca.crt': pem },
});
const gatewayWithTls = () => {
  const gw = gateway('a', 'gb');
  return {
    ...gw,
    spec: {
      ...gw.spec,
      tls: {
        backend: { clientCertificateRef: { name: 'client', namespace: 'certs' } },
        frontend: {
          default: { validation: { caCertificateRefs: [{ kind: 'ConfigMap', name: 'clients-ca' }] } },
          perPort: [
            { port: 8443, tls: { validation: { caCertificateRefs: [{ name: 'x', namespace: 'b' }] } } },
          ],
        },
      },
    },
  };
};

describe('BackendTLSPolicy and CA ConfigMap references', () => {
  it('a policy targets Services and names ConfigMaps of its own namespace only', () => {
    const p = policy('a', 'p', 'api', { group: '', kind: 'ConfigMap', name: 'ca', namespace: 'elsewhere' });
    expect(referencesOf(p)).toEqual([
      { type: 'caCertificateRef', to: { kind: 'ConfigMap', namespace: 'a', name: 'ca' } },
      { type: 'policyTarget', to: { kind: 'Service', namespace: 'a', name: 'api' } },
    ]);
    const wrongKind = policy('a', 'p', 'api', { group: 'invalid.io', kind: 'InvalidKind', name: 'ca' });
    expect(referencesOf(wrongKind).map((e) => e.type)).toEqual(['policyTarget']);
  });

  it("a Gateway's frontend CA ConfigMaps and backend client Secret are edges", () => {
    expect(referencesOf(gatewayWithTls()).filter((e) => e.type !== 'gatewayClass')).toEqual([
      { type: 'caCertificateRef', to: { kind: 'ConfigMap', namespace: 'a', name: 'clients-ca' } },
      { type: 'caCertificateRef', to: { kind: 'ConfigMap', namespace: 'b', name: 'x' } },
      { type: 'certificateRef', to: { kind: 'Secret', namespace: 'certs', name: 'client' } },
    ]);
  });

  const objects = [
    namespace('a'),
    gatewayClass('portico'),
    gateway('a', 'ga'),
    gatewayWithTls(),
    httpRoute('a', 'r', { parents: [{ name: 'ga' }], backends: [{ name: 'api' }] }),
    service('a', 'api'),
    service('a', 'other'),
    policy('a', 'p', 'api', { group: '', kind: 'ConfigMap', name: 'api-ca' }),
    policy('a', 'q', 'other', { group: '', kind: 'ConfigMap', name: 'other-ca' }),
    configMap('a', 'api-ca'),
    configMap('a', 'other-ca'),
    configMap('a', 'clients-ca'),
  ];

  it('a policy or its ConfigMap reconciles the Gateways routing to the Service; a frontend CA its Gateway', () => {
    const graph = DependencyGraph.of(objects, CLUSTER);
    const p = policy('a', 'p', 'api', { group: '', kind: 'ConfigMap', name: 'api-ca' });
    expect(
      affectedKeys({ old: p, new: { ...p, metadata: { ...p.metadata, generation: 2 } } }, graph, CLUSTER),
    ).toEqual([`${CLUSTER}/Gateway/a/ga`]);
    expect(affectedKeys({ new: configMap('a', 'api-ca', 'y') }, graph, CLUSTER)).toEqual([
      `${CLUSTER}/Gateway/a/ga`,
    ]);
    expect(affectedKeys({ new: configMap('a', 'clients-ca', 'y') }, graph, CLUSTER)).toEqual([
      `${CLUSTER}/Gateway/a/gb`,
    ]);
    // Service `other` is no route's backend: its policy and CA reconcile nothing.
    expect(affectedKeys({ new: configMap('a', 'other-ca', 'y') }, graph, CLUSTER)).toEqual([]);
  });

  it("a key's bundle carries the policies of its Services and their ConfigMaps, and its own CAs", () => {
    const graph = DependencyGraph.of(objects, CLUSTER);
    const ids = (key: string) =>
      selectBundle(key, graph)
        .map((o) => `${(o as { kind: string }).kind}/${(o as { metadata: { name: string } }).metadata.name}`)
        .filter((id) => id.startsWith('ConfigMap/') || id.startsWith('BackendTLSPolicy/'));
    expect(ids(`${CLUSTER}/Gateway/a/ga`)).toEqual(['BackendTLSPolicy/p', 'ConfigMap/api-ca']);
    expect(ids(`${CLUSTER}/Gateway/a/gb`)).toEqual(['ConfigMap/clients-ca']);
  });
});
