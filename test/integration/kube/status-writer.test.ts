import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import type { ObjectStatus } from '#core/status/types.js';
import { ClusterSource } from '#kube/cluster-source.js';
import { KubeHttp } from '#kube/kube-http.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { type StatusObjects, StatusWriter } from '#kube/status-writer.js';
import { type CheckContext, planStatusCheck } from '#test/conformance/status-checks.js';
import { DEFAULT_TIMEOUTS } from '#test/conformance/timeouts.js';
import {
  CONTROLLER,
  endpointSlice,
  eventually,
  gateway,
  gatewayClass,
  httpRoute,
  type KubeFixture,
  service,
  startKube,
} from './support.js';

// The status writer against the fake API server: what it writes, what it leaves alone, what it skips.

const OTHER = 'example.com/other-controller';
const otherEntry = {
  parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'theirs' },
  controllerName: OTHER,
  conditions: [
    {
      type: 'Accepted',
      status: 'True',
      reason: 'Accepted',
      message: '',
      lastTransitionTime: '2020-01-01T00:00:00Z',
    },
  ],
};

let kube: KubeFixture;
let source: ClusterSource;
let http: KubeHttp;
let pipeline: LocalPipeline;
let clock = '2030-01-01T00:00:01Z';
const statusPatches = () =>
  kube.server.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status'));

let shared: StatusWriter | undefined;
/** The writer the CLI would keep; a fresh one over other objects when given. */
function writer(objects?: StatusObjects) {
  if (objects) return new StatusWriter({ http, objects, controllerName: CONTROLLER, now: () => clock });
  shared ??= new StatusWriter({ http, objects: source, controllerName: CONTROLLER, now: () => clock });
  return shared;
}

async function translate(): Promise<ObjectStatus[]> {
  return (await pipeline.sync(source.objects())).statuses;
}

/** Waits until the informers hold the server's current version of every object. */
async function cacheCaughtUp(): Promise<void> {
  await eventually(
    () =>
      ['Gateway', 'HTTPRoute', 'GatewayClass', 'Service'].every((kind) =>
        kube.server
          .list(kind)
          .every(
            (o) =>
              source.get(kind, o.metadata.namespace, o.metadata.name)?.metadata.resourceVersion ===
              o.metadata.resourceVersion,
          ),
      ),
    'cache caught up',
  );
}

const route = () => kube.server.get('HTTPRoute', 'infra', 'app')!;
const routeParents = () =>
  (
    route().status as {
      parents: {
        controllerName: string;
        parentRef: { name: string };
        conditions: Record<string, unknown>[];
      }[];
    }
  ).parents;

beforeAll(async () => {
  kube = await startKube();
  const s = kube.server;
  s.create(gatewayClass());
  s.create(gatewayClass('other', OTHER));
  s.create(gateway('infra', 'web'));
  s.create(gateway('infra', 'theirs', 80, 'other'));
  s.create(httpRoute('infra', 'app', [{ name: 'web' }, { name: 'theirs' }], { name: 'app', port: 80 }));
  s.setStatus('HTTPRoute', 'infra', 'app', { parents: [otherEntry] });
  s.create(service('infra', 'app', 80));
  s.create(endpointSlice('infra', 'app', '127.0.0.1', 8080));
  s.create({
    ...service('infra', 'lb', 7000),
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'portico.dev/haproxy',
      ports: [{ port: 7000, protocol: 'TCP' }],
    },
  });
  const kubeConfig = loadKubeConfig(kube.kubeconfig);
  http = new KubeHttp(kubeConfig);
  source = new ClusterSource({ kubeConfig, http });
  await source.start();
  pipeline = new LocalPipeline({
    adapters: { haproxy: createFakeAdapter() },
  });
});

afterAll(async () => {
  await source?.stop();
  await kube?.close();
});

