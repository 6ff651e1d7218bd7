import type { CorsFilter } from '#core/ir/load-balancer.js';
import type { HTTPRouteFilter } from '#core/model/gateway-api.js';

type CorsSpec = NonNullable<HTTPRouteFilter['cors']>;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** `scheme://host[:port]`, host a DNS name that may start with `*.`; or `*` alone. */
const ORIGIN =
  /^(https?):\/\/(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** The API's default for `maxAge` (seconds). */
const DEFAULT_MAX_AGE = 5;

/**
 * Checks an HTTPRoute CORS filter (GEP-1767) and normalises it for the IR: origins and header names
 * are validated (they end up in response headers), `*` must stand alone in a list, and methods are
 * the HTTP methods the API names.
 */
export function translateCors(
  spec: CorsSpec,
  field: string,
): { filter: CorsFilter } | { field: string; message: string } {
  const origins = spec.allowOrigins ?? [];
  for (const [i, o] of origins.entries()) {
    if (o === '*') continue;
    const m = ORIGIN.exec(o);
    const port = m?.[6] ? Number(m[6].slice(1)) : undefined;
    if (!m || (port !== undefined && (port < 1 || port > 65535)))
      return {
        field: `${field}.allowOrigins[${i}]`,
        message: 'must be "*" or scheme://host[:port] with scheme http or https and a lower-case DNS host',
      };
  }
  const methods = spec.allowMethods ?? [];
  for (const [i, m] of methods.entries()) {
    if (m !== '*' && !METHODS.has(m))
      return {
        field: `${field}.allowMethods[${i}]`,
        message: 'must be an HTTP method in upper case, or "*"',
      };
  }
  for (const list of ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders'] as const) {
    const values = spec[list] ?? [];
    if (values.includes('*') && values.length > 1)
      return { field: `${field}.${list}`, message: '"*" must be the only value when it is used' };
  }
  for (const list of ['allowHeaders', 'exposeHeaders'] as const) {
    for (const [i, h] of (spec[list] ?? []).entries()) {
      if (h !== '*' && !HEADER_NAME.test(h))
        return { field: `${field}.${list}[${i}]`, message: 'must be an HTTP header name or "*"' };
    }
  }
  return {
    filter: {
      type: 'CORS',
      allowOrigins: dedupe(origins),
      allowCredentials: spec.allowCredentials ?? false,
      allowMethods: dedupe(methods),
      allowHeaders: dedupe(spec.allowHeaders ?? []),
      exposeHeaders: dedupe(spec.exposeHeaders ?? []),
      maxAgeSeconds: spec.maxAge ?? DEFAULT_MAX_AGE,
    },
  };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
