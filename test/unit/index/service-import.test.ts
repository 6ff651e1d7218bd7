import { describe, expect, it } from 'vitest';
import { affectedKeys, DependencyGraph, referencesOf, selectBundle } from '#core/index/index.js';
import { exportedSlice, routeToImport, serviceImport } from '#test/support/mcs-objects.js';
import { gateway, gatewayClass, namespace } from './fixtures.js';

// A route in cluster a names a ServiceImport; the endpoints of the multi-cluster service come from
// EndpointSlices stored under each cluster of the clusterset {a, b}, each only where its
// source-cluster label says it belongs.

const slice = (name: string, sourceCluster: string, address: string) =>
  exportedSlice('apps', name, { service: 'shop', sourceCluster, port: 8080, endpoints: [{ address }] });

const inA = [
  namespace('apps'),
  gatewayClass('portico'),
  gateway('apps', 'web'),
  gateway('apps', 'other'),
  routeToImport('apps', 'shop', { gateway: 'web', service: 'shop' }),
  serviceImport('apps', 'shop'),
  slice('shop-a', 'a', '10.1.0.1'),
  // An MCS controller's copy of b's endpoints in a: b's forwarder sends the original.
  slice('shop-b-copy', 'b', '10.2.0.9'),
  slice('shop-c', 'c', '10.3.0.1'),
];
const inB = [
  namespace('apps'),
  slice('shop-b', 'b', '10.2.0.1'),
  // A slice in b claiming to be a's: not read (a's endpoints come from a).
  slice('shop-claims-a', 'a', '10.1.0.66'),
];

function clusterSet(): { a: DependencyGraph; b: DependencyGraph } {
  const a = DependencyGraph.of(inA, 'a');
  const b = DependencyGraph.of(inB, 'b');
  a.peers = [b];
  b.peers = [a];
  return { a, b };
}

const names = (objects: unknown[], kind: string) =>
  objects
    .filter((o) => (o as { kind: string }).kind === kind)
    .map((o) => (o as { metadata: { name: string } }).metadata.name);

describe('ServiceImport in the index', () => {
  it('a backendRef of group multicluster.x-k8s.io is an edge to the ServiceImport; an MCS slice points at it', () => {
    expect(referencesOf(routeToImport('apps', 'r', { gateway: 'web', service: 'shop' }))).toContainEqual({
      type: 'backendRef',
      to: { kind: 'ServiceImport', namespace: 'apps', name: 'shop' },
    });
    const foreign = routeToImport('apps', 'r', { gateway: 'web', service: 'shop' });
    (foreign.spec.rules[0]!.backendRefs[0] as { group: string }).group = 'example.com';
    expect(referencesOf(foreign).filter((e) => e.type === 'backendRef')).toEqual([]);
    expect(referencesOf(slice('s', 'b', '10.0.0.1'))).toEqual([
      { type: 'importedSliceOf', to: { kind: 'ServiceImport', namespace: 'apps', name: 'shop' } },
    ]);
  });

  it("a Gateway's bundle holds the ServiceImport and each member's own exported slices", () => {
    const { a } = clusterSet();
    const bundle = selectBundle('a/Gateway/apps/web', a);
    expect(names(bundle, 'ServiceImport')).toEqual(['shop']);
    expect(names(bundle, 'EndpointSlice').sort()).toEqual(['shop-a', 'shop-b']);
    // Without the clusterset, only a's own.
    const alone = DependencyGraph.of(inA, 'a');
    expect(names(selectBundle('a/Gateway/apps/web', alone), 'EndpointSlice')).toEqual(['shop-a']);
  });

  it('a slice of another cluster with the same name as a local one keeps its place in the bundle', () => {
    const { a, b } = clusterSet();
    b.upsert(slice('shop-a', 'b', '10.2.0.2'));
    const slices = selectBundle('a/Gateway/apps/web', a).filter(
      (o) => (o as { kind: string }).kind === 'EndpointSlice',
    ) as { endpoints: { addresses: string[] }[] }[];
    expect(slices.map((s) => s.endpoints[0]!.addresses[0]).sort()).toEqual([
      '10.1.0.1',
      '10.2.0.1',
      '10.2.0.2',
    ]);
  });

  it("a change of b's exported slice affects the keys of a that import the service", () => {
    const { b } = clusterSet();
    const old = slice('shop-b', 'b', '10.2.0.1');
    const changed = { old, new: { ...old, endpoints: [] } };
    expect(affectedKeys(changed, b, 'b')).toEqual(['a/Gateway/apps/web']);
    expect(affectedKeys(changed, DependencyGraph.of(inB, 'b'), 'b')).toEqual([]);
  });

  it('a change of the ServiceImport affects the Gateways of the routes that use it, in its cluster only', () => {
    const { a } = clusterSet();
    expect(affectedKeys({ new: serviceImport('apps', 'shop', [{ port: 81 }]) }, a, 'a')).toEqual([
      'a/Gateway/apps/web',
    ]);
  });
});
