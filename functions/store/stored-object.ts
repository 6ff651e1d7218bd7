import { isRecord, type ObjectRef, ref, refOf } from '#core/index/object-ref.js';
import { referencesOf } from '#core/index/references.js';
import { KINDS } from '#core/model/bundle.js';
import { InvalidObjectError, type StoredObject } from './snapshot-store.js';

/** Identity, version and edges of an incoming raw object; throws InvalidObjectError when it has none. */
export function toStoredObject(object: unknown): StoredObject {
  const r = refOf(object);
  if (!r) throw new InvalidObjectError('not an object of a kind Portico reads, or without a usable name');
  const meta = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const rv = meta.resourceVersion;
  if (typeof rv !== 'string' || rv === '') {
    throw new InvalidObjectError(`${r.kind} ${r.namespace ?? ''}/${r.name} has no metadata.resourceVersion`);
  }
  const uid = typeof meta.uid === 'string' && meta.uid !== '' ? meta.uid : undefined;
  return { ref: r, resourceVersion: rv, ...(uid ? { uid } : {}), object, edges: referencesOf(object) };
}

/** The ref as the store keys it: no namespace for cluster-scoped kinds, `default` when a namespaced one has none. */
export function normalizeRef(r: ObjectRef): ObjectRef {
  return ref(r.kind, isNamespacedKind(r.kind) ? (r.namespace ?? 'default') : undefined, r.name);
}

/** Kinds the store holds objects of (pseudo-objects such as `@IngressGroup` are never stored). */
export function isStoredKind(kind: string): boolean {
  return Object.hasOwn(KINDS, kind);
}

/** Whether objects of `kind` live in namespaces (unknown kinds are treated as namespaced). */
export function isNamespacedKind(kind: string): boolean {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind as keyof typeof KINDS].namespaced : !kind.startsWith('@');
}
