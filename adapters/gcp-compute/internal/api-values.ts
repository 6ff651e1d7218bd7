// Between the API's JSON and the model's values. The library answers with protobuf objects: every
// repeated field present (often empty), `_field` markers for optional ones, nulls, and GCP's own
// defaults. Observed values keep exactly the model's fields, so that the diff sees only what Portico
// sets; requests carry only API fields (no `region`/`zone`, which are the request's scope).

import type { Json } from './calls.js';

/** A deep copy without `_field` markers, nulls, empty lists and empty objects. */
export function clean(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(clean).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([k]) => !k.startsWith('_'))
      .map(([k, v]) => [k, clean(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value ?? undefined;
}

/** The named fields of an API object, cleaned; absent ones left out. */
export function pick(api: Json, fields: readonly string[]): Json {
  const out: Json = {};
  for (const f of fields) {
    const v = clean(api[f]);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** The last segment of a self link (`…/regions/europe-west1` → `europe-west1`). */
export const lastSegment = (link: string): string => link.split('/').pop() ?? link;

/** The region of a regional resource, as the model holds it (a name); absent for global ones. */
export function regionOf(api: Json): { region?: string } {
  return typeof api.region === 'string' && api.region !== '' ? { region: lastSegment(api.region) } : {};
}

/** Fields of model values that are not Compute fields, or are the request's scope rather than the body. */
const NOT_API = ['region', 'zone', 'pool', 'secret', 'routes', 'fingerprint', 'labelFingerprint'];

/** The request body for a model value: without scope, Portico-only fields and `routes` in route rules. */
export function toApi(value: object, drop: readonly string[] = []): Json {
  const strip = (v: unknown, top: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => strip(x, false));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !(top && drop.includes(k)) && !(top ? NOT_API : ['routes']).includes(k))
          .map(([k, x]) => [k, strip(x, false)]),
      );
    return v;
  };
  return strip(value, true) as Json;
}
