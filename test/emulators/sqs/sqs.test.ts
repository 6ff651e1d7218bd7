import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient, type SqsEmulator, startSqsEmulator, testClock } from './index.js';

const clock = testClock({ start: 1_800_000_000_000 });
let sqs: SqsEmulator;
let client: SQSClient;
let n = 0;

beforeAll(async () => {
  sqs = await startSqsEmulator({ now: clock.now });
  client = createSqsClient(sqs, { maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

async function fifo(attributes: Record<string, string> = {}, name = `q${++n}`): Promise<string> {
  const out = await client.send(
    new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', ...attributes } }),
  );
  return out.QueueUrl!;
}
const receive = (
  QueueUrl: string,
  extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
) =>
  client
    .send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        ...extra,
      }),
    )
    .then((o) => o.Messages ?? []);
const counts = async (QueueUrl: string) => {
  const a = (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })))
    .Attributes!;
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
};
const entry = (i: number, group = 'g', body = `m${i}`) => ({
  Id: `e${i}`,
  MessageBody: body,
  MessageGroupId: group,
  MessageDeduplicationId: `d-${group}-${i}`,
});

describe('SQS emulator: queues (through @aws-sdk/client-sqs, AWS JSON 1.0)', () => {
  it('creates FIFO queues idempotently, finds them by name, refuses a conflicting re-create', async () => {
    const url = await fifo({ VisibilityTimeout: '60' }, 'same');
    expect(url).toBe(`${sqs.endpoint}/000000000000/same.fifo`);
    expect(await fifo({ VisibilityTimeout: '60' }, 'same')).toBe(url);
    await expect(fifo({ VisibilityTimeout: '61' }, 'same')).rejects.toMatchObject({
      name: 'QueueNameExists',
    });
    const got = await client.send(new GetQueueUrlCommand({ QueueName: 'same.fifo' }));
    expect(got.QueueUrl).toBe(url);
    const err = await client.send(new GetQueueUrlCommand({ QueueName: 'nope.fifo' })).catch((e) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    await expect(
      client.send(new CreateQueueCommand({ QueueName: 'x.fifo', Attributes: {} })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('validates SendMessageBatch as AWS does: entry count, distinct ids, total size', async () => {
    const url = await fifo();
    const eleven = Array.from({ length: 11 }, (_, i) => entry(i));
    const tooMany = await client
      .send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven }))
      .catch((e) => e);
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(
      client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1), { ...entry(2), Id: 'e1' }] }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(
      client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    ).rejects.toMatchObject({
      name: 'EmptyBatchRequest',
    });
    const big = 'x'.repeat(100_000);
    await expect(
      client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: [0, 1, 2].map((i) => entry(i, 'g', big)) }),
      ),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    expect(sqs.service.peek(url.split('/').pop()!)).toHaveLength(0);
  });

  it('reports per-entry errors in Failed[]: missing group id, missing dedup id without content-based dedup', async () => {
    const url = await fifo();
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          entry(1),
          { Id: 'nogroup', MessageBody: 'b', MessageDeduplicationId: 'x' },
          { Id: 'nodedup', MessageBody: 'b', MessageGroupId: 'g' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['e1']);
    expect(out.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ['nogroup', 'MissingParameter', true],
      ['nodedup', 'InvalidParameterValue', true],
    ]);
    // content-based deduplication: the body's SHA-256 is the dedup id
    const cbd = await fifo({ ContentBasedDeduplication: 'true' });
    await client.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
    await client.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
    expect((await counts(cbd)).visible).toBe(1);
  });

  it('deduplicates for 5 minutes, per queue or per message group', async () => {
    const perQueue = await fifo();
    const perGroup = await fifo({
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    for (const url of [perQueue, perGroup]) {
      const a = await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: '1',
          MessageGroupId: 'a',
          MessageDeduplicationId: 'd',
        }),
      );
      const again = await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: '1',
          MessageGroupId: 'a',
          MessageDeduplicationId: 'd',
        }),
      );
      expect(again.MessageId).toBe(a.MessageId);
      await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: '2',
          MessageGroupId: 'b',
          MessageDeduplicationId: 'd',
        }),
      );
    }
    expect(sqs.service.bodies(perQueue.split('/').pop()!)).toEqual(['1']);
    expect(sqs.service.bodies(perGroup.split('/').pop()!)).toEqual(['1', '2']);
    clock.advance(5 * 60_000);
    await client.send(
      new SendMessageCommand({
        QueueUrl: perQueue,
        MessageBody: '3',
        MessageGroupId: 'a',
        MessageDeduplicationId: 'd',
      }),
    );
    expect(sqs.service.bodies(perQueue.split('/').pop()!)).toEqual(['1', '3']);
  });

  it('FIFO receive: order within a group, a group with a message in flight is blocked, attributes', async () => {
    const url = await fifo({ VisibilityTimeout: '30' });
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [entry(1, 'a'), entry(2, 'b'), entry(3, 'a'), entry(4, 'b')],
      }),
    );
    const first = await receive(url, { MaxNumberOfMessages: 2 });
    // as many messages of one group as possible, in order
    expect(first.map((m) => m.Body)).toEqual(['m1', 'm3']);
    expect(first[0]!.Attributes).toMatchObject({ MessageGroupId: 'a', ApproximateReceiveCount: '1' });
    expect(Number(first[0]!.Attributes!.SentTimestamp)).toBe(clock.now());
    // group a is in flight: only b is delivered
    expect((await receive(url)).map((m) => m.Body)).toEqual(['m2', 'm4']);
    expect(await receive(url)).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 4, delayed: 0 });
    // deleting a's messages does not unblock anything left (none left in a); after the timeout b comes back
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: first.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    clock.advance(30_000);
    const again = await receive(url);
    expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['m2', '2'],
      ['m4', '2'],
    ]);
  });

  it('a message made visible again (ChangeMessageVisibility 0) blocks the rest of its group until received', async () => {
    const url = await fifo();
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1), entry(2)] }));
    const [m1] = await receive(url, { MaxNumberOfMessages: 1 });
    expect(m1!.Body).toBe('m1');
    expect(await receive(url)).toEqual([]);
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m1!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    expect((await receive(url)).map((m) => m.Body)).toEqual(['m1', 'm2']);
    // a stale receipt handle deletes nothing (and succeeds), as AWS documents
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m1!.ReceiptHandle! }));
    expect(sqs.service.peek(url.split('/').pop()!)).toHaveLength(2);
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('redrive: a message received maxReceiveCount times moves to the dead-letter queue', async () => {
    const dlq = await fifo();
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    const url = await fifo({
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    await client.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1, 'p'), entry(2, 'p')] }),
    );
    for (let i = 0; i < 2; i++) {
      expect((await receive(url, { MaxNumberOfMessages: 1 })).map((m) => m.Body)).toEqual(['m1']);
      clock.advance(10_000);
    }
    // third receive: m1 is dead-lettered, m2 is next in its group
    expect((await receive(url, { MaxNumberOfMessages: 1 })).map((m) => m.Body)).toEqual(['m2']);
    const dead = await receive(dlq);
    expect(
      dead.map((m) => [m.Body, m.Attributes?.MessageGroupId, m.Attributes?.DeadLetterQueueSourceArn]),
    ).toEqual([['m1', 'p', expect.stringMatching(/:q\d+\.fifo$/)]]);
  });

  it('long polling returns as soon as a message arrives; delay seconds hide messages', async () => {
    const url = await fifo({ DelaySeconds: '0' });
    const started = Date.now();
    const polling = receive(url, { WaitTimeSeconds: 5 });
    setTimeout(() => {
      void client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1)] }));
    }, 100);
    expect((await polling).map((m) => m.Body)).toEqual(['m1']);
    expect(Date.now() - started).toBeLessThan(2000);

    const delayed = await fifo({ DelaySeconds: '2' });
    await client.send(new SendMessageBatchCommand({ QueueUrl: delayed, Entries: [entry(1)] }));
    expect(await counts(delayed)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(await receive(delayed)).toEqual([]);
    clock.advance(2000);
    expect(await receive(delayed)).toHaveLength(1);
  });

  it('validates receive parameters and purges (once a minute)', async () => {
    const url = await fifo();
    await expect(receive(url, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1), entry(2, 'h')] }));
    await client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await expect(client.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
    });
  });
});

describe('SQS emulator: fault injection', () => {
  it('fails the next calls of an action with a code and status; per-entry failures store nothing', async () => {
    const url = await fifo();
    sqs.failNext({ action: 'SendMessageBatch', code: 'InternalError' });
    const err = await client
      .send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1)] }))
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    sqs.failEntries({ count: 1, code: 'ServiceUnavailable', match: (e) => e.MessageBody === 'm2' });
    const out = await client.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry(1), entry(2), entry(3)] }),
    );
    expect(out.Failed).toEqual([
      { Id: 'e2', Code: 'ServiceUnavailable', Message: 'injected ServiceUnavailable', SenderFault: false },
    ]);
    expect(sqs.service.bodies(url.split('/').pop()!)).toEqual(['m1', 'm3']);
    sqs.addLatency(150, 'GetQueueAttributes');
    const t = Date.now();
    await counts(url);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sqs.clearFaults();
  });
});
