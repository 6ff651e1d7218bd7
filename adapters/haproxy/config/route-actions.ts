// What a route does once selected: filters, backend choice (weighted split), redirect, fixed
// response, timeouts. A route that only forwards to one pool needs no rule (its map value or ACL
// result is the backend name); any other route is selected by its tag and these rules key off it.

import type * as ir from '#core/ir/load-balancer.js';
import { HELPER_BACKENDS } from '../naming.js';
import { corsLines } from './cors.js';
import {
  configWord,
  hostname,
  integer,
  logFormatLiteral,
  logFormatWord,
  regexLiteral,
  regexWord,
  UnsafeValueError,
} from './escape.js';
import { atField, FieldError } from './field-error.js';
import { requestPath } from './route-match.js';

export interface CompiledAction {
  /** Set when no rule is needed: the backend (or helper backend) to select directly. */
  target?: string;
  request: string[];
  response: string[];
  /** Header bytes the route's modifiers can add to a request and to a response (all filters counted). */
  headerBytes: { request: number; response: number };
  /**
   * Entries of the frontend's targets map (`<tag>/<i>` → backend) and weights map (`<tag>` → total,
   * `<tag>/<i>` → cumulative weight) that a weighted split reads: which backend a share goes to and
   * how large it is are map contents, so changing them is a runtime map change, not a reload.
   */
  targets: { key: string; value: string }[];
  weights: { key: string; value: string }[];
}

/**
 * The most header bytes one route may add to one message. HAProxy must hold a whole header block
 * in one buffer, so materialize sizes tune.bufsize for the largest route (every connection pays for
 * it); beyond this the route is refused rather than accepted and answered with 500.
 */
export const MAX_ADDED_HEADER_BYTES = 32_768;
/** Per added header, beyond its name and value: `: `, CRLF, and HAProxy's own block overhead. */
const HEADER_OVERHEAD = 32;

