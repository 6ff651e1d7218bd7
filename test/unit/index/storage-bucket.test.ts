import { describe, expect, it } from 'vitest';
import { affectedKeys, DependencyGraph, referencesOf, selectBundle } from '#core/index/index.js';
import { CLUSTER, gateway, gatewayClass, ingressClass, namespace } from './fixtures.js';

// A StorageBucket is a backend like a Service: routes and Ingresses that use it have an edge to it,
// so that a change of the bucket reconciles their load balancers, and a key's bundle carries it.

const bucket = (ns: string, name: string, bucketName = `${name}-bucket`) => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'StorageBucket',
  metadata: { name, namespace: ns },
  spec: { bucketName },
});

const route = (ns: string, name: string, backend: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: ns },
  spec: { parentRefs: [{ name: 'ga' }], rules: [{ backendRefs: [backend] }] },
});

const ingress = (ns: string, name: string, resource: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: ns },
  spec: {
    ingressClassName: 'portico',
    defaultBackend: { resource },
    rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { resource } }] } }],
  },
});

const toBucket = { group: 'portico.dev', kind: 'StorageBucket', name: 'assets' };

describe('StorageBucket references', () => {
  it('a bucket backendRef (group portico.dev) is an edge; the same name in another group is not', () => {
    expect(referencesOf(route('a', 'r', toBucket)).filter((e) => e.type === 'backendRef')).toEqual([
      { type: 'backendRef', to: { kind: 'StorageBucket', namespace: 'a', name: 'assets' } },
    ]);
    expect(
      referencesOf(route('a', 'r', { ...toBucket, namespace: 'media' })).find((e) => e.type === 'backendRef')
        ?.to,
    ).toEqual({ kind: 'StorageBucket', namespace: 'media', name: 'assets' });
    const foreign = route('a', 'r', { group: 'storage.example.com', kind: 'StorageBucket', name: 'assets' });
    expect(referencesOf(foreign).filter((e) => e.type === 'backendRef')).toEqual([]);
  });

  it('an Ingress resource backend of apiGroup portico.dev is an edge to the bucket in its namespace', () => {
    const ing = ingress('a', 'site', { apiGroup: 'portico.dev', kind: 'StorageBucket', name: 'assets' });
    expect(referencesOf(ing).filter((e) => e.type === 'ingressBackend')).toEqual([
      { type: 'ingressBackend', to: { kind: 'StorageBucket', namespace: 'a', name: 'assets' } },
    ]);
    const other = ingress('a', 'x', { apiGroup: 'storage.example.com', kind: 'StorageBucket', name: 'b' });
    expect(referencesOf(other).filter((e) => e.type === 'ingressBackend')).toEqual([]);
  });

  const objects = [
    namespace('a'),
    gatewayClass('portico'),
    ingressClass('portico'),
    gateway('a', 'ga'),
    gateway('a', 'gb'),
    route('a', 'uses-bucket', toBucket),
    ingress('a', 'site', { apiGroup: 'portico.dev', kind: 'StorageBucket', name: 'assets' }),
    bucket('a', 'assets'),
    bucket('a', 'unused'),
  ];

  it('a bucket change affects the Gateways of the routes and the Ingresses that use it, nothing else', () => {
    const graph = DependencyGraph.of(objects, CLUSTER);
    const changedBucket = { old: bucket('a', 'assets'), new: bucket('a', 'assets', 'renamed-bucket') };
    expect(affectedKeys(changedBucket, graph, CLUSTER)).toEqual([
      `${CLUSTER}/Gateway/a/ga`,
      `${CLUSTER}/Ingress/a/site`,
    ]);
    expect(affectedKeys({ new: bucket('a', 'unused', 'x-bucket') }, graph, CLUSTER)).toEqual([]);
  });

  it("a key's bundle carries the buckets its routes use", () => {
    const graph = DependencyGraph.of(objects, CLUSTER);
    const kinds = (key: string) =>
      selectBundle(key, graph)
        .map((o) => `${(o as { kind: string }).kind}/${(o as { metadata: { name: string } }).metadata.name}`)
        .filter((id) => id.startsWith('StorageBucket/'));
    expect(kinds(`${CLUSTER}/Gateway/a/ga`)).toEqual(['StorageBucket/assets']);
    expect(kinds(`${CLUSTER}/Ingress/a/site`)).toEqual(['StorageBucket/assets']);
    expect(kinds(`${CLUSTER}/Gateway/a/gb`)).toEqual([]);
  });
});
