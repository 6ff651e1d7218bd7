// One attempt of a case judged the way upstream's CompareRequest does (conformance/utils/http/http.go),
// with the README's data rules: status list, then (200/204 only) backend, namespace, what the backend saw
// and the response headers; (3xx only) the redirect target. Pure: returns what differed, or undefined.

import { X509Certificate } from 'node:crypto';
import { type CapturedResponse, goVerifyHostname, isRedirect } from './http-client.js';
import type { CaseExpect, CaseRequest, ExpectedBackendRequest } from './scenario-schema.js';

export interface AttemptContext {
  request: CaseRequest;
  expect: CaseExpect;
  /** Scheme of the request that was sent (`http`/`https`). */
  scheme: string;
  /** The path as sent (incl. query and any appended request id). */
  sentPath: string;
  /** PEM of a `"Secret ns/name (tls.crt)"` reference (for backendRequest.tlsPeerCertificate). */
  certificateOf?: (ref: string) => string;
}

const TIMEOUT_CODES = new Set([408, 504]);

export function compareResponse(ctx: AttemptContext, res: CapturedResponse): string | undefined {
  const { expect } = ctx;
  const statuses = expect.status && expect.status.length > 0 ? expect.status : [200];
  const timeoutEquivalent = TIMEOUT_CODES.has(res.status) && statuses.some((s) => TIMEOUT_CODES.has(s));
  if (!statuses.includes(res.status) && !timeoutEquivalent) {
    return `expected status code to be ${statuses.length === 1 ? statuses[0] : `one of [${statuses.join(', ')}]`}, got ${res.status}`;
  }
  if (expect.redirect && !isRedirect(res.status)) {
    return `expected a redirect (3xx) to ${expect.redirect.locationPattern ?? 'a Location'}, got status ${res.status}`;
  }
  if (res.status === 200 || res.status === 204) return compareBackendSide(ctx, res);
  if (isRedirect(res.status) && expect.redirect) return compareRedirect(ctx, res);
  return undefined;
}

function compareBackendSide(ctx: AttemptContext, res: CapturedResponse): string | undefined {
  if (res.echo) return compareEcho(ctx, res, res.echo);
  // Upstream: a body that is not echo JSON leaves the captured request empty (method = the request's), so
  // `namespace: ""` with `path: ""` asserts that the gateway itself answered.
  const empty = {
    path: '',
    host: '',
    method: ctx.request.method ?? 'GET',
    namespace: '',
    pod: '',
    headers: {},
  };
  const why = compareEcho(ctx, res, empty);
  return (
    why &&
    `${why} (the response is not an echo body: Content-Type ${JSON.stringify(res.contentType ?? null)})`
  );
}

