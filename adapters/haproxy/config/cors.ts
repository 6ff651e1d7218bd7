// The HTTPRoute CORS filter. A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
// from an allowed origin is answered by HAProxy itself (204 with the Access-Control-Allow-* headers);
// an actual request from an allowed origin is forwarded and its answer gets Access-Control-Allow-Origin,
// -Credentials and -Expose-Headers. Requests from other origins pass untouched (no CORS headers: the
// browser refuses them). The allowed origin is remembered per request (txn.cors_o), so the echoed
// value is always one that matched the filter.
//
// Origins are untrusted text: each must be `scheme://host[:port]` with a DNS host (escape.hostname),
// `*.` wildcards becoming an any-depth label regex, so nothing else reaches a pattern (which is why
// these patterns may sit in anonymous `{ }` ACLs: none can be `}` or start with `-`).

import type * as ir from '#core/ir/load-balancer.js';
import { hostname, integer, logFormatWord, regexLiteral, regexWord, UnsafeValueError } from './escape.js';
import { atField } from './field-error.js';

export interface CorsLines {
  request: string[];
  response: string[];
  /** Header bytes the filter can add to a response. */
  responseBytes: number;
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([^:/]+)(?::(\d{1,5}))?$/;
/** Per header: name, `: `, CRLF and HAProxy's block overhead (as route-actions counts). */
const HEADER_OVERHEAD = 32;

/** One allowed origin as an exact value or a regex; throws UnsafeValueError when it is neither. */
export function originPattern(origin: string): { exact: string } | { regex: string } {
  const m = ORIGIN.exec(origin.toLowerCase());
  if (!m) throw new UnsafeValueError('origin', `not scheme://host[:port]: ${JSON.stringify(origin)}`);
  const [, scheme, wildcard, host, port] = m;
  const name = hostname(host!, 'origin host');
  const portPart = port === undefined ? '' : `:${integer(Number(port), 1, 65535, 'origin port')}`;
  if (!wildcard) return { exact: `${scheme}://${name}${portPart}` };
  // Any depth, as the Gateway API says: `https://*.b.com` allows `https://a.b.com` and `https://x.a.b.com`.
  return {
    regex: `^${regexLiteral(scheme!)}://([a-z0-9-]+\\.)+${regexLiteral(name)}${regexLiteral(portPart)}$`,
  };
}

function tokens(values: readonly string[], kind: string): string[] {
  return values.map((v) => {
    if (!TOKEN.test(v)) throw new UnsafeValueError(kind, `not an HTTP token: ${JSON.stringify(v)}`);
    return v;
  });
}

/** The rules of one CORS filter of the route selected by `cond` (`if { ... }`). */
export function corsLines(f: ir.CorsFilter, field: string, cond: string): CorsLines {
  const anyOrigin = f.allowOrigins.includes('*');
  const patterns = f.allowOrigins
    .filter((o) => o !== '*')
    .map((o, i) => atField(`${field}.allowOrigins[${i}]`, () => originPattern(o)));
  const exact = patterns.flatMap((p) => ('exact' in p ? [p.exact] : []));
  const regex = patterns.flatMap((p) => ('regex' in p ? [p.regex] : []));
  const methods = atField(`${field}.allowMethods`, () => tokens(f.allowMethods, 'method'));
  const headers = atField(`${field}.allowHeaders`, () => tokens(f.allowHeaders, 'header name'));
  const expose = atField(`${field}.exposeHeaders`, () => tokens(f.exposeHeaders, 'header name'));
  const maxAge = atField(`${field}.maxAgeSeconds`, () => integer(f.maxAgeSeconds, 0, 2 ** 31 - 1, 'max age'));

  const origin = 'req.fhdr(origin)';
  const allow = `http-request set-var(txn.cors_o) ${origin} ${cond}`;
  const request: string[] = [];
  if (anyOrigin) request.push(`${allow} { ${origin} -m found }`);
  else {
    if (exact.length > 0)
      request.push(
        `${allow} { ${origin} -m str -i -- ${exact.map((e) => regexWord(e, 'origin')).join(' ')} }`,
      );
    if (regex.length > 0)
      request.push(`${allow} { ${origin} -m reg -i -- ${regex.map((r) => regexWord(r)).join(' ')} }`);
  }
  const allowed = `${cond} { var(txn.cors_o) -m found }`;
  // `*` is literal only without credentials; with them the browser needs the origin itself.
  const allowOrigin = anyOrigin && !f.allowCredentials ? `'*'` : `'%[var(txn.cors_o)]'`;
  // A `*` list is answered with what the preflight asks for, valid with or without credentials.
  const list = (values: string[], echo: string) =>
    values.includes('*') ? `'%[${echo}]'` : logFormatWord(values.join(', '));
  const common = [
    ...(f.allowCredentials ? [`hdr Access-Control-Allow-Credentials 'true'`] : []),
    ...(expose.length > 0 ? [`hdr Access-Control-Expose-Headers ${logFormatWord(expose.join(', '))}`] : []),
  ];
  const preflight = [
    'http-request return status 204',
    `hdr Access-Control-Allow-Origin ${allowOrigin}`,
    ...(methods.length > 0
      ? [`hdr Access-Control-Allow-Methods ${list(methods, 'req.fhdr(access-control-request-method)')}`]
      : []),
    ...(headers.length > 0
      ? [`hdr Access-Control-Allow-Headers ${list(headers, 'req.fhdr(access-control-request-headers)')}`]
      : []),
    ...common,
    `hdr Access-Control-Max-Age ${maxAge}`,
    `hdr Vary 'Origin'`,
    allowed,
    '{ method OPTIONS } { req.hdr(access-control-request-method) -m found }',
  ].join(' ');
  request.push(preflight);

  const response = [
    `http-response set-header Access-Control-Allow-Origin ${allowOrigin} ${allowed}`,
    ...(f.allowCredentials
      ? [`http-response set-header Access-Control-Allow-Credentials 'true' ${allowed}`]
      : []),
    ...(expose.length > 0
      ? [
          `http-response set-header Access-Control-Expose-Headers ${logFormatWord(expose.join(', '))} ${allowed}`,
        ]
      : []),
    `http-response add-header Vary 'Origin' ${allowed}`,
  ];
  const longestOrigin = Math.max(1, ...f.allowOrigins.map((o) => o.length), anyOrigin ? 2_048 : 0);
  const responseBytes =
    longestOrigin +
    (f.allowCredentials ? 4 : 0) +
    Buffer.byteLength(expose.join(', ')) +
    6 +
    HEADER_OVERHEAD * response.length;
  return { request, response, responseBytes };
}
