/**
 * Remembers the signatures already accepted, so a captured request cannot be replayed inside the
 * timestamp window. The in-memory one, the only one so far, protects one container; a durable one
 * (a DynamoDB conditional put with a TTL) would share it across containers. Replays that get through
 * are still harmless downstream: queue dedup ids and resourceVersion checks drop them.
 */
export interface ReplayCache {
  /** Atomically remembers `key` until `expiresAt` (unix seconds); false if it was already there. */
  remember(key: string, expiresAt: number): Promise<boolean>;
  /** Forgets `key`: used when the request could not be enqueued, so the sender's retry is accepted. */
  forget(key: string): Promise<void>;
}

export interface MemoryReplayCacheOptions {
  /** Unix seconds. */
  now?: () => number;
  /** Oldest entries are evicted beyond this. */
  maxEntries?: number;
}

export class MemoryReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const now = this.#now();
    const known = this.#seen.get(key);
    if (known !== undefined && known >= now) return false;
    this.#seen.delete(key);
    this.#seen.set(key, expiresAt);
    if (this.#seen.size > this.#maxEntries) this.#evict(now);
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#seen.delete(key);
  }

  get size(): number {
    return this.#seen.size;
  }

  #evict(now: number): void {
    for (const [k, expiresAt] of this.#seen) if (expiresAt < now) this.#seen.delete(k);
    for (const k of this.#seen.keys()) {
      if (this.#seen.size <= this.#maxEntries) break;
      this.#seen.delete(k);
    }
  }
}
