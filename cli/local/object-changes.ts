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
  #previous = new Map<string, unknown>();
  /** The identity of each object last seen, so that an object handed over again is not read again. */
  #ids = new WeakMap<object, string>();

  diff(objects: readonly unknown[]): ObjectDiff {
    const next = new Map<string, unknown>();
    const changes: ObjectChange[] = [];
    const unidentified: unknown[] = [];
    for (const o of objects) {
      const id = this.#idOf(o);
      if (id === undefined) {
        if (isKnownKind((o as { kind?: unknown } | null)?.kind)) unidentified.push(o);
        continue;
      }
      const old = this.#previous.get(id);
      if (old === undefined) changes.push({ new: o });
      else if (old !== o && !sameContent(old, o)) changes.push({ old, new: o });
      next.set(id, o);
    }
    for (const [id, old] of this.#previous) if (!next.has(id)) changes.push({ old });
    this.#previous = next;
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
