import type { SnapshotMarkerData } from '#events/snapshot-marker.js';
import { type ClusterObject, clusterKey } from '#kube/cluster-object.js';
import type { ClusterEventType } from '#kube/cluster-source.js';

/** A change of one object waiting to be sent. `snapshotId` marks an object carried by a (re)list. */
export interface ObjectChange {
  type: ClusterEventType;
  object: ClusterObject;
  snapshotId?: string;
}

export type OutboxItem = { marker: 'start' | 'end'; data: SnapshotMarkerData } | { change: ObjectChange };

export interface OutboxOptions {
  /** Pending objects (and markers) at most; default 50,000. */
  maxPending?: number;
  /** Overflowed kinds are re-listed once the outbox is down to this many; default maxPending / 2. */
  lowWatermark?: number;
  /** The outbox dropped events of `kind` and has room again: list the kind again. */
  onRelist?: (kind: string) => void;
  /** An event was dropped because the outbox was full. */
  onDrop?: (kind: string) => void;
}

interface Entry {
  /** Position of its slot: a slot whose generation differs is stale. */
  gen: number;
  /** The pending list add (its object updated by later events, its snapshot id kept). */
  listed?: ObjectChange;
  /** The latest change after (or without) the list add. */
  tail?: ObjectChange;
}

interface MarkerSlot {
  marker: 'start' | 'end';
  data: SnapshotMarkerData;
  /** False once a newer list of the kind superseded it before it was sent. */
  live: boolean;
}

type Slot = { key: string; gen: number } | MarkerSlot;

/**
 * The events waiting to be sent, in order, bounded, coalescing per object: a newer change of an
 * object replaces its pending one (the functions are level-triggered: only the latest state
 * matters). A pending list `add` keeps its snapshot id when a later change supersedes it, so the
 * store still counts the object for that list; a delete after a pending list add is sent after it.
 * Snapshot markers and the objects of their list keep their order.
 *
 * The bound applies to watch events: when full, a watch event that does not coalesce is dropped and
 * its kind is re-listed once the outbox is down to the low watermark (level-triggered recovery: the
 * list's markers make the functions whole again). Lists are always admitted (they replace pending
 * events of the same objects, so they take at most one entry per object of the cluster, which the
 * informers hold anyway), and a new list of a kind drops the pending markers of its older lists,
 * which the store would ignore.
 */
export class Outbox {
  readonly #max: number;
  readonly #low: number;
  readonly #options: OutboxOptions;
  readonly #entries = new Map<string, Entry>();
  #slots: Slot[] = [];
  #head = 0;
  #markers = 0;
  #gen = 0;
  readonly #overflowed = new Set<string>();
  /** Pending marker slots by kind. */
  readonly #pendingMarkers = new Map<string, MarkerSlot[]>();
  readonly #waiters = new Set<() => void>();

  constructor(options: OutboxOptions = {}) {
    this.#options = options;
    this.#max = options.maxPending ?? 50_000;
    this.#low = options.lowWatermark ?? Math.floor(this.#max / 2);
  }

  /** Objects and markers pending. */
  get size(): number {
    return this.#entries.size + this.#markers;
  }

  /** Kinds that lost events and wait for a re-list. */
  get overflowed(): readonly string[] {
    return [...this.#overflowed];
  }

  /** Adds a change; false when it was dropped (outbox full). */
  put(change: ObjectChange): boolean {
    const { kind, metadata } = change.object;
    const key = clusterKey(kind, metadata.namespace, metadata.name);
    const entry = this.#entries.get(key);
    if (change.snapshotId !== undefined) {
      // A new list carries the object: it supersedes whatever was pending, and moves behind the
      // list's start marker.
      const fresh: Entry = { gen: ++this.#gen, listed: change };
      this.#entries.set(key, fresh);
      this.#slots.push({ key, gen: fresh.gen });
      this.#notify();
      return true;
    }
    if (entry) {
      if (entry.listed && !entry.tail && change.type !== 'delete') {
        entry.listed = { type: change.type, object: change.object, snapshotId: entry.listed.snapshotId! };
      } else if (!entry.listed && entry.tail?.type === 'add' && change.type === 'update') {
        // still news to the receiver: an add
        entry.tail = { type: 'add', object: change.object };
      } else {
        entry.tail = change;
      }
      return true;
    }
    if (!this.#room(kind)) return false;
    const fresh: Entry = { gen: ++this.#gen, tail: change };
    this.#entries.set(key, fresh);
    this.#slots.push({ key, gen: fresh.gen });
    this.#notify();
    return true;
  }

  /** Adds a snapshot marker (never dropped). A start marker drops the pending markers of older lists of its kind. */
  putMarker(marker: 'start' | 'end', data: SnapshotMarkerData): void {
    let pending = this.#pendingMarkers.get(data.kind);
    if (marker === 'start' && pending) {
      for (const old of pending) old.live = false;
      this.#markers -= pending.length;
      pending = undefined;
    }
    const slot: MarkerSlot = { marker, data, live: true };
    this.#pendingMarkers.set(data.kind, [...(pending ?? []), slot]);
    this.#slots.push(slot);
    this.#markers++;
    // a re-list of an overflowed kind is under way
    if (marker === 'start') this.#overflowed.delete(data.kind);
    this.#notify();
  }

  /**
   * Takes pending items in order. `accept` sees the events of one object (one, or a list add and
   * what followed it) or one marker, and says whether they fit the batch; the first refusal stops.
   */
  take(accept: (items: readonly OutboxItem[]) => boolean): OutboxItem[] {
    const out: OutboxItem[] = [];
    while (this.#head < this.#slots.length) {
      const slot = this.#slots[this.#head]!;
      let items: OutboxItem[];
      if ('marker' in slot) {
        if (!slot.live) {
          this.#head++;
          continue;
        }
        items = [{ marker: slot.marker, data: slot.data }];
      } else {
        const entry = this.#entries.get(slot.key);
        if (!entry || entry.gen !== slot.gen) {
          this.#head++;
          continue;
        }
        items = [];
        if (entry.listed) items.push({ change: entry.listed });
        if (entry.tail) items.push({ change: entry.tail });
      }
      if (!accept(items)) break;
      this.#head++;
      if ('marker' in slot) {
        this.#markers--;
        const pending = this.#pendingMarkers.get(slot.data.kind)?.filter((m) => m !== slot) ?? [];
        if (pending.length) this.#pendingMarkers.set(slot.data.kind, pending);
        else this.#pendingMarkers.delete(slot.data.kind);
      } else this.#entries.delete(slot.key);
      out.push(...items);
    }
    this.#compact();
    return out;
  }

  /** Resolves when something is pending (at once if something is). */
  waitForItems(signal?: AbortSignal): Promise<void> {
    if (this.size > 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #room(kind: string): boolean {
    if (this.size < this.#max) return true;
    this.#overflowed.add(kind);
    this.#options.onDrop?.(kind);
    return false;
  }

  /**
   * Asks for the re-list of the kinds that lost events, once the outbox is down to the low
   * watermark. The sender calls it after each batch ingest accepted (while sending fails, a
   * re-list would only overflow again).
   */
  relistIfRoom(): void {
    if (this.#overflowed.size === 0 || this.size > this.#low) return;
    const kinds = [...this.#overflowed];
    this.#overflowed.clear();
    for (const kind of kinds) this.#options.onRelist?.(kind);
  }

  #compact(): void {
    if (this.#head === this.#slots.length) {
      this.#slots = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}
