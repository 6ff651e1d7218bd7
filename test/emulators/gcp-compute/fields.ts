// Field checks shared by the resource rules: GCP's name rule, enums, integer ranges, string lengths.
// Each failure is the 400 `invalid` GCP answers, naming the field (`resource.pathMatchers[0].name`).

import { invalid, required } from './errors.js';
import type { Json } from './store.js';

/** RFC 1035 label, the rule for every Compute resource name (and path matcher names). */
export const NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function checkName(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw required(field);
  if (!NAME_PATTERN.test(v))
    throw invalid(field, `'${v}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  return v;
}

export function str(
  field: string,
  v: unknown,
  opts: { min?: number; max?: number } = {},
): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(field, `'${String(v)}' is not a string`);
  if (v.length < (opts.min ?? 0) || v.length > (opts.max ?? 2048))
    throw invalid(field, `'${v.slice(0, 80)}' must hold ${opts.min ?? 0} to ${opts.max ?? 2048} characters`);
  return v;
}

export function requiredStr(field: string, v: unknown, opts: { min?: number; max?: number } = {}): string {
  const s = str(field, v, { min: 1, ...opts });
  if (s === undefined || s === '') throw required(field);
  return s;
}

export function oneOf<T extends string>(field: string, v: unknown, values: readonly T[]): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw invalid(field, `'${String(v)}'. Must be one of [${values.join(', ')}]`);
  return v as T;
}

export function int(field: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw invalid(field, `'${String(v)}'. Must be an integer from ${min} to ${max}`);
  return n;
}

export function list(field: string, v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(field, 'must be a list');
  return v;
}

export function obj(field: string, v: unknown): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(field, 'must be an object');
  return v as Json;
}

/** Exactly one (or at most one, with `optional`) of the named fields is set. */
export function exactlyOne(
  field: string,
  o: Json,
  names: readonly string[],
  optional = false,
): string | undefined {
  const set = names.filter((n) => o[n] !== undefined && o[n] !== null);
  if (set.length > 1)
    throw invalid(field, `only one of [${names.join(', ')}] may be set, got [${set.join(', ')}]`);
  if (set.length === 0 && !optional) throw invalid(field, `one of [${names.join(', ')}] must be set`);
  return set[0];
}
