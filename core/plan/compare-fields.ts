import { diffPaths, pathCovers } from './diff-paths.js';
import type { Comparison } from './types.js';

export interface CompareFieldsOptions {
  /** Fields the provider cannot change in place (a difference under them forces a replace). */
  replaceOn?: readonly string[];
  /** Fields that are not Portico's to compare (provider defaults, read-only status). */
  ignore?: readonly string[];
}

/** The usual compare for a DiffSpec: a field-by-field diff of two JSON values. */
export function compareFields(
  desired: unknown,
  observed: unknown,
  opts: CompareFieldsOptions = {},
): Comparison {
  const ignore = opts.ignore ?? [];
  const paths = diffPaths(desired, observed).filter(
    (p) => !ignore.some((i) => p === i || p.startsWith(`${i}.`) || p.startsWith(`${i}[`)),
  );
  if (paths.length === 0) return { equal: true };
  const replacePaths = paths.filter((p) => (opts.replaceOn ?? []).some((r) => pathCovers(r, p)));
  return replacePaths.length > 0
    ? { equal: false, paths, replace: true, replacePaths }
    : { equal: false, paths, replace: false };
}
