import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';
import { Forwarder } from '#events/forwarder/forwarder.js';
import { SqsQueue } from '#functions/adapters/sqs-queue.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import { createJsonLogger } from '#functions/ingest/logger.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { createStatusHandler } from '#functions/status/handler.js';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { createSqsClient, type SqsEmulator, startSqsEmulator } from '#test/emulators/sqs/index.js';
import { dropConnections, get, startBackend, type TestBackend } from '#test/integration/haproxy/support.js';
import {
  CONTROLLER,
  endpointSlice,
  eventually,
  type KubeFixture,
  service,
  startKube,
} from '#test/integration/kube/support.js';
import { type LocalDynamo, startDynalite } from '#test/integration/store/dynalite-server.js';
import { type HttpApi, startHttpApi } from '#test/support/http-api.js';
import { SqsEventSource } from '#test/support/sqs-event-source.js';

// The whole event-driven path, every part real except AWS itself: a Kubernetes list/watch API
// server → the Forwarder (client-node informers) → signed batches over HTTP → the ingest function →
// the SQS FIFO events queue (emulator) → record (DynamoDB store on dynalite) → the reconcile queue →
// reconcile with the HAProxy adapter → real HTTP traffic; status pulled from the status function and
// patched back into the API server by the forwarder.

const CLUSTER = 'e2e';
const SECRET = 'e2e-signing-secret-0123456789abcdef0123';
const TABLE = 'portico-e2e-snapshots';
const POOL = '127.0.74.10-127.0.74.20';
const PORT = 18_190;
const quiet = () => createJsonLogger({ write: () => {} });

let kube: KubeFixture;
let sqs: SqsEmulator;
let sqsClient: SQSClient;
let dynamo: LocalDynamo;
let api: HttpApi;
let haproxy: HaproxyAdapter;
let stateDir: string;
let forwarder: Forwarder;
let recordSource: SqsEventSource;
let reconcileSource: SqsEventSource;
let a: TestBackend;
let b: TestBackend;

const gatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico' },
  spec: { controllerName: CONTROLLER },
};
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

async function fifo(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqsClient.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { FifoQueue: 'true', DeduplicationScope: 'messageGroup', ...attributes },
    }),
  );
  return out.QueueUrl!;
}

type Condition = { type: string; status: string; reason?: string };
const conditionsOf = (o: unknown): Condition[] =>
  ((o as { status?: { conditions?: Condition[] } })?.status?.conditions ?? []) as Condition[];

/** The Gateway's address, once the forwarder has patched a Programmed status into the API server. */
function programmedAddress(): string | undefined {
  const gw = kube.server.get('Gateway', 'infra', 'web') as { status?: { addresses?: { value: string }[] } };
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
  stateDir = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  [kube, sqs, dynamo, a, b] = await Promise.all([
    startKube(),
    startSqsEmulator(),
    startDynalite(),
    startBackend('backend-a'),
    startBackend('backend-b'),
  ]);
  sqsClient = createSqsClient(sqs);
  await dynamo.createSnapshotTable(TABLE);
  const eventsUrl = await fifo('portico-e2e-events.fifo', { VisibilityTimeout: '5' });
  // as serverless.yml: the reconcile queue delays delivery past the record function's coalescing window
  const reconcileUrl = await fifo('portico-e2e-reconcile.fifo', {
    DelaySeconds: '1',
    VisibilityTimeout: '10',
  });

  const store = new DynamoSnapshotStore({ tableName: TABLE, client: dynamo.client });
  const signingKeys = [{ cluster: CLUSTER, secret: SECRET }];
  api = await startHttpApi({
    'POST /events': createIngestHandler({
      queue: new SqsQueue({ client: sqsClient, queueUrl: eventsUrl }),
      signingKeys,
      logger: quiet(),
    }),
    'GET /status': createStatusHandler({ store, signingKeys, logger: quiet() }),
  });
  haproxy = createHaproxyAdapter({ stateDir, addressPool: POOL });
  recordSource = new SqsEventSource({
    client: sqsClient,
    queueUrl: eventsUrl,
    batchSize: 10,
    handler: createRecordHandler({
      store,
      reconcileQueue: new SqsQueue({ client: sqsClient, queueUrl: reconcileUrl }),
      coalesceWindowMs: 500,
      logger: quiet(),
    }),
  }).start();
  reconcileSource = new SqsEventSource({
    client: sqsClient,
    queueUrl: reconcileUrl,
    batchSize: 1,
    handler: createReconcileHandler({
      store,
      adapters: { haproxy: haproxy as LoadBalancerAdapter<unknown> },
      translateOptions: { defaultProvider: 'haproxy' },
      logger: quiet(),
    }),
  }).start();

  for (const o of [
    gatewayClass,
    gateway,
    route('svc-a'),
    service('apps', 'svc-a', 80),
    endpointSlice('apps', 'svc-a', '127.0.0.1', a.port),
    service('apps', 'svc-b', 80),
    endpointSlice('apps', 'svc-b', '127.0.0.1', b.port),
  ]) {
    kube.server.create(o);
  }
  forwarder = new Forwarder({
    endpoint: api.url,
    cluster: CLUSTER,
    signingSecret: SECRET,
    kubeConfig: loadKubeConfig(kube.kubeconfig),
    kinds: ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'EndpointSlice'],
    controllerName: CONTROLLER,
    lingerMs: 20,
    statusPollMs: 100,
    log: () => {},
  });
  await forwarder.start();
}, 60_000);

afterAll(async () => {
  await forwarder?.stop({ deadlineMs: 500 });
  await Promise.all([recordSource?.stop(), reconcileSource?.stop()]);
  dropConnections();
  await haproxy?.stop();
  await Promise.all([api?.close(), sqs?.close(), dynamo?.close(), kube?.close(), a?.close(), b?.close()]);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('end to end: cluster → forwarder → functions → HAProxy → status', () => {
  let address: string;

  it('routes a real request, and the Gateway and route statuses land back in the API server', async () => {
    address = await eventually(programmedAddress, 'Gateway Programmed=True with an address', 20_000);
    expect(address).toMatch(/^127\.0\.74\./);
    await eventually(async () => (await answer(address)) === '200 backend-a', 'shop.example → backend-a');

    const shop = await eventually(() => {
      const parents = (
        kube.server.get('HTTPRoute', 'apps', 'shop') as {
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
    expect(conditionsOf(kube.server.get('GatewayClass', undefined, 'portico'))).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Accepted', status: 'True' })]),
    );
  }, 30_000);

  it('propagates a route change', async () => {
    kube.server.apply(route('svc-b'));
    await eventually(
      async () => (await answer(address)) === '200 backend-b',
      'shop.example → backend-b',
      15_000,
    );
  }, 20_000);

  it('propagates a delete: the host is no longer routed', async () => {
    kube.server.remove('HTTPRoute', 'apps', 'shop');
    await eventually(async () => (await answer(address)).startsWith('404'), 'shop.example → 404', 15_000);
    // the Gateway stays programmed, now with no attached route
    await eventually(() => {
      const gw = kube.server.get('Gateway', 'infra', 'web') as {
        status?: { listeners?: { attachedRoutes: number }[] };
      };
      return gw?.status?.listeners?.[0]?.attachedRoutes === 0;
    }, 'listener attachedRoutes = 0');
    expect(recordSource.counters.failures + reconcileSource.counters.failures).toBe(0);
  }, 20_000);
});
