// Leading-edge dispatch on the deployed parts: record and KeyDispatch with the DynamoDB store on
// dynalite and the SQS queue on the emulator, through the real AWS SDKs. The reconcile queue is
// created with the attributes serverless.yml deploys.

import { readFileSync } from 'node:fs';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { lbKey } from '#core/ir/lb-key.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { SqsQueue } from '#functions/queue/sqs-queue.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { silentLogger } from '#logging/logger.js';
import { createSqsClient, type SqsEmulator, startSqsEmulator } from '#test/emulators/sqs/index.js';
import { type LocalDynamo, startDynalite } from '#test/integration/store/dynalite-server.js';
import {
  asQueueMessage,
  CLUSTER,
  endpointSlice,
  lambdaContext,
  resourceEvent,
  service,
  sqsEvent,
} from '#test/unit/functions/pipeline-support.js';

const TABLE = 'portico-dispatch-snapshots';
const SVC_LB = lbKey(CLUSTER, 'Service', 'infra', 'app');

let sqs: SqsEmulator;
let dynamo: LocalDynamo;
let client: SQSClient;
let queueSeq = 0;
/** Every SendMessageBatch the SQS client sent. */
const batchesSent: SendMessageBatchCommandInput[] = [];

/** The reconcile queue's attributes in serverless.yml (the ones the emulator understands). */
function deployedReconcileQueue(): Record<string, string> {
  const yml = parseYaml(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8')) as {
    resources: { Resources: { ReconcileQueue: { Properties: Record<string, unknown> } } };
  };
  const p = yml.resources.Resources.ReconcileQueue.Properties;
  return {
    FifoQueue: 'true',
    DelaySeconds: String(p.DelaySeconds),
    DeduplicationScope: String(p.DeduplicationScope),
    FifoThroughputLimit: String(p.FifoThroughputLimit),
    VisibilityTimeout: String(p.VisibilityTimeout),
  };
}

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startSqsEmulator(), startDynalite()]);
  client = createSqsClient(sqs);
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        batchesSent.push(structuredClone(args.input as SendMessageBatchCommandInput));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordBatches' },
  );
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([sqs?.close(), dynamo?.close()]);
});

/** A fresh table and reconcile queue as deployed, and record functions (Lambda containers) on them. */
async function deployed() {
  const table = `${TABLE}-${++queueSeq}`;
  await dynamo.createSnapshotTable(table);
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: `reconcile-${queueSeq}.fifo`,
      Attributes: deployedReconcileQueue(),
    }),
  );
  const queueUrl = QueueUrl!;
  /** A record function in a container of its own: its own store client, queue and dispatch. */
  const container = () => {
    const store = new DynamoSnapshotStore({ tableName: table, client: dynamo.client });
    const reconcileQueue = new SqsQueue({ client, queueUrl });
    const dispatch = new KeyDispatch({ store, queue: reconcileQueue });
    return {
      dispatch,
      record: createRecordHandler({ store, reconcileQueue, dispatch, logger: silentLogger }),
    };
  };
  /**
   * What a consumer receives right now (no long poll), then deleted, as the event source does after
   * the reconcile succeeded (an undeleted message holds its FIFO group back).
   */
  const receiveNow = async () => {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return messages;
  };
  return { queueUrl, container, receiveNow };
}

const recordEvents = (
  handler: ReturnType<typeof createRecordHandler>,
  events: ReturnType<typeof resourceEvent>[],
) => handler(sqsEvent(events.map(asQueueMessage)), lambdaContext());

describe('leading-edge dispatch on DynamoDB (dynalite) and SQS (emulator)', () => {
  it('sends an isolated change with no delay: the reconcile message can be received at once', async () => {
    expect(deployedReconcileQueue().DelaySeconds).toBe('0');
    const { queueUrl, container, receiveNow } = await deployed();
    const { record } = container();
    const before = batchesSent.length;
    const r = await recordEvents(record, [resourceEvent('add', service('app', true))]);
    expect(r.batchItemFailures).toEqual([]);

    const sent = batchesSent.slice(before).filter((b) => b.QueueUrl === queueUrl);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Entries!.map((e) => e.MessageGroupId)).toEqual([SVC_LB]);
    for (const e of sent[0]!.Entries!) expect(e.DelaySeconds).toBeUndefined();
    const got = await receiveNow();
    expect(got.map((m) => JSON.parse(m.Body!).key)).toEqual([SVC_LB]);
  });

  it('claims a key once when record invocations in five containers record changes of it together', async () => {
    const { container, receiveNow } = await deployed();
    const first = container();
    await recordEvents(first.record, [resourceEvent('add', service('app', true))]);
    const [leading] = await receiveNow();
    // that reconcile ran: the key is idle again
    await (await first.dispatch.begin(SVC_LB)).end();

    const containers = Array.from({ length: 5 }, container);
    const results = await Promise.all(
      containers.map((c, i) =>
        recordEvents(c.record, [resourceEvent('add', endpointSlice('app', `s${i}`, [`10.9.0.${i + 1}`]))]),
      ),
    );
    for (const r of results) expect(r.batchItemFailures).toEqual([]);
    const got = await receiveNow();
    expect(got.map((m) => JSON.parse(m.Body!).key)).toEqual([SVC_LB]);
    expect(got[0]!.MessageId).not.toBe(leading!.MessageId);
  });

  it('sends the trailing request of a run that saw changes, and SQS does not drop it as a repeat', async () => {
    const { container, receiveNow } = await deployed();
    const { record, dispatch } = container();
    await recordEvents(record, [resourceEvent('add', service('app', true))]);
    expect(await receiveNow()).toHaveLength(1);

    const run = await dispatch.begin(SVC_LB);
    await recordEvents(record, [resourceEvent('add', endpointSlice('app', 'late', ['10.9.1.1']))]);
    await recordEvents(record, [resourceEvent('add', endpointSlice('app', 'later', ['10.9.1.2']))]);
    expect(await receiveNow()).toEqual([]); // dirty, nothing sent while it runs
    expect(await run.end()).toBe('requeued');
    const trailing = await receiveNow();
    expect(trailing.map((m) => JSON.parse(m.Body!).key)).toEqual([SVC_LB]);

    expect(await (await dispatch.begin(SVC_LB)).end()).toBe('idle');
    expect(await receiveNow()).toEqual([]);
  });
});
