import { MAX_QUEUE_ID_LENGTH } from '#events/message-keys.js';

/** One message for a FIFO queue: ordered within `groupId`, deduplicated by `dedupId`. */
export interface QueueMessage {
  /** Messages of one group are delivered in order, one at a time (at most 128 characters). */
  groupId: string;
  /** A message with an id already seen recently (5 minutes on SQS FIFO) is dropped (at most 128 characters). */
  dedupId: string;
  body: string;
}

/**
 * A durable FIFO queue. `send` resolves once every message is stored durably; when it rejects,
 * some messages may have been stored, so callers retry the whole list and rely on `dedupId`.
 */
export interface Queue {
  send(messages: readonly QueueMessage[], options?: { signal?: AbortSignal }): Promise<void>;
}

/** The queue refused or could not be reached; the sender may retry. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

/** Refuses a message whose group or dedup id is empty or longer than a FIFO queue allows. */
export function checkQueueMessageIds(m: QueueMessage): void {
  const ok = (id: string) => id.length > 0 && id.length <= MAX_QUEUE_ID_LENGTH;
  if (!ok(m.groupId) || !ok(m.dedupId)) {
    throw new RangeError(`groupId and dedupId must be 1-${MAX_QUEUE_ID_LENGTH} characters (${m.groupId})`);
  }
}
