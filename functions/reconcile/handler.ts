import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ReconcileOutcome, reconcileLoadBalancer } from '#adapters/reconcile.js';
import type {
  AnyKinds,
  AnyLoadBalancerAdapter,
  KindValue,
  LoadBalancerAdapter,
  Observed,
} from '#adapters/types.js';
import { ref } from '#core/index/object-ref.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { TranslateOptions } from '#core/translate/options.js';
import { translate } from '#core/translate/translate.js';
import { createJsonLogger, errorFields, type Logger } from '#functions/ingest/logger.js';
import type { BackoffOptions, RetryDelay } from '#functions/ports/retry-delay.js';
import { deadlineSignal, delayRetries, forEachFifoRecord } from '#functions/record/sqs-batch.js';
import { bundleFingerprint } from '#functions/store/bundle-fingerprint.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';
import { selectBundleFromStore } from '#functions/store/store-view.js';
import { type Env, regionOf, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { parseReconcileRequest } from './reconcile-message.js';

export interface ReconcileDependencies {
  store: SnapshotStore;
  /** Adapters by provider name (the `provider` translate gives each load balancer). */
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  translateOptions?: Partial<TranslateOptions>;
  logger?: Logger;
  /** Schema checks kept across invocations of a warm container (default: one per handler). */
  readCache?: ReadCache;
  /** Stop this long before the Lambda times out (default 2000 ms). */
  timeoutMarginMs?: number;
  /** Holds failed messages back for a growing backoff (SqsRetryDelay); without it they retry every visibility timeout. */
  retryDelay?: RetryDelay;
  retryBackoff?: BackoffOptions;
}

/** What reconciling one key did (for logs and tests). */
export type KeyOutcome =
  | 'unchanged'
  | 'reconciled'
  | 'held'
  | 'deleted'
  | 'incomplete'
  | 'provider-unavailable';

/** The reconcile message's body is not a load-balancer key. */
export class UnreadableReconcileMessageError extends Error {
  override readonly name = 'UnreadableReconcileMessageError';
}

/**
 * The reconcile function (SQS FIFO reconcile queue, group = LB key; ReportBatchItemFailures). For
 * each key: load its bundle from the store; when its fingerprint is the one last reconciled, stop
 * (no provider call). Otherwise translate, leave held load balancers alone, reconcile the load
 * balancer with its provider's adapter (and remove it from the other providers), write the
 * statuses, and only then remember the fingerprint. While the cluster's snapshot is incomplete
 * nothing is deleted: a key that translates to nothing is left alone, and deletes inside a load
 * balancer are withheld (and the fingerprint not remembered, so a later reconcile finishes the job).
 * A failure is reported as a batch item failure: SQS retries it, then dead-letters it.
 */
export function createReconcileHandler(deps: ReconcileDependencies) {
  const logger = deps.logger ?? createJsonLogger({ base: { service: 'reconcile' } });
  const cache = deps.readCache ?? new ReadCache();
  const margin = deps.timeoutMarginMs ?? 2000;
  const { store, adapters } = deps;

  async function reconcileKey(key: LbKey, signal: AbortSignal, force: boolean): Promise<KeyOutcome> {
    const cluster = parseLbKey(key)!.cluster;
    // A forced reconcile (resync) observes and converges even an unchanged bundle: provider drift.
    // Otherwise the remembered fingerprint is read alongside the bundle (one round trip less).
    const [bundle, last] = await Promise.all([
      selectBundleFromStore(store, key),
      force ? undefined : store.lastReconciled(key),
    ]);
    const fingerprint = bundleFingerprint(bundle);
    if (!force && last === fingerprint) return 'unchanged';
    const complete = await store.isComplete(cluster);

    const result = translate(bundle, { ...deps.translateOptions, cluster }, cache);
    const lb = result.loadBalancers.find((l) => l.key === key);
    const held = result.held.find((h) => h.key === key);
    const mine = (s: ObjectStatus) => s.loadBalancers.length === 0 || s.loadBalancers.includes(key);

    if (held) {
      // Neither update nor delete: what works keeps working. Report why.
      logger.warn('held', { key, reason: held.reason });
      await putStatuses(cluster, key, result.statuses.filter(mine));
      await store.setReconciled(key, fingerprint);
      return 'held';
    }

    if (!lb) {
      if (!complete) return 'incomplete'; // never garbage-collect from an incomplete picture
      let withheld = 0;
      for (const adapter of Object.values(adapters)) {
        signal.throwIfAborted();
        withheld += (await reconcileLoadBalancer({ key, lb: undefined, adapter, signal })).deletesWithheld;
      }
      await putStatuses(cluster, key, result.statuses.filter(mine));
      if (withheld > 0) {
        // A provider could not be read in full: some of it may remain. Not remembered, so the next
        // reconcile of the key (resync forces one) tries again.
        logger.warn('deletes withheld', { key, deletesWithheld: withheld, complete });
        return 'deleted';
      }
      // Nothing refers to the key any more: forget it, so that resync stops revisiting it. Otherwise
      // remember the fingerprint, so that changes of what still refers to it do not delete again.
      if (bundle.length === 0) await store.forgetReconciled(key);
      else await store.setReconciled(key, fingerprint);
      return 'deleted';
    }

    const adapter = adapters[lb.provider];
    if (!adapter) {
      const state: ProgrammedState = {
        key,
        programmed: false,
        addresses: [],
        message: `provider ${lb.provider} is not available here`,
      };
      logger.error('provider unavailable', { key, provider: lb.provider });
      await putStatuses(
        cluster,
        key,
        applyProgrammedStates(result.statuses, new Map([[key, state]])).filter(mine),
      );
      return 'provider-unavailable';
    }

    const outcome = await reconcileLoadBalancer({
      key,
      lb,
      adapter: complete ? adapter : withoutDeletes(adapter),
      signal,
    });
    // A load balancer that moved to another provider is removed from the others (never while incomplete).
    if (complete) {
      for (const [provider, other] of Object.entries(adapters)) {
        if (provider === lb.provider || other === adapter) continue;
        signal.throwIfAborted();
        await reconcileLoadBalancer({ key, lb: undefined, adapter: other, signal });
      }
    }
    await putStatuses(cluster, key, statusesAfter(result.statuses, lb, adapter, outcome).filter(mine));
    if (outcome.deletesWithheld > 0) {
      logger.warn('deletes withheld', { key, deletesWithheld: outcome.deletesWithheld, complete });
      return 'reconciled';
    }
    await store.setReconciled(key, fingerprint);
    logger.info('reconciled', {
      key,
      changes: outcome.plan.changes.length,
      conflicts: outcome.plan.conflicts.length,
      programmed: outcome.status.programmed,
    });
    return 'reconciled';
  }

  async function putStatuses(cluster: string, key: LbKey, statuses: readonly ObjectStatus[]): Promise<void> {
    for (const s of statusesOfKey(statuses, key)) {
      await store.putStatus(cluster, ref(s.kind, s.namespace, s.name), s, key);
    }
  }

  return middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(
    async (event, context, opts) => {
      const signal = deadlineSignal(context, margin, opts?.signal);
      const counts: Record<string, number> = {};
      const failures = await forEachFifoRecord(
        event.Records ?? [],
        async (record) => {
          signal.throwIfAborted();
          const request = parseReconcileRequest(record.body);
          if (!request) {
            throw new UnreadableReconcileMessageError(
              'the message body is not { key: <LB key>, force?: boolean }',
            );
          }
          const outcome = await reconcileKey(request.key, signal, request.force);
          if (request.force) counts.forced = (counts.forced ?? 0) + 1;
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        },
        (record, error) =>
          logger.error('reconcile failed', {
            messageId: record.messageId,
            group: record.attributes?.MessageGroupId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            ...errorFields(error),
          }),
      );
      await delayRetries(event.Records ?? [], failures, deps.retryDelay, deps.retryBackoff, (record, error) =>
        logger.warn('retry backoff not set', { messageId: record.messageId, ...errorFields(error) }),
      );
      logger.info('batch done', { messages: event.Records?.length ?? 0, failed: failures.length, ...counts });
      return { batchItemFailures: failures };
    },
  );
}

/**
 * What the reconcile of `key` may say: a route's status keeps only its parent entries of the key's
 * Gateway (the reconcile of another Gateway the route is attached to writes its own entries, and
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
    const parents = s.status.parents.filter(
      (p) =>
        (p.parentRef.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' &&
        (p.parentRef.kind ?? 'Gateway') === 'Gateway' &&
        (p.parentRef.namespace ?? s.namespace) === gw.namespace &&
        p.parentRef.name === gw.name,
    );
    if (parents.length === 0 && s.status.parents.length > 0) continue;
    out.push({ ...s, status: { ...s.status, parents } } as ObjectStatus);
  }
  return out;
}

function statusesAfter(
  statuses: readonly ObjectStatus[],
  lb: LoadBalancer,
  adapter: AnyLoadBalancerAdapter,
  outcome: ReconcileOutcome<AnyKinds>,
): ObjectStatus[] {
  const withNotices = applyProviderNotices(statuses, lb, adapter.name, outcome.notices);
  const state: ProgrammedState = {
    key: lb.key,
    programmed: outcome.status.programmed,
    addresses: outcome.status.addresses,
    ...(outcome.status.message ? { message: outcome.status.message } : {}),
  };
  return applyProgrammedStates(withNotices, new Map([[lb.key, state]]));
}

/** The adapter, but its observations count as incomplete, so reconcileLoadBalancer plans no delete. */
function withoutDeletes<K extends KindValue>(adapter: LoadBalancerAdapter<K>): LoadBalancerAdapter<K> {
  return {
    name: adapter.name,
    diffSpec: adapter.diffSpec,
    capabilities: () => adapter.capabilities(),
    render: (lb) => adapter.render(lb),
    observe: async (key, opts): Promise<Observed<K>> => ({
      ...(await adapter.observe(key, opts)),
      complete: false,
    }),
    apply: (plan, opts) => adapter.apply(plan, opts),
  };
}

type Handler = ReturnType<typeof createReconcileHandler>;

/**
 * The deployed function: wired from the environment on the first invocation (nothing is read or
 * connected at import time; AWS SDK clients make no call until used). `PORTICO_TABLE_NAME` (the
 * snapshot table), `AWS_REGION` (set by Lambda), optional `PORTICO_DEFAULT_PROVIDER` (default
 * `aws-elbv2`). Providers available in the cloud: `aws-elbv2`. The ReadCache lives as long as the
 * container.
 */
export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(wireFromEnv);

async function wireFromEnv(env: Env): Promise<Handler> {
  const tableName = requiredEnv(env, 'PORTICO_TABLE_NAME');
  const region = regionOf(env);
  const [{ DynamoSnapshotStore }, { cloudAdapters }, { SQSClient }, { SqsRetryDelay }] = await Promise.all([
    import('#functions/store/dynamo-snapshot-store.js'),
    import('#functions/wiring/cloud-adapters.js'),
    import('#functions/wiring/sqs-client.js'),
    import('#functions/adapters/sqs-retry-delay.js'),
  ]);
  return createReconcileHandler({
    store: new DynamoSnapshotStore({ tableName }),
    adapters: await cloudAdapters(region),
    retryDelay: new SqsRetryDelay({ client: new SQSClient({ region }) }),
    translateOptions: {
      defaultProvider: (env.PORTICO_DEFAULT_PROVIDER ?? 'aws-elbv2') as TranslateOptions['defaultProvider'],
    },
  });
}
