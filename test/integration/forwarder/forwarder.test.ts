import { afterEach, describe, expect, it } from 'vitest';
import type { KindName } from '#core/model/bundle.js';
import type { PorticoEvent, ResourceEvent, SnapshotMarkerEvent } from '#events/portico-event.js';
import { Forwarder, type ForwarderOptions } from '#forwarder/forwarder.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import {
  CONTROLLER,
  eventually,
  gateway,
  gatewayClass,
  httpRoute,
  type KubeFixture,
  service,
  startKube,
} from '../kube/support.js';
import { CLUSTER, Receiver, SECRET } from './support.js';

// The real Forwarder: real @kubernetes/client-node informers against the local API server, batches
// to a receiver running the real ingest handler, status pulled from a signed fake status endpoint.

const KINDS: KindName[] = ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'Secret'];

let kube: KubeFixture | undefined;
let receiver: Receiver | undefined;
let forwarder: Forwarder | undefined;

afterEach(async () => {
  await forwarder?.stop({ deadlineMs: 200 });
  await receiver?.close();
  await kube?.close();
  forwarder = undefined;
  receiver = undefined;
  kube = undefined;
});

async function setup(options: Partial<ForwarderOptions> = {}) {
  kube = await startKube();
  receiver = await Receiver.start();
  forwarder = new Forwarder({
    endpoint: receiver.url,
    cluster: CLUSTER,
    signingSecret: SECRET,
    kubeConfig: loadKubeConfig(kube.kubeconfig),
    kinds: KINDS,
    httpPort: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    lingerMs: 5,
    statusPollMs: 0,
    sendBackoff: { initialMs: 20, maxMs: 80 },
    informerBackoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
  return { kube, receiver, forwarder };
}

const isMarker = (e: PorticoEvent): e is SnapshotMarkerEvent => e.type.startsWith('dev.portico.snapshot.');
const resourceEvents = (r: Receiver) => r.accepted.filter((e): e is ResourceEvent => !isMarker(e));

/** The list of `kind` with snapshot id `id`: start marker, its objects, end marker, in order. */
function listOf(r: Receiver, kind: string, id: string) {
  const positions = r.accepted
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.kind === kind && 'snapshotid' in e && e.snapshotid === id);
  return positions;
}

describe('Forwarder', () => {
  it('sends each initial list between snapshot markers, then updates and deletes; serves /healthz and /metrics', async () => {
    const { kube, receiver, forwarder } = await setup();
    kube.server.create(gateway('a', 'gw'));
    kube.server.create(gateway('b', 'gw2'));
    kube.server.create(service('a', 'svc', 80));
    expect(forwarder.httpPort).toBeUndefined(); // not started yet: no server
    await forwarder.start();
    await eventually(() => receiver.markersOf('Secret').length === 2, 'every list sent');

    for (const kind of KINDS) {
      const markers = receiver.markersOf(kind) as SnapshotMarkerEvent[];
      expect(markers.map((m) => m.type)).toEqual(['dev.portico.snapshot.start', 'dev.portico.snapshot.end']);
      const [start, end] = markers as [SnapshotMarkerEvent, SnapshotMarkerEvent];
      expect(start.snapshotid).toBe(end.snapshotid);
      expect(start.data).toEqual(end.data);
      const members = listOf(receiver, kind, start.snapshotid);
      const objects = members.filter(({ e }) => !isMarker(e));
      expect(start.data.count, kind).toBe(objects.length);
      // start first, end last
      expect(members[0]?.e).toBe(start);
      expect(members.at(-1)?.e).toBe(end);
      expect(start.data.resourceVersion).toMatch(/^\d+$/);
    }
    const gwList = receiver.markersOf('Gateway')[0] as SnapshotMarkerEvent;
    expect(gwList.data.count).toBe(2);
    const gws = listOf(receiver, 'Gateway', gwList.snapshotid)
      .map(({ e }) => e)
      .filter((e): e is ResourceEvent => !isMarker(e));
    expect(gws.map((e) => `${e.type} ${e.data.metadata.namespace}/${e.data.metadata.name}`).sort()).toEqual([
      'dev.knative.apiserver.resource.add a/gw',
      'dev.knative.apiserver.resource.add b/gw2',
    ]);
    expect(gws[0]).toMatchObject({
      cluster: CLUSTER,
      source: `portico-forwarder/${CLUSTER}`,
      kind: 'Gateway',
    });
    expect(gws[0]?.data.metadata.managedFields).toBeUndefined();

    const health = await fetch(`http://127.0.0.1:${forwarder.httpPort}/healthz`);
    expect(health.status).toBe(200);

    kube.server.apply(gateway('a', 'gw', 8080));
    kube.server.remove('Service', 'a', 'svc');
    await eventually(
      () =>
        receiver
          .eventsOf('Gateway', 'a', 'gw')
          .some((e) => e.type === 'dev.knative.apiserver.resource.update') &&
        receiver
          .eventsOf('Service', 'a', 'svc')
          .some((e) => e.type === 'dev.knative.apiserver.resource.delete'),
      'update and delete forwarded',
    );
    const update = receiver
      .eventsOf('Gateway', 'a', 'gw')
      .find((e) => e.type === 'dev.knative.apiserver.resource.update') as ResourceEvent;
    expect(update.resourceversion).toBe(kube.server.get('Gateway', 'a', 'gw')?.metadata.resourceVersion);
    expect(update.snapshotid).toBeUndefined();
    expect(
      (update.data as unknown as { spec: { listeners: { port: number }[] } }).spec.listeners[0]?.port,
    ).toBe(8080);

    const ids = receiver.accepted.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    const metrics = await (await fetch(`http://127.0.0.1:${forwarder.metricsPort}/metrics`)).text();
    expect(metrics).toContain('# TYPE portico_forwarder_events_sent_total counter');
    expect(metrics).toMatch(
      new RegExp(`^portico_forwarder_events_sent_total ${receiver.accepted.length}$`, 'm'),
    );
    expect(metrics).toMatch(/^portico_forwarder_events_observed_total\{kind="Gateway",type="update"\} 1$/m);
    expect(metrics).toMatch(/^portico_forwarder_queue_depth 0$/m);
    expect(metrics).toMatch(/^portico_forwarder_last_successful_send_timestamp_seconds [1-9]\d+$/m);
  });

  it('re-lists after a 410 Gone on a watch, with new markers carrying the whole kind again', async () => {
    const { kube, receiver, forwarder } = await setup();
    kube.server.create(gateway('a', 'gw'));
    await forwarder.start();
    await eventually(() => receiver.markersOf('Gateway').length === 2, 'first list');
    kube.server.failNextWatch({ kind: 'Gateway' });
    kube.server.create(gateway('a', 'gw3'));
    kube.server.cutWatches('clean');
    await eventually(() => receiver.markersOf('Gateway').length === 4, 're-list markers', 8_000);
    const [first, , second, end] = receiver.markersOf('Gateway') as SnapshotMarkerEvent[];
    expect(second?.type).toBe('dev.portico.snapshot.start');
    expect(second?.snapshotid).not.toBe(first?.snapshotid);
    expect(second?.data.count).toBe(2);
    expect(end?.data).toEqual(second?.data);
    const carried = listOf(receiver, 'Gateway', second!.snapshotid).filter(({ e }) => !isMarker(e));
    expect(carried.map(({ e }) => (e as ResourceEvent).data.metadata.name).sort()).toEqual(['gw', 'gw3']);
  });

  it('coalesces a burst of updates of one object', async () => {
    const { kube, receiver, forwarder } = await setup({ lingerMs: 300 });
    kube.server.create(gateway('a', 'gw'));
    await forwarder.start();
    await eventually(
      () => receiver.markersOf('Secret').length === 2 && forwarder.pending === 0,
      'lists sent',
    );
    for (let port = 1000; port < 1020; port++) kube.server.apply(gateway('a', 'gw', port));
    const last = kube.server.get('Gateway', 'a', 'gw')!.metadata.resourceVersion;
    await eventually(
      () =>
        receiver.eventsOf('Gateway', 'a', 'gw').some((e) => (e as ResourceEvent).resourceversion === last),
      'latest version forwarded',
    );
    expect(
      forwarder.metrics.registry.value('portico_forwarder_events_observed_total', {
        kind: 'Gateway',
        type: 'update',
      }),
    ).toBe(20);
    const updates = receiver
      .eventsOf('Gateway', 'a', 'gw')
      .filter((e) => e.type === 'dev.knative.apiserver.resource.update');
    expect(updates.length).toBeLessThanOrEqual(2);
    expect((updates.at(-1) as ResourceEvent).resourceversion).toBe(last);
  });

  it('sends a change that finds the sender idle at once; one that follows a send within the linger waits for it', async () => {
    const linger = 1_500;
    const { kube, receiver, forwarder } = await setup({ lingerMs: linger });
    kube.server.create(gateway('a', 'gw'));
    await forwarder.start();
    await eventually(
      () => receiver.markersOf('Secret').length === 2 && forwarder.pending === 0,
      'lists sent',
    );
    await new Promise((resolve) => setTimeout(resolve, linger + 100)); // idle: nothing sent within the linger
    const forwarded = async (port: number) => {
      const started = performance.now();
      kube.server.apply(gateway('a', 'gw', port));
      const version = kube.server.get('Gateway', 'a', 'gw')!.metadata.resourceVersion;
      await eventually(
        () =>
          receiver
            .eventsOf('Gateway', 'a', 'gw')
            .some((e) => (e as ResourceEvent).resourceversion === version),
        `port ${port} forwarded`,
        8_000,
      );
      return performance.now() - started;
    };
    // isolated: no linger (the local API server's watch and ingest take a few ms)
    expect(await forwarded(1001)).toBeLessThan(linger / 2);
    // right after a send: a burst may be on, so the change lingers to batch with what follows
    expect(await forwarded(1002)).toBeGreaterThanOrEqual(linger - 200);
  });

  it('retries batches ingest answers 503 QueueUnavailable, loses nothing, and /healthz says when sending is stuck', async () => {
    const { kube, receiver, forwarder } = await setup({ stuckAfterMs: 100 });
    kube.server.create(gateway('a', 'gw'));
    kube.server.create(service('a', 'svc', 80));
    receiver.failing = true;
    await forwarder.start();
    await eventually(() => receiver.replies.length >= 3, 'failed attempts');
    await eventually(() => !forwarder.health().ok, 'unhealthy while stuck');
    expect(forwarder.health().reason).toMatch(/sending to ingest has failed/);
    const health = await fetch(`http://127.0.0.1:${forwarder.httpPort}/healthz`);
    expect(health.status).toBe(503);
    expect(receiver.accepted).toEqual([]);
    receiver.failing = false;
    await eventually(
      () => receiver.markersOf('Secret').length === 2 && forwarder.pending === 0,
      'sent after recovery',
    );
    expect(receiver.replies.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(3);
    expect(receiver.replies.find((r) => r.status === 503)?.body).toMatchObject({
      error: { reason: 'QueueUnavailable' },
    });
    expect(receiver.eventsOf('Gateway', 'a', 'gw')).toHaveLength(1);
    expect(receiver.eventsOf('Service', 'a', 'svc')).toHaveLength(1);
    for (const kind of KINDS) expect(receiver.markersOf(kind), kind).toHaveLength(2);
    expect(forwarder.health()).toEqual({ ok: true, reason: 'ok' });
    const m = forwarder.metrics.registry;
    expect(
      m.value('portico_forwarder_batches_failed_total', { reason: 'QueueUnavailable' }),
    ).toBeGreaterThanOrEqual(3);
    expect(m.value('portico_forwarder_batches_retried_total')).toBeGreaterThanOrEqual(3);
  });

  it('forwards TLS Secrets without tls.key, and other Secrets without data', async () => {
    const { kube, receiver, forwarder } = await setup();
    kube.server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'tls',
        namespace: 'a',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"x"}', keep: 'me' },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5', 'ca.crt': 'Y2E=', extra: 'eA==' },
    });
    kube.server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'opaque', namespace: 'a' },
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==' },
    });
    await forwarder.start();
    await eventually(() => receiver.eventsOf('Secret', 'a', 'opaque').length === 1, 'secrets sent');
    const tls = receiver.eventsOf('Secret', 'a', 'tls')[0] as ResourceEvent;
    expect(tls.data).toMatchObject({
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y2VydA==', 'ca.crt': 'Y2E=' },
    });
    expect(Object.keys((tls.data as unknown as { data: object }).data).sort()).toEqual(['ca.crt', 'tls.crt']);
    expect(tls.data.metadata.annotations).toEqual({ keep: 'me' });
    const opaque = receiver.eventsOf('Secret', 'a', 'opaque')[0] as ResourceEvent;
    expect(opaque.data).not.toHaveProperty('data');
    expect(JSON.stringify(receiver.accepted)).not.toContain('aHVudGVyMg==');
    expect(JSON.stringify(receiver.accepted)).not.toContain('a2V5');
  });

  it('patches pulled status records into the cluster (signed requests; routes and policies merged across load balancers; no-op writes skipped)', async () => {
    const { kube, receiver, forwarder } = await setup({
      statusPollMs: 50,
      kinds: [...KINDS, 'BackendTLSPolicy'],
    });
    kube.server.create(gatewayClass());
    kube.server.create(gateway('a', 'gw1'));
    kube.server.create(gateway('a', 'gw2'));
    kube.server.create(
      httpRoute('a', 'route', [{ name: 'gw1' }, { name: 'gw2' }], { name: 'svc', port: 80 }),
    );
    kube.server.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'tls', namespace: 'a' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'svc' }],
        validation: { hostname: 'svc.example.com', wellKnownCACertificates: 'System' },
      },
    });
    const accepted = (name: string) => ({
      parentRef: { name, namespace: 'a' },
      controllerName: CONTROLLER,
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
    });
    const policyRecord = (gateway: string) => ({
      key: `haproxy/test-cluster/a/${gateway}`,
      ref: { kind: 'BackendTLSPolicy' as const, namespace: 'a', name: 'tls' },
      status: {
        kind: 'BackendTLSPolicy',
        namespace: 'a',
        name: 'tls',
        loadBalancers: [`haproxy/test-cluster/a/${gateway}`],
        status: {
          ancestors: [
            {
              ancestorRef: {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                namespace: 'a',
                name: gateway,
              },
              controllerName: CONTROLLER,
              conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
            },
          ],
        },
      },
    });
    receiver.statusRecords.push(
      policyRecord('gw1'),
      policyRecord('gw2'),
      {
        key: 'haproxy/test-cluster/a/gw1',
        ref: { kind: 'HTTPRoute', namespace: 'a', name: 'route' },
        status: {
          kind: 'HTTPRoute',
          namespace: 'a',
          name: 'route',
          loadBalancers: ['k1'],
          status: { parents: [accepted('gw1')] },
        },
      },
      {
        key: 'haproxy/test-cluster/a/gw2',
        ref: { kind: 'HTTPRoute', namespace: 'a', name: 'route' },
        status: {
          kind: 'HTTPRoute',
          namespace: 'a',
          name: 'route',
          loadBalancers: ['k2'],
          status: { parents: [accepted('gw2')] },
        },
      },
      {
        ref: { kind: 'GatewayClass', name: 'portico' },
        status: {
          kind: 'GatewayClass',
          name: 'portico',
          loadBalancers: [],
          status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' }] },
        },
      },
      // refused: names another object than its ref
      {
        ref: { kind: 'Gateway', namespace: 'a', name: 'gw1' },
        status: { kind: 'Gateway', namespace: 'a', name: 'other', loadBalancers: [], status: {} },
      },
    );
    await forwarder.start();
    await eventually(() => {
      const parents = (
        kube.server.get('HTTPRoute', 'a', 'route')?.status as { parents?: unknown[] } | undefined
      )?.parents;
      return (
        parents?.length === 2 &&
        kube.server.get('GatewayClass', undefined, 'portico')?.status &&
        kube.server.get('BackendTLSPolicy', 'a', 'tls')?.status
      );
    }, 'statuses patched');
    const tlsPolicy = kube.server.get('BackendTLSPolicy', 'a', 'tls')!;
    expect(
      (tlsPolicy.status as { ancestors: { ancestorRef: { name: string } }[] }).ancestors.map(
        (a) => a.ancestorRef.name,
      ),
    ).toEqual(['gw1', 'gw2']);
    const route = kube.server.get('HTTPRoute', 'a', 'route')!;
    expect(
      (route.status as { parents: { parentRef: { name: string } }[] }).parents
        .map((p) => p.parentRef.name)
        .sort(),
    ).toEqual(['gw1', 'gw2']);
    expect(kube.server.get('GatewayClass', undefined, 'portico')?.status).toMatchObject({
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'ok',
          lastTransitionTime: expect.any(String),
        },
      ],
    });
    expect(kube.server.get('Gateway', 'a', 'gw1')?.status).toBeUndefined();
    const writes = kube.server.statusWrites.length;
    expect(writes).toBeGreaterThanOrEqual(2);
    const m = forwarder.metrics.registry;
    expect(m.value('portico_forwarder_status_patches_total', { result: 'invalid' })).toBe(1);

    // The same status again (a new record): nothing to write.
    receiver.statusRecords.push(receiver.statusRecords[4]!); // the GatewayClass's
    await eventually(
      () => m.value('portico_forwarder_status_patches_total', { result: 'unchanged' }) >= 1,
      'unchanged',
    );
    expect(kube.server.statusWrites.length).toBe(writes);
    expect(receiver.statusRequests.length).toBeGreaterThan(1);
    expect(receiver.statusRequests.every((r) => r.verified)).toBe(true);
    expect(forwarder.statusPuller?.cursor).toBe('c7');

    // Releases: gw1 no longer programs the route, gw2 moved to another controller. Only Portico's
    // entry for gw1 and Portico's conditions on gw2 go; the other writers' stay.
    const other = { ...accepted('gw1'), controllerName: 'example.com/other' };
    const policy = { type: 'example.com/PolicyAttached', status: 'True', reason: 'Attached', message: 'p' };
    const ours = {
      type: 'Programmed',
      status: 'True',
      reason: 'Programmed',
      message: '',
      observedGeneration: 1,
    };
    kube.server.setStatus('HTTPRoute', 'a', 'route', {
      parents: [...(route.status as { parents: unknown[] }).parents, other],
    });
    kube.server.setStatus('Gateway', 'a', 'gw2', { conditions: [ours, policy] });
    receiver.statusRecords.push(
      {
        key: 'test-cluster/Gateway/a/gw1',
        ref: { kind: 'HTTPRoute', namespace: 'a', name: 'route' },
        release: {
          kind: 'HTTPRoute',
          namespace: 'a',
          name: 'route',
          parent: { namespace: 'a', name: 'gw1' },
        },
      },
      {
        key: 'test-cluster/Gateway/a/gw2',
        ref: { kind: 'Gateway', namespace: 'a', name: 'gw2' },
        release: { kind: 'Gateway', namespace: 'a', name: 'gw2', generation: 1 },
      },
    );
    await eventually(() => forwarder.statusPuller?.cursor === 'c9', 'releases pulled');
    const parentsNow = (kube.server.get('HTTPRoute', 'a', 'route')!.status as { parents: (typeof other)[] })
      .parents;
    expect(parentsNow.map((p) => `${p.controllerName} ${p.parentRef.name}`).sort()).toEqual([
      'example.com/other gw1',
      `${CONTROLLER} gw2`,
    ]);
    expect(kube.server.get('Gateway', 'a', 'gw2')?.status).toEqual({ conditions: [policy] });
  });

  it('when the outbox overflows, drops events of the kind and re-lists it once there is room', async () => {
    const { kube, receiver, forwarder: f } = await setup({ maxPending: 6 });
    await f.start();
    await eventually(() => receiver.markersOf('Secret').length === 2 && f.pending === 0, 'lists sent');
    receiver.failing = true;
    for (let i = 0; i < 10; i++) kube.server.create(service('a', `svc${i}`, 80));
    await eventually(
      () => f.metrics.registry.value('portico_forwarder_events_dropped_total', { reason: 'outbox_full' }) > 0,
      'dropped',
    );
    // at most maxPending waiting, plus the batch being sent
    expect(f.pending).toBeLessThanOrEqual(12);
    expect(f.metrics.registry.value('portico_forwarder_relists_total', { kind: 'Service' })).toBe(0);
    receiver.failing = false;
    await eventually(() => receiver.markersOf('Service').length === 4 && f.pending === 0, 're-listed');
    expect(f.metrics.registry.value('portico_forwarder_relists_total', { kind: 'Service' })).toBe(1);
    const start = receiver.markersOf('Service')[2] as SnapshotMarkerEvent;
    expect(start.data.count).toBe(10);
    const names = new Set(
      resourceEvents(receiver)
        .filter((e) => e.kind === 'Service')
        .map((e) => e.data.metadata.name),
    );
    expect(names.size).toBe(10);
  });

  it('graceful stop sends what is pending before returning', async () => {
    const { kube, receiver, forwarder: f } = await setup();
    await f.start();
    await eventually(() => receiver.markersOf('Secret').length === 2 && f.pending === 0, 'lists sent');
    receiver.failing = true;
    kube.server.create(gateway('a', 'late'));
    await eventually(() => f.pending > 0 && receiver.replies.at(-1)?.status === 503, 'pending');
    setTimeout(() => {
      receiver.failing = false;
    }, 100);
    const report = await f.stop({ deadlineMs: 5_000 });
    expect(report).toEqual({ flushed: true, unsent: 0 });
    expect(receiver.eventsOf('Gateway', 'a', 'late').map((e) => e.type)).toEqual([
      'dev.knative.apiserver.resource.add',
    ]);
    forwarder = undefined;
  });

  it('stop gives up at the deadline and says what was not sent', async () => {
    const { receiver, forwarder: f } = await setup();
    receiver.failing = true;
    await f.start();
    const report = await f.stop({ deadlineMs: 150 });
    expect(report.flushed).toBe(false);
    // the batch abandoned in flight counts: 5 kinds × 2 markers, no objects
    expect(report.unsent).toBe(10);
    expect(receiver.accepted).toEqual([]);
    expect(
      f.metrics.registry.value('portico_forwarder_events_dropped_total', { reason: 'shutdown' }),
    ).toBeGreaterThan(0);
    forwarder = undefined;
  });
});
