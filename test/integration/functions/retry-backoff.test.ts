import { setTimeout as delay } from 'node:timers/promises';
import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { SqsRetryDelay } from '#functions/queue/sqs-retry-delay.js';
import { createRecordHandler } from '#functions/record/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { silentLogger } from '#logging/logger.js';
import { createSqsClient, type SqsEmulator, startSqsEmulator, testClock } from '#test/emulators/sqs/index.js';
import { eventually } from '#test/integration/kube/support.js';
import { SqsEventSource } from '#test/support/sqs-event-source.js';

// A message that keeps failing is held back for 10 s, 20 s, … (ChangeMessageVisibility through the
// real SDK against the SQS emulator, on a clock the test moves), instead of coming back every
// visibility timeout (5 s here).

const clock = testClock();
let sqs: SqsEmulator;
let client: SQSClient;
let source: SqsEventSource | undefined;
let n = 0;

beforeAll(async () => {
  sqs = await startSqsEmulator({ now: clock.now });
  client = createSqsClient(sqs);
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

async function poisonedQueue(): Promise<string> {
  const out = await client.send(
    new CreateQueueCommand({
      QueueName: `retry-${++n}.fifo`,
      Attributes: { FifoQueue: 'true', VisibilityTimeout: '5' },
    }),
  );
  await client.send(
    new SendMessageCommand({
      QueueUrl: out.QueueUrl,
      MessageBody: 'not an event',
      MessageGroupId: 'g',
      MessageDeduplicationId: 'poison',
    }),
  );
  return out.QueueUrl!;
}

function recordOn(queueUrl: string, withBackoff: boolean) {
  const receives: number[] = [];
  const record = createRecordHandler({
    store: new MemorySnapshotStore(),
    reconcileQueue: new MemoryQueue(),
    logger: silentLogger,
    ...(withBackoff && {
      retryDelay: new SqsRetryDelay({ client }),
      retryBackoff: { baseSeconds: 10, jitter: 0 },
    }),
  });
  const handler = async (
    event: SQSEvent,
    context: Parameters<typeof record>[1],
  ): Promise<SQSBatchResponse> => {
    const response = await record(event, context);
    // Counted once handled: the backoff is set by then, so the test's clock cannot overtake it.
    for (const r of event.Records) receives.push(Number(r.attributes.ApproximateReceiveCount));
    return response;
  };
  source = new SqsEventSource({ client, queueUrl, handler, waitTimeSeconds: 0 }).start();
  return receives;
}

/** Moves the queue's clock and gives the poller time to see what became visible. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await delay(250);
}

describe('retry backoff of failed SQS records', () => {
  it('without it, a failed record comes back after the visibility timeout', async () => {
    const receives = recordOn(await poisonedQueue(), false);
    await eventually(() => receives.length === 1, 'first delivery');
    await advance(5_500);
    await eventually(() => receives.length === 2, 'redelivery after 5 s');
  });

  it('with it, each failure holds the record back twice as long', async () => {
    const receives = recordOn(await poisonedQueue(), true);
    await eventually(() => receives.length === 1, 'first delivery');
    await advance(9_000);
    expect(receives).toEqual([1]); // the 5 s visibility timeout was extended to 10 s
    await advance(1_500);
    await eventually(() => receives.length === 2, 'redelivery after 10 s');
    await advance(19_000);
    expect(receives).toEqual([1, 2]); // then 20 s
    await advance(1_500);
    await eventually(() => receives.length === 3, 'redelivery after 20 s');
    expect(receives).toEqual([1, 2, 3]);
  });
});
