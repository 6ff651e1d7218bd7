// The reliability harness: the real ingest, record and reconcile handlers wired in one process the way
// AWS wires them (signed HTTP API request → events queue (SQS FIFO) → record in FIFO batches of 10 →
// reconcile queue (SQS FIFO, leading-edge dispatch, no DelaySeconds) → reconcile), with a clock the
// test drives. A record the handler reports as a batch item failure is delivered again
// (ApproximateReceiveCount + 1), as SQS does after the visibility timeout. record and reconcile share
// one KeyDispatch on the store and the clock, as the deployed functions share the table.

import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createFakeAdapter, type FakeAdapter } from '#adapters/fake/adapter.js';
import type { AnyLoadBalancerAdapter, LoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { planChanges } from '#core/plan/plan-changes.js';
import type { Change, KindValue } from '#core/plan/types.js';
import { translate } from '#core/translate/translate.js';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { signRequest } from '#events/signature.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import type { QueueMessage } from '#functions/queue/queue.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { createRecordHandler } from '#functions/record/handler.js';
import type { HttpContext, HttpEvent } from '#functions/shared/http-context.js';
import { MemoryReplayCache } from '#functions/shared/replay-cache.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';
import { selectBundleFromStore } from '#functions/store/store-view.js';
import { type CapturedLogger, captureLogger } from '#test/support/capture-logger.js';
import {
  asQueueMessage,
  batches,
  CLUSTER,
  lambdaContext,
  sqsEvent,
} from '#test/unit/functions/pipeline-support.js';

export { CLUSTER };
export const SECRET = 'prod-eu-1-signing-secret-0123456789abcdef';
export const OTHER_SECRET = 'staging-1-signing-secret-0123456789abcdef';
export const BATCH = 'application/cloudevents-batch+json';
/** The reconcile queue's DelaySeconds (serverless.yml: 0, dispatch coalesces instead). */
export const RECONCILE_DELAY_MS = 0;
/** 2026-11-20T09:00:00.300Z: not on a window boundary. */
export const START_MS = 1_795_683_600_300;

/** A FIFO queue that remembers when each message was sent. */
class TimedQueue extends MemoryQueue {
  readonly sentAt: number[] = [];
  constructor(private readonly clock: () => number) {
    super({ now: clock });
  }
  override async send(messages: readonly QueueMessage[], options: { signal?: AbortSignal } = {}) {
    const before = this.messages.length;
    await super.send(messages, options);
    for (let i = before; i < this.messages.length; i++) this.sentAt.push(this.clock());
  }
}

export interface PostOptions {
  /** Signing time, unix seconds (default: the clock). */
  at?: number;
  secret?: string | readonly string[];
  /** Sign these bytes but send `body` (a tampered request). */
  signedBody?: string;
}

export interface Posted {
  status: number;
  body: { accepted?: number; error?: { status: number; reason: string; message: string; index?: number } };
  /** The exact request, to send again. */
  event: HttpEvent;
}

export interface HarnessOptions {
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  defaultProvider?: string;
}

export type Harness = ReturnType<typeof createHarness>;

export function createHarness(options: HarnessOptions) {
  let clock = START_MS;
  const now = () => clock;
  const nowSeconds = () => Math.floor(clock / 1000);
  const store = new MemorySnapshotStore({ now });
  const eventsQueue = new TimedQueue(now);
  const reconcileQueue = new TimedQueue(now);
  const dispatch = new KeyDispatch({ store, queue: reconcileQueue, now });
  const logs = { ingest: captureLogger(), record: captureLogger(), reconcile: captureLogger() };
  const ingest = createIngestHandler({
    queue: eventsQueue,
    signingKeys: [{ cluster: CLUSTER, secret: SECRET }],
    replayCache: new MemoryReplayCache({ now: nowSeconds }),
    now: nowSeconds,
    logger: logs.ingest,
  });
  const record = createRecordHandler({
    store,
    reconcileQueue,
    now,
    dispatch,
    logger: logs.record,
  });
  const reconcile = createReconcileHandler({
    store,
    adapters: options.adapters,
    translateOptions: { defaultProvider: (options.defaultProvider ?? 'haproxy') as 'haproxy' },
    logger: logs.reconcile,
    dispatch,
  });

  let eventsRead = 0;
  let reconcileRead = 0;
  /** Reconcile records reported failed, waiting for their redelivery. */
  let reconcileRetries: SQSRecord[] = [];
  const delivered = { record: 0, reconcile: 0 };

  return {
    store,
    eventsQueue,
    reconcileQueue,
    logs,
    now,
    tick(ms: number) {
      clock += ms;
    },

    /** Signs `events` as one batch and posts it to ingest. */
    async post(events: readonly PorticoEvent[], opts: PostOptions = {}): Promise<Posted> {
      const body = JSON.stringify(events);
      return this.send(
        signedRequest(opts.signedBody ?? body, body, opts.secret ?? SECRET, opts.at ?? nowSeconds()),
      );
    },
    /** Posts a request as it is (a replay of the same bytes, for instance). */
    async send(event: HttpEvent): Promise<Posted> {
      const res = await ingest(structuredClone(event), ingestContext());
      return { status: res.statusCode ?? 0, body: JSON.parse(res.body ?? 'null'), event };
    },

    /** Events-queue messages not yet delivered. */
    pendingEvents(): QueueMessage[] {
      return eventsQueue.messages.slice(eventsRead);
    },
    /**
     * Delivers the events queue to record in FIFO batches of 10, `msPerBatch` apart on the clock.
     * Returns the batch item failures.
     */
    async record(opts: { msPerBatch?: number; only?: number } = {}): Promise<string[]> {
      const end =
        opts.only !== undefined ? Math.min(eventsQueue.messages.length, eventsRead + opts.only) : undefined;
      const pending = eventsQueue.messages.slice(eventsRead, end);
      eventsRead += pending.length;
      const failures: string[] = [];
      for (const b of batches(pending)) {
        const r = await record(sqsEvent(b), lambdaContext());
        delivered.record += b.length;
        failures.push(...r.batchItemFailures.map((f) => f.itemIdentifier));
        clock += opts.msPerBatch ?? 2;
      }
      return failures;
    },
    /** Feeds events straight into the events queue, as ingest would have (no HTTP). */
    async enqueue(events: readonly PorticoEvent[]): Promise<void> {
      await eventsQueue.send(events.map(asQueueMessage));
    },

    /** Reconcile messages sent but not delivered yet (whether or not their delay passed). */
    pendingReconciles(): QueueMessage[] {
      return reconcileQueue.messages.slice(reconcileRead);
    },
    /**
     * Delivers the reconcile messages sent so far, plus the redeliveries of failed ones, in FIFO
     * batches of 10; with `parallel`, one message per invocation (batchSize 1, as deployed) and every
     * message group at the same time, as Lambda runs FIFO groups. Returns how many messages were
     * delivered and the failed records.
     */
    async reconcile(
      opts: { all?: boolean; parallel?: boolean } = {},
    ): Promise<{ delivered: number; failed: SQSRecord[] }> {
      if (opts.all && reconcileQueue.sentAt.length > reconcileRead) {
        clock = Math.max(clock, reconcileQueue.sentAt.at(-1)! + RECONCILE_DELAY_MS);
      }
      let visible = reconcileRead;
      while (
        visible < reconcileQueue.messages.length &&
        reconcileQueue.sentAt[visible]! + RECONCILE_DELAY_MS <= clock
      )
        visible++;
      const fresh = sqsEvent(reconcileQueue.messages.slice(reconcileRead, visible), 'reconcile.fifo').Records;
      reconcileRead = visible;
      const records = [...reconcileRetries.map(redelivered), ...fresh];
      reconcileRetries = [];
      const failed: SQSRecord[] = [];
      const deliver = async (b: SQSRecord[]) => {
        const r = await reconcile({ Records: b } satisfies SQSEvent, lambdaContext());
        delivered.reconcile += b.length;
        const ids = new Set(r.batchItemFailures.map((f) => f.itemIdentifier));
        failed.push(...b.filter((rec) => ids.has(rec.messageId)));
      };
      if (opts.parallel) {
        const groups = new Map<string, SQSRecord[]>();
        for (const r of records) {
          const group = r.attributes.MessageGroupId ?? '';
          groups.set(group, [...(groups.get(group) ?? []), r]);
        }
        await Promise.all(
          [...groups.values()].map(async (group) => {
            for (const r of group) await deliver([r]);
          }),
        );
      } else {
        for (const b of batches(records)) await deliver(b);
      }
      reconcileRetries = failed;
      return { delivered: records.length, failed };
    },
    /** Sends a reconcile request for `key` straight to the reconcile queue (as resync does). */
    async requestReconcile(key: string, dedupId: string): Promise<void> {
      await reconcileQueue.send([{ groupId: key, dedupId, body: JSON.stringify({ key }) }]);
    },
    /** Runs record, then reconcile, until nothing is pending (bounded). */
    async settle(): Promise<void> {
      for (let i = 0; i < 20; i++) {
        const failures = await this.record();
        if (failures.length > 0) throw new Error(`record failed: ${failures.join(', ')}`);
        const r = await this.reconcile({ all: true });
        if (r.failed.length > 0) throw new Error(`reconcile failed: ${r.failed.length} record(s)`);
        if (r.delivered === 0 && this.pendingEvents().length === 0) return;
      }
      throw new Error('the pipeline did not settle in 20 rounds');
    },
    delivered,
  };
}

/** A harness reconciling on a fresh fake provider (`haproxy`), the usual set-up. */
export function fakeHarness(): { fake: FakeAdapter; h: Harness } {
  const fake = createFakeAdapter();
  return { fake, h: createHarness({ adapters: { haproxy: fake } }) };
}

/** The first address reconcile wrote into the Gateway's status ('' before it is programmed). */
export async function gatewayAddress(store: SnapshotStore): Promise<string> {
  const { items } = await store.statusSince(CLUSTER, undefined, 100);
  const gw = items.find((s) => s.ref.kind === 'Gateway')?.status as {
    status?: { addresses?: { value: string }[] };
  };
  return gw?.status?.addresses?.[0]?.value ?? '';
}

function redelivered(r: SQSRecord): SQSRecord {
  const count = Number(r.attributes.ApproximateReceiveCount ?? '1') + 1;
  return { ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(count) } };
}

