import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import { ingressKeys, isLoadBalancerService } from '#core/index/lb-keys.js';
import type { ObjectRef } from '#core/index/object-ref.js';
import { lbKey, parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { Queue } from '#functions/queue/queue.js';
import { reconcileMessage } from '#functions/queue/reconcile-message.js';
import { deadlineSignal } from '#functions/shared/deadline-signal.js';
import type { SnapshotStore, StoredObject } from '#functions/store/snapshot-store.js';
import { type Env, regionOf, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { createJsonLogger, errorFields, type Logger } from '#logging/logger.js';

/** What resync needs of an adapter: its listing of owned keys (adapters without one add nothing). */
export type OwnedKeyLister = Pick<AnyLoadBalancerAdapter, 'listOwnedKeys'>;

export interface ResyncDependencies {
  store: SnapshotStore;
  /** The reconcile queue (SQS FIFO, group = LB key). */
  reconcileQueue: Queue;
  /** Adapters by provider name, asked for the keys they hold resources for (complete clusters only). */
  adapters: Readonly<Record<string, OwnedKeyLister>>;
  /** Clock in ms (the dedup window of the forced requests is taken from it). */
  now?: () => number;
  logger?: Logger;
  /**
   * Forced requests for one key within one window share a dedup id (default 60 000 ms): a retried
   * resync invocation does not enqueue every key twice.
   */
  windowMs?: number;
  /** Objects read per getMany (default 100). */
  readBatch?: number;
  /** Messages per queue send (default 100). */
  sendBatch?: number;
  /** Stop this long before the Lambda times out (default 5000 ms). */
  timeoutMarginMs?: number;
}

/** What resync did for one cluster (also its log line). */
export interface ClusterResync {
  cluster: string;
  /** The cluster's snapshot is complete (garbage collection allowed). */
  complete: boolean;
  /** Keys its stored Gateways, Ingresses and LoadBalancer Services produce. */
  storedKeys: number;
  /** Keys with a remembered fingerprint (they may have lost their objects). */
  reconciledKeys: number;
  /** Keys marked delete pending: their load balancer must go, and that is not confirmed yet. */
  deletePendingKeys: number;
  /** Keys the adapters' complete listings report (0 unless the cluster is complete). */
  providerKeys: number;
  /** Provider keys neither stored objects nor fingerprints know: objects deleted while nobody watched. */
  orphans: number;
  /** Per adapter: `complete`, `incomplete` (added nothing), `failed`, `none` (no listing), `skipped`. */
  listings: Record<string, 'complete' | 'incomplete' | 'failed' | 'none' | 'skipped'>;
  /** Forced reconcile requests sent. */
  enqueued: number;
}

export interface ResyncSummary {
  clusters: ClusterResync[];
  /** Clusters that could not be resynced (read or enqueue failure); the next run tries again. */
  failed: string[];
}

/** Some clusters could not be resynced; the others were. */
export class ResyncFailedError extends Error {
  override readonly name = 'ResyncFailedError';
}

/**
 * The resync function (EventBridge schedule). Level-triggered repair: for every cluster the store
 * knows, it enqueues a forced reconcile (the fingerprint is ignored, so provider drift is repaired)
 * of every key that may need one: the keys the cluster's stored Gateways, Ingresses (their groups)
 * and LoadBalancer Services produce, the keys with a remembered fingerprint (they may have lost
 * their objects), the keys marked delete pending (a delete that could not be confirmed, even
 * dead-lettered), and, only when the cluster's snapshot is complete, the keys the adapters report
 * owning resources for (orphans: objects deleted while nobody watched). Resync never touches a
 * provider itself: reconcile deletes what a key no longer wants, and only from a complete snapshot.
 * An adapter listing that is not complete adds nothing. A failure in one cluster does not stop the
 * others; the invocation then fails (so the error is visible) after every cluster was tried.
 */
export function createResyncHandler(deps: ResyncDependencies) {
  const logger = deps.logger ?? createJsonLogger({ service: 'resync' });
  const now = deps.now ?? Date.now;
  const windowMs = deps.windowMs ?? 60_000;
  const readBatch = deps.readBatch ?? 100;
  const sendBatch = deps.sendBatch ?? 100;
  const margin = deps.timeoutMarginMs ?? 5000;
  const { store } = deps;

  /** The keys the cluster's stored objects produce (as affectedKeys gives them for each object). */
  async function storedKeys(cluster: string): Promise<Set<LbKey>> {
    const keys = new Set<LbKey>();
    for (const r of await store.list(cluster, 'Gateway')) {
      keys.add(lbKey(cluster, 'Gateway', r.namespace, r.name));
    }
    await eachStored(cluster, 'Ingress', (r, o) => {
      for (const k of ingressKeys(cluster, r, o)) keys.add(k);
    });
    await eachStored(cluster, 'Service', (r, o) => {
      if (isLoadBalancerService(o)) keys.add(lbKey(cluster, 'Service', r.namespace, r.name));
    });
    return keys;
  }

  async function eachStored(
    cluster: string,
    kind: string,
    each: (ref: ObjectRef, object: unknown) => void,
  ): Promise<void> {
    const refs = await store.list(cluster, kind);
    for (let i = 0; i < refs.length; i += readBatch) {
      const got: (StoredObject | undefined)[] = await store.getMany(cluster, refs.slice(i, i + readBatch));
      for (const s of got) if (s) each(s.ref, s.object);
    }
  }

  async function resyncCluster(cluster: string, signal: AbortSignal): Promise<ClusterResync> {
    const fromObjects = await storedKeys(cluster);
    const [remembered, deletePending, complete] = await Promise.all([
      store.reconciledKeys(cluster),
      store.deletePendingKeys(cluster),
      store.isComplete(cluster),
    ]);
    const keys = new Set<LbKey>([...fromObjects, ...remembered, ...deletePending]);
    const listings: ClusterResync['listings'] = {};
    const fromProviders = new Set<LbKey>();
    for (const [name, adapter] of Object.entries(deps.adapters)) {
      if (!adapter.listOwnedKeys) {
        listings[name] = 'none';
        continue;
      }
      if (!complete) {
        // Never look for orphans through an incomplete snapshot: an object not stored yet is no orphan.
        listings[name] = 'skipped';
        continue;
      }
      signal.throwIfAborted();
      try {
        const listed = await adapter.listOwnedKeys(cluster, { signal });
        listings[name] = listed.complete ? 'complete' : 'incomplete';
        // A partial listing could be trusted for the keys it names, but a key it names is only
        // ever garbage-collected against a complete picture anyway: keep the rule simple.
        if (listed.complete) {
          for (const k of listed.keys) if (parseLbKey(k)?.cluster === cluster) fromProviders.add(k);
        }
      } catch (error) {
        if (signal.aborted) throw error;
        listings[name] = 'failed';
        logger.warn('listing failed', { cluster, adapter: name, ...errorFields(error) });
      }
    }
    const orphans = [...fromProviders].filter((k) => !keys.has(k));
    for (const k of orphans) keys.add(k);

    const at = now();
    const messages = [...keys].sort().map((k) => reconcileMessage(k, at, windowMs, { force: true }));
    for (let i = 0; i < messages.length; i += sendBatch) {
      signal.throwIfAborted();
      await deps.reconcileQueue.send(messages.slice(i, i + sendBatch), { signal });
    }
    return {
      cluster,
      complete,
      storedKeys: fromObjects.size,
      reconciledKeys: remembered.length,
      deletePendingKeys: deletePending.length,
      providerKeys: fromProviders.size,
      orphans: orphans.length,
      listings,
      enqueued: messages.length,
    };
  }

  return middy<ScheduledEvent, ResyncSummary, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(
    async (_event, context, opts) => {
      const signal = deadlineSignal(context, margin, opts?.signal);
      const summary: ResyncSummary = { clusters: [], failed: [] };
      for (const cluster of await store.clusters()) {
        if (signal.aborted) {
          summary.failed.push(cluster);
          continue;
        }
        try {
          const done = await resyncCluster(cluster, signal);
          summary.clusters.push(done);
          logger.info('cluster resynced', { ...done });
        } catch (error) {
          summary.failed.push(cluster);
          logger.error('cluster resync failed', { cluster, ...errorFields(error) });
        }
      }
      logger.info('resync done', {
        clusters: summary.clusters.length,
        failed: summary.failed.length,
        enqueued: summary.clusters.reduce((n, c) => n + c.enqueued, 0),
        orphans: summary.clusters.reduce((n, c) => n + c.orphans, 0),
      });
      if (summary.failed.length > 0) {
        throw new ResyncFailedError(
          `resync failed for ${summary.failed.length} cluster(s): ${summary.failed.join(', ')}`,
        );
      }
      return summary;
    },
  );
}

type Handler = ReturnType<typeof createResyncHandler>;

/**
 * The deployed function: wired from the environment on the first invocation. `PORTICO_TABLE_NAME`
 * (the snapshot table), `PORTICO_RECONCILE_QUEUE_URL`, `AWS_REGION` (set by Lambda), optional
 * `PORTICO_GCP_CONFIG_PARAMETER` (gcp-compute too). The adapters are used for their listing only
 * (ELBv2 Describe* calls, the role grants nothing else; GCP list calls).
 */
export const handler = lazyHandler<ScheduledEvent, ResyncSummary>(wireFromEnv);

async function wireFromEnv(env: Env): Promise<Handler> {
  const tableName = requiredEnv(env, 'PORTICO_TABLE_NAME');
  const queueUrl = requiredEnv(env, 'PORTICO_RECONCILE_QUEUE_URL');
  const region = regionOf(env);
  const [{ DynamoSnapshotStore }, { cloudAdapters }, { SQSClient }, { SqsQueue }] = await Promise.all([
    import('#functions/store/dynamo-snapshot-store.js'),
    import('#functions/wiring/cloud-adapters.js'),
    import('#functions/wiring/sqs-client.js'),
    import('#functions/queue/sqs-queue.js'),
  ]);
  return createResyncHandler({
    store: new DynamoSnapshotStore({ tableName }),
    reconcileQueue: new SqsQueue({ client: new SQSClient({ region }), queueUrl }),
    adapters: await cloudAdapters(env),
  });
}