describe('StatusWriter', () => {
  it('writes Gateway, GatewayClass, HTTPRoute and Service status that conformance checks accept', async () => {
    const report = await writer().write(await translate());
    expect(report.failed).toEqual([]);
    expect(report.written.sort()).toEqual([
      'Gateway infra/web',
      'GatewayClass portico',
      'HTTPRoute infra/app',
      'Service infra/lb',
    ]);
    expect(statusPatches()).toHaveLength(4);
    expect(kube.server.statusWrites.filter((w) => w.changed && w.method === 'PATCH')).toHaveLength(4);

    const ctx: CheckContext = {
      status: async (kind, ns, name) => kube.server.get(kind, ns, name)?.status as Record<string, unknown>,
      generation: (kind, ns, name) => kube.server.get(kind, ns, name)?.metadata.generation,
      initialGeneration: () => 1,
      objects: () => [],
      controllerName: CONTROLLER,
    };
    const checks = [
      { check: 'GatewayHasAddress', gateway: { namespace: 'infra', name: 'web' } },
      {
        check: 'GatewayAllListenersConditions',
        gateway: { namespace: 'infra', name: 'web' },
        conditions: [
          { type: 'Accepted', status: 'True', reason: 'Accepted' },
          { type: 'Programmed', status: 'True', reason: 'Programmed' },
        ],
        conditionsObservedGenerationMustBeLatest: true,
      },
      {
        check: 'HTTPRouteParentStatus',
        route: { namespace: 'infra', name: 'app' },
        parentRef: { name: 'web', namespaceMayBeOmitted: true },
        conditions: [
          { type: 'Accepted', status: 'True', reason: 'Accepted' },
          { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
        ],
        conditionsObservedGenerationMustBeLatest: true,
      },
    ];
    for (const c of checks) {
      const planned = planStatusCheck({ subtest: null, phase: 0, ...c }, ctx, DEFAULT_TIMEOUTS);
      expect(await planned.evaluate(), planned.title).toBeUndefined();
    }
    const gw = kube.server.get('Gateway', 'infra', 'web')!.status as {
      conditions: { type: string; status: string; lastTransitionTime: string }[];
    };
    expect(gw.conditions.map((c) => `${c.type}=${c.status} ${c.lastTransitionTime}`)).toEqual([
      `Accepted=True ${clock}`,
      `Programmed=True ${clock}`,
    ]);
    expect(kube.server.get('GatewayClass', undefined, 'portico')?.status).toMatchObject({
      conditions: [{ type: 'Accepted', status: 'True' }],
    });
    expect(kube.server.get('GatewayClass', undefined, 'other')?.status).toBeUndefined();
    expect(kube.server.get('Service', 'infra', 'lb')?.status).toMatchObject({
      loadBalancer: { ingress: [{ hostname: expect.stringContaining('fake.portico.test') }] },
    });
    expect(kube.server.get('Service', 'infra', 'app')?.status).toBeUndefined();

    // The other controller's entry is exactly as it was, next to Portico's.
    expect(routeParents().map((p) => p.controllerName)).toEqual([OTHER, CONTROLLER]);
    expect(routeParents()[0]).toEqual(otherEntry);
    expect(routeParents()[1]?.parentRef).toEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: 'web',
    });
  });

  it('skips writes that would change nothing, before and after the cache has seen its own writes', async () => {
    const before = statusPatches().length;
    clock = '2030-01-01T00:00:02Z';
    const statuses = await translate();
    const right = await writer().write(statuses); // the informers may not have seen the writes yet
    expect(right.written).toEqual([]);
    await cacheCaughtUp();
    const later = await writer().write(await translate());
    expect(later).toMatchObject({ written: [], failed: [], skipped: [] });
    expect(later.unchanged).toBe(4);
    expect(statusPatches()).toHaveLength(before);
  });

  it('moves lastTransitionTime only when a condition changes, and follows the generation', async () => {
    await cacheCaughtUp();
    clock = '2030-01-01T00:00:03Z';
    kube.server.apply({
      ...httpRoute('infra', 'app', [{ name: 'web' }, { name: 'theirs' }], { name: 'app', port: 80 }, '/v2'),
    });
    await eventually(
      () => source.get('HTTPRoute', 'infra', 'app')?.metadata.generation === 2,
      'new generation seen',
    );
    const report = await writer().write(await translate());
    expect(report.written).toEqual(['HTTPRoute infra/app']);
    const ours = routeParents().find((p) => p.controllerName === CONTROLLER)!;
    expect(ours.conditions.map((c) => [c.type, c.observedGeneration, c.lastTransitionTime])).toEqual([
      ['Accepted', 2, '2030-01-01T00:00:01Z'],
      ['ResolvedRefs', 2, '2030-01-01T00:00:01Z'],
    ]);

    // The backend goes away: ResolvedRefs turns False, and only its time moves.
    kube.server.remove('Service', 'infra', 'app');
    await eventually(() => !source.get('Service', 'infra', 'app'), 'service gone');
    await cacheCaughtUp();
    await writer().write(await translate());
    const after = routeParents().find((p) => p.controllerName === CONTROLLER)!;
    expect(after.conditions.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Accepted', 'True', '2030-01-01T00:00:01Z'],
      ['ResolvedRefs', 'False', '2030-01-01T00:00:03Z'],
    ]);
    kube.server.create(service('infra', 'app', 80));
  });

  it('re-reads and merges again on a conflict, keeping what another controller just wrote', async () => {
    await eventually(() => source.get('Service', 'infra', 'app'), 'service back');
    await cacheCaughtUp();
    const statuses = await translate();
    const stale = structuredClone(source.get('HTTPRoute', 'infra', 'app')!);
    // The other controller writes after our cache last saw the route.
    const theirs = {
      ...otherEntry,
      conditions: [{ ...otherEntry.conditions[0]!, status: 'False', reason: 'NoMatchingListenerHostname' }],
    };
    kube.server.setStatus('HTTPRoute', 'infra', 'app', {
      parents: [theirs, ...routeParents().filter((p) => p.controllerName === CONTROLLER)],
    });
    const staleObjects: StatusObjects = {
      get: (kind, ns, name) => (kind === 'HTTPRoute' ? stale : source.get(kind, ns, name)),
      list: (kind) => source.list(kind),
      resource: (kind) => source.resource(kind),
    };
    const writes = kube.server.statusWrites.length;
    const report = await writer(staleObjects).write(statuses.filter((s) => s.kind === 'HTTPRoute'));
    expect(report.failed).toEqual([]);
    expect(kube.server.statusWrites.slice(writes).map((w) => w.code)).toEqual([409, 200]);
    expect(routeParents()[0]).toEqual(theirs);
    const ours = routeParents().find((p) => p.controllerName === CONTROLLER)!;
    expect(ours.conditions.find((c) => c.type === 'ResolvedRefs')?.status).toBe('True');
  });

  it("drops Portico's entry when the route stops naming the Gateway, and leaves the others", async () => {
    kube.server.apply(httpRoute('infra', 'app', [{ name: 'theirs' }], { name: 'app', port: 80 }));
    await eventually(() => source.get('HTTPRoute', 'infra', 'app')?.metadata.generation === 3, 'route seen');
    await cacheCaughtUp();
    const report = await writer().write(await translate());
    expect(report.written).toContain('HTTPRoute infra/app');
    expect(routeParents().map((p) => p.controllerName)).toEqual([OTHER]);
  });
});

