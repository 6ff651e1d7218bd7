import { afterEach, describe, expect, it } from 'vitest';
import { READ_KIND_NAMES } from '#events/kinds.js';
import { ClusterSource } from '#kube/cluster-source.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { DEFAULT_RESOURCES } from '#test/support/kube-api-server.js';
import { eventually, gateway, type KubeFixture, service, startKube } from './support.js';

// The cluster source: real @kubernetes/client-node informers against the fake API server.

let kube: KubeFixture | undefined;
let source: ClusterSource | undefined;

afterEach(async () => {
  await source?.stop();
  await kube?.close();
  source = undefined;
  kube = undefined;
});

async function setup(
  options: Parameters<typeof startKube>[0] = {},
  kinds?: ConstructorParameters<typeof ClusterSource>[0]['kinds'],
) {
  kube = await startKube(options);
  const logs: string[] = [];
  let changes = 0;
  source = new ClusterSource({
    kubeConfig: loadKubeConfig(kube.kubeconfig),
    ...(kinds ? { kinds } : {}),
    debounceMs: 20,
    backoff: { initialMs: 50, maxMs: 200 },
    log: (l) => logs.push(l),
    onChange: () => changes++,
  });
  return { kube, source, logs, changes: () => changes };
}

const names = (s: ClusterSource, kind: string) =>
  s.list(kind).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('ClusterSource', () => {
  it('lists every kind, fills in apiVersion/kind, strips managedFields, and sees creates, updates and deletes', async () => {
    const { kube, source, changes } = await setup();
    kube.server.create(service('a', 'svc', 80));
    kube.server.create(gateway('a', 'gw'));
    await source.start();
    expect(source.resources.map((r) => r.kind).sort()).toEqual([...READ_KIND_NAMES].sort());
    expect(source.skipped).toEqual([]);
    const svc = source.get('Service', 'a', 'svc');
    expect(svc).toMatchObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', resourceVersion: expect.any(String) },
    });
    expect(svc?.metadata.managedFields).toBeUndefined();
    expect(kube.server.get('Service', 'a', 'svc')?.metadata.managedFields).toHaveLength(1);
    expect(changes()).toBe(0);

    kube.server.create(gateway('b', 'gw2'));
    kube.server.apply(gateway('a', 'gw', 8080));
    kube.server.remove('Service', 'a', 'svc');
    await eventually(
      () => names(source, 'Gateway').length === 2 && !source.get('Service', 'a', 'svc'),
      'informers caught up',
    );
    expect(source.get('Gateway', 'a', 'gw')?.metadata.generation).toBe(2);
    expect(source.get('Gateway', 'a', 'gw')?.metadata.managedFields).toBeUndefined();
    await eventually(() => changes() >= 1, 'onChange');
    expect(changes()).toBe(1); // debounced: one call for the three changes
  });

  it('skips kinds whose API group is not served, and says so', async () => {
    const { source, logs } = await setup({
      resources: DEFAULT_RESOURCES.filter((r) => r.group !== 'portico.dev' && r.kind !== 'TLSRoute'),
    });
    await source.start();
    expect(source.skipped.map((s) => `${s.kind}: ${s.reason}`)).toEqual([
      'TLSRoute: no served version of gateway.networking.k8s.io (v1, v1beta1, v1alpha2) has TLSRoute',
      'LoadBalancerParameters: API group portico.dev is not served',
      'HealthCheckPolicy: API group portico.dev is not served',
      'StorageBucket: API group portico.dev is not served',
    ]);
    expect(logs).toContain(
      'cluster: not watching LoadBalancerParameters: API group portico.dev is not served',
    );
    expect(source.resource('ReferenceGrant')?.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
  });

  it('re-lists after 410 Gone (expired history) and recovers what changed meanwhile', async () => {
    const { kube, source } = await setup({}, ['Gateway']);
    kube.server.create(gateway('a', 'old'));
    await source.start();
    const lists = source.stats.lists;
    // The stream drops; changes are made before the informer comes back, and the history that would
    // replay them is compacted away.
    kube.server.cutWatches('clean');
    kube.server.remove('Gateway', 'a', 'old');
    kube.server.create(gateway('a', 'new'));
    kube.server.compact();
    await eventually(() => names(source, 'Gateway').join() === 'a/new', 'relisted state');
    expect(source.stats.lists).toBe(lists + 1);
    const watches = kube.server.requests.filter(
      (r) => r.path.endsWith('/gateways') && r.query.includes('watch'),
    );
    expect(watches.length).toBeGreaterThanOrEqual(2);
    // And it watches again from the new list.
    kube.server.create(gateway('a', 'after'));
    await eventually(() => source.get('Gateway', 'a', 'after'), 'watching after the re-list');
  });

  it('re-lists when a watch answers HTTP 410', async () => {
    const { kube, source } = await setup({}, ['Gateway']);
    await source.start();
    kube.server.failNextWatch({ as: 'http' });
    kube.server.cutWatches('clean');
    await eventually(() => source.stats.lists === 2, 'second list');
    kube.server.create(gateway('a', 'seen'));
    await eventually(() => source.get('Gateway', 'a', 'seen'), 'watching after the 410');
  });

  it('reconnects after the watch streams are cut, and restarts informers stopped by errors, with backoff', async () => {
    const { kube, source, logs } = await setup({}, ['Gateway', 'Service']);
    await source.start();
    // Abrupt cut, and the first attempts to come back fail.
    kube.server.failRequests({ path: /\/gateways$/, code: 503, times: 2 });
    expect(kube.server.cutWatches('abrupt')).toBe(2);
    kube.server.create(gateway('a', 'during'));
    kube.server.create(service('a', 'during', 80));
    await eventually(
      () => source.get('Gateway', 'a', 'during') && source.get('Service', 'a', 'during'),
      'caught up',
    );
    await eventually(() => kube.server.watchCount === 2, 'both watching');
    expect(source.stats.restarts).toBeGreaterThanOrEqual(3);
    await eventually(() => logs.some((l) => l.includes('watching again')), 'recovery logged');
    expect(logs.some((l) => /gateways.*503.*retrying in 100 ms/.test(l))).toBe(true);
    kube.server.create(gateway('a', 'later'));
    await eventually(() => source.get('Gateway', 'a', 'later'), 'still watching');
  });
});
