import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gateway, type KubeFixture, service, startKube } from './support.js';

// The fake API server, exercised through the real @kubernetes/client-node over HTTP.

let kube: KubeFixture;
let kc: KubeConfig;
const GW = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type WatchEvent = {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number };
};

/** A real Watch, collecting its events until done. */
async function watch(path: string, query: Record<string, string>) {
  const events: WatchEvent[] = [];
  let done: unknown = 'open';
  const ended = new Promise<unknown>((resolve) => {
    void new Watch(kc)
      .watch(
        path,
        query,
        (type, object) => events.push({ type, object }),
        (err) => {
          done = err ?? null;
          resolve(done);
        },
      )
      .then((controller) => {
        stop = () => controller.abort();
      });
  });
  let stop = () => {};
  return { events, ended, isOpen: () => done === 'open', stop: () => stop() };
}

beforeAll(async () => {
  kube = await startKube({ bookmarkIntervalMs: 60_000 });
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig);
});

afterAll(async () => {
  await kube?.close();
});

describe('kube-api-server, through the real client', () => {
  it('serves discovery for the groups Portico reads', async () => {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const gw = groups.groups.find((g) => g.name === 'gateway.networking.k8s.io');
    expect(gw?.preferredVersion?.version).toBe('v1');
    expect(gw?.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha2']);
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['networking.k8s.io', 'discovery.k8s.io', 'portico.dev']),
    );
    const core = await kc.makeApiClient(CoreV1Api).getAPIResources();
    expect(core.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['services', 'services/status', 'secrets', 'namespaces']),
    );
  });

  it('creates, gets and lists with resourceVersions; list items of built-in kinds carry no kind', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const created = await api.createNamespacedCustomObject({
      ...GW,
      namespace: 'a',
      body: gateway('a', 'one'),
    });
    expect(created.metadata).toMatchObject({ name: 'one', namespace: 'a', generation: 1 });
    expect(created.metadata.uid).toBeTruthy();
    const got = await api.getNamespacedCustomObject({ ...GW, namespace: 'a', name: 'one' });
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const list = await api.listClusterCustomObject(GW);
    expect(list.metadata.resourceVersion).toBe(kube.server.resourceVersion);
    expect(list.items.map((i: { kind: string }) => i.kind)).toEqual(['Gateway']);
    await expect(
      api.createNamespacedCustomObject({ ...GW, namespace: 'a', body: gateway('a', 'one') }),
    ).rejects.toMatchObject({ code: 409 });

    kube.server.create(service('a', 'svc', 80));
    const services = await kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
    expect(services.items.map((s) => s.metadata?.name)).toEqual(['svc']);
    const raw = (await await fetch(`${kube.server.url}/api/v1/services`, {
      headers: { authorization: 'Bearer portico-test-token' },
    }).then((r) => r.json())) as { items: Record<string, unknown>[] };
    expect(raw.items[0]?.kind).toBeUndefined();
    expect((await fetch(`${kube.server.url}/api/v1/services`)).status).toBe(401);
  });

  it('patches the status subresource: spec untouched, no-op writes keep the resourceVersion, stale ones conflict', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const before = kube.server.create(gateway('b', 'gw'));
    const status = { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }] };
    const patched = await api.patchNamespacedCustomObjectStatus(
      { ...GW, namespace: 'b', name: 'gw', body: { status, spec: { gatewayClassName: 'changed' } } },
      mergePatch,
    );
    expect(patched.status).toEqual(status);
    expect(patched.spec.gatewayClassName).toBe('portico');
    expect(patched.metadata.generation).toBe(1);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));

    const again = await api.patchNamespacedCustomObjectStatus(
      { ...GW, namespace: 'b', name: 'gw', body: { status } },
      mergePatch,
    );
    expect(again.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
    const writes = kube.server.statusWrites.filter((w) => w.name === 'gw');
    expect(writes.map((w) => w.changed)).toEqual([true, false]);
    expect(writes[0]?.contentType).toBe('application/merge-patch+json');

    await expect(
      api.patchNamespacedCustomObjectStatus(
        { ...GW, namespace: 'b', name: 'gw', body: { metadata: { resourceVersion: '1' }, status: {} } },
        mergePatch,
      ),
    ).rejects.toMatchObject({ code: 409 });

    const spec = await api.patchNamespacedCustomObject(
      { ...GW, namespace: 'b', name: 'gw', body: { spec: { gatewayClassName: 'other' }, status: { x: 1 } } },
      mergePatch,
    );
    expect(spec.metadata.generation).toBe(2);
    expect(spec.status).toEqual(status);
  });

  it('watches from a resourceVersion: replays what followed, streams, and sends bookmarks when asked', async () => {
    const from = kube.server.resourceVersion;
    kube.server.create(gateway('c', 'w1'));
    const w = await watch('/apis/gateway.networking.k8s.io/v1/gateways', {
      resourceVersion: from,
      allowWatchBookmarks: 'true',
    });
    await eventually(() => w.events.length === 1, 'replayed ADDED');
    kube.server.apply({ ...gateway('c', 'w1', 8080) });
    kube.server.remove('Gateway', 'c', 'w1');
    kube.server.sendBookmarks();
    await eventually(() => w.events.length === 4, 'four events');
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`)).toEqual([
      'ADDED w1',
      'MODIFIED w1',
      'DELETED w1',
      'BOOKMARK ',
    ]);
    expect(w.events[3]?.object.metadata?.resourceVersion).toBe(kube.server.resourceVersion);
    w.stop();
  });

  it('answers a watch from a compacted resourceVersion with a 410 ERROR event, or a forced HTTP 410', async () => {
    const old = kube.server.resourceVersion;
    kube.server.create(gateway('d', 'x'));
    kube.server.compact();
    const w = await watch('/apis/gateway.networking.k8s.io/v1/gateways', { resourceVersion: old });
    expect(await w.ended).toBeNull();
    expect(w.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) },
    ]);

    kube.server.failNextWatch({ as: 'http' });
    const h = await watch('/apis/gateway.networking.k8s.io/v1/gateways', {
      resourceVersion: kube.server.resourceVersion,
    });
    expect(await h.ended).toMatchObject({ statusCode: 410 });
  });

  it('cuts open watch streams on demand', async () => {
    const w = await watch('/api/v1/services', { resourceVersion: kube.server.resourceVersion });
    await eventually(() => kube.server.watchCount === 1, 'watch registered');
    expect(kube.server.cutWatches()).toBe(1);
    expect(await w.ended).not.toBe('open');
    expect(kube.server.watchCount).toBe(0);
  });
});
