import { randomUUID } from 'node:crypto';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { Queue } from '#functions/queue/queue.js';
import { claimedReconcileMessage } from '#functions/queue/reconcile-message.js';
import type { DispatchMark, DispatchMarkStore } from '#functions/store/dispatch-mark.js';
import {
  type DispatchLeases,
  onChange,
  onEnd,
  onSendFailed,
  type Transition,
} from './dispatch-transitions.js';

export interface KeyDispatchOptions {
  /** Where the marks live (the snapshot store). */
  store: DispatchMarkStore;
  /** The reconcile queue (SQS FIFO, group = LB key, no DelaySeconds). */
  queue: Queue;
  /** Clock in ms (leases are taken from it). */
  now?: () => number;
  /**
   * How long a sent message may wait for its run before the key counts as idle again (default
   * 120 s): a message lost after its claim holds up the key's changes at most this long.
   */
  queuedLeaseMs?: number;
  /** How long a run may hold the key (default 150 s: the reconcile function's 120 s timeout, and some). */
  runningLeaseMs?: number;
  /** Makes a run's id (default: a random UUID). */
  newRunId?: () => string;
}

/** What `request` did: keys whose message went out, and keys left to the run that holds them. */
export interface DispatchRequest {
  sent: LbKey[];
  coalesced: LbKey[];
}

/** What ending a run did. */
export type RunEnd = 'idle' | 'requeued' | 'taken-over';

/** A reconcile run holding its key's mark. */
export interface DispatchRun {
  readonly key: LbKey;
  readonly runId: string;
  /** Ends the run after it succeeded: idle, or one trailing request when changes came meanwhile. */
  end(options?: { signal?: AbortSignal }): Promise<RunEnd>;
}

/** The key's mark kept changing under every attempt (more writers than a key ever has). */
export class DispatchContentionError extends Error {
  override readonly name = 'DispatchContentionError';
}

const ATTEMPTS = 10;

/**
 * Leading-edge dispatch with trailing coalescing (docs/functions.md). An isolated change is sent to
 * the reconcile queue at once; a change that comes while its key is queued needs nothing (the run has
 * not read the bundle yet), and one that comes while it runs marks the key dirty, so that the run, when
 * it ends, sends exactly one more request. Every step is a compare-and-set on the key's mark in the
 * store, so concurrent record invocations claim a key once. Leases bound how long a lost message or a
 * crashed run can hold a key; resync's forced reconciles repair whatever was still missed.
 */
export class KeyDispatch {
  readonly #store: DispatchMarkStore;
  readonly #queue: Queue;
  readonly #now: () => number;
  readonly #leases: DispatchLeases;
  readonly #newRunId: () => string;

  constructor(options: KeyDispatchOptions) {
    this.#store = options.store;
    this.#queue = options.queue;
    this.#now = options.now ?? Date.now;
    this.#leases = {
      queuedMs: options.queuedLeaseMs ?? 120_000,
      runningMs: options.runningLeaseMs ?? 150_000,
    };
    this.#newRunId = options.newRunId ?? randomUUID;
  }

  /**
   * record stored changes of `keys`: claims the idle ones and sends their requests (one
   * SendMessageBatch list), marks the running ones dirty. When the send fails the claims are let go
   * again and the error is thrown (the caller retries its messages).
   */
  async request(keys: readonly LbKey[], options: { signal?: AbortSignal } = {}): Promise<DispatchRequest> {
    const unique = [...new Set(keys)].sort();
    const outcomes = await Promise.all(
      unique.map(async (key) => {
        const t = await this.#transition(key, (mark) => onChange(mark, this.#now(), this.#leases));
        return { key, claim: t.claim ? t.next : undefined };
      }),
    );
    const claims = outcomes.filter((o): o is { key: LbKey; claim: DispatchMark } => o.claim !== undefined);
    try {
      await this.#send(claims, options.signal);
    } catch (error) {
      await this.#letGo(claims);
      throw error;
    }
    return {
      sent: claims.map((c) => c.key),
      coalesced: outcomes.filter((o) => o.claim === undefined).map((o) => o.key),
    };
  }

  /** A reconcile of `key` begins (before it reads the key's bundle): one write, see beginDispatchRun. */
  async begin(key: LbKey): Promise<DispatchRun> {
    const runId = this.#newRunId();
    const now = this.#now();
    await this.#store.beginDispatchRun(key, { runId, now, leaseUntil: now + this.#leases.runningMs });
    return {
      key,
      runId,
      end: (options = {}) => this.#end(key, runId, options.signal),
    };
  }

  async #end(key: LbKey, runId: string, signal: AbortSignal | undefined): Promise<RunEnd> {
    let held = true;
    const t = await this.#transition(key, (mark) => {
      held = mark?.state === 'running' && mark.runId === runId;
      return onEnd(mark, this.#now(), this.#leases, runId);
    });
    if (!held) return 'taken-over';
    if (!t.claim || !t.next) return 'idle';
    const claims = [{ key, claim: t.next }];
    try {
      await this.#send(claims, signal);
    } catch (error) {
      await this.#letGo(claims);
      throw error;
    }
    return 'requeued';
  }

  async #send(claims: readonly { key: LbKey; claim: DispatchMark }[], signal?: AbortSignal): Promise<void> {
    if (claims.length === 0) return;
    await this.#queue.send(
      claims.map(({ key, claim }) => claimedReconcileMessage(key, claim.generation, claim.claimedAt)),
      signal ? { signal } : {},
    );
  }

  /** Best effort: a claim not let go runs out with its lease. */
  async #letGo(claims: readonly { key: LbKey; claim: DispatchMark }[]): Promise<void> {
    await Promise.allSettled(
      claims.map(({ key, claim }) => this.#transition(key, (mark) => onSendFailed(mark, claim.generation))),
    );
  }

  /** Reads the key's mark, decides, and writes the decision if nobody wrote the mark meanwhile. */
  async #transition(key: LbKey, decide: (mark: DispatchMark | undefined) => Transition): Promise<Transition> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await this.#store.readDispatchMark(key);
      const t = decide(stored?.mark);
      if (!t.next) return t;
      if (await this.#store.writeDispatchMark(key, t.next, stored?.revision)) return t;
    }
    throw new DispatchContentionError(`the dispatch mark of ${key} changed under ${ATTEMPTS} attempts`);
  }
}
