// Portico's cloud half, run locally with every part real except AWS itself: a Kubernetes list/watch
// API server → the Forwarder (client-node informers) → signed batches over HTTP → the ingest
// function → the SQS FIFO events queue (emulator) → record (DynamoDB store on dynalite) → the
// reconcile queue → reconcile with the HAProxy adapter; status pulled from the status function and
// patched back into the API server by the forwarder (and Pods' readiness gates opened). Used by the end-to-end tests and bench/pipeline.
// Several clusters (`clusters`) are several API servers, each with its own forwarder and signing
// key, in front of the same functions, store and HAProxy (a clusterset when `clusterSets` says so).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { ClusterSets } from '#core/index/cluster-sets.js';
import type { KindName } from '#core/model/bundle.js';
import { Forwarder } from '#forwarder/forwarder.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { SqsQueue } from '#functions/queue/sqs-queue.js';
import { SqsRetryDelay } from '#functions/queue/sqs-retry-delay.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import type { GateRecheckOptions } from '#functions/reconcile/pod-gate-pass.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { createStatusHandler } from '#functions/status/handler.js';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { type Logger, silentLogger } from '#logging/logger.js';
import { createSqsClient, startSqsEmulator } from '#test/emulators/sqs/index.js';
import { dropConnections } from '#test/integration/haproxy/support.js';
import { CONTROLLER, type KubeFixture, startKube } from '#test/integration/kube/support.js';
import { startDynalite } from '#test/integration/store/dynalite-server.js';
import { type HttpApi, startHttpApi } from '#test/support/http-api.js';
import { SqsEventSource } from '#test/support/sqs-event-source.js';

export const CLUSTER = 'e2e';
const SECRET = 'e2e-signing-secret-0123456789abcdef0123';
const TABLE = 'portico-e2e-snapshots';
const KINDS: KindName[] = [
  'GatewayClass',
  'Gateway',
  'HTTPRoute',
  'Service',
  'EndpointSlice',
  'ServiceImport',
];

export interface LocalCloudOptions {
  /** Bind addresses for the HAProxy adapter's load balancers (a 127.0.0.0/8 range of its own). */
  addressPool: string;
  /** Objects in the API server before the forwarder starts (of cluster CLUSTER, when `clusters` is absent). */
  objects?: readonly Record<string, unknown>[];
  /** Several clusters, each an API server with its objects and a forwarder with its id; `objects` is then ignored. */
  clusters?: readonly { id: string; objects: readonly Record<string, unknown>[] }[];
  /** The clustersets the record and reconcile functions are configured with (default: none). */
  clusterSets?: ClusterSets;
  /** The reconcile queue's DelaySeconds (serverless.yml: 0; dispatch coalesces in the store instead). */
  reconcileDelaySeconds?: number;
  statusPollMs?: number;
  /** The forwarder's linger (default: the forwarder's own default, as deployed). */
  forwarderLingerMs?: number;
  /** Kinds the forwarder watches besides the default ones (HealthCheckPolicy for readiness gates). */
  extraKinds?: readonly KindName[];
  /** The reconcile's readiness-gate re-check schedule (default: the function's own). */
  gateRecheck?: GateRecheckOptions;
  /** Told when each function invocation starts and ends (bench/pipeline's stage breakdown). */
  onStage?: (stage: LocalCloudStage, atMs: number) => void;
  /** The record and reconcile functions' logger (default: silent); their lines carry per-phase times. */
  functionLogger?: Logger;
}

/** A function invocation starting or ending, as `onStage` reports it. */
export type LocalCloudStage = `${'ingest' | 'record' | 'reconcile'}-${'start' | 'end'}`;

export interface LocalCloudCluster {
  id: string;
  kube: KubeFixture;
  forwarder: Forwarder;
}

