// JSON merge patch (RFC 7386), the patch type Portico writes status with, and the comparison that
// tells whether a patch would change anything.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `target` with `patch` merged in: objects merge key by key, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * Equal as the API server would store them: key order does not matter, and a key holding `undefined`
 * or an empty object is the same as no key (`status.loadBalancer: {}` is what a fresh Service has).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(prune(v)) ?? 'undefined';
}

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const p = prune(v[k]);
    if (p === undefined || (isRecord(p) && Object.keys(p).length === 0)) continue;
    out[k] = p;
  }
  return out;
}
