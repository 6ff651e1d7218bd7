import { type Bundle, emptyBundle, isKnownKind, KINDS } from './bundle.js';
import { type CheckResult, ReadCache } from './read-cache.js';

/** An input object that failed its schema: it is left out of the bundle and reported. */
export interface RejectedObject {
  kind: string;
  namespace?: string;
  name?: string;
  /** Dotted path of the first offending field, e.g. `spec.listeners[0].port`. */
  field: string;
  message: string;
  /** The object as given, so that statuses can still be written for what can be identified. */
  raw: unknown;
}

export interface ReadResult {
  bundle: Bundle;
  rejected: RejectedObject[];
  /** Objects of kinds the core does not read (ConfigMaps, Deployments...): ignored, counted. */
  ignored: number;
}

const checked = new WeakMap<object, CheckResult>();

/**
 * Sorts untrusted objects into a typed bundle, checking each against its kind's schema. A malformed
 * object never stops the others; it is returned in `rejected` with the field at fault. Results are
 * memoised per object identity, and per object version in `cache` when the caller keeps one, so
 * re-reading an unchanged snapshot is cheap.
 */
export function readObjects(objects: readonly unknown[], cache?: ReadCache): ReadResult {
  const bundle = emptyBundle();
  const rejected: RejectedObject[] = [];
  let ignored = 0;
  for (const raw of objects) {
    const kind = isRecord(raw) ? raw.kind : undefined;
    if (!isKnownKind(kind)) {
      ignored++;
      continue;
    }
    const spec = KINDS[kind];
    let result = checked.get(raw as object);
    const versionKey = result || !cache ? undefined : ReadCache.keyOf(kind, raw as { metadata?: unknown });
    if (!result && versionKey) result = cache!.get(versionKey);
    if (!result) {
      const parsed = spec.schema.safeParse(raw);
      result = parsed.success
        ? { ok: true, value: parsed.data }
        : {
            ok: false,
            field: pathOf(parsed.error.issues[0]?.path ?? []),
            message: parsed.error.issues[0]?.message ?? 'invalid',
          };
      checked.set(raw as object, result);
      if (versionKey) cache!.set(versionKey, result);
    }
    if (result.ok) {
      const value = result.value as { metadata: { namespace?: string } };
      // Manifests often omit the namespace; the API server would default it the same way.
      if (spec.namespaced && !value.metadata.namespace) value.metadata.namespace = 'default';
      (bundle[spec.field] as unknown[]).push(value);
    } else {
      const meta = isRecord(raw) && isRecord(raw.metadata) ? raw.metadata : {};
      rejected.push({
        kind,
        ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
        ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
        field: result.field,
        message: result.message,
        raw,
      });
    }
  }
  return { bundle, rejected, ignored };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(object)';
}
