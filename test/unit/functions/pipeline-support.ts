import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { dedupIdOf, groupIdOf } from '#events/message-keys.js';
import type { PorticoEvent } from '#events/portico-event.js';
import type { QueueMessage } from '#functions/queue/queue.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';

export const CLUSTER = 'prod-eu-1';

let seq = 0;
let rv = 1000;
const nextRv = () => String(++rv);

/** What ingest enqueues for one resource event: the PorticoEvent JSON, keyed as ingest keys it. */
export function resourceEvent(
  type: 'add' | 'update' | 'delete',
  object: Record<string, unknown> & { metadata: Record<string, unknown> },
  options: { snapshotid?: string; cluster?: string } = {},
): PorticoEvent {
  const e = {
    specversion: '1.0',
    id: `ev-${++seq}`,
    source: 'https://10.96.0.1:443',
    type: `dev.knative.apiserver.resource.${type}`,
    datacontenttype: 'application/json',
    cluster: options.cluster ?? CLUSTER,
    kind: object.kind,
    resourceversion: object.metadata.resourceVersion,
    ...(options.snapshotid ? { snapshotid: options.snapshotid } : {}),
    data: object,
  };
  return e as unknown as PorticoEvent;
}

export function markerEvent(
  type: 'start' | 'end',
  kind: string,
  snapshotId: string,
  count: number,
  cluster = CLUSTER,
): PorticoEvent {
  return {
    specversion: '1.0',
    id: `ev-${++seq}`,
    source: 'portico-forwarder',
    type: `dev.portico.snapshot.${type}`,
    datacontenttype: 'application/json',
    cluster,
    kind,
    snapshotid: snapshotId,
    data: { kind, snapshotId, count },
  } as unknown as PorticoEvent;
}

export function asQueueMessage(e: PorticoEvent): QueueMessage {
  return { groupId: groupIdOf(e), dedupId: dedupIdOf(e), body: JSON.stringify(e) };
}

/** SQS FIFO records as Lambda's event source mapping delivers them. */
export function sqsEvent(messages: readonly QueueMessage[], queue = 'events.fifo'): SQSEvent {
  return {
    Records: messages.map(
      (m, i): SQSRecord => ({
        messageId: `msg-${++seq}-${i}`,
        receiptHandle: `rh-${seq}-${i}`,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1763600000000',
          SenderId: 'AROAEXAMPLE:ingest',
          ApproximateFirstReceiveTimestamp: '1763600000001',
          SequenceNumber: String(18_800_000_000_000_000_000 + seq),
          MessageGroupId: m.groupId,
          MessageDeduplicationId: m.dedupId,
        },
        messageAttributes: {},
        md5OfBody: 'x',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
        awsRegion: 'eu-west-1',
      }),
    ),
  };
}

/** Splits into batches of 10, the FIFO maximum. */
export function batches<T>(items: readonly T[], size = 10): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test',
    memoryLimitInMB: '1024',
    awsRequestId: `req-${++seq}`,
    logGroupName: '/aws/lambda/test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---- objects ----

const meta = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${namespace ?? '-'}-${name}`,
  resourceVersion: nextRv(),
  ...extra,
});

export const gatewayClass = () => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: meta('portico', undefined, { generation: 1 }),
  spec: { controllerName: 'portico.dev/gateway-controller' },
});

export const gateway = (port = 80) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: meta('web', 'infra', { generation: 1 }),
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});

export const httpRoute = () => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: meta('app', 'infra', { generation: 1 }),
  spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'app', port: 80 }] }] },
});

export const service = (name = 'app', lb = false) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(name, 'infra'),
  spec: {
    ...(lb ? { type: 'LoadBalancer', loadBalancerClass: 'portico.dev/haproxy' } : {}),
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  },
});

export const endpointSlice = (service: string, suffix: string, ips: readonly string[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: meta(`${service}-${suffix}`, 'infra', { labels: { 'kubernetes.io/service-name': service } }),
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

/** The same object, as a later version. */
export function bump<T extends { metadata: Record<string, unknown> }>(o: T, patch: Partial<T> = {}): T {
  return { ...o, ...patch, metadata: { ...o.metadata, resourceVersion: nextRv() } };
}

/** Stores the objects as one finished list per kind, so that the cluster is complete. */
export async function listAll(
  store: SnapshotStore,
  objects: { kind: string }[],
  cluster = CLUSTER,
  listId = 'l1',
): Promise<void> {
  const kinds = [...new Set(objects.map((o) => o.kind))];
  for (const kind of kinds) {
    const of = objects.filter((o) => o.kind === kind);
    await store.markListStart(cluster, kind, listId);
    for (const o of of) await store.put(cluster, o, { listId });
    await store.markListEnd(cluster, kind, listId, of.length);
  }
}
