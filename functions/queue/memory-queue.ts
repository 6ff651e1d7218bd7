import { checkQueueMessageIds, type Queue, type QueueMessage } from '#functions/queue/queue.js';

export interface MemoryQueueOptions {
  /** Deduplication window, milliseconds (SQS FIFO: 5 minutes). */
  dedupWindowMs?: number;
  now?: () => number;
}

/**
 * An in-memory FIFO queue for local mode and tests, with SQS FIFO's deduplication semantics.
 * `send` is all-or-nothing. `failWith` makes the next sends fail, to test error paths.
 */
export class MemoryQueue implements Queue {
  readonly messages: QueueMessage[] = [];
  readonly #seen = new Map<string, number>();
  readonly #window: number;
  readonly #now: () => number;
  #failure: Error | undefined;

  constructor(options: MemoryQueueOptions = {}) {
    this.#window = options.dedupWindowMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  async send(messages: readonly QueueMessage[], options: { signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (this.#failure) throw this.#failure;
    const now = this.#now();
    const accepted: QueueMessage[] = [];
    const batchIds = new Set<string>();
    for (const m of messages) {
      checkQueueMessageIds(m);
      const seenAt = this.#seen.get(m.dedupId);
      if ((seenAt !== undefined && now - seenAt < this.#window) || batchIds.has(m.dedupId)) continue;
      batchIds.add(m.dedupId);
      accepted.push(m);
    }
    for (const m of accepted) this.#seen.set(m.dedupId, now);
    this.messages.push(...accepted);
  }

  /** Makes every later `send` reject with `error` (or succeed again with `undefined`). */
  failWith(error: Error | undefined): void {
    this.#failure = error;
  }

  /** Messages of one group, in order. */
  group(groupId: string): QueueMessage[] {
    return this.messages.filter((m) => m.groupId === groupId);
  }
}