describe('StatusWriter: what Portico no longer programs, and what other writers add', () => {
  type Cond = { type: string; status: string; observedGeneration?: number };
  const POLICY = {
    type: 'example.com/PolicyAttached',
    status: 'True',
    reason: 'Attached',
    message: 'a policy controller wrote this',
    lastTransitionTime: '2020-01-01T00:00:00Z',
  };
  const gw = () =>
    kube.server.get('Gateway', 'moved', 'gw')!.status as {
      conditions: Cond[];
      listeners?: { name: string; conditions: Cond[] }[];
      addresses?: unknown[];
    };
  const parentsOf = (name: string) =>
    (
      kube.server.get('HTTPRoute', 'moved', name)!.status as {
        parents: { controllerName: string; parentRef: { name: string } }[];
      }
    ).parents.map((p) => `${p.controllerName === CONTROLLER ? 'portico' : 'other'}:${p.parentRef.name}`);
  const seen = (kind: string, name: string, generation: number) =>
    eventually(
      () => (source.get(kind, 'moved', name)?.metadata.generation ?? 0) >= generation,
      `${kind} ${name} generation ${generation} seen`,
    );

  it("keeps another writer's condition type through Portico's writes", async () => {
    const s = kube.server;
    s.create(gateway('moved', 'gw', 8081));
    s.create(gateway('moved', 'stays', 8082));
    s.create(httpRoute('moved', 'r', [{ name: 'gw' }, { name: 'stays' }], { name: 'app', port: 80 }));
    s.create(service('moved', 'app', 80));
    await eventually(() => source.get('HTTPRoute', 'moved', 'r'), 'route seen');
    await cacheCaughtUp();
    await writer().write(await translate());
    expect(parentsOf('r').sort()).toEqual(['portico:gw', 'portico:stays']);

    // Another writer adds its own condition type next to Portico's.
    s.setStatus('Gateway', 'moved', 'gw', { ...gw(), conditions: [...gw().conditions, POLICY] });
    // A spec change: Portico writes the Gateway's conditions again (observedGeneration 2).
    s.apply({
      ...gateway('moved', 'gw', 8081),
      spec: {
        gatewayClassName: 'portico',
        listeners: [
          { name: 'http', port: 8081, protocol: 'HTTP' },
          { name: 'alt', port: 8083, protocol: 'HTTP' },
        ],
      },
    });
    await seen('Gateway', 'gw', 2);
    await cacheCaughtUp();
    const report = await writer().write(await translate());
    expect(report.written).toContain('Gateway moved/gw');
    expect(gw().conditions.map((c) => `${c.type}=${c.status}@${c.observedGeneration}`)).toEqual([
      'Accepted=True@2',
      'Programmed=True@2',
      'example.com/PolicyAttached=True@undefined',
    ]);
    expect(gw().conditions[2]).toEqual(POLICY);
  });

  it("releases a Gateway moved to another controller's class, and its routes' Portico entries", async () => {
    kube.server.apply({ ...gateway('moved', 'gw', 8081, 'other') });
    await seen('Gateway', 'gw', 3);
    await cacheCaughtUp();
    const report = await writer().write(await translate());
    expect(report.failed).toEqual([]);
    expect(report.written).toEqual(expect.arrayContaining(['Gateway moved/gw', 'HTTPRoute moved/r']));
    // Only the other writer's condition is left; Portico's listeners and addresses are gone.
    expect(gw().conditions).toEqual([POLICY]);
    expect(gw().listeners ?? []).toEqual([]);
    expect(gw().addresses).toBeUndefined();
    // The route keeps Portico's entry for the Gateway Portico still programs.
    expect(parentsOf('r')).toEqual(['portico:stays']);

    // Nothing more to release: the next translation writes nothing.
    await cacheCaughtUp();
    const again = await writer().write(await translate());
    expect(again.written).toEqual([]);
  });

  it("releases a deleted Gateway's routes, and never what another controller wrote there", async () => {
    kube.server.setStatus('HTTPRoute', 'moved', 'r', {
      parents: [
        ...(kube.server.get('HTTPRoute', 'moved', 'r')!.status as { parents: unknown[] }).parents,
        { ...otherEntry, parentRef: { ...otherEntry.parentRef, name: 'gw' } },
      ],
    });
    kube.server.remove('Gateway', 'moved', 'stays');
    await eventually(() => !source.get('Gateway', 'moved', 'stays'), 'gateway gone');
    await cacheCaughtUp();
    const report = await writer().write(await translate());
    expect(report.failed).toEqual([]);
    expect(parentsOf('r')).toEqual(['other:gw']);
  });
});
