import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ObjectChange } from '#core/index/affected-keys.js';
import { ClusterSets } from '#core/index/cluster-sets.js';
import { refOf } from '#core/index/object-ref.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { isSnapshotMarker, type PorticoEvent } from '#events/portico-event.js';
import type { SanitizeOptions } from '#events/sanitize-object.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import type { Queue } from '#functions/queue/queue.js';
import type { BackoffOptions, RetryDelay } from '#functions/queue/retry-delay.js';
import { deadlineSignal } from '#functions/shared/deadline-signal.js';
import { PhaseTimer } from '#functions/shared/phase-timer.js';
import { FUNCTIONS_SECRET_RULE } from '#functions/shared/secret-rule.js';
import { delayRetries, forEachFifoRecord } from '#functions/shared/sqs-batch.js';
import type { SnapshotStore, SweptList } from '#functions/store/snapshot-store.js';
import { affectedKeysInStore } from '#functions/store/store-view.js';
import { type Env, regionOf, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { createJsonLogger, errorFields, type Logger } from '#logging/logger.js';
import { parseRecordedEvent, UnreadableMessageError } from './recorded-event.js';

export interface RecordDependencies {
  store: SnapshotStore;
  /** The reconcile queue (SQS FIFO, group = LB key). */
  reconcileQueue: Queue;
  /**
   * How reconcile requests are sent (default: KeyDispatch on `store`, `reconcileQueue` and `now`):
   * an idle key's at once, a queued or running key's coalesced into its run.
   */
  dispatch?: KeyDispatch;
  logger?: Logger;
  /** Clock in ms (dispatch leases are taken from it). */
  now?: () => number;
  /** Stop this long before the Lambda times out (default 2000 ms). */
  timeoutMarginMs?: number;
  /** Holds failed messages back for a growing backoff (SqsRetryDelay); without it they retry every visibility timeout. */
  retryDelay?: RetryDelay;
  retryBackoff?: BackoffOptions;
  /** What of a Secret is stored (default: no private key; see functions/shared/secret-rule.ts). */
  secrets?: SanitizeOptions;
  /**
   * The clustersets (docs/multi-cluster.md): a change of one member's exported EndpointSlice also
   * reconciles the load balancers of the other members that import its service. Default: none.
   */
  clusterSets?: ClusterSets;
}

/** What recording one event did (for logs and tests). */
export type RecordOutcome = 'stored' | 'deleted' | 'stale' | 'duplicate' | 'list-start' | 'list-end';

/**
 * The record function (SQS FIFO events queue, group = object; ReportBatchItemFailures): stores each
 * event's object (put / delete / list markers, stale and duplicate versions rejected by the store,
 * acknowledged and logged), finds the load balancers the change affects (old and new versions,
 * and what a finished re-list removed), then asks for their reconcile (KeyDispatch: at once when
 * the key is idle, else coalesced into the run that holds it). A message that cannot be
 * read or recorded is reported as a batch item failure (retried, then dead-lettered), and so are
 * the later messages of its group in the batch, to keep order; the rest of the batch goes on.
 */
export function createRecordHandler(deps: RecordDependencies) {
  const logger = deps.logger ?? createJsonLogger({ service: 'record' });
  const margin = deps.timeoutMarginMs ?? 2000;
  const { store } = deps;
  const secrets = deps.secrets ?? FUNCTIONS_SECRET_RULE;
  const clusterSets = deps.clusterSets ?? new ClusterSets();
  const dispatch =
    deps.dispatch ??
    new KeyDispatch({ store, queue: deps.reconcileQueue, ...(deps.now ? { now: deps.now } : {}) });

  /** The changes a finished re-list made: the objects it removed (logged). */
  function sweptChanges(cluster: string, swept: SweptList | undefined): ObjectChange[] {
    if (!swept || swept.removed.length === 0) return [];
    logger.info('list swept', {
      cluster,
      kind: swept.kind,
      listId: swept.listId,
      removed: swept.removed.length,
    });
    return swept.removed.map((removed) => ({ old: removed.object }));
  }

  /**
   * `redelivered`: the message came back after a failed or crashed attempt, which may have stored
   * the object and died before its reconcile was requested. A duplicate then still asks for the
   * reconcile of the keys the object affects now (not of those its previous version affected: that
   * version is gone; resync covers them).
   */
  async function recordEvent(
    e: PorticoEvent,
    redelivered: boolean,
    timer: PhaseTimer,
  ): Promise<{ outcome: RecordOutcome; keys: LbKey[] }> {
    const stored = await storeEvent(e);
    timer.lap('store');
    const { outcome } = stored;
    const changes =
      redelivered && outcome === 'duplicate' && !isSnapshotMarker(e)
        ? [e.type === 'dev.knative.apiserver.resource.delete' ? { old: e.data } : { new: e.data }]
        : stored.changes;
    // One walk for every change of the event: the reads of all of them are batched together.
    const keys =
      changes.length > 0
        ? await affectedKeysInStore(store, e.cluster, changes, undefined, clusterSets.peersOf(e.cluster))
        : [];
    timer.lap('walk');
    return { outcome, keys };
  }

  /** Writes the event to the store: what it did, and the object changes it made. */
  async function storeEvent(e: PorticoEvent): Promise<{ outcome: RecordOutcome; changes: ObjectChange[] }> {
    const cluster = e.cluster;
    if (isSnapshotMarker(e)) {
      const { kind, snapshotId, count, resourceVersion } = e.data;
      const start = e.type === 'dev.portico.snapshot.start';
      const progress = start
        ? await store.markListStart(cluster, kind, snapshotId)
        : await store.markListEnd(
            cluster,
            kind,
            snapshotId,
            count,
            resourceVersion ? { resourceVersion } : {},
          );
      return { outcome: start ? 'list-start' : 'list-end', changes: sweptChanges(cluster, progress.swept) };
    }
    if (e.type === 'dev.knative.apiserver.resource.delete') {
      const ref = refOf(e.data);
      if (!ref) throw new UnreadableMessageError('the deleted object has no usable identity');
      const r = await store.delete(cluster, ref, e.data.metadata.resourceVersion, {
        uid: e.data.metadata.uid,
      });
      if (r.result !== 'deleted') return { outcome: r.result, changes: [] };
      return { outcome: 'deleted', changes: [{ old: r.previous ?? e.data }] };
    }
    const r = await store.put(cluster, e.data, e.snapshotid ? { listId: e.snapshotid } : {});
    const swept = sweptChanges(cluster, r.swept);
    if (r.result !== 'stored')
      return { outcome: r.result === 'deleted' ? 'stale' : r.result, changes: swept };
    return { outcome: 'stored', changes: [{ old: r.previous, new: e.data }, ...swept] };
  }

  return middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(
    async (event, context, opts) => {
      const signal = deadlineSignal(context, margin, opts?.signal);
      /** LB key → message ids that asked for it (they fail together if the request cannot be sent). */
      const wanted = new Map<LbKey, string[]>();
      const counts: Record<string, number> = {};
      const timer = new PhaseTimer();

      const failures = await forEachFifoRecord(
        event.Records ?? [],
        async (record) => {
          signal.throwIfAborted();
          const e = parseRecordedEvent(record.body, secrets);
          const redelivered = Number(record.attributes?.ApproximateReceiveCount ?? 1) > 1;
          timer.lap('parse');
          const { outcome, keys } = await recordEvent(e, redelivered, timer);
          counts[outcome] = (counts[outcome] ?? 0) + 1;
          if (outcome === 'stale' || outcome === 'duplicate') {
            logger.info('event ignored', {
              messageId: record.messageId,
              cluster: e.cluster,
              kind: e.kind,
              type: e.type,
              outcome,
            });
          }
          for (const key of new Set(keys)) {
            const ids = wanted.get(key);
            if (ids) ids.push(record.messageId);
            else wanted.set(key, [record.messageId]);
          }
        },
        (record, error) =>
          logger.error(error instanceof UnreadableMessageError ? 'unreadable message' : 'record failed', {
            messageId: record.messageId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            ...errorFields(error),
          }),
      );

      let dispatched = { sent: 0, coalesced: 0 };
      if (wanted.size > 0) {
        try {
          const r = await dispatch.request([...wanted.keys()], { signal });
          dispatched = { sent: r.sent.length, coalesced: r.coalesced.length };
          timer.lap('dispatch');
        } catch (error) {
          logger.error('reconcile enqueue failed', { keys: wanted.size, ...errorFields(error) });
          const failed = new Set(failures.map((f) => f.itemIdentifier));
          for (const ids of wanted.values()) for (const id of ids) failed.add(id);
          const all = [...failed].map((itemIdentifier) => ({ itemIdentifier }));
          await delayRetries(event.Records ?? [], all, deps.retryDelay, deps.retryBackoff, () => {});
          return { batchItemFailures: all };
        }
      }
      await delayRetries(event.Records ?? [], failures, deps.retryDelay, deps.retryBackoff, (record, error) =>
        logger.warn('retry backoff not set', { messageId: record.messageId, ...errorFields(error) }),
      );
      logger.info('recorded', {
        messages: event.Records?.length ?? 0,
        failed: failures.length,
        reconcileKeys: wanted.size,
        reconcilesSent: dispatched.sent,
        reconcilesCoalesced: dispatched.coalesced,
        ...counts,
        ms: timer.fields(),
      });
      return { batchItemFailures: failures };
    },
  );
}

type Handler = ReturnType<typeof createRecordHandler>;

/**
 * The deployed function: wired from the environment on the first invocation (nothing is read or
 * connected at import time; a failed wiring is retried by the next invocation). `PORTICO_TABLE_NAME`
 * (the snapshot table), `PORTICO_RECONCILE_QUEUE_URL` (the reconcile queue), `PORTICO_CLUSTER_SETS`
 * (optional, `a,b;c,d`: see ClusterSets.parse), `AWS_REGION` (set by Lambda). The SDK clients live as long as the container and honour `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL_SQS`.
 */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(wireFromEnv);

async function wireFromEnv(env: Env): Promise<Handler> {
  const tableName = requiredEnv(env, 'PORTICO_TABLE_NAME');
  const queueUrl = requiredEnv(env, 'PORTICO_RECONCILE_QUEUE_URL');
  const region = regionOf(env);
  const clusterSets = ClusterSets.parse(env.PORTICO_CLUSTER_SETS);
  const [{ DynamoDBClient }, { DynamoSnapshotStore }, { SQSClient }, { SqsQueue }, { SqsRetryDelay }] =
    await Promise.all([
      import('#functions/wiring/dynamodb-client.js'),
      import('#functions/store/dynamo-snapshot-store.js'),
      import('#functions/wiring/sqs-client.js'),
      import('#functions/queue/sqs-queue.js'),
      import('#functions/queue/sqs-retry-delay.js'),
    ]);
  const sqs = new SQSClient({ region });
  return createRecordHandler({
    store: new DynamoSnapshotStore({ tableName, client: new DynamoDBClient({ region }) }),
    reconcileQueue: new SqsQueue({ client: sqs, queueUrl }),
    retryDelay: new SqsRetryDelay({ client: sqs }),
    clusterSets,
  });
}
