// IR match → ALB rule conditions. Kubernetes paths and values are literal while ALB `values` are globs
// (`*`, `?`), so literal wildcards are rejected (paths, headers) or escaped (query strings, where ALB
// documents a backslash escape) rather than silently widened.

import type * as ir from '#core/ir/load-balancer.js';
import { ELBV2_LIMITS } from '../capabilities.js';
import type { RuleCondition } from '../model.js';
import { RouteError } from './route-error.js';

/** Characters ALB accepts in a path-pattern value (besides the `*` and `?` wildcards). */
const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&]*$/;
const HOST_CHARS = /^[A-Za-z0-9.*-]+$/;
/** RFC 7230 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z_-]+$/;

function maxLength(value: string, field: string): string {
  if (value.length > ELBV2_LIMITS.conditionValueLength)
    throw new RouteError(
      'LimitExceeded',
      'match/value-length',
      field,
      `${field} is ${value.length} characters; ALB condition values hold at most ${ELBV2_LIMITS.conditionValueLength}`,
    );
  return value;
}

function literalPath(value: string, field: string): string {
  if (/[*?]/.test(value))
    throw new RouteError(
      'UnsupportedValue',
      'match/path/wildcard-character',
      field,
      `path ${JSON.stringify(value)} contains * or ?, which ALB path patterns treat as wildcards`,
    );
  if (!PATH_CHARS.test(value))
    throw new RouteError(
      'UnsupportedValue',
      'match/path/character',
      field,
      `path ${JSON.stringify(value)} contains characters ALB path patterns do not accept`,
    );
  return maxLength(value, field);
}

/** `/foo` (element-wise) → `/foo` and `/foo/*`; `/` → `/*`. A trailing `/` in the value is ignored. */
export function prefixPatterns(value: string, field = 'match.path.value'): string[] {
  const base = value.replace(/\/+$/, '');
  if (base === '') return ['/*'];
  literalPath(base, field);
  return [base, maxLength(`${base}/*`, field)];
}

export function hostCondition(hostname: string): RuleCondition {
  const field = 'hostname';
  // `*.a.com` is ALB's own glob; any other `*` or `?` cannot come from a valid Kubernetes hostname.
  const rest = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  if (!HOST_CHARS.test(rest) || /[*?]/.test(rest) || !rest.includes('.') || !/\.[A-Za-z]+$/.test(rest))
    throw new RouteError(
      'UnsupportedValue',
      'match/hostname/value',
      field,
      `hostname ${JSON.stringify(hostname)}: ALB host conditions need a dot and letters after the last dot`,
    );
  return { field: 'host-header', values: [maxLength(hostname, field)] };
}

/** Conditions in ALB's evaluation-neutral order: host, path, method, headers, query. */
export function matchConditions(route: ir.Route): RuleCondition[] {
  const out: RuleCondition[] = [];
  if (route.hostname !== undefined) out.push(hostCondition(route.hostname));
  const { path, headers, queryParams, method } = route.match;
  if (path) {
    const field = 'match.path.value';
    if (path.type === 'Exact') out.push({ field: 'path-pattern', values: [literalPath(path.value, field)] });
    else if (path.type === 'Prefix') {
      const values = prefixPatterns(path.value, field);
      // `/*` matches everything: the condition would only cost a value.
      if (!(values.length === 1 && values[0] === '/*')) out.push({ field: 'path-pattern', values });
    } else out.push({ field: 'path-pattern', regexValues: [maxLength(path.value, field)] });
  }
  if (method !== undefined) {
    if (!METHOD.test(method) || method.length > 40)
      throw new RouteError('UnsupportedValue', 'match/method/value', 'match.method', `method ${method}`);
    out.push({ field: 'http-request-method', values: [method] });
  }
  headers.forEach((h, i) => {
    const field = `match.headers[${i}]`;
    if (!HEADER_NAME.test(h.name) || h.name.length > 40 || h.name === 'host')
      throw new RouteError(
        'UnsupportedValue',
        'match/headers/name',
        `${field}.name`,
        `header name ${JSON.stringify(h.name)} cannot be matched by ALB (≤40 token characters, not host)`,
      );
    if (h.type === 'RegularExpression')
      out.push({ field: 'http-header', httpHeaderName: h.name, regexValues: [maxLength(h.value, field)] });
    else {
      if (/[*?]/.test(h.value))
        throw new RouteError(
          'UnsupportedValue',
          'match/headers/wildcard-character',
          `${field}.value`,
          `header value ${JSON.stringify(h.value)} contains * or ?, which ALB treats as wildcards`,
        );
      out.push({ field: 'http-header', httpHeaderName: h.name, values: [maxLength(h.value, field)] });
    }
  });
  if (queryParams.length > 0) {
    const values = queryParams.map((q, i) => {
      const field = `match.queryParams[${i}]`;
      if (q.name.includes('\\') || q.value.includes('\\'))
        throw new RouteError(
          'UnsupportedValue',
          'match/query/backslash',
          field,
          'backslash in a query match',
        );
      return { key: maxLength(escapeGlob(q.name), field), value: maxLength(escapeGlob(q.value), field) };
    });
    // Each key/value pair is its own condition: several pairs in one condition would be OR-ed.
    for (const v of values) out.push({ field: 'query-string', values: [v] });
  }
  return out;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?]/g, (c) => `\\${c}`);
}

/** What a rule costs against ALB's per-rule quotas. */
export function conditionCost(conditions: readonly RuleCondition[]): {
  values: number;
  maxPerCondition: number;
  wildcards: number;
} {
  let values = 0;
  let maxPerCondition = 0;
  let wildcards = 0;
  for (const c of conditions) {
    const strings =
      c.field === 'query-string'
        ? c.values.flatMap((v) => [v.key, v.value])
        : 'values' in c
          ? c.values
          : c.regexValues;
    const n = 'values' in c ? c.values.length : c.regexValues.length;
    values += n;
    maxPerCondition = Math.max(maxPerCondition, n);
    if (!('regexValues' in c))
      for (const s of strings) wildcards += (s.replace(/\\[*?]/g, '').match(/[*?]/g) ?? []).length;
  }
  return { values, maxPerCondition, wildcards };
}
