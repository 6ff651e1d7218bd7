import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropConnections, get, startBackend, type TestBackend } from '#test/integration/haproxy/support.js';
import {
  CONTROLLER,
  endpointSlice,
  eventually,
  gatewayClass,
  service,
} from '#test/integration/kube/support.js';
import { type LocalCloud, startLocalCloud } from './local-cloud.js';

// The whole event-driven path (see local-cloud.ts): API server → forwarder → ingest over HTTP →
// SQS → record (DynamoDB) → reconcile (HAProxy) → real traffic, and status patched back.

const POOL = '127.0.74.10-127.0.74.20';
const PORT = 18_190;

let cloud: LocalCloud;
let a: TestBackend;
let b: TestBackend;

const gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'infra' },
  spec: {
    gatewayClassName: 'portico',
    listeners: [
      { name: 'http', port: PORT, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
    ],
  },
};
const route = (backend: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'shop', namespace: 'apps' },
  spec: {
    parentRefs: [{ name: 'web', namespace: 'infra' }],
    hostnames: ['shop.example'],
    rules: [{ backendRefs: [{ name: backend, port: 80 }] }],
  },
});

type Condition = { type: string; status: string; reason?: string };
const conditionsOf = (o: unknown): Condition[] =>
  ((o as { status?: { conditions?: Condition[] } })?.status?.conditions ?? []) as Condition[];

/** The Gateway's address, once the forwarder has patched a Programmed status into the API server. */
function programmedAddress(): string | undefined {
  const gw = cloud.kube.server.get('Gateway', 'infra', 'web') as {
    status?: { addresses?: { value: string }[] };
  };
  const programmed = conditionsOf(gw).find((c) => c.type === 'Programmed');
  return programmed?.status === 'True' ? gw?.status?.addresses?.[0]?.value : undefined;
}

async function answer(address: string): Promise<string> {
  dropConnections();
  try {
    const r = await get(address, PORT, 'shop.example');
    return `${r.status} ${r.body}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([startBackend('backend-a'), startBackend('backend-b')]);
  cloud = await startLocalCloud({
    addressPool: POOL,
    objects: [
      gatewayClass(),
      gateway,
      route('svc-a'),
      service('apps', 'svc-a', 80),
      endpointSlice('apps', 'svc-a', '127.0.0.1', a.port),
      service('apps', 'svc-b', 80),
      endpointSlice('apps', 'svc-b', '127.0.0.1', b.port),
    ],
  });
}, 60_000);

afterAll(async () => {
  await cloud?.close();
  await Promise.all([a?.close(), b?.close()]);
});

describe('end to end: cluster → forwarder → functions → HAProxy → status', () => {
  let address: string;

  it('routes a real request, and the Gateway and route statuses land back in the API server', async () => {
    address = await eventually(programmedAddress, 'Gateway Programmed=True with an address', 20_000);
    expect(address).toMatch(/^127\.0\.74\./);
    await eventually(async () => (await answer(address)) === '200 backend-a', 'shop.example → backend-a');

    const shop = await eventually(() => {
      const parents = (
        cloud.kube.server.get('HTTPRoute', 'apps', 'shop') as {
          status?: { parents?: { controllerName: string; conditions: Condition[] }[] };
        }
      )?.status?.parents;
      return parents?.find((p) => p.controllerName === CONTROLLER);
    }, 'HTTPRoute parent status');
    expect(shop.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Accepted', status: 'True' }),
        expect.objectContaining({ type: 'ResolvedRefs', status: 'True' }),
      ]),
    );
    expect(conditionsOf(cloud.kube.server.get('GatewayClass', undefined, 'portico'))).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Accepted', status: 'True' })]),
    );
  }, 30_000);

  it('propagates a route change', async () => {
    cloud.kube.server.apply(route('svc-b'));
    await eventually(
      async () => (await answer(address)) === '200 backend-b',
      'shop.example → backend-b',
      15_000,
    );
  }, 20_000);

  it('propagates a delete: the host is no longer routed', async () => {
    cloud.kube.server.remove('HTTPRoute', 'apps', 'shop');
    await eventually(async () => (await answer(address)).startsWith('404'), 'shop.example → 404', 15_000);
    // the Gateway stays programmed, now with no attached route
    await eventually(() => {
      const gw = cloud.kube.server.get('Gateway', 'infra', 'web') as {
        status?: { listeners?: { attachedRoutes: number }[] };
      };
      return gw?.status?.listeners?.[0]?.attachedRoutes === 0;
    }, 'listener attachedRoutes = 0');
    expect(cloud.recordSource.counters.failures + cloud.reconcileSource.counters.failures).toBe(0);
  }, 20_000);

  it("releases Portico's status from a Gateway moved to another controller and from a deleted one, keeping other writers'", async () => {
    const s = cloud.kube.server;
    const POLICY = {
      type: 'example.com/PolicyAttached',
      status: 'True',
      reason: 'Attached',
      message: 'a policy controller wrote this',
      lastTransitionTime: '2020-01-01T00:00:00Z',
    };
    const moving = (className: string) => ({
      ...gateway,
      metadata: { name: 'moving', namespace: 'infra' },
      spec: {
        ...gateway.spec,
        gatewayClassName: className,
        listeners: [{ ...gateway.spec.listeners[0]!, port: PORT + 1 }],
      },
    });
    const parents = () =>
      (
        (
          s.get('HTTPRoute', 'apps', 'multi') as {
            status?: { parents?: { controllerName: string; parentRef: { name: string } }[] };
          }
        )?.status?.parents ?? []
      )
        .map((p) => `${p.controllerName === CONTROLLER ? 'portico' : 'other'}:${p.parentRef.name}`)
        .sort()
        .join();
    const movingStatus = () =>
      s.get('Gateway', 'infra', 'moving')?.status as { conditions?: Condition[] } | undefined;

    s.create(gatewayClass('other', 'example.com/other-controller'));
    s.create(moving('portico'));
    s.create({
      ...route('svc-a'),
      metadata: { name: 'multi', namespace: 'apps' },
      spec: {
        ...route('svc-a').spec,
        parentRefs: [
          { name: 'web', namespace: 'infra' },
          { name: 'moving', namespace: 'infra' },
        ],
      },
    });
    await eventually(
      () => parents() === 'portico:moving,portico:web',
      'route attached to both Gateways',
      20_000,
    );
    await eventually(
      () => movingStatus()?.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True'),
      'moving Gateway programmed',
      20_000,
    );
    s.setStatus('Gateway', 'infra', 'moving', {
      ...movingStatus(),
      conditions: [...(movingStatus()?.conditions ?? []), POLICY],
    });

    s.apply(moving('other'));
    await eventually(() => parents() === 'portico:web', "route keeps only Portico's entry for web", 20_000);
    await eventually(
      () => movingStatus()?.conditions?.length === 1,
      "moved Gateway loses Portico's conditions",
      20_000,
    );
    expect(movingStatus()).toEqual({ conditions: [POLICY], listeners: [] });

    s.remove('Gateway', 'infra', 'web');
    await eventually(() => parents() === '', "route loses Portico's entry for the deleted Gateway", 20_000);
    expect(cloud.recordSource.counters.failures + cloud.reconcileSource.counters.failures).toBe(0);
  }, 60_000);
});
