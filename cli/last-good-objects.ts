import { isKnownKind, KINDS } from '#core/model/bundle.js';
import { readObjects } from '#core/model/read-objects.js';

/** An object that fails its schema, and what stands in for it. */
export interface InvalidObject<T> {
  entry: T;
  kind: string;
  namespace?: string;
  name: string;
  /** Dotted path of the field at fault, e.g. `spec.rules[0].backendRefs[0].port`. */
  field: string;
  message: string;
  /** Its last valid version is used instead (false: it had none, and goes on as it is). */
  kept: boolean;
}

/**
 * A bad edit never takes down what works: an object that fails its schema is replaced by its last
 * valid version, for as long as it stays invalid. An object that never was valid goes on as it is
 * (the core reports it and leaves it out). Identity is kind, namespace and name; an object that
 * disappears is forgotten, so that it is not brought back.
 */
export class LastGoodObjects {
  readonly #good = new Map<string, unknown>();

  select<T>(
    entries: readonly T[],
    objectOf: (entry: T) => unknown,
  ): { objects: unknown[]; invalid: InvalidObject<T>[] } {
    const objects: unknown[] = [];
    const invalid: InvalidObject<T>[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      const value = objectOf(entry);
      const id = identityOf(value);
      if (!id) {
        objects.push(value);
        continue;
      }
      seen.add(id.key);
      // readObjects memoises per object, so translating these objects later does not check them again.
      const rejected = readObjects([value]).rejected[0];
      if (!rejected) {
        this.#good.set(id.key, value);
        objects.push(value);
        continue;
      }
      const last = this.#good.get(id.key);
      objects.push(last ?? value);
      invalid.push({
        entry,
        kind: id.kind,
        ...(id.namespace !== undefined ? { namespace: id.namespace } : {}),
        name: id.name,
        field: rejected.field,
        message: rejected.message,
        kept: last !== undefined,
      });
    }
    for (const key of this.#good.keys()) if (!seen.has(key)) this.#good.delete(key);
    return { objects, invalid };
  }
}

/** Kind, namespace (defaulted as the API server would) and name of an object of a kind the core reads. */
export function identityOf(
  value: unknown,
): { key: string; kind: string; namespace?: string; name: string } | undefined {
  const v = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  if (typeof v !== 'object' || v === null || !isKnownKind(v.kind)) return undefined;
  const name = v.metadata?.name;
  if (typeof name !== 'string' || !name) return undefined;
  const namespace = KINDS[v.kind].namespaced
    ? typeof v.metadata?.namespace === 'string' && v.metadata.namespace
      ? v.metadata.namespace
      : 'default'
    : undefined;
  return {
    key: `${v.kind}\u0000${namespace ?? ''}\u0000${name}`,
    kind: v.kind,
    ...(namespace !== undefined ? { namespace } : {}),
    name,
  };
}

/** `Kind namespace/name`, as the CLI prints objects. */
export function objectName(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
