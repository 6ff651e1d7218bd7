import { createHash } from 'node:crypto';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { MAX_QUEUE_ID_LENGTH } from '#events/message-keys.js';
import type { QueueMessage } from '#functions/queue/queue.js';

/** The body of one reconcile-queue message: the load balancer to reconcile. */
export interface ReconcileMessageBody {
  key: LbKey;
  /**
   * Reconcile even when the bundle's fingerprint is the one last reconciled (resync): the provider
   * is observed and converged again, so drift made behind Portico's back is repaired.
   */
  force?: boolean;
  /** A readiness-gate re-check (gateRecheckMessage): read the targets' health again, not before `due`. */
  recheck?: GateRecheck;
}

/** The n-th re-check of a load balancer's waiting pods, due at `due` (ms since the epoch). */
export interface GateRecheck {
  attempt: number;
  due: number;
}

export interface ReconcileMessageOptions {
  /** See ReconcileMessageBody.force. */
  force?: boolean;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * One reconcile request for `key` sent outside dispatch (resync's forced ones). Group = the LB key
 * (reconciles of one key never overlap). The dedup id is the key + the window of `windowMs` the
 * request was sent in, so a retried sender does not enqueue the key twice within one window.
 * Event-driven requests are dispatched instead (claimedReconcileMessage, key-dispatch.ts).
 */
export function reconcileMessage(
  key: LbKey,
  nowMs: number,
  windowMs: number,
  options: ReconcileMessageOptions = {},
): QueueMessage {
  const window = Math.floor(nowMs / Math.max(1, windowMs));
  const force = options.force === true;
  return {
    groupId: reconcileGroupId(key),
    // A forced request never shares a dedup id with an unforced one of its window: dropping it as
    // their duplicate would lose the force (and the other way round).
    dedupId: sha256(force ? `${key}\n${window}\nforce` : `${key}\n${window}`),
    body: JSON.stringify((force ? { key, force } : { key }) satisfies ReconcileMessageBody),
  };
}

/**
 * The reconcile request of one dispatch claim (functions/queue/key-dispatch.ts): sent at once, no
 * delay. Its dedup id is the key + the claim's generation and time: unique per claim, so a trailing
 * request is never swallowed as a repeat of the leading one, while a sender retrying the same claim
 * (a failed SendMessageBatch sent again) is.
 */
export function claimedReconcileMessage(key: LbKey, generation: number, claimedAt: number): QueueMessage {
  return {
    groupId: reconcileGroupId(key),
    dedupId: sha256(`${key}\nclaim ${generation} ${claimedAt}`),
    body: JSON.stringify({ key } satisfies ReconcileMessageBody),
  };
}

/**
 * A re-check of the readiness gates of `key` (docs/readiness-gates.md): SQS FIFO has no per-message
 * delay, so it is sent at once in the key's group and the reconcile holds it back until `due` (the
 * retry-delay path). Unique per attempt and due time, so no re-check swallows another.
 */
export function gateRecheckMessage(key: LbKey, recheck: GateRecheck): QueueMessage {
  return {
    groupId: reconcileGroupId(key),
    dedupId: sha256(`${key}\ngate recheck ${recheck.attempt} ${recheck.due}`),
    body: JSON.stringify({ key, recheck } satisfies ReconcileMessageBody),
  };
}

/** The LB key, or a hash of it when it is too long for a MessageGroupId. */
export function reconcileGroupId(key: LbKey): string {
  if (key.length <= MAX_QUEUE_ID_LENGTH) return key;
  const cluster = parseLbKey(key)?.cluster ?? '';
  return `${cluster.slice(0, 80)}/#${sha256(key).slice(0, 40)}`;
}

/** A reconcile message body (key, force, re-check), or undefined when the body is not one. */
export function parseReconcileRequest(
  body: string,
): { key: LbKey; force: boolean; recheck?: GateRecheck } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { key, force, recheck } = (json ?? {}) as { key?: unknown; force?: unknown; recheck?: unknown };
  if (typeof key !== 'string' || !parseLbKey(key)) return undefined;
  if (force !== undefined && typeof force !== 'boolean') return undefined;
  if (recheck === undefined) return { key, force: force === true };
  const { attempt, due } = (recheck ?? {}) as { attempt?: unknown; due?: unknown };
  if (!Number.isSafeInteger(attempt) || (attempt as number) < 1) return undefined;
  if (!Number.isSafeInteger(due) || (due as number) < 0) return undefined;
  return { key, force: force === true, recheck: { attempt: attempt as number, due: due as number } };
}
