import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  checkQueueMessageIds,
  type Queue,
  type QueueMessage,
  QueueUnavailableError,
} from '#functions/queue/queue.js';

/** SendMessageBatch quotas: 10 entries, 256 KiB (262,144 bytes) of message payload per request. */
export const SQS_BATCH_MAX_ENTRIES = 10;
export const SQS_BATCH_MAX_BYTES = 262_144;

export interface SqsQueueOptions {
  /** Created once per container (its own retry policy covers throttling, 5xx and network errors). */
  client: SQSClient;
  queueUrl: string;
  /** Attempts for entries that SQS reports in `Failed[]` (default 4: the first try and 3 retries). */
  entryAttempts?: number;
  /** First backoff before retrying failed entries, doubled each time, with full jitter (default 50 ms). */
  backoffMs?: number;
  /** Payload bytes per request (default and maximum 262,144). */
  maxBatchBytes?: number;
}

const utf8 = new TextEncoder();

/**
 * The Queue port on an SQS FIFO queue. Messages are sent with SendMessageBatch, in order, in chunks of
 * at most 10 entries and `maxBatchBytes` of bodies, one chunk after the other (FIFO order across
 * chunks). Entries that SQS reports as failed (`Failed[]`, not sender faults) are sent again with
 * backoff before the next chunk; what still fails, sender faults, and SDK or network errors reject
 * with `QueueUnavailableError` (the count and the first error code, never a body). Some messages may
 * then be stored already: the caller retries the whole list and the dedup ids drop the repeats.
 * An aborted `signal` rejects with its reason.
 *
 * Within one chunk, a failed entry retried after a later entry of its group succeeded is stored after
 * it: SQS cannot take a stored message back. The consumers tolerate that (the store rejects stale
 * versions; reconcile requests are level-triggered).
 */
export class SqsQueue implements Queue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #maxBytes: number;

  constructor(options: SqsQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#attempts = Math.max(1, options.entryAttempts ?? 4);
    this.#backoffMs = options.backoffMs ?? 50;
    this.#maxBytes = Math.min(options.maxBatchBytes ?? SQS_BATCH_MAX_BYTES, SQS_BATCH_MAX_BYTES);
  }

  async send(messages: readonly QueueMessage[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    signal?.throwIfAborted();
    for (const chunk of chunksOf(messages, this.#maxBytes)) {
      await this.#sendChunk(chunk, signal);
    }
  }

  async #sendChunk(chunk: readonly QueueMessage[], signal: AbortSignal | undefined): Promise<void> {
    let pending: SendMessageBatchRequestEntry[] = chunk.map((m, i) => ({
      Id: String(i),
      MessageBody: m.body,
      MessageGroupId: m.groupId,
      MessageDeduplicationId: m.dedupId,
    }));
    let lastFailed: BatchResultErrorEntry[] = [];
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      if (attempt > 1) await sleep(backoff(this.#backoffMs, attempt - 1), signal);
      signal?.throwIfAborted();
      let failed: BatchResultErrorEntry[];
      try {
        const out = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending }),
          signal ? { abortSignal: signal } : {},
        );
        failed = out.Failed ?? [];
      } catch (error) {
        signal?.throwIfAborted();
        throw new QueueUnavailableError(
          `SendMessageBatch of ${pending.length} message(s) failed: ${describe(error)}`,
          { cause: error },
        );
      }
      if (failed.length === 0) return;
      lastFailed = failed;
      const senderFault = failed.find((f) => f.SenderFault);
      if (senderFault) {
        throw new QueueUnavailableError(
          `${failed.length} of ${pending.length} message(s) refused by SQS (first: ${senderFault.Code})`,
        );
      }
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
    }
    throw new QueueUnavailableError(
      `${lastFailed.length} of ${chunk.length} message(s) not enqueued after ${this.#attempts} attempts (first: ${lastFailed[0]?.Code ?? 'unknown'})`,
    );
  }
}

/** Splits `messages` in order into requests of at most 10 entries and `maxBytes` of bodies. */
export function chunksOf(messages: readonly QueueMessage[], maxBytes: number): QueueMessage[][] {
  const chunks: QueueMessage[][] = [];
  let current: QueueMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    checkQueueMessageIds(m);
    const size = utf8.encode(m.body).byteLength;
    if (size > maxBytes) {
      throw new RangeError(`a message of ${size} bytes exceeds the SQS limit of ${maxBytes} (${m.groupId})`);
    }
    if (current.length === SQS_BATCH_MAX_ENTRIES || bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function backoff(baseMs: number, retry: number): number {
  return Math.round(Math.random() * baseMs * 2 ** (retry - 1));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
