// A simulator of Lambda's SQS event source mapping (with ReportBatchItemFailures) for tests: polls a
// queue with the real SQS client, hands each batch to the handler as a real-shaped SQSEvent, deletes
// the records the handler did not report as failed, and leaves the failed ones (and the whole batch
// when the handler throws) to their visibility timeout: SQS then delivers them again, and the queue's
// redrive policy dead-letters them after maxReceiveCount receives, as in AWS.

import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Records per invocation (default 10, SQS maximum per receive). */
  batchSize?: number;
  /** Long-poll wait per receive in seconds (default 1). */
  waitTimeSeconds?: number;
  /** The function's name in the invocation context (default `handler`). */
  functionName?: string;
  /** The function's timeout (getRemainingTimeInMillis), default 30 s. */
  timeoutMs?: number;
}

export interface EventSourceCounters {
  invocations: number;
  records: number;
  /** Records reported in batchItemFailures, or in a batch whose invocation threw. */
  failures: number;
  /** Invocations that threw. */
  errors: number;
  deleted: number;
}

export class SqsEventSource {
  readonly counters: EventSourceCounters = { invocations: 0, records: 0, failures: 0, errors: 0, deleted: 0 };
  readonly #o: Required<Omit<SqsEventSourceOptions, 'functionName'>> & { functionName: string };
  #running = false;
  #loop: Promise<void> | undefined;
  #inFlight = 0;
  #arn: string | undefined;
  #abort = new AbortController();

  constructor(options: SqsEventSourceOptions) {
    this.#o = {
      batchSize: 10,
      waitTimeSeconds: 1,
      timeoutMs: 30_000,
      functionName: 'handler',
      ...options,
    };
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#abort = new AbortController();
    this.#loop = this.#poll();
    return this;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await this.#loop;
  }

  /** Resolves when the queue holds no message (visible, delayed or in flight) and no invocation runs. */
  async drain(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#inFlight === 0) {
        const out = await this.#o.client.send(
          new GetQueueAttributesCommand({ QueueUrl: this.#o.queueUrl, AttributeNames: ['All'] }),
        );
        const a = out.Attributes ?? {};
        const left =
          Number(a.ApproximateNumberOfMessages ?? 0) +
          Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
        if (left === 0 && this.#inFlight === 0) return;
      }
      if (Date.now() > deadline) throw new Error(`queue ${this.#o.queueUrl} not drained in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async #queueArn(): Promise<string> {
    if (!this.#arn) {
      const out = await this.#o.client.send(
        new GetQueueAttributesCommand({ QueueUrl: this.#o.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      this.#arn = out.Attributes?.QueueArn ?? 'arn:aws:sqs:us-east-1:000000000000:unknown';
    }
    return this.#arn;
  }

  async #poll(): Promise<void> {
    const { client, queueUrl } = this.#o;
    while (this.#running) {
      let messages: Message[];
      try {
        const arn = await this.#queueArn();
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: this.#o.batchSize,
            WaitTimeSeconds: this.#o.waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.#abort.signal },
        );
        // received messages are in flight in the queue's counts until deleted or visible again
        messages = out.Messages ?? [];
        if (messages.length > 0) {
          this.#inFlight++;
          try {
            await this.#invoke(messages, arn);
          } finally {
            this.#inFlight--;
          }
        }
      } catch {
        if (!this.#running) return;
        // as Lambda does: back off and poll again
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async #invoke(messages: Message[], arn: string) {
    const region = arn.split(':')[3] ?? 'us-east-1';
    const records: SQSRecord[] = messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: m.Attributes as unknown as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: region,
    }));
    this.counters.invocations++;
    this.counters.records += records.length;
    const started = Date.now();
    let failed: Set<string>;
    try {
      const response = await this.#o.handler({ Records: records }, this.#context(started));
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      // Lambda: an itemIdentifier that is empty or not in the batch fails the whole batch
      if ([...failed].some((id) => !records.some((r) => r.messageId === id))) {
        failed = new Set(records.map((r) => r.messageId));
      }
    } catch {
      this.counters.errors++;
      failed = new Set(records.map((r) => r.messageId));
    }
    this.counters.failures += failed.size;
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      const out = await this.#o.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#o.queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      this.counters.deleted += out.Successful?.length ?? 0;
    }
  }

  #context(started: number): Context {
    const name = this.#o.functionName;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      memoryLimitInMB: '512',
      awsRequestId: crypto.randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'test',
      getRemainingTimeInMillis: () => Math.max(0, this.#o.timeoutMs - (Date.now() - started)),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }
}
