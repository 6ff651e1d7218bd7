// compareResponse, the judge of one HTTP attempt, on responses the test builds: the status list rules,
// non-echo responses, and the expectation fields the runner tests do not reach over the wire.

import { describe, expect, it } from 'vitest';
import { leafCertificate, selfSignedCertificate } from './certificates.js';
import { type AttemptContext, compareIngressResponse, compareResponse } from './compare-response.js';
import type { CapturedResponse } from './http-client.js';
import type { CaseExpect } from './scenario-schema.js';

const NS = 'gateway-conformance-infra';
const POD = 'infra-backend-v1-7d9f8c6b5-abcde';

function echoResponse(
  over: Partial<CapturedResponse> = {},
  echo: Record<string, unknown> = {},
): CapturedResponse {
  return {
    status: 200,
    headers: { 'content-type': ['application/json'] },
    echo: { path: '/', host: 'example.org', method: 'GET', namespace: NS, pod: POD, headers: {}, ...echo },
    contentType: 'application/json',
    finalUrl: 'http://127.0.0.1/',
    proto: 'HTTP/1.1',
    ...over,
  };
}

function judge(
  expectation: Partial<CaseExpect>,
  res: CapturedResponse,
  certificateOf?: (ref: string) => string,
) {
  const ctx: AttemptContext = {
    request: { method: 'GET', host: 'example.org', path: '/', headers: {} },
    expect: { status: [200], backend: 'infra-backend-v1', namespace: NS, ...expectation } as CaseExpect,
    scheme: 'http',
    sentPath: '/',
    ...(certificateOf ? { certificateOf } : {}),
  };
  return compareResponse(ctx, res);
}

