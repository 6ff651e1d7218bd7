import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterObject } from '#kube/cluster-object.js';
import { type ClusterEventType, type ClusterList, ClusterSource } from '#kube/cluster-source.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { eventually, gateway, type KubeFixture, startKube } from './support.js';

// The hooks the forwarder builds on: onList (every list, with its objects), onEvent (watch changes
// only, never the objects a list already carried), relist(kind).

let kube: KubeFixture | undefined;
let source: ClusterSource | undefined;

afterEach(async () => {
  await source?.stop();
  await kube?.close();
  source = kube = undefined;
});

async function setup() {
  kube = await startKube();
  const lists: { kind: string; list: ClusterList }[] = [];
  const events: string[] = [];
  source = new ClusterSource({
    kubeConfig: loadKubeConfig(kube.kubeconfig),
    kinds: ['Gateway', 'Service'],
    backoff: { initialMs: 50, maxMs: 200 },
    onList: (resource, list) => lists.push({ kind: resource.kind, list }),
    onEvent: (type: ClusterEventType, o: ClusterObject) =>
      events.push(`${type} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
  });
  return { kube, source, lists, events };
}

describe('ClusterSource hooks', () => {
  it('reports each list with its objects, then only what the watch reports', async () => {
    const { kube, source, lists, events } = await setup();
    kube.server.create(gateway('a', 'gw'));
    await source.start();
    expect(source.notListed()).toEqual([]);
    expect(lists.map((l) => `${l.kind}:${l.list.items.length}`).sort()).toEqual(['Gateway:1', 'Service:0']);
    const gw = lists.find((l) => l.kind === 'Gateway')!.list;
    expect(gw.resourceVersion).toBe(kube.server.resourceVersion);
    expect(gw.listId).toMatch(/^[0-9a-f-]{36}$/);
    expect(gw.items[0]).toMatchObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' });
    expect(gw.items[0]?.metadata.managedFields).toBeUndefined();
    expect(events).toEqual([]); // the listed gateway is not reported again as an add

    kube.server.create(gateway('a', 'gw2'));
    kube.server.apply(gateway('a', 'gw', 81));
    kube.server.remove('Gateway', 'a', 'gw2');
    await eventually(() => events.length === 3, 'watch events');
    expect(events).toEqual(['add Gateway a/gw2', 'update Gateway a/gw', 'delete Gateway a/gw2']);
  });

  it('relist(kind) lists the kind again, and reports what vanished while nobody watched', async () => {
    const { kube, source, lists, events } = await setup();
    kube.server.create(gateway('a', 'gw'));
    kube.server.create(gateway('a', 'gone'));
    await source.start();
    // all synchronous: the old informer cannot see the delete before relist() replaces it
    kube.server.cutWatches('clean');
    kube.server.remove('Gateway', 'a', 'gone');
    expect(source.relist('Gateway')).toBe(true);
    expect(source.relist('ConfigMap')).toBe(false);
    await eventually(() => lists.filter((l) => l.kind === 'Gateway').length === 2, 'second list');
    const second = lists.filter((l) => l.kind === 'Gateway')[1]!.list;
    expect(second.items.map((o) => o.metadata.name)).toEqual(['gw']);
    await eventually(() => events.length > 0, 'delete reported');
    expect(events).toEqual(['delete Gateway a/gone']);
    expect(source.get('Gateway', 'a', 'gone')).toBeUndefined();
    expect(source.get('Gateway', 'a', 'gw')).toBeDefined();
    // the new informer watches: changes still arrive, once
    kube.server.apply(gateway('a', 'gw', 82));
    await eventually(() => events.length === 2, 'update after relist');
    expect(events[1]).toBe('update Gateway a/gw');
  });
});
