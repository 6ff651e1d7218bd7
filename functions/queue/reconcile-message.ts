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
}

export interface ReconcileMessageOptions {
  /** See ReconcileMessageBody.force. */
  force?: boolean;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * One reconcile request for `key`. Group = the LB key (reconciles of one key never overlap). The
 * dedup id is the key + the coalescing window the request was sent in, so a burst of events for
 * one key inside one window becomes one message. That is only safe when the reconcile queue's
 * DelaySeconds is at least the window (plus clock skew): the message is then delivered after the
 * window closed, i.e. after every event whose request was dropped as a duplicate was recorded.
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
    // A forced request never shares a dedup id with the event-driven ones of its window: dropping
    // it as their duplicate would lose the force (and the other way round, an event's request).
    dedupId: sha256(force ? `${key}\n${window}\nforce` : `${key}\n${window}`),
    body: JSON.stringify((force ? { key, force } : { key }) satisfies ReconcileMessageBody),
  };
}

/** The LB key, or a hash of it when it is too long for a MessageGroupId. */
export function reconcileGroupId(key: LbKey): string {
  if (key.length <= MAX_QUEUE_ID_LENGTH) return key;
  const cluster = parseLbKey(key)?.cluster ?? '';
  return `${cluster.slice(0, 80)}/#${sha256(key).slice(0, 40)}`;
}

/** A reconcile message body (key and force), or undefined when the body is not one. */
export function parseReconcileRequest(body: string): { key: LbKey; force: boolean } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { key, force } = (json ?? {}) as { key?: unknown; force?: unknown };
  if (typeof key !== 'string' || !parseLbKey(key)) return undefined;
  if (force !== undefined && typeof force !== 'boolean') return undefined;
  return { key, force: force === true };
}