export interface LocalCloud {
  /** The first cluster's API server and forwarder. */
  kube: KubeFixture;
  forwarder: Forwarder;
  /** Every cluster, in the order given. */
  clusters: LocalCloudCluster[];
  recordSource: SqsEventSource;
  reconcileSource: SqsEventSource;
  /** The functions' snapshot store (DynamoDB on dynalite). */
  store: DynamoSnapshotStore;
  close(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const traced = <E, C, R>(name: 'ingest' | 'record' | 'reconcile', handler: (e: E, c: C) => Promise<R>) => {
    const onStage = options.onStage;
    if (!onStage) return handler;
    return async (e: E, c: C): Promise<R> => {
      onStage(`${name}-start`, performance.now());
      try {
        return await handler(e, c);
      } finally {
        onStage(`${name}-end`, performance.now());
      }
    };
  };
  const stateDir = mkdtempSync(join(tmpdir(), 'portico-local-cloud-'));
  const wanted = options.clusters ?? [{ id: CLUSTER, objects: options.objects ?? [] }];
  const [kubes, sqs, dynamo] = await Promise.all([
    Promise.all(wanted.map(() => startKube())),
    startSqsEmulator(),
    startDynalite(),
  ]);
  const sqsClient = createSqsClient(sqs);
  await dynamo.createSnapshotTable(TABLE);
  const eventsUrl = await fifo(sqsClient, 'portico-e2e-events.fifo', { VisibilityTimeout: '5' });
  const reconcileUrl = await fifo(sqsClient, 'portico-e2e-reconcile.fifo', {
    DelaySeconds: String(options.reconcileDelaySeconds ?? 0),
    VisibilityTimeout: '10',
  });

  const store = new DynamoSnapshotStore({ tableName: TABLE, client: dynamo.client });
  const dispatch = new KeyDispatch({
    store,
    queue: new SqsQueue({ client: sqsClient, queueUrl: reconcileUrl }),
  });
  const secretOf = (cluster: string) => `${SECRET}-${cluster}`;
  const signingKeys = wanted.map((c) => ({ cluster: c.id, secret: secretOf(c.id) }));
  const clusterSets = options.clusterSets ?? new ClusterSets();
  const api: HttpApi = await startHttpApi({
    'POST /events': traced(
      'ingest',
      createIngestHandler({
        queue: new SqsQueue({ client: sqsClient, queueUrl: eventsUrl }),
        signingKeys,
        logger: silentLogger,
      }),
    ),
    'GET /status': createStatusHandler({ store, signingKeys, logger: silentLogger }),
  });
  const haproxy: HaproxyAdapter = createHaproxyAdapter({ stateDir, addressPool: options.addressPool });
  const recordSource = new SqsEventSource({
    client: sqsClient,
    queueUrl: eventsUrl,
    batchSize: 10,
    handler: traced(
      'record',
      createRecordHandler({
        store,
        reconcileQueue: new SqsQueue({ client: sqsClient, queueUrl: reconcileUrl }),
        dispatch,
        clusterSets,
        logger: options.functionLogger ?? silentLogger,
      }),
    ),
  }).start();
  const reconcileSource = new SqsEventSource({
    client: sqsClient,
    queueUrl: reconcileUrl,
    batchSize: 1,
    handler: traced(
      'reconcile',
      createReconcileHandler({
        store,
        adapters: { haproxy: haproxy },
        translateOptions: { defaultProvider: 'haproxy' },
        logger: options.functionLogger ?? silentLogger,
        dispatch,
        clusterSets,
        // As deployed: failures and early gate re-checks are held back with ChangeMessageVisibility.
        retryDelay: new SqsRetryDelay({ client: sqsClient }),
        gateRecheck: {
          ...options.gateRecheck,
          queue: new SqsQueue({ client: sqsClient, queueUrl: reconcileUrl }),
        },
      }),
    ),
  }).start();

  const clusters: LocalCloudCluster[] = [];
  for (const [i, c] of wanted.entries()) {
    const kube = kubes[i]!;
    for (const o of c.objects) kube.server.create(o);
    const forwarder = new Forwarder({
      endpoint: api.url,
      cluster: c.id,
      signingSecret: secretOf(c.id),
      kubeConfig: loadKubeConfig(kube.kubeconfig),
      kinds: [...KINDS, ...(options.extraKinds ?? [])],
      controllerName: CONTROLLER,
      ...(options.forwarderLingerMs !== undefined ? { lingerMs: options.forwarderLingerMs } : {}),
      statusPollMs: options.statusPollMs ?? 100,
      logger: silentLogger,
    });
    await forwarder.start();
    clusters.push({ id: c.id, kube, forwarder });
  }

  return {
    kube: clusters[0]!.kube,
    forwarder: clusters[0]!.forwarder,
    clusters,
    recordSource,
    reconcileSource,
    store,
    async close() {
      await Promise.all(clusters.map((c) => c.forwarder.stop({ deadlineMs: 500 })));
      await Promise.all([recordSource.stop(), reconcileSource.stop()]);
      dropConnections();
      await haproxy.stop();
      sqsClient.destroy();
      await Promise.all([api.close(), sqs.close(), dynamo.close(), ...kubes.map((k) => k.close())]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function fifo(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const out = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { FifoQueue: 'true', DeduplicationScope: 'messageGroup', ...attributes },
    }),
  );
  return out.QueueUrl!;
}
