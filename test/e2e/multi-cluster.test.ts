import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSets } from '#core/index/cluster-sets.js';
import { dropConnections, get } from '#test/integration/haproxy/support.js';
import { CONTROLLER, eventually, gatewayClass } from '#test/integration/kube/support.js';
import { exportedSlice, routeToImport, serviceImport } from '#test/support/mcs-objects.js';
import { type LocalCloud, startLocalCloud } from './local-cloud.js';

// Multi-cluster services end to end: two API servers (clusters a and b, one clusterset), two
// forwarders, the functions (SQS emulator, DynamoDB on dynalite) and one HAProxy. The Gateway, its
// route and the ServiceImport live in a; each cluster exports the EndpointSlice of its own backend.
// Real requests reach both; when a's endpoint becomes not ready, every request goes to b, with no
// error after that point. The failover time is printed (docs/multi-cluster.md quotes it).

const POOL = '127.0.102.10-127.0.102.20';
const PORT = 20_210;
const BACKENDS = { a: { address: '127.0.102.2', port: 20_201 }, b: { address: '127.0.102.3', port: 20_202 } };

let cloud: LocalCloud;
const servers: Server[] = [];

/** An HTTP backend answering its cluster's name. */
async function startBackend(cluster: 'a' | 'b'): Promise<void> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`mc-${cluster}`),
  );
  await new Promise<void>((r) => server.listen(BACKENDS[cluster].port, BACKENDS[cluster].address, r));
  servers.push(server);
}

const slice = (cluster: 'a' | 'b', ready = true) =>
  withoutVersion(
    exportedSlice('apps', `shop-${cluster}`, {
      service: 'shop',
      sourceCluster: cluster,
      port: BACKENDS[cluster].port,
      endpoints: [{ address: BACKENDS[cluster].address, ready }],
    }),
  );

/** The API server assigns resourceVersion and uid itself. */
function withoutVersion<T extends { metadata: Record<string, unknown> }>(o: T): T {
  const { resourceVersion: _rv, uid: _uid, ...metadata } = o.metadata;
  return { ...o, metadata };
}

const gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: PORT, protocol: 'HTTP' }] },
};

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
  await Promise.all([startBackend('a'), startBackend('b')]);
  cloud = await startLocalCloud({
    addressPool: POOL,
    clusterSets: new ClusterSets([['a', 'b']]),
    clusters: [
      {
        id: 'a',
        objects: [
          gatewayClass(),
          gateway,
          withoutVersion(routeToImport('apps', 'shop', { gateway: 'web', service: 'shop' })),
          withoutVersion(serviceImport('apps', 'shop')),
          slice('a'),
        ],
      },
      { id: 'b', objects: [slice('b')] },
    ],
  });
}, 60_000);

afterAll(async () => {
  await cloud?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('end to end: one Gateway, the endpoints of two clusters', () => {
  let address: string;

  it('requests reach the endpoints of both clusters', async () => {
    address = await eventually(
      () => {
        const gw = cloud.kube.server.get('Gateway', 'apps', 'web') as {
          status?: { addresses?: { value: string }[]; conditions?: { type: string; status: string }[] };
        };
        const programmed = gw?.status?.conditions?.find((c) => c.type === 'Programmed')?.status === 'True';
        return programmed ? gw?.status?.addresses?.[0]?.value : undefined;
      },
      'Gateway Programmed=True with an address',
      30_000,
    );
    expect(address).toMatch(/^127\.0\.102\./);
    const seen = new Set<string>();
    await eventually(
      async () => {
        seen.add(await answer(address));
        return seen.has('200 mc-a') && seen.has('200 mc-b');
      },
      'answers from both clusters',
      20_000,
    );
    // The status pull runs on its own clock: the route's status follows.
    await eventually(
      () => {
        const route = cloud.kube.server.get('HTTPRoute', 'apps', 'shop') as {
          status?: { parents?: { controllerName: string; conditions: { type: string; status: string }[] }[] };
        };
        const parent = route?.status?.parents?.find((p) => p.controllerName === CONTROLLER);
        return parent?.conditions.some((c) => c.type === 'ResolvedRefs' && c.status === 'True');
      },
      'route ResolvedRefs=True',
      10_000,
    );
  }, 60_000);

  it("a's endpoint becoming not ready moves all traffic to b, with zero errors after that point", async () => {
    const reconcilesBefore = cloud.reconcileSource.counters.records;
    const start = performance.now();
    cloud.clusters[0]!.kube.server.apply(slice('a', false));
    // The failover point: the first of 20 answers in a row from b.
    let streak = 0;
    let failoverAt = 0;
    const before: string[] = [];
    await eventually(
      async () => {
        const at = performance.now();
        const a = await answer(address);
        if (a === '200 mc-b') {
          if (streak++ === 0) failoverAt = at;
        } else {
          streak = 0;
          before.push(a);
        }
        return streak >= 20;
      },
      'every answer from b',
      20_000,
    );
    const failoverMs = failoverAt - start;
    const reconciles = cloud.reconcileSource.counters.records - reconcilesBefore;
    const after: string[] = [];
    for (let i = 0; i < 200; i++) after.push(await answer(address));
    const errors = after.filter((a) => a !== '200 mc-b');
    console.log(
      `multi-cluster failover: ${failoverMs.toFixed(0)} ms from the API server update to b-only answers ` +
        `(${reconciles} reconcile message(s) meanwhile; before it: ${before.filter((a) => a === '200 mc-a').length} from a, ` +
        `${before.filter((a) => !a.startsWith('200')).length} errors); after it: ${after.length} requests, ${errors.length} errors`,
    );
    expect(errors).toEqual([]);
    expect(before.filter((a) => !a.startsWith('200'))).toEqual([]);
    expect(cloud.recordSource.counters.failures + cloud.reconcileSource.counters.failures).toBe(0);
  }, 60_000);
});