describe('compareResponse', () => {
  it('status list: any listed code; backend expectations only on 200/204; 408 and 504 are one class', () => {
    const mixed = { status: [200, 201, 404], backend: 'infra-backend-v2' };
    expect(judge(mixed, echoResponse({ status: 404, echo: undefined }))).toBeUndefined();
    expect(judge(mixed, echoResponse({ status: 201 }))).toBeUndefined();
    expect(judge(mixed, echoResponse())).toContain('expected pod name to start with infra-backend-v2');
    expect(judge(mixed, echoResponse({ status: 500 }))).toBe(
      'expected status code to be one of [200, 201, 404], got 500',
    );
    expect(judge({ status: [408] }, echoResponse({ status: 504 }))).toBeUndefined();
    expect(judge({ status: [504] }, echoResponse({ status: 408 }))).toBeUndefined();
    expect(judge({ status: [404] }, echoResponse({ status: 408 }))).toBe(
      'expected status code to be 404, got 408',
    );
  });

  it('a non-echo 200 captures an empty backend request: namespace "" and path "" pass, an echo expectation fails', () => {
    const plain = echoResponse({ contentType: 'text/plain', headers: { 'content-type': ['text/plain'] } });
    delete plain.echo;
    const gatewayMade = {
      backend: null,
      namespace: '',
      backendRequest: {
        source: 'explicit' as const,
        method: 'GET',
        host: null,
        path: '',
        headers: {},
        absentHeaders: [],
      },
    };
    expect(judge(gatewayMade, plain)).toBeUndefined();
    expect(judge(gatewayMade, echoResponse())).toBe('expected path to be , got /');
    expect(judge({}, plain)).toBe(
      'expected host to be example.org, got  (the response is not an echo body: Content-Type "text/plain")',
    );
  });

  it('validResponseHeaderValues (names case-insensitive) and ignoreWhitespace', () => {
    const res = echoResponse({ headers: { 'access-control-allow-methods': ['GET, POST', 'PUT'] } });
    const valid = { 'Access-Control-Allow-Methods': ['GET,POST,PUT', 'GET, POST,PUT'] };
    expect(judge({ validResponseHeaderValues: valid }, res)).toBeUndefined();
    expect(
      judge({ validResponseHeaderValues: { 'Access-Control-Allow-Methods': ['GET,POST,PUT'] } }, res),
    ).toBe(
      'expected response header Access-Control-Allow-Methods to be one of ["GET,POST,PUT"], got "GET, POST,PUT"',
    );
    expect(
      judge(
        {
          validResponseHeaderValues: { 'Access-Control-Allow-Methods': ['GET,POST,PUT'] },
          ignoreWhitespace: true,
        },
        res,
      ),
    ).toBeUndefined();
    expect(judge({ validResponseHeaderValues: { 'X-Missing': ['a'] } }, res)).toContain(
      'expected response header X-Missing to be set',
    );
  });

  it('backendFromRequestHeader: exactly one such header, and the pod name starts with its value', () => {
    const with_ = (values: string[]) => echoResponse({}, { headers: { 'X-Backend': values } });
    const ex = { backend: null, backendFromRequestHeader: 'x-backend' };
    expect(judge(ex, with_(['infra-backend-v1']))).toBeUndefined();
    expect(judge(ex, with_(['infra-backend-v2']))).toBe(
      `expected pod name to start with infra-backend-v2 (from x-backend), got ${POD}`,
    );
    expect(judge(ex, with_(['infra-backend-v1', 'infra-backend-v1']))).toBe(
      'expected exactly one x-backend header on the backend request, got ["infra-backend-v1","infra-backend-v1"]',
    );
  });

  it('backendRequest.tlsServerName and tlsPeerCertificate read the echo tls object', () => {
    const client = leafCertificate({ usage: 'client' });
    const other = selfSignedCertificate(['other.test']);
    const br = (more: Record<string, unknown>) => ({
      backendRequest: {
        source: 'explicit' as const,
        method: 'GET',
        host: null,
        path: '/',
        headers: {},
        absentHeaders: [],
        ...more,
      },
    });
    const overTls = echoResponse(
      {},
      { tls: { serverName: 'abc.example.com', peerCertificates: [client.certPem] } },
    );
    expect(judge(br({ tlsServerName: 'abc.example.com' }), overTls)).toBeUndefined();
    expect(judge(br({ tlsServerName: 'other.example.com' }), overTls)).toBe(
      'expected the backend to see SNI "other.example.com", got "abc.example.com"',
    );
    expect(judge(br({ tlsServerName: 'abc.example.com' }), echoResponse())).toBe(
      'expected the backend to be reached over TLS with SNI abc.example.com, but it was reached in clear text',
    );
    const ref = `Secret ${NS}/tls-checks-client-certificate (tls.crt)`;
    expect(judge(br({ tlsPeerCertificate: ref }), overTls, () => client.certPem)).toBeUndefined();
    expect(judge(br({ tlsPeerCertificate: ref }), overTls, () => other.certPem)).toBe(
      `expected the backend to receive the client certificate of ${ref}`,
    );
  });

  it('Ingress cases: only the fields present, nothing but the status unless it is 200', () => {
    const ingressEcho = echoResponse(
      { headers: { 'content-type': ['application/json'], 'x-served': ['a', 'b'] } },
      { service: 'foo', proto: 'HTTP/1.1', headers: { 'User-Agent': ['Go-http-client/1.1'] } },
    );
    const full = {
      status: [200],
      service: 'foo',
      responseProto: 'HTTP/1.1',
      responseHeadersPresent: { 'X-Served': 'b' },
      backendRequest: {
        source: 'explicit' as const,
        host: 'example.org',
        method: 'GET',
        path: '/',
        proto: 'HTTP/1.1',
        headersPresent: { 'user-agent': '*' },
      },
    } as unknown as CaseExpect;
    expect(compareIngressResponse(full, ingressEcho)).toBeUndefined();
    expect(compareIngressResponse({ ...full, service: 'bar' }, ingressEcho)).toBe(
      'expected the response to be served by service bar, got "foo"',
    );
    expect(compareIngressResponse({ ...full, responseProto: 'HTTP/2.0' }, ingressEcho)).toBe(
      'expected response proto HTTP/2.0, got HTTP/1.1',
    );
    expect(
      compareIngressResponse({ ...full, responseHeadersPresent: { 'X-Served': 'c' } }, ingressEcho),
    ).toBe('expected response header X-Served: c, got ["a","b"]');
    expect(
      compareIngressResponse(
        { ...full, backendRequest: { ...full.backendRequest, path: '/other' } } as CaseExpect,
        ingressEcho,
      ),
    ).toBe('expected request path "/other", got "/"');
    expect(
      compareIngressResponse(
        {
          ...full,
          backendRequest: { ...full.backendRequest, headersPresent: { 'Accept-Encoding': '*' } },
        } as CaseExpect,
        ingressEcho,
      ),
    ).toContain('expected request header Accept-Encoding, the backend saw');
    // A non-200 that was expected: nothing else is checked; an unexpected status is the only complaint.
    expect(
      compareIngressResponse({ ...full, status: [404] }, echoResponse({ status: 404, echo: undefined })),
    ).toBeUndefined();
    expect(compareIngressResponse(full, echoResponse({ status: 404 }))).toBe(
      'expected status code 200, got 404',
    );
  });
});
