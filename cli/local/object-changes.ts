import { isDeepStrictEqual } from 'node:util';
import { type ObjectChange, refId, refOf } from '#core/index/index.js';
import { isKnownKind } from '#core/model/bundle.js';

export interface ObjectDiff {
  /** Adds, updates and deletes since the previous set, one per object identity. */
  changes: ObjectChange[];
  /** Objects of a kind the core reads that have no usable identity (no name): translate reports them. */
  unidentified: unknown[];
}

/**
 * Turns successive full sets of objects (what a manifests folder or a cluster source hands over)
 * into changes. An object is unchanged when it is the very same object as before, or has the same
 * uid and resourceVersion (the API server's promise of the same content), or is deeply equal; so a
 * set handed over again costs one lookup per object, and a folder read again one comparison.
 */
export class ObjectChanges {
  /** The objects of the last set by identity, with the set they were last seen in. */
  readonly #entries = new Map<string, { object: unknown; seen: number }>();
  /** The identity of each object last seen, so that an object handed over again is not read again. */
  readonly #ids = new WeakMap<object, string>();
  #generation = 0;

  diff(objects: readonly unknown[]): ObjectDiff {
    const generation = ++this.#generation;
    const before = this.#entries.size;
    let kept = 0;
    const changes: ObjectChange[] = [];
    const unidentified: unknown[] = [];
    for (const o of objects) {
      const id = this.#idOf(o);
      if (id === undefined) {
        if (isKnownKind((o as { kind?: unknown } | null)?.kind)) unidentified.push(o);
        continue;
      }
      const entry = this.#entries.get(id);
      if (!entry) {
        this.#entries.set(id, { object: o, seen: generation });
        changes.push({ new: o });
        continue;
      }
      // Twice in one set: the last one wins.
      if (entry.seen !== generation) kept++;
      if (entry.object !== o && !sameContent(entry.object, o)) changes.push({ old: entry.object, new: o });
      entry.object = o;
      entry.seen = generation;
    }
    if (kept < before) {
      for (const [id, entry] of this.#entries) {
        if (entry.seen === generation) continue;
        changes.push({ old: entry.object });
        this.#entries.delete(id);
      }
    }
    return { changes, unidentified };
  }

  #idOf(o: unknown): string | undefined {
    if (typeof o !== 'object' || o === null) return undefined;
    const known = this.#ids.get(o);
    if (known !== undefined) return known;
    const r = refOf(o);
    if (!r) return undefined;
    const id = refId(r);
    this.#ids.set(o, id);
    return id;
  }
}

function sameContent(a: unknown, b: unknown): boolean {
  const ma = (a as { metadata?: { uid?: unknown; resourceVersion?: unknown } }).metadata;
  const mb = (b as { metadata?: { uid?: unknown; resourceVersion?: unknown } }).metadata;
  if (typeof ma?.uid === 'string' && ma.uid && typeof ma.resourceVersion === 'string' && ma.resourceVersion)
    return ma.uid === mb?.uid && ma.resourceVersion === mb?.resourceVersion;
  return isDeepStrictEqual(a, b);
}