/** A real HTTP API (payload v2) request carrying `body`, signed over `signedBody`. */
export function signedRequest(
  signedBody: string,
  body: string,
  secret: string | readonly string[],
  at: number,
): HttpEvent {
  const event = loadFixture<HttpEvent>('apigw-v2-request');
  event.headers = {
    ...event.headers,
    'content-type': BATCH,
    'content-length': String(Buffer.byteLength(body)),
    'x-portico-signature': signRequest(secret, at, signedBody),
  };
  event.body = body;
  return event;
}

let requests = 0;
export function ingestContext(): HttpContext {
  return { ...lambdaContext(10_000), functionName: 'portico-ingest', awsRequestId: `ingest-${++requests}` };
}

/** Outcomes the record handler logged for ignored events ('stale' | 'duplicate'). */
export function ignoredOutcomes(log: CapturedLogger): string[] {
  return log.lines.filter((l) => l.msg === 'event ignored').map((l) => String(l.fields.outcome));
}

/** The fake provider's resources, without ids: what a converged state is compared by. */
export function providerState(fake: FakeAdapter): string[] {
  return fake.cloud
    .all()
    .map((r) => JSON.stringify({ address: r.address, kind: r.kind, value: r.value, tags: r.tags }))
    .sort();
}

/** Addresses held by more than one resource (a duplicate left behind by a crash). */
export function duplicateAddresses(fake: FakeAdapter): string[] {
  const seen = new Map<string, number>();
  for (const r of fake.cloud.all()) seen.set(r.address, (seen.get(r.address) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([a]) => a);
}

/**
 * What a reconcile of `key` would still change (no-ops left out), computed from the store and the
 * provider directly, past the fingerprint shortcut: empty when the provider holds exactly the
 * desired state.
 */
export async function pendingChanges<K extends KindValue>(
  store: SnapshotStore,
  adapter: LoadBalancerAdapter<K>,
  key: LbKey,
  defaultProvider = 'haproxy',
): Promise<Change<K>[]> {
  const bundle = await selectBundleFromStore(store, key);
  const result = translate(bundle, { defaultProvider: defaultProvider as 'haproxy', cluster: CLUSTER });
  const lb = result.loadBalancers.find((l) => l.key === key);
  const desired = lb ? adapter.render(lb).resources : [];
  const observed = await adapter.observe(key, { signal: AbortSignal.timeout(10_000), desired });
  const plan = planChanges(desired, observed.resources, adapter.diffSpec, { lbKey: key });
  return plan.changes.filter((c) => c.action !== 'noop');
}
