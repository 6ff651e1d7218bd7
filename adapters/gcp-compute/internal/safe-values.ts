// Strings from Kubernetes objects are untrusted: a value GCP would refuse makes it refuse the whole URL
// map, so each route is checked before it is rendered and an offending one is left out alone.

import type * as ir from '#core/ir/load-balancer.js';
import { RouteProblem } from './route-problem.js';

/** A host rule host: a name, `*`, or a `*.`/`*-` suffix pattern (the URL map's own rule). */
const HOST = /^(?:\*|\*[-.][a-z0-9.-]*[a-z0-9]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)$/i;
/** RFC 9110 token: header names. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** Printable ASCII and spaces/tabs: no CR, LF or other control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** A path as the URL map takes it: starts with `/`, no spaces, controls, `?` or `#`. */
const PATH = /^\/[\x21-\x22\x24-\x3e\x40-\x7e]*$/;
/** regexMatch length (quotas page, URL maps). */
export const MAX_REGEX_LENGTH = 250;

export function isSafeHost(host: string): boolean {
  return host.length <= 255 && HOST.test(host);
}

export function checkRouteValues(route: ir.Route): void {
  const fail = (feature: string, message: string): never => {
    throw new RouteProblem(feature, message);
  };
  const path = route.match.path;
  if (path?.type === 'RegularExpression') {
    if (path.value.length > MAX_REGEX_LENGTH)
      fail('match/path/RegularExpression', `a regular expression is at most ${MAX_REGEX_LENGTH} characters`);
    if (!FIELD_VALUE.test(path.value)) fail('match/path', 'the path regex holds control characters');
  } else if (path && (!PATH.test(path.value) || path.value.length > 1024))
    fail('match/path', `path ${JSON.stringify(path.value)} is not one a URL map takes`);
  for (const h of route.match.headers) {
    if (!TOKEN.test(h.name)) fail('match/headers', `${JSON.stringify(h.name)} is not an HTTP header name`);
    if (!FIELD_VALUE.test(h.value))
      fail('match/headers', `the value of header ${h.name} holds control characters`);
    if (h.type === 'RegularExpression' && h.value.length > MAX_REGEX_LENGTH)
      fail(
        'match/headers/RegularExpression',
        `a regular expression is at most ${MAX_REGEX_LENGTH} characters`,
      );
  }
  for (const q of route.match.queryParams) {
    if (!FIELD_VALUE.test(q.name) || q.name.length === 0 || !FIELD_VALUE.test(q.value))
      fail('match/query', `query parameter ${JSON.stringify(q.name)} holds control characters`);
    if (q.type === 'RegularExpression' && q.value.length > MAX_REGEX_LENGTH)
      fail('match/query/RegularExpression', `a regular expression is at most ${MAX_REGEX_LENGTH} characters`);
  }
  const backendFilters =
    route.action.type === 'forward' ? route.action.backends.flatMap((b) => b.filters) : [];
  for (const f of [...route.filters, ...backendFilters])
    if (f.type === 'RequestHeaderModifier' || f.type === 'ResponseHeaderModifier')
      for (const h of [...f.set, ...f.add, ...f.remove.map((name) => ({ name, value: '' }))]) {
        if (!TOKEN.test(h.name))
          fail(`filter/${f.type}`, `${JSON.stringify(h.name)} is not an HTTP header name`);
        if (!FIELD_VALUE.test(h.value))
          fail(`filter/${f.type}`, `the value of header ${h.name} holds control characters`);
      }
    else if (f.type === 'URLRewrite') {
      if (f.hostname !== undefined && !isSafeHost(f.hostname))
        fail('filter/URLRewrite/hostname', `${JSON.stringify(f.hostname)} is not a host name`);
      if (f.path && !PATH.test(f.path.value))
        fail('filter/URLRewrite/path', 'the rewrite path is not a URL path');
    } else if (f.type === 'CORS')
      for (const v of [...f.allowOrigins, ...f.allowMethods, ...f.allowHeaders, ...f.exposeHeaders])
        if (v === '' || !FIELD_VALUE.test(v))
          fail('filter/CORS', `CORS value ${JSON.stringify(v)} is empty or holds control characters`);
  const a = route.action;
  if (a.type === 'redirect') {
    if (a.hostname !== undefined && !isSafeHost(a.hostname))
      fail('action/redirect/hostname', `${JSON.stringify(a.hostname)} is not a host name`);
    if (a.path && !PATH.test(a.path.value))
      fail('action/redirect/path', 'the redirect path is not a URL path');
  }
}
