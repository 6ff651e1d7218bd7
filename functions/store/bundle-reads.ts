import type { LbKey } from '#core/ir/load-balancer.js';
import type { WalkReads } from './store-view.js';

/**
 * What each key's last bundle selection read from the store, kept by a warm reconcile container:
 * the next reconcile of the key fetches it all in its first round (selectBundleFromStore's
 * `prefetch`) instead of walking Gateway → routes → Services → EndpointSlices one round per level.
 * Only a hint: an out-of-date entry costs reads, never a wrong bundle. Bounded: the key used least
 * recently goes first.
 */
export class BundleReads {
  readonly #entries = new Map<LbKey, WalkReads>();

  constructor(readonly limit = 10_000) {}

  get(key: LbKey): WalkReads | undefined {
    const reads = this.#entries.get(key);
    if (reads) {
      this.#entries.delete(key);
      this.#entries.set(key, reads);
    }
    return reads;
  }

  set(key: LbKey, reads: WalkReads): void {
    this.#entries.delete(key);
    this.#entries.set(key, reads);
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: LbKey): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