export interface ActionContext {
  listener: ir.Listener;
  tag: string;
  /** The backend name for a pool of this frontend's mode, or undefined when it cannot be used. */
  backend: (pool: string | null) => string | undefined;
  /** The route's own element-wise prefix (`` = all), for ReplacePrefixMatch; undefined if not Prefix. */
  prefix: string | undefined;
  /** The frontend's targets and weights maps (map_str, map_str_int), as paths in the config. */
  maps: { targets: string; weights: string };
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function headerName(value: string): string {
  if (!HEADER_NAME.test(value)) throw new UnsafeValueError('header name', 'not an HTTP header name');
  return configWord(value, 'header name');
}

/** Rules for an HTTP route; throws FieldError naming the field that cannot be written safely. */
export function compileHttpAction(route: ir.Route, ctx: ActionContext): CompiledAction {
  const { action } = route;
  const cond = `if { var(txn.rt) -m str ${ctx.tag} }`;
  const live =
    action.type === 'forward' ? action.backends.flatMap((b, i) => (b.weight > 0 ? [{ b, i }] : [])) : [];
  const simple =
    action.type === 'forward' &&
    route.filters.length === 0 &&
    route.timeouts === undefined &&
    live.length <= 1 &&
    (live[0]?.b.filters.length ?? 0) === 0;
  if (simple) {
    const target = live[0] ? ctx.backend(live[0].b.pool) : undefined;
    return {
      target: target ?? HELPER_BACKENDS.error,
      request: [],
      response: [],
      headerBytes: { request: 0, response: 0 },
      targets: [],
      weights: [],
    };
  }

  const out: CompiledAction = {
    request: [],
    response: [],
    headerBytes: { request: 0, response: 0 },
    targets: [],
    weights: [],
  };
  route.filters.forEach((f, i) => {
    filterLines(f, `filters[${i}]`, cond, ctx, out);
  });

  if (action.type === 'forward') {
    if (live.length === 0)
      out.request.push(`http-request set-var(txn.be) str(${HELPER_BACKENDS.error}) ${cond}`);
    else if (live.length === 1) out.request.push(`http-request set-var(txn.bi) int(${live[0]!.i}) ${cond}`);
    else {
      // rand % total < cumulative weight of share i, first such i; total and cumulative weights
      // come from the weights map, so only which shares are live is in the config.
      const total = live.reduce((s, x) => s + x.b.weight, 0);
      atField('action.backends', () => integer(total, 1, 2 ** 31 - 1, 'total weight'));
      const weights = ctx.maps.weights;
      out.weights.push({ key: ctx.tag, value: String(total) });
      out.request.push(`http-request set-var(txn.tot) str(${ctx.tag}),map_str_int(${weights}) ${cond}`);
      out.request.push(`http-request set-var(txn.rnd) rand,mod(txn.tot) ${cond}`);
      let cum = 0;
      for (const { b, i } of live) {
        cum += b.weight;
        out.weights.push({ key: `${ctx.tag}/${i}`, value: String(cum) });
        out.request.push(
          `http-request set-var(txn.cum) str(${ctx.tag}/${i}),map_str_int(${weights}) ${cond} !{ var(txn.bi) -m found }`,
          `http-request set-var(txn.bi) int(${i}) ${cond} { var(txn.rnd),sub(txn.cum) -m int lt 0 } !{ var(txn.bi) -m found }`,
        );
      }
    }
    for (const { b, i } of live) {
      const chosen = `${cond} { var(txn.bi) -m int eq ${i} }`;
      // An unresolved or unusable pool answers 500 for its share (IR: pool null → 500).
      const be = ctx.backend(b.pool) ?? HELPER_BACKENDS.error;
      out.targets.push({ key: `${ctx.tag}/${i}`, value: be });
      out.request.push(
        `http-request set-var(txn.be) str(${ctx.tag}/${i}),map_str(${ctx.maps.targets}) ${chosen}`,
      );
      for (const [j, f] of b.filters.entries())
        filterLines(f, `action.backends[${i}].filters[${j}]`, chosen, ctx, out);
    }
    const t = route.timeouts;
    const ms = [t?.requestMs, t?.backendRequestMs].filter((x): x is number => x !== undefined);
    if (ms.length > 0) {
      // set-timeout is a backend action in 2.6: every HTTP backend applies txn.tmo (materialize).
      const v = atField('timeouts', () => integer(Math.min(...ms), 1, 2 ** 31 - 1, 'timeout'));
      out.request.push(`http-request set-var(txn.tmo) int(${v}) ${cond}`);
    }
  } else if (action.type === 'redirect') {
    if (action.path) pathLines(action.path, 'action.path', cond, ctx, out);
    const scheme = action.scheme ?? (ctx.listener.protocol === 'HTTPS' ? 'https' : 'http');
    const defaultPort = scheme === 'https' ? 443 : 80;
    // Gateway API: no port given → the scheme's port if the scheme changes, else the listener's.
    const port = action.port ?? (action.scheme !== undefined ? defaultPort : ctx.listener.port);
    const host =
      action.hostname !== undefined
        ? atField('action.hostname', () => logFormatLiteral(precise(action.hostname!)))
        : '%[var(txn.host)]';
    const portPart =
      port === defaultPort ? '' : `:${atField('action.port', () => integer(port, 1, 65535, 'port'))}`;
    const location = `${scheme}://${host}${portPart}%[pathq]`;
    const code = action.statusCode;
    if (![301, 302, 303, 307, 308].includes(code))
      throw new FieldError(
        'action.statusCode',
        'redirect',
        'HAProxy redirects with 301, 302, 303, 307 or 308',
      );
    out.request.push(`http-request redirect location ${configWord(location)} code ${code} ${cond}`);
  } else {
    const status = Number(atField('action.statusCode', () => integer(action.statusCode, 200, 599, 'status')));
    const body =
      status === 204 || status === 304 || action.reason === ''
        ? ''
        : ` content-type text/plain string ${atField('action.reason', () => configWord(action.reason, 'reason'))}`;
    out.request.push(`http-request return status ${status}${body} ${cond}`);
  }
  for (const side of ['request', 'response'] as const)
    if (out.headerBytes[side] > MAX_ADDED_HEADER_BYTES)
      throw new FieldError(
        'filters',
        'header-size',
        `the header modifiers add up to ${out.headerBytes[side]} bytes to a ${side}; HAProxy serves at most ${MAX_ADDED_HEADER_BYTES}`,
      );
  return out;
}

function precise(value: string): string {
  if (value.startsWith('*')) throw new UnsafeValueError('hostname', 'a wildcard is not a hostname');
  return hostname(value);
}

function filterLines(
  f: ir.Filter,
  field: string,
  cond: string,
  ctx: ActionContext,
  out: CompiledAction,
): void {
  if (f.type === 'RequestHeaderModifier' || f.type === 'ResponseHeaderModifier') {
    const side = f.type === 'RequestHeaderModifier' ? 'http-request' : 'http-response';
    const lines = side === 'http-request' ? out.request : out.response;
    for (const h of [...f.set, ...f.add])
      out.headerBytes[side === 'http-request' ? 'request' : 'response'] +=
        Buffer.byteLength(h.name) + Buffer.byteLength(h.value) + HEADER_OVERHEAD;
    f.set.forEach((h, i) => {
      const name = atField(`${field}.set[${i}].name`, () => headerName(h.name));
      const value = atField(`${field}.set[${i}].value`, () => logFormatWord(h.value, 'header value'));
      lines.push(`${side} set-header ${name} ${value} ${cond}`);
    });
    f.add.forEach((h, i) => {
      const name = atField(`${field}.add[${i}].name`, () => headerName(h.name));
      const value = atField(`${field}.add[${i}].value`, () => logFormatWord(h.value, 'header value'));
      lines.push(`${side} add-header ${name} ${value} ${cond}`);
    });
    f.remove.forEach((h, i) => {
      lines.push(`${side} del-header ${atField(`${field}.remove[${i}]`, () => headerName(h))} ${cond}`);
    });
  } else if (f.type === 'URLRewrite') {
    if (f.hostname !== undefined) {
      const host = atField(`${field}.hostname`, () => logFormatWord(precise(f.hostname!), 'hostname'));
      out.request.push(`http-request set-header host ${host} ${cond}`);
    }
    if (f.path) pathLines(f.path, `${field}.path`, cond, ctx, out);
  } else if (f.type === 'CORS') {
    const cors = corsLines(f, field, cond);
    out.request.push(...cors.request);
    out.response.push(...cors.response);
    out.headerBytes.response += cors.responseBytes;
  } else {
    throw new FieldError(field, 'filter', `${f.type} is not supported by HAProxy`);
  }
}

/** set-path / replace-path for a path modifier; the query string is kept by both. */
function pathLines(
  p: ir.PathModifier,
  field: string,
  cond: string,
  ctx: ActionContext,
  out: CompiledAction,
): void {
  const value = atField(`${field}.value`, () => requestPath(p.value, 'rewrite path'));
  if (p.type === 'ReplaceFullPath') {
    out.request.push(`http-request set-path ${logFormatWord(value)} ${cond}`);
    return;
  }
  if (ctx.prefix === undefined)
    throw new FieldError(`${field}.type`, 'rewrite path', 'ReplacePrefixMatch needs a Prefix path match');
  // Element-wise: the matched prefix is replaced, the rest (`/...` or nothing) is kept; a replacement
  // of `/` leaves the rest alone. `\1` is a regex back-reference, so the value holds no `\` (checked).
  const prefix = regexLiteral(ctx.prefix);
  const replacement = value.replace(/\/+$/, '');
  const [regex, format] =
    replacement === ''
      ? [`^${prefix}/?(.*)$`, '/\\1']
      : ctx.prefix === ''
        ? ['^(/.+)?/?$', `${logFormatLiteral(replacement)}\\1`]
        : [`^${prefix}(/.*)?$`, `${logFormatLiteral(replacement)}\\1`];
  out.request.push(`http-request replace-path ${regexWord(regex)} ${configWord(format)} ${cond}`);
}

/** TCP and TLS routes only forward; a weighted split picks per connection. */
export function compileTcpAction(
  route: ir.Route,
  ctx: Omit<ActionContext, 'prefix' | 'listener' | 'maps'>,
): CompiledAction {
  const { action } = route;
  if (action.type !== 'forward')
    throw new FieldError('action.type', 'action', `${action.type} is not possible on a TCP/TLS listener`);
  if (route.filters.length > 0 || action.backends.some((b) => b.filters.length > 0))
    throw new FieldError('filters', 'filter', 'filters do not apply to TCP/TLS routes');
  const live = action.backends.filter((b) => b.weight > 0);
  const backend = (pool: string | null) => ctx.backend(pool) ?? HELPER_BACKENDS.tcpReject;
  const none = { request: 0, response: 0 };
  if (live.length <= 1)
    return {
      target: live[0] ? backend(live[0].pool) : HELPER_BACKENDS.tcpReject,
      request: [],
      response: [],
      headerBytes: none,
      targets: [],
      weights: [],
    };
  const cond = `if { var(txn.rt) -m str ${ctx.tag} }`;
  const total = live.reduce((s, b) => s + b.weight, 0);
  atField('action.backends', () => integer(total, 1, 2 ** 31 - 1, 'total weight'));
  const request = [`tcp-request content set-var(txn.rnd) rand(${total}) ${cond}`];
  let cum = 0;
  for (const b of live) {
    cum += b.weight;
    request.push(
      `tcp-request content set-var(txn.be) str(${backend(b.pool)}) ${cond} { var(txn.rnd) -m int lt ${cum} } !{ var(txn.be) -m found }`,
    );
  }
  return { request, response: [], headerBytes: none, targets: [], weights: [] };
}
