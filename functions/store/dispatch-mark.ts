import type { LbKey } from '#core/ir/load-balancer.js';

/**
 * Where one load-balancer key stands between record and reconcile (functions/queue/key-dispatch.ts
 * moves it): `idle` (no reconcile asked for), `queued` (a reconcile message was sent and its run has
 * not begun), `running` (a reconcile of the key runs). A queued or running mark is trusted only until
 * `leaseUntil`: a mark whose message was lost, or whose run crashed, then counts as idle again.
 */
export interface DispatchMark {
  state: 'idle' | 'queued' | 'running';
  /** Something changed after the running reconcile read the key's bundle: it must run once more. */
  dirty: boolean;
  /** How many times the key was claimed (a message sent for it); part of the message's dedup id. */
  generation: number;
  /** When the mark was last claimed (ms); part of the dedup id too, so a reset generation is no repeat. */
  claimedAt: number;
  /** A queued or running mark counts as idle from then on (ms). */
  leaseUntil: number;
  /** The run holding a running mark (only that run may end it). */
  runId?: string;
}

/** A mark as stored, with the revision a conditional write must match. */
export interface StoredDispatchMark {
  mark: DispatchMark;
  /** Increases with every write of the key's mark. */
  revision: number;
}

/**
 * The store's part in dispatch: one small record per key, read strongly consistent and written only
 * if nobody wrote it since it was read (compare-and-set), so concurrent record and reconcile
 * invocations never both win.
 */
export interface DispatchMarkStore {
  /** The key's mark and its revision, or undefined when the key was never claimed. */
  readDispatchMark(key: LbKey): Promise<StoredDispatchMark | undefined>;
  /**
   * Writes `mark` if the stored revision is still `revision` (undefined: no mark stored yet).
   * False, and nothing written, when another writer came first.
   */
  writeDispatchMark(key: LbKey, mark: DispatchMark, revision: number | undefined): Promise<boolean>;
  /**
   * A reconcile run of the key begins, before it reads the key's bundle: the mark becomes running for
   * `runId` until `leaseUntil` and not dirty (the run will see whatever was recorded until now),
   * whatever it was, since a run takes the key over from any earlier one (the FIFO group lets only one
   * run at a time: an earlier one crashed). Generation and claim time stay (0 and `now` for a key never
   * claimed). One atomic write, no read first: it is on the way from a change to its traffic.
   */
  beginDispatchRun(
    key: LbKey,
    run: { runId: string; leaseUntil: number; now: number },
  ): Promise<DispatchMark>;
}
