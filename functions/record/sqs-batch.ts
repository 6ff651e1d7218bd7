import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';

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

export function errorFields(error: unknown): { error: string; detail: string } {
  return error instanceof Error
    ? { error: error.name, detail: error.message }
    : { error: 'Error', detail: String(error) };
}

/**
 * Aborts `ms` before the Lambda times out (when the context can tell), or when `outer` aborts.
 */
export function deadlineSignal(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  marginMs: number,
  outer?: AbortSignal,
): AbortSignal {
  const signals: AbortSignal[] = outer ? [outer] : [];
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining === 'number' && Number.isFinite(remaining)) {
    const left = remaining - marginMs;
    signals.push(
      left > 0
        ? AbortSignal.timeout(left)
        : AbortSignal.abort(new DOMException('too close to the timeout', 'TimeoutError')),
    );
  }
  return signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
}