function compareEcho(
  ctx: AttemptContext,
  res: CapturedResponse,
  echo: NonNullable<CapturedResponse['echo']>,
): string | undefined {
  const { expect, request } = ctx;
  const br: ExpectedBackendRequest = expect.backendRequest ?? {
    source: 'defaulted-from-request',
    method: request.method ?? 'GET',
    host: request.host,
    path: ctx.sentPath,
    headers: request.headers ?? null,
    absentHeaders: [],
  };
  if (br.host !== null && br.host !== undefined && br.host !== '' && br.host !== echo.host) {
    return `expected host to be ${br.host}, got ${echo.host}`;
  }
  const expectedPath = br.path ?? undefined;
  if (expectedPath !== undefined && expectedPath !== echo.path) {
    return `expected path to be ${expectedPath}, got ${echo.path}`;
  }
  const method = br.method || 'GET';
  if (method !== echo.method) return `expected method to be ${method}, got ${echo.method}`;
  if (expect.namespace !== null && expect.namespace !== undefined && expect.namespace !== echo.namespace) {
    return `expected namespace to be ${expect.namespace}, got ${echo.namespace}`;
  }
  const reqHeaders = lowerCaseKeys(echo.headers ?? {});
  for (const [name, want] of Object.entries(br.headers ?? {})) {
    const got = reqHeaders[name.toLowerCase()];
    if (!got)
      return `expected ${name} header to be set on the backend request, actual headers: ${fmt(echo.headers)}`;
    if (got.join(',') !== want) {
      return `expected ${name} header on the backend request to be ${JSON.stringify(want)}, got ${JSON.stringify(got.join(','))}`;
    }
  }
  for (const [name, want] of Object.entries(expect.responseHeaders ?? {})) {
    const got = res.headers[name.toLowerCase()];
    if (!got) return `expected response header ${name} to be set, actual headers: ${fmt(res.headers)}`;
    if (got.join(',') !== want) {
      return `expected response header ${name} to be ${JSON.stringify(want)}, got ${JSON.stringify(got.join(','))}`;
    }
  }
  for (const name of expect.absentResponseHeaders ?? []) {
    const got = res.headers[name.toLowerCase()];
    if (got) return `expected response header ${name} to not be set, got ${JSON.stringify(got.join(','))}`;
  }
  for (const name of br.absentHeaders ?? []) {
    const got = reqHeaders[name.toLowerCase()];
    if (got)
      return `expected ${name} header to not be set on the backend request, got ${JSON.stringify(got.join(','))}`;
  }
  const backend = expect.backend ?? '';
  if (!(echo.pod ?? '').startsWith(backend)) {
    return `expected pod name to start with ${backend}, got ${echo.pod ?? '(none)'} (wrong backend)`;
  }
  const fromHeader = expect.backendFromRequestHeader;
  if (fromHeader) {
    const values = reqHeaders[fromHeader.toLowerCase()] ?? [];
    if (values.length !== 1)
      return `expected exactly one ${fromHeader} header on the backend request, got ${JSON.stringify(values)}`;
    if (!(echo.pod ?? '').startsWith(values[0] ?? ''))
      return `expected pod name to start with ${values[0]} (from ${fromHeader}), got ${echo.pod ?? '(none)'}`;
  }
  const squash = (v: string) => (expect.ignoreWhitespace ? v.replaceAll(' ', '') : v);
  for (const [name, allowed] of Object.entries(expect.validResponseHeaderValues ?? {})) {
    const got = res.headers[name.toLowerCase()];
    if (!got) return `expected response header ${name} to be set, actual headers: ${fmt(res.headers)}`;
    if (!allowed.some((a) => squash(a) === squash(got.join(','))))
      return `expected response header ${name} to be one of ${JSON.stringify(allowed)}, got ${JSON.stringify(got.join(','))}`;
  }
  const tls = (echo as { tls?: { serverName?: string; peerCertificates?: string[] } }).tls;
  if (br.tlsServerName !== null && br.tlsServerName !== undefined) {
    if (!tls)
      return `expected the backend to be reached over TLS with SNI ${br.tlsServerName}, but it was reached in clear text`;
    if (tls.serverName !== br.tlsServerName)
      return `expected the backend to see SNI ${JSON.stringify(br.tlsServerName)}, got ${JSON.stringify(tls.serverName)}`;
  }
  if (br.tlsPeerCertificate) {
    const want = ctx.certificateOf?.(br.tlsPeerCertificate);
    if (!want) return `cannot resolve ${br.tlsPeerCertificate}`;
    const wantDer = new X509Certificate(want).raw;
    const presented = (tls?.peerCertificates ?? []).some((pem) =>
      new X509Certificate(pem).raw.equals(wantDer),
    );
    if (!presented)
      return `expected the backend to receive the client certificate of ${br.tlsPeerCertificate}`;
  }
  return undefined;
}

/**
 * The Ingress suite's assertions: only the fields present are checked; for a status other than 200 nothing
 * else is.
 */
