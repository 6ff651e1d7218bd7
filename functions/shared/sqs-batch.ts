import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import { type BackoffOptions, type RetryDelay, retryBackoffSeconds } from '#functions/queue/retry-delay.js';

/**
 * Runs `each` over the records of an SQS FIFO batch, in order, and returns the batch item failures
 * (ReportBatchItemFailures). Once a record of a message group fails, the later records of that group
 * in the batch are not processed and are reported as failed too, so that FIFO order holds on the
 * retry; other groups go on. `each` returning normally acknowledges the record.
 */
export async function forEachFifoRecord(
  records: readonly SQSRecord[],
  each: (record: SQSRecord) => Promise<void>,
  onError: (record: SQSRecord, error: unknown) => void,
): Promise<SQSBatchItemFailure[]> {
  const failed: SQSBatchItemFailure[] = [];
  const blockedGroups = new Set<string>();
  for (const record of records) {
    const group = record.attributes?.MessageGroupId ?? '';
    if (group && blockedGroups.has(group)) {
      failed.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await each(record);
    } catch (error) {
      onError(record, error);
      failed.push({ itemIdentifier: record.messageId });
      if (group) blockedGroups.add(group);
    }
  }
  return failed;
}

/**
 * Holds each failed record back for a backoff that grows with its receive count, so that a load
 * balancer whose provider keeps failing is retried after 10 s, 20 s, 40 s… before its dead-letter
 * queue, rather than every visibility timeout. Best effort: a record whose delay cannot be set is
 * retried after the queue's visibility timeout, as without backoff.
 */
export async function delayRetries(
  records: readonly SQSRecord[],
  failures: readonly SQSBatchItemFailure[],
  retryDelay: RetryDelay | undefined,
  backoff: BackoffOptions | undefined,
  onError: (record: SQSRecord, error: unknown) => void,
): Promise<void> {
  if (!retryDelay || failures.length === 0) return;
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  await Promise.all(
    records
      .filter((r) => failed.has(r.messageId))
      .map(async (record) => {
        const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
        try {
          await retryDelay.delay(record, retryBackoffSeconds(receives, backoff));
        } catch (error) {
          onError(record, error);
        }
      }),
  );
}
