import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { reconcileKey, statusesAfter } from '#adapters/reconcile-key.js';
import { supportedFeaturesOf } from '#adapters/supported-features.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import { ClusterSets } from '#core/index/cluster-sets.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { TranslateOptions } from '#core/translate/options.js';
import { translate } from '#core/translate/translate.js';
import type { KeyDispatch } from '#functions/queue/key-dispatch.js';
import type { Queue } from '#functions/queue/queue.js';
import {
  type GateRecheck,
  gateRecheckMessage,
  parseReconcileRequest,
} from '#functions/queue/reconcile-message.js';
import type { BackoffOptions, RetryDelay } from '#functions/queue/retry-delay.js';
import { deadlineSignal } from '#functions/shared/deadline-signal.js';
import { PhaseTimer } from '#functions/shared/phase-timer.js';
import { delayRetries, forEachFifoRecord } from '#functions/shared/sqs-batch.js';
import { bundleFingerprint } from '#functions/store/bundle-fingerprint.js';
import { BundleReads } from '#functions/store/bundle-reads.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';
import { selectBundleFromStore } from '#functions/store/store-view.js';
import { type Env, regionOf, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { createJsonLogger, errorFields, type Logger } from '#logging/logger.js';
import {
  type GateRecheckOptions,
  nextGateRecheck,
  type PodGatePassResult,
  podGatePass,
} from './pod-gate-pass.js';

export interface ReconcileDependencies {
  store: SnapshotStore;
  /** Adapters by provider name (the `provider` translate gives each load balancer). */
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  translateOptions?: Partial<TranslateOptions>;
  logger?: Logger;
  /** Schema checks kept across invocations of a warm container (default: one per handler). */
  readCache?: ReadCache;
  /** What each key's last bundle read, fetched at once the next time (default: one per handler). */
  bundleReads?: BundleReads;
  /** Stop this long before the Lambda times out (default 2000 ms). */
  timeoutMarginMs?: number;
  /** Holds failed messages back for a growing backoff (SqsRetryDelay); without it they retry every visibility timeout. */
  retryDelay?: RetryDelay;
  retryBackoff?: BackoffOptions;
  /** Holds each key's dispatch mark while it runs, then sends one trailing request if it became dirty (as record's). */
  dispatch?: KeyDispatch;
  /**
   * The clustersets (docs/multi-cluster.md): a key's ServiceImports bring the exported EndpointSlices
   * of every cluster of its clusterset. Completeness stays the key's own cluster's: another member's
   * objects are only ever removed by that member's own re-list. Default: none.
   */
  clusterSets?: ClusterSets;
  /**
   * Readiness-gate re-checks (docs/readiness-gates.md): while a pod the load balancer targets is not
   * healthy yet, a re-check message is sent to the reconcile queue and held back until it is due
   * (with `retryDelay`). Without it the gates are read only when the key is reconciled.
   */
  gateRecheck?: GateRecheckOptions & { queue: Queue };
  /** Clock in ms (re-checks' due times). */
  now?: () => number;
}

/** What reconciling one key did (for logs and tests). */
export type KeyOutcome =
  | 'unchanged'
  | 'reconciled'
  | 'held'
  | 'deleted'
  | 'incomplete'
  | 'provider-unavailable'
  | 'gates-rechecked';

/** The reconcile message's body is not a load-balancer key. */
export class UnreadableReconcileMessageError extends Error {
  override readonly name = 'UnreadableReconcileMessageError';
}

/** A gate re-check came before it is due: it goes back to the queue for `seconds` (not a failure). */
class GateRecheckNotDue extends Error {
  override readonly name = 'GateRecheckNotDue';
  constructor(readonly seconds: number) {
    super(`the gate re-check is due in ${seconds} s`);
  }
}

/**
 * The reconcile function (SQS FIFO reconcile queue, group = LB key; ReportBatchItemFailures). For
 * each key: load its bundle from the store; when its fingerprint is the one last reconciled, stop
 * (no provider call). Otherwise translate, leave held load balancers alone, reconcile the load
 * balancer with its provider's adapter (and remove it from the other providers), write the
 * statuses, and only then remember the fingerprint. The key itself is reconciled by reconcileKey
 * (adapters/reconcile-key.ts), the path `portico dev` runs too. While the cluster's snapshot is
 * incomplete nothing is deleted: a key that translates to nothing is left alone, and deletes inside
 * a load balancer are withheld (and the fingerprint not remembered, so a later reconcile finishes
 * the job). A load balancer that must go is marked delete pending until its deletes are confirmed by
 * complete observes; an incomplete observe fails the message. A failure is reported as a batch item
 * failure: SQS retries it, then dead-letters it.
 */
export function createReconcileHandler(deps: ReconcileDependencies) {
  const logger = deps.logger ?? createJsonLogger({ service: 'reconcile' });
  const cache = deps.readCache ?? new ReadCache();
  const bundleReads = deps.bundleReads ?? new BundleReads();
  const margin = deps.timeoutMarginMs ?? 2000;
  const { store, adapters } = deps;
  // GatewayClasses advertise what their provider's adapter can do (status.supportedFeatures).
  const translateOptions = { supportedFeatures: supportedFeaturesOf(adapters), ...deps.translateOptions };
  const clusterSets = deps.clusterSets ?? new ClusterSets();
  const now = deps.now ?? Date.now;

  /** The gate pass of a key's load balancer; a failed health read leaves its pods waiting. */
  async function gatePass(
    cluster: string,
    key: LbKey,
    lb: LoadBalancer | undefined,
    signal: AbortSignal,
  ): Promise<PodGatePassResult> {
    try {
      return await podGatePass(store, cluster, key, lb, lb && adapters[lb.provider], signal);
    } catch (error) {
      if (signal.aborted) throw error;
      logger.warn('readiness gates not read', { key, ...errorFields(error) });
      return { open: 0, waiting: 1 };
    }
  }

  async function reconcileOne(
    key: LbKey,
    signal: AbortSignal,
    force: boolean,
    recheck: GateRecheck | undefined,
    timer: PhaseTimer,
  ): Promise<{ outcome: KeyOutcome; gates?: PodGatePassResult }> {
    const cluster = parseLbKey(key)!.cluster;
    const peers = clusterSets.peersOf(cluster);
    // A forced reconcile (resync) observes and converges even an unchanged bundle: provider drift.
    // Otherwise the remembered fingerprint is read alongside the bundle, and so is completeness: each
    // a round trip less before the provider is reached (an unchanged key wasted one read). The bundle's
    // first round reads all that the key's last bundle read: one round, not one per level.
    const [bundle, last, complete] = await Promise.all([
      selectBundleFromStore(store, key, undefined, peers, {
        prefetch: bundleReads.get(key),
        onReads: (reads) => bundleReads.set(key, reads),
      }),
      force ? undefined : store.lastReconciled(key),
      store.isComplete(cluster),
    ]);
    timer.lap('read');
    const fingerprint = bundleFingerprint(bundle);
    const unchanged = !force && last === fingerprint;
    if (unchanged && !recheck) return { outcome: 'unchanged' };

    const result = translate(bundle, { ...translateOptions, cluster, clusterSet: peers }, cache);
    const lb = result.loadBalancers.find((l) => l.key === key);
    const heldReason = result.held.find((h) => h.key === key)?.reason;
    timer.lap('translate');
    if (unchanged) {
      // A re-check of what is already applied: only the targets' health is read again.
      if (!lb || heldReason !== undefined) return { outcome: 'unchanged' };
      return { outcome: 'gates-rechecked', gates: await gatePass(cluster, key, lb, signal) };
    }
    const mine = (s: ObjectStatus) => s.loadBalancers.length === 0 || s.loadBalancers.includes(key);
    // A load balancer that must go stays marked until every provider confirmed it is gone: a crash,
    // a throttled observe or a dead-lettered message leave the mark, and resync comes back to it.
    const deleting = !lb && heldReason === undefined && complete;
    if (deleting) await store.markDeletePending(key);

    const outcome = await reconcileKey({
      key,
      lb,
      heldReason,
      adapters,
      allowDeletes: complete,
      signal,
      // A forced reconcile reads what the provider runs in full: drift a record cannot see.
      ...(force ? { readBack: 'full' as const } : {}),
    });
    timer.lap('provider');
    const statuses = statusesAfter(result.statuses, lb, outcome).filter(mine);
    switch (outcome.outcome) {
      case 'held':
        // Neither update nor delete: what works keeps working. Report why.
        logger.warn('held', { key, reason: outcome.reason });
        await putStatuses(cluster, key, statuses);
        await store.setReconciled(key, fingerprint);
        return { outcome: 'held' };
      case 'left-alone':
        return { outcome: 'incomplete' }; // never garbage-collect from an incomplete picture
      case 'provider-unavailable':
        logger.error('provider unavailable', { key, provider: outcome.provider });
        await putStatuses(cluster, key, statuses);
        return { outcome: 'provider-unavailable' };
      case 'deleted':
        await putStatuses(cluster, key, statuses);
        await store.clearDeletePending(key);
        // Nothing refers to the key any more: forget it, so that resync stops revisiting it. Otherwise
        // remember the fingerprint, so that changes of what still refers to it do not delete again.
        if (bundle.length === 0) {
          await store.forgetReconciled(key);
          bundleReads.delete(key);
        } else await store.setReconciled(key, fingerprint);
        await gatePass(cluster, key, undefined, signal); // pods still waiting on its gate are released
        return { outcome: 'deleted' };
      case 'reconciled': {
        await putStatuses(cluster, key, statuses);
        const gates = await gatePass(cluster, key, lb, signal);
        const [plan] = outcome.plans;
        if (outcome.deletesWithheld > 0) {
          // Deletes wait for a complete snapshot. Not remembered, so a later reconcile (resync forces
          // one) finishes the job.
          logger.warn('deletes withheld', { key, deletesWithheld: outcome.deletesWithheld, complete });
          return { outcome: 'reconciled', gates };
        }
        await store.setReconciled(key, fingerprint);
        timer.lap('status');
        logger.info('reconciled', {
          key,
          changes: plan?.plan.changes.length ?? 0,
          conflicts: plan?.plan.conflicts.length ?? 0,
          programmed: outcome.state.programmed,
          ...(gates.open + gates.waiting > 0 ? { gatesOpen: gates.open, gatesWaiting: gates.waiting } : {}),
          ms: timer.fields(),
        });
        return { outcome: 'reconciled', gates };
      }
    }
  }

  async function putStatuses(cluster: string, key: LbKey, statuses: readonly ObjectStatus[]): Promise<void> {
    await store.putStatusesOfKey(cluster, key, statusesOfKey(statuses, key));
  }

  return middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(
    async (event, context, opts) => {
      const signal = deadlineSignal(context, margin, opts?.signal);
      const counts: Record<string, number> = {};
      const records = event.Records ?? [];
      const followed = followedInGroup(records);
      /** Re-checks that came early: messageId → seconds until due. */
      const notDue = new Map<string, number>();
      const failures = await forEachFifoRecord(
        records,
        async (record) => {
          signal.throwIfAborted();
          const request = parseReconcileRequest(record.body);
          if (!request) {
            throw new UnreadableReconcileMessageError(
              'the message body is not { key: <LB key>, force?: boolean, recheck?: { attempt, due } }',
            );
          }
          // An early re-check waits for its time, unless a message of its key follows it in this
          // batch: holding it would hold that one back too, so it runs now.
          const wait = request.recheck ? Math.ceil((request.recheck.due - now()) / 1000) : 0;
          if (wait > 0 && !followed.has(record.messageId)) {
            notDue.set(record.messageId, wait);
            throw new GateRecheckNotDue(wait);
          }
          const timer = new PhaseTimer();
          const run = await deps.dispatch?.begin(request.key);
          timer.lap('dispatch');
          const { outcome, gates } = await reconcileOne(
            request.key,
            signal,
            request.force,
            request.recheck,
            timer,
          );
          await run?.end({ signal });
          if (gates && gates.waiting > 0) await scheduleRecheck(request.key, request.recheck, signal);
          if (request.force) counts.forced = (counts.forced ?? 0) + 1;
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        },
        (record, error) => {
          if (error instanceof GateRecheckNotDue) return;
          logger.error('reconcile failed', {
            messageId: record.messageId,
            group: record.attributes?.MessageGroupId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            ...errorFields(error),
          });
        },
      );
      const retried = failures.filter((f) => !notDue.has(f.itemIdentifier));
      await delayRetries(records, retried, deps.retryDelay, deps.retryBackoff, (record, error) =>
        logger.warn('retry backoff not set', { messageId: record.messageId, ...errorFields(error) }),
      );
      await Promise.all(
        records
          .filter((r) => notDue.has(r.messageId))
          .map((r) =>
            deps.retryDelay
              ?.delay(r, notDue.get(r.messageId)!)
              .catch((error: unknown) =>
                logger.warn('gate re-check delay not set', { messageId: r.messageId, ...errorFields(error) }),
              ),
          ),
      );
      if (notDue.size > 0) counts['gates-recheck-early'] = notDue.size;
      logger.info('batch done', { messages: records.length, failed: retried.length, ...counts });
      return { batchItemFailures: failures };
    },
  );

  /** Sends the next re-check of the key's gates, unless re-checks are off or used up. */
  async function scheduleRecheck(key: LbKey, last: GateRecheck | undefined, signal: AbortSignal) {
    const options = deps.gateRecheck;
    if (!options) return;
    const next = nextGateRecheck(last?.attempt ?? 0, now(), options);
    if (!next) {
      logger.warn('readiness gates still waiting after the last re-check', { key });
      return;
    }
    try {
      await options.queue.send([gateRecheckMessage(key, next)], { signal });
    } catch (error) {
      // The pods stay gated until the key is reconciled again (an event, resync).
      logger.warn('gate re-check not sent', { key, ...errorFields(error) });
    }
  }
}

/** The records of the batch that another record of the same message group follows. */
function followedInGroup(records: readonly SQSRecord[]): Set<string> {
  const out = new Set<string>();
  const lastOfGroup = new Map<string, string>();
  for (const r of records) lastOfGroup.set(r.attributes?.MessageGroupId ?? r.messageId, r.messageId);
  for (const r of records) {
    if (lastOfGroup.get(r.attributes?.MessageGroupId ?? r.messageId) !== r.messageId) out.add(r.messageId);
  }
  return out;
}

/**
 * What the reconcile of `key` may say: a route's status keeps only its parent entries of the key's
 * Gateway and of that Gateway's ListenerSets (the reconcile of another Gateway the route is attached to writes its own entries, and
 * the forwarder merges them per parent); a route left with none of them is not written at all.
 */
export function statusesOfKey(statuses: readonly ObjectStatus[], key: LbKey): ObjectStatus[] {
  const gw = parseLbKey(key);
  if (gw?.kind !== 'Gateway') return [...statuses];
  const out: ObjectStatus[] = [];
  for (const s of statuses) {
    if (!('parents' in s.status)) {
      out.push(s);
      continue;
    }
    // A ListenerSet parent belongs to the Gateway the ListenerSet names, which the route's status
    // does not say: it is the key's when the status names no other load balancer.
    const onlyThisKey = s.loadBalancers.length === 1 && s.loadBalancers[0] === key;
    const parents = s.status.parents.filter((p) => {
      if ((p.parentRef.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io') return false;
      const kind = p.parentRef.kind ?? 'Gateway';
      if (kind === 'ListenerSet') return onlyThisKey;
      return (
        kind === 'Gateway' &&
        (p.parentRef.namespace ?? s.namespace) === gw.namespace &&
        p.parentRef.name === gw.name
      );
    });
    if (parents.length === 0 && s.status.parents.length > 0) continue;
    out.push({ ...s, status: { ...s.status, parents } } as ObjectStatus);
  }
  return out;
}

type Handler = ReturnType<typeof createReconcileHandler>;

/**
 * The deployed function: wired from the environment on the first invocation (nothing is read or
 * connected at import time; AWS SDK clients make no call until used). `PORTICO_TABLE_NAME` (the
 * snapshot table), `PORTICO_RECONCILE_QUEUE_URL` (trailing requests), `AWS_REGION` (set by Lambda),
 * optional `PORTICO_DEFAULT_PROVIDER` (default `aws-elbv2`). Providers available in the cloud:
 * `aws-elbv2`, and `gcp-compute` when `PORTICO_GCP_CONFIG_PARAMETER` names its SSM config
 * (functions/wiring/cloud-adapters.ts: without it nothing of GCP is imported). The ReadCache lives as
 * long as the container.
 */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(wireFromEnv);

async function wireFromEnv(env: Env): Promise<Handler> {
  const tableName = requiredEnv(env, 'PORTICO_TABLE_NAME');
  const queueUrl = requiredEnv(env, 'PORTICO_RECONCILE_QUEUE_URL');
  const region = regionOf(env);
  const clusterSets = ClusterSets.parse(env.PORTICO_CLUSTER_SETS);
  const [
    { DynamoSnapshotStore },
    { cloudAdapters },
    { SQSClient },
    { SqsRetryDelay },
    { SqsQueue },
    { KeyDispatch },
  ] = await Promise.all([
    import('#functions/store/dynamo-snapshot-store.js'),
    import('#functions/wiring/cloud-adapters.js'),
    import('#functions/wiring/sqs-client.js'),
    import('#functions/queue/sqs-retry-delay.js'),
    import('#functions/queue/sqs-queue.js'),
    import('#functions/queue/key-dispatch.js'),
  ]);
  const store = new DynamoSnapshotStore({ tableName });
  const sqs = new SQSClient({ region });
  return createReconcileHandler({
    store,
    adapters: await cloudAdapters(env),
    retryDelay: new SqsRetryDelay({ client: sqs }),
    dispatch: new KeyDispatch({ store, queue: new SqsQueue({ client: sqs, queueUrl }) }),
    gateRecheck: { queue: new SqsQueue({ client: sqs, queueUrl }) },
    clusterSets,
    translateOptions: {
      defaultProvider: (env.PORTICO_DEFAULT_PROVIDER ?? 'aws-elbv2') as TranslateOptions['defaultProvider'],
    },
  });
}
