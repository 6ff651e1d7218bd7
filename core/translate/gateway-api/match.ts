import type { HeaderMatch, Match, PathMatch, QueryParamMatch } from '#core/ir/load-balancer.js';
import type { HTTPRouteMatch } from '#core/model/gateway-api.js';
import { checkHeaderValue, checkPathValue, checkQueryParamName, checkRegex } from './validate-strings.js';

export type MatchResult = { ok: true; match: Match } | { ok: false; field: string; message: string };

/**
 * One HTTPRoute match in IR form. No path means `PathPrefix /`. Header names compare
 * case-insensitively and query names case-sensitively; when a name repeats, only the first entry
 * counts, as the spec requires.
 */
export function translateHttpMatch(m: HTTPRouteMatch, field: string): MatchResult {
  const path = translatePath(m.path?.type ?? 'PathPrefix', m.path?.value ?? '/');
  if (typeof path === 'string') return { ok: false, field: `${field}.path.value`, message: path };

  const headers: HeaderMatch[] = [];
  for (const [i, h] of (m.headers ?? []).entries()) {
    const name = h.name.toLowerCase();
    if (headers.some((x) => x.name === name)) continue;
    const type = h.type ?? 'Exact';
    const problem = type === 'Exact' ? checkHeaderValue(h.value) : checkRegex(h.value);
    if (problem) return { ok: false, field: `${field}.headers[${i}].value`, message: problem };
    headers.push({ name, type, value: h.value });
  }

  const queryParams: QueryParamMatch[] = [];
  for (const [i, q] of (m.queryParams ?? []).entries()) {
    if (queryParams.some((x) => x.name === q.name)) continue;
    const nameProblem = checkQueryParamName(q.name);
    if (nameProblem) return { ok: false, field: `${field}.queryParams[${i}].name`, message: nameProblem };
    const type = q.type ?? 'Exact';
    const problem = type === 'Exact' ? checkHeaderValue(q.value) : checkRegex(q.value);
    if (problem) return { ok: false, field: `${field}.queryParams[${i}].value`, message: problem };
    queryParams.push({ name: q.name, type, value: q.value });
  }

  return { ok: true, match: { path, headers, queryParams, ...(m.method ? { method: m.method } : {}) } };
}

/** Returns the IR path match, or a problem description. */
export function translatePath(
  type: 'Exact' | 'PathPrefix' | 'RegularExpression',
  value: string,
): PathMatch | string {
  if (type === 'RegularExpression') return checkRegex(value) ?? { type, value };
  const problem = checkPathValue(value);
  if (problem) return problem;
  if (type === 'Exact') return { type: 'Exact', value };
  // Element-wise prefix: `/foo/` and `/foo` mean the same.
  return { type: 'Prefix', value: value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value };
}
