// One attempt of a case judged the way upstream's CompareRequest does (conformance/utils/http/http.go),
// with the README's data rules: status list, then (200/204 only) backend, namespace, what the backend saw
// and the response headers; (3xx only) the redirect target. Pure: returns what differed, or undefined.

import { type CapturedResponse, isRedirect } from './http-client.js';
import type { CaseExpect, CaseRequest, ExpectedBackendRequest } from './scenario-schema.js';

export interface AttemptContext {
  request: CaseRequest;
  expect: CaseExpect;
  /** Scheme of the request that was sent (`http`/`https`). */
  scheme: string;
  /** The path as sent (incl. query and any appended request id). */
  sentPath: string;
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
  const { expect, request } = ctx;
  const br: ExpectedBackendRequest = expect.backendRequest ?? {
    source: 'defaulted-from-request',
    method: request.method ?? 'GET',
    host: request.host,
    path: ctx.sentPath,
    headers: request.headers ?? null,
    absentHeaders: [],
  };
  const echo = res.echo;
  if (!echo) {
    return `expected an echo-basic JSON body from ${expect.backend ?? 'a backend'}, got Content-Type ${JSON.stringify(res.contentType ?? null)} (not from an echo backend)`;
  }
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
  const requestPath = ctx.request.path.split('?')[0] || '/';
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
