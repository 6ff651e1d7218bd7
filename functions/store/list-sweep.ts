import { compareResourceVersions } from './resource-version.js';

/** What the store knows of one (re-)list of one kind. */
export interface ListRecord {
  /** Store clock (ms) when markListStart was recorded. */
  startedAt?: number;
  /** Objects the list carried (markListEnd's count). */
  expected?: number;
  /** Distinct objects recorded with this listId so far. */
  seen: number;
  /** The list's resourceVersion, when markListEnd gave it. */
  resourceVersion?: string;
  done: boolean;
}

/**
 * Whether a cluster's snapshot is complete, from each listed kind's latest list (kind → finished):
 * at least one kind was listed, every one of `kinds` was, and every listed kind's latest list finished.
 */
export function isSnapshotComplete(latest: ReadonlyMap<string, boolean>, kinds?: readonly string[]): boolean {
  if (latest.size === 0) return false;
  if (kinds?.some((k) => !latest.has(k))) return false;
  return [...latest.values()].every(Boolean);
}

/** A list can be finished once its start, its end and all its objects were recorded. */
export function isListReady(list: ListRecord): boolean {
  return (
    !list.done && list.startedAt !== undefined && list.expected !== undefined && list.seen >= list.expected
  );
}

/**
 * Whether a stored live object that the finished list did not carry must be removed: it was deleted
 * while nobody watched. An object newer than the list (by resourceVersion when both are decimal,
 * else written after the list started) was created after the list's snapshot and stays.
 */
export function isSweptByList(
  object: { resourceVersion: string; listId?: string | undefined; touched: number },
  listId: string,
  list: ListRecord,
): boolean {
  if (object.listId === listId) return false;
  if (list.resourceVersion !== undefined) {
    const c = compareResourceVersions(object.resourceVersion, list.resourceVersion);
    if (c !== undefined) return c <= 0;
  }
  return object.touched < (list.startedAt ?? 0);
}