export function compareIngressResponse(expect: CaseExpect, res: CapturedResponse): string | undefined {
  const want = expect.status?.[0];
  if (want !== undefined && res.status !== want) return `expected status code ${want}, got ${res.status}`;
  if (res.status !== 200) return undefined;
  if (expect.tlsCertificateHostname) {
    const cert = res.peerCertificate;
    if (!cert) return 'expected a TLS certificate from the server, got none';
    const firstDns = (cert.subjectaltname ?? '').split(', ').find((s) => s.startsWith('DNS:'));
    if (!firstDns) return `the server certificate has no DNS SAN (upstream's client would panic)`;
    if (firstDns.slice(4) !== expect.tlsCertificateHostname)
      return `expected the certificate's first DNS SAN to be ${expect.tlsCertificateHostname}, got ${firstDns.slice(4)}`;
    const why = goVerifyHostname(expect.tlsCertificateHostname, cert);
    if (why) return why.message;
  }
  if (expect.responseProto && res.proto !== expect.responseProto)
    return `expected response proto ${expect.responseProto}, got ${res.proto}`;
  for (const [name, value] of Object.entries(expect.responseHeadersPresent ?? {})) {
    const got = res.headers[name.toLowerCase()];
    if (!got) return `expected response header ${name}, actual headers: ${fmt(res.headers)}`;
    if (value !== '*' && !got.includes(value))
      return `expected response header ${name}: ${value}, got ${JSON.stringify(got)}`;
  }
  const echo = res.echo;
  const br = expect.backendRequest;
  if ((expect.service || br) && !echo)
    return `expected an echo body, got Content-Type ${JSON.stringify(res.contentType ?? null)}`;
  if (expect.service && echo?.service !== expect.service)
    return `expected the response to be served by service ${expect.service}, got ${JSON.stringify(echo?.service)}`;
  if (br && echo) {
    const fields: [string, unknown, unknown][] = [
      ['host', br.host, echo.host],
      ['method', br.method, echo.method],
      ['path', br.path, echo.path],
      ['proto', br.proto, echo.proto],
    ];
    for (const [field, w, g] of fields)
      if (w !== undefined && w !== null && w !== g)
        return `expected request ${field} ${JSON.stringify(w)}, got ${JSON.stringify(g)}`;
    const headers = lowerCaseKeys(echo.headers ?? {});
    for (const [name, value] of Object.entries(br.headersPresent ?? {})) {
      const got = headers[name.toLowerCase()];
      if (!got) return `expected request header ${name}, the backend saw ${fmt(echo.headers)}`;
      if (value !== '*' && !got.includes(value))
        return `expected request header ${name}: ${value}, got ${JSON.stringify(got)}`;
    }
  }
  return undefined;
}

function compareRedirect(ctx: AttemptContext, res: CapturedResponse): string | undefined {
  const want = ctx.expect.redirect;
  const got = res.redirect;
  if (!want || !got) return undefined;
  const defaulted = new Set(want.defaulted ?? []);
  const where = `Location ${JSON.stringify(res.headers.location?.[0] ?? '')}${want.locationPattern ? ` (want ${want.locationPattern})` : ''}`;
  if (want.host !== null && want.host !== undefined && want.host !== '' && want.host !== got.host) {
    return `expected redirected hostname to be ${JSON.stringify(want.host)}, got ${JSON.stringify(got.host)}; ${where}`;
  }
  const wantPort = want.port === null || want.port === undefined ? '' : String(want.port);
  if (wantPort === '') {
    const scheme = got.scheme.toLowerCase();
    if (scheme === 'http' && got.port !== '80' && got.port !== '') {
      return `for http scheme, expected redirected port to be 80 or not set, got ${JSON.stringify(got.port)}; ${where}`;
    }
    if (scheme === 'https' && got.port !== '443' && got.port !== '') {
      return `for https scheme, expected redirected port to be 443 or not set, got ${JSON.stringify(got.port)}; ${where}`;
    }
  } else if (wantPort !== got.port) {
    return `expected redirected port to be ${JSON.stringify(wantPort)}, got ${JSON.stringify(got.port)}; ${where}`;
  }
  const wantScheme = defaulted.has('scheme') || !want.scheme ? ctx.scheme : want.scheme;
  if (wantScheme !== got.scheme) {
    return `expected redirected scheme to be ${JSON.stringify(wantScheme)}, got ${JSON.stringify(got.scheme)}; ${where}`;
  }
  const requestPath = (ctx.request.path ?? '/').split('?')[0] || '/';
  const wantPath = defaulted.has('path') || !want.path ? requestPath : want.path;
  if (wantPath !== got.path) {
    return `expected redirected path to be ${JSON.stringify(wantPath)}, got ${JSON.stringify(got.path)}; ${where}`;
  }
  return undefined;
}

function lowerCaseKeys(h: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = [...(out[k.toLowerCase()] ?? []), ...v];
  return out;
}

function fmt(h: Record<string, string[]> | undefined): string {
  return JSON.stringify(h ?? {});
}
