import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevKubeFixture, startDevKube } from '#test/integration/kube/dev-kube-fixture.js';
import { CONTROLLER, eventually, gateway, gatewayClass, httpRoute, type KubeFixture } from './support.js';

// End to end: objects in the (fake) cluster → `portico dev --kubeconfig` → real HAProxy → a real
// request reaches a local backend, and the statuses land back in the cluster.

const POOL = '127.0.3.10-127.0.3.30';
const PORT = 18_380;
let dev: DevKubeFixture;
let kube: KubeFixture;
let logs: string[];
let gatewayAddress: () => string | undefined;

function get(address: string, path: string, host = 'app.test'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port: PORT, path, headers: { host }, agent: false, timeout: 2_000 },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dev = await startDevKube({ pool: POOL, port: PORT });
  ({ kube, logs, gatewayAddress } = dev);
});

afterAll(async () => {
  await dev?.close();
});

describe('portico dev --kubeconfig', () => {
  it('routes a real request through HAProxy to the backend and writes the status back', async () => {
    const address = await eventually(gatewayAddress, 'Gateway address in the cluster', 15_000);
    expect(address).toMatch(/^127\.0\.3\./);
    const answer = await eventually(
      async () => {
        const r = await get(address, '/app/x').catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      'traffic',
      5_000,
    );
    expect(answer.body).toBe('backend /app/x');

    const gw = kube.server.get('Gateway', 'demo', 'web')!.status as {
      conditions: { type: string; status: string }[];
    };
    expect(gw.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'Programmed=True']);
    const route = kube.server.get('HTTPRoute', 'demo', 'app')!.status as {
      parents: {
        controllerName: string;
        conditions: { type: string; status: string; lastTransitionTime: string }[];
      }[];
    };
    expect(route.parents).toHaveLength(1);
    expect(route.parents[0]?.controllerName).toBe(CONTROLLER);
    expect(route.parents[0]?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Accepted',
        status: 'True',
        lastTransitionTime: '2030-01-01T00:00:00Z',
      }),
    );
    expect(logs.some((l) => l.startsWith('status: wrote'))).toBe(true);
    expect(
      logs.some((l) => l.startsWith('Gateway demo/web: Accepted=True Programmed=True at 127.0.3.')),
    ).toBe(true);
  });

  it('follows changes in the cluster, without status writes that change nothing', async () => {
    const address = gatewayAddress()!;
    kube.server.create(httpRoute('demo', 'two', [{ name: 'web' }], { name: 'app', port: 80 }, '/two'));
    await eventually(
      async () => (await get(address, '/two').catch(() => undefined))?.status === 200,
      'new route',
    );
    await eventually(
      () =>
        (kube.server.get('HTTPRoute', 'demo', 'two')?.status as { parents?: unknown[] })?.parents?.length ===
        1,
      'new route status',
    );
    // Let everything settle, then change something that touches no status: nothing is written.
    await new Promise((r) => setTimeout(r, 300));
    const writes = kube.server.statusWrites.length;
    const requests = kube.server.requests.length;
    kube.server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'unrelated', namespace: 'demo' },
      data: {},
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(kube.server.statusWrites.length).toBe(writes);
    expect(kube.server.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([]);

    // Deleting a route changes the Gateway's attachedRoutes, and nothing else.
    kube.server.remove('HTTPRoute', 'demo', 'two');
    await eventually(
      async () => (await get(address, '/two').catch(() => undefined))?.status === 404,
      'route removed',
    );
    await eventually(() => kube.server.statusWrites.length > writes, 'Gateway status written');
    await new Promise((r) => setTimeout(r, 200));
    expect(kube.server.statusWrites.slice(writes).map((w) => `${w.kind} ${w.name} ${w.changed}`)).toEqual([
      'Gateway web true',
    ]);
    const gw = kube.server.get('Gateway', 'demo', 'web')?.status as {
      listeners: { attachedRoutes: number }[];
    };
    const listeners = gw.listeners;
    expect(listeners[0]?.attachedRoutes).toBe(1);
    expect((await get(address, '/app/y')).status).toBe(200);
  });

  it("releases what Portico no longer programs, and keeps another writer's condition", async () => {
    const s = kube.server;
    const OTHER = 'example.com/other-controller';
    const POLICY = {
      type: 'example.com/PolicyAttached',
      status: 'True',
      reason: 'Attached',
      message: 'a policy controller wrote this',
      lastTransitionTime: '2020-01-01T00:00:00Z',
    };
    type Status = { conditions?: { type: string }[]; listeners?: unknown[]; addresses?: unknown[] };
    const statusOf = (name: string) => s.get('Gateway', 'demo', name)?.status as Status | undefined;
    const parents = () =>
      (
        s.get('HTTPRoute', 'demo', 'shared')?.status as {
          parents?: { controllerName: string; parentRef: { name: string } }[];
        }
      )?.parents?.map(
        (p) => `${p.controllerName === CONTROLLER ? 'portico' : 'other'}:${p.parentRef.name}`,
      ) ?? [];
    s.create(gatewayClass('other', OTHER));
    s.create(gateway('demo', 'moving', PORT + 1));
    s.create(gateway('demo', 'gone', PORT + 2));
    s.create(
      httpRoute('demo', 'shared', [{ name: 'web' }, { name: 'moving' }, { name: 'gone' }], {
        name: 'app',
        port: 80,
      }),
    );
    await eventually(
      () => parents().sort().join() === 'portico:gone,portico:moving,portico:web',
      'route attached to the three Gateways',
      10_000,
    );
    await eventually(() => statusOf('moving')?.addresses?.length, 'moving Gateway programmed', 10_000);
    s.setStatus('Gateway', 'demo', 'moving', {
      ...statusOf('moving'),
      conditions: [...(statusOf('moving')?.conditions ?? []), POLICY],
    });

    s.apply(gateway('demo', 'moving', PORT + 1, 'other'));
    s.remove('Gateway', 'demo', 'gone');
    await eventually(
      () => parents().join() === 'portico:web',
      "route keeps only Portico's entry for web",
      10_000,
    );
    await eventually(
      () => statusOf('moving')?.conditions?.length === 1,
      "moved Gateway loses Portico's conditions",
      10_000,
    );
    expect(statusOf('moving')).toEqual({ conditions: [POLICY], listeners: [] });
    expect(statusOf('web')?.conditions?.map((c) => c.type)).toEqual(['Accepted', 'Programmed']);
  });

  it('stops cleanly', async () => {
    const address = gatewayAddress()!;
    dev.stop.abort();
    await dev.running;
    await expect(get(address, '/app/x')).rejects.toThrow(/ECONNREFUSED/);
  });
});
