import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '#core/index/object-ref.js';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { signRequest } from '#events/signature.js';
import { handler as ingestHandler } from '#functions/ingest/handler.js';
import { handler as recordHandler } from '#functions/record/handler.js';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { createSqsClient, type SqsEmulator, startSqsEmulator, testClock } from '#test/emulators/sqs/index.js';
import { type SsmEmulator, startSsmEmulator } from '#test/emulators/ssm/index.js';
import { type LocalDynamo, startDynalite } from '#test/integration/store/dynalite-server.js';
import { type HttpApi, startHttpApi } from '#test/support/http-api.js';
import { SqsEventSource } from '#test/support/sqs-event-source.js';

const SECRET = 'prod-eu-1-signing-secret-0123456789abcdef';
const TABLE = 'portico-test-snapshots';
const PARAMETER = '/portico/test/ingest-config';
// queue time runs 50 times faster than real time: visibility timeouts of seconds pass in milliseconds
const clock = testClock({ speed: 50 });

let sqs: SqsEmulator;
let ssm: SsmEmulator;
let dynamo: LocalDynamo;
let api: HttpApi;
let client: SQSClient;
const urls = { events: '', eventsDlq: '', reconcile: '' };
const savedEnv = { ...process.env };

async function fifo(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        FifoQueue: 'true',
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        ...attributes,
      },
    }),
  );
  return out.QueueUrl!;
}

beforeAll(async () => {
  [sqs, ssm, dynamo] = await Promise.all([
    startSqsEmulator({ now: clock.now }),
    startSsmEmulator(),
    startDynalite(),
  ]);
  client = createSqsClient(sqs);
  await dynamo.createSnapshotTable(TABLE);
  urls.eventsDlq = await fifo('portico-test-events-dlq.fifo');
  urls.events = await fifo('portico-test-events.fifo', {
    VisibilityTimeout: '5',
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: sqs.service.queue('portico-test-events-dlq.fifo').arn,
      maxReceiveCount: 3,
    }),
  });
  urls.reconcile = await fifo('portico-test-reconcile.fifo');
  ssm.put(PARAMETER, JSON.stringify({ signingKeys: [{ cluster: 'prod-eu-1', secret: SECRET }] }));
  // what serverless.yml and Lambda give the functions, with the SDKs pointed at the emulators
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    PORTICO_EVENTS_QUEUE_URL: urls.events,
    PORTICO_INGEST_CONFIG_PARAMETER: PARAMETER,
    PORTICO_TABLE_NAME: TABLE,
    PORTICO_RECONCILE_QUEUE_URL: urls.reconcile,
  });
  api = await startHttpApi({ 'POST /events': ingestHandler });
});

afterAll(async () => {
  process.env = savedEnv;
  client.destroy();
  await Promise.all([api.close(), sqs.close(), ssm.close(), dynamo.close()]);
});

const batch = JSON.stringify(loadFixture('portico-batch'));

describe('deployed handlers, wired from the environment (SQS, SSM, DynamoDB emulators)', () => {
  it('ingest over HTTP API v2: 404/405 around the route, 401 unsigned, 202 signed → events in the SQS queue', async () => {
    expect((await fetch(`${api.url}/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${api.url}/events`)).status).toBe(405);
    const unsigned = await fetch(`${api.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: batch,
    });
    expect(unsigned.status).toBe(401);

    const res = await fetch(`${api.url}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents-batch+json',
        'x-portico-signature': signRequest(SECRET, Math.floor(Date.now() / 1000), batch),
      },
      body: batch,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4, resourceEvents: 2, snapshotMarkers: 2 });
    const stored = sqs.service.peek('portico-test-events.fifo');
    expect(stored.map((m) => m.groupId)).toEqual([
      'prod-eu-1/Gateway/~snapshot',
      'prod-eu-1/Gateway/default/web',
      'prod-eu-1/Gateway/default/internal',
      'prod-eu-1/Gateway/~snapshot',
    ]);
    expect(ssm.calls.GetParameter).toBe(1); // read once per container
  });

  it('ingest answers 503 QueueUnavailable when SQS keeps failing, and nothing is half-accepted', async () => {
    sqs.failNext({ action: 'SendMessageBatch', code: 'InternalError', count: 10 });
    const body = batch.replaceAll('"18213"', '"18214"');
    const res = await fetch(`${api.url}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents-batch+json',
        'x-portico-signature': signRequest(SECRET, Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    sqs.clearFaults();
    expect(res.status).toBe(503);
    expect(sqs.service.peek('portico-test-events.fifo')).toHaveLength(4);
  });

  it('record, driven by the event source mapping: objects in DynamoDB, reconcile keys in the reconcile queue', async () => {
    const source = new SqsEventSource({
      client,
      queueUrl: urls.events,
      handler: recordHandler,
      batchSize: 10,
    }).start();
    try {
      await source.drain();
    } finally {
      await source.stop();
    }
    expect(source.counters).toMatchObject({ records: 4, failures: 0, deleted: 4 });
    const store = new DynamoSnapshotStore({ tableName: TABLE, client: dynamo.client });
    const web = (await store.get('prod-eu-1', ref('Gateway', 'default', 'web'))) as {
      metadata: { name: string };
    };
    expect(web.metadata.name).toBe('web');
    expect(await store.list('prod-eu-1', 'Gateway', 'default')).toHaveLength(2);
    const reconcile = sqs.service.peek('portico-test-reconcile.fifo');
    expect(reconcile.map((m) => m.groupId).sort()).toEqual([
      expect.stringContaining('default/internal'),
      expect.stringContaining('default/web'),
    ]);
  });

  it('a poison message is retried by the event source, then dead-lettered by the redrive policy', async () => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: urls.events,
        MessageBody: 'this is not an event',
        MessageGroupId: 'prod-eu-1/Gateway/default/poison',
        MessageDeduplicationId: 'poison-1',
      }),
    );
    const source = new SqsEventSource({ client, queueUrl: urls.events, handler: recordHandler }).start();
    try {
      await source.drain();
    } finally {
      await source.stop();
    }
    expect(source.counters).toMatchObject({ invocations: 3, records: 3, failures: 3, deleted: 0 });
    const dlq = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: urls.eventsDlq, AttributeNames: ['All'] }),
    );
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('1');
    expect(sqs.service.bodies('portico-test-events-dlq.fifo')).toEqual(['this is not an event']);
  });
});
