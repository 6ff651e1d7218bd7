/** The outcome of checking one object against its schema. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; field: string; message: string };

/**
 * Remembers schema checks across translations by object version: Kubernetes guarantees that an
 * object's `uid` + `resourceVersion` name one content, so a reconcile that loads the same objects
 * again (fresh copies from a store) skips re-checking them. Owned by the caller (one per warm
 * container or process), bounded: the oldest entries go first.
 */
export class ReadCache {
  readonly #entries = new Map<string, CheckResult>();

  constructor(readonly limit = 50_000) {}

  /** The version key of an object, when it has one. */
  static keyOf(kind: string, raw: { metadata?: unknown }): string | undefined {
    const m = raw.metadata as { uid?: unknown; resourceVersion?: unknown } | undefined;
    if (typeof m?.uid !== 'string' || typeof m.resourceVersion !== 'string' || !m.uid || !m.resourceVersion)
      return undefined;
    return `${kind}\u0000${m.uid}\u0000${m.resourceVersion}`;
  }

  get(key: string): CheckResult | undefined {
    return this.#entries.get(key);
  }

  set(key: string, result: CheckResult): void {
    this.#entries.set(key, result);
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
