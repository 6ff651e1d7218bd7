// HTTP case types that need more than an HTTP/1.1 proxy, run through the runner over real sockets:
// `request.protocol: "HTTP/2"`, `expect.non200Response`, `expect.requestFails` (reset, rejected TLS),
// `type: "tlsConnectionRejected"`, `mirrorDistribution` (echo mirror log lines counted against the
// expected share), `repeat` and `appendQueryParam.regenerateEachAttempt`. The "gateway" is a set of small
// Node servers, one per listener port, in front of the runner's local echo backends. Each behaviour has a
// case that must pass and one that must fail (or, for the query parameter, a recorded difference).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './certificates.js';
import { EchoBackends } from './echo-backends.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';
import { runScenario, type ScenarioResult } from './runner.js';
import { loadScenario } from './scenario.js';
import type { ConformanceTarget } from './target.js';
import type { TimeoutConfig } from './timeouts.js';

const NS = 'gateway-conformance-infra';
const FAST: Partial<TimeoutConfig> = {
  maxTimeToConsistency: 1500,
  requestTimeout: 1500,
  pollInterval: 50,
  gwcMustBeAccepted: 1000,
  namespacesMustBeReady: 1000,
};
const CERT = selfSignedCertificate(['example.org']);
/** Response headers HTTP/2 forbids (connection-specific). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** What #forward needs of an HTTP/1.1 or HTTP/2 compat response. */
type Reply = NodeJS.WritableStream & {
  writeHead(status: number, headers?: Record<string, string | string[]>): unknown;
};

type Listener = 'plain' | 'h2' | 'h1tls' | 'reset' | 'closed';

/** One Gateway whose listener ports are servers of different kinds; routes everything to infra-backend-v1. */
class TransportTarget implements ConformanceTarget {
  objects: KubeObject[] = [];
  readonly ports = {} as Record<Listener, number>;
  readonly #servers: { close(cb: () => void): void }[] = [];
  readonly #mirrorCounts = new Map<string, number>();
  /** Request targets the plain listener received, in order. */
  readonly paths: string[] = [];

  async start(): Promise<this> {
    const plain = createServer((req, res) => this.#plain(req, res));
    const h2 = createSecureServer({ cert: CERT.certPem, key: CERT.keyPem, allowHTTP1: false }, (req, res) =>
      this.#proxyH2(req, res),
    );
    const h1tls = createHttpsServer({ cert: CERT.certPem, key: CERT.keyPem }, (req, res) =>
      this.#forward(req.url ?? '/', req.method ?? 'GET', req.rawHeaders, res),
    );
    // Accepts, then resets: no HTTP response, no TLS handshake.
    const reset = createTcpServer((socket) => socket.resetAndDestroy());
    for (const [name, server] of [
      ['plain', plain],
      ['h2', h2],
      ['h1tls', h1tls],
      ['reset', reset],
    ] as const) {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.ports[name] = (server.address() as AddressInfo).port;
      this.#servers.push(server);
    }
    // A port nothing listens on (connection refused).
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    this.ports.closed = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    return this;
  }

  #plain(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith('/teapot')) return void res.writeHead(418).end('short and stout');
    if (url.startsWith('/gateway-timeout')) return void res.writeHead(504).end('upstream timed out');
    this.paths.push(url);
    // Every third request to a /flaky path gets a 503.
    if (url.startsWith('/flaky') && this.paths.filter((p) => p === url).length % 3 === 0)
      return void res.writeHead(503).end('flaky');
    if (url.startsWith('/mirror-')) {
      // /mirror-half mirrors every second request of a path, /mirror-all every one.
      const n = (this.#mirrorCounts.get(url) ?? 0) + 1;
      this.#mirrorCounts.set(url, n);
      if (url.startsWith('/mirror-all') || n % 2 === 0) this.#mirror(url, req.rawHeaders);
    }
    this.#forward(url, req.method ?? 'GET', req.rawHeaders, res);
  }

  #proxyH2(req: Http2ServerRequest, res: Http2ServerResponse): void {
    const headers: string[] = ['Host', String(req.headers[':authority'] ?? '')];
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(':') || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.push(name, v);
    }
    this.#forward(req.headers[':path'] ?? '/', req.method, headers, res);
  }

  #forward(path: string, method: string, rawHeaders: string[], res: Reply): void {
    const upstream = this.#endpoint('infra-backend-v1');
    if (!upstream) {
      res.writeHead(503);
      res.end('no endpoints');
      return;
    }
    const out = request(
      { ...upstream, method, path, headers: rawHeaders, setHost: false, agent: false },
      (up) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers))
          if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    out.end();
  }

  /** Fire-and-forget copy to infra-backend-v2, as a mirror filter does. */
  #mirror(path: string, rawHeaders: string[]): void {
    const to = this.#endpoint('infra-backend-v2');
    if (!to) return;
    request({ ...to, path, headers: rawHeaders, setHost: false, agent: false }, (r) => r.resume())
      .on('error', () => {})
      .end();
  }

  #endpoint(service: string): { host: string; port: number } | undefined {
    const slice = this.objects.find(
      (o) =>
        o.kind === 'EndpointSlice' &&
        o.metadata?.namespace === NS &&
        o.metadata?.labels?.['kubernetes.io/service-name'] === service,
    );
    const address = asArray(asRecord(asArray(slice?.endpoints)[0])?.addresses)[0];
    const port = asRecord(asArray(slice?.ports)[0])?.port;
    return typeof address === 'string' && typeof port === 'number' ? { host: address, port } : undefined;
  }

  async apply(objects: unknown[]): Promise<void> {
    this.objects = structuredClone(objects) as KubeObject[];
  }

  async status(kind: string, namespace: string, name: string) {
    const o = this.objects.find(
      (x) => x.kind === kind && (x.metadata?.namespace ?? '') === namespace && x.metadata?.name === name,
    );
    if (!o) return undefined;
    const conditions = ['Accepted', 'Programmed'].map((type) => ({
      type,
      status: 'True',
      reason: type,
      observedGeneration: o.metadata?.generation,
    }));
    if (kind === 'Gateway') return { addresses: [{ type: 'IPAddress', value: '127.0.0.1' }], conditions };
    return { conditions };
  }

  async close(): Promise<void> {
    for (const s of this.#servers) {
      (s as Server).closeAllConnections?.();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}

const MANIFEST = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${NS}}
spec:
  gatewayClassName: "{GATEWAY_CLASS_NAME}"
  listeners: [{name: http, port: 80, protocol: HTTP}]
${['infra-backend-v1', 'infra-backend-v2']
  .map(
    (n) => `---
apiVersion: v1
kind: Service
metadata: {name: ${n}, namespace: ${NS}}
spec:
  selector: {app: ${n}}
  ports: [{protocol: TCP, port: 8080, targetPort: 3000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${n}, namespace: ${NS}, labels: {app: ${n}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${n}}}
  template:
    metadata: {labels: {app: ${n}}}
    spec: {containers: [{name: ${n}, image: registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0}]}
`,
  )
  .join('')}`;

function scenario(ports: Record<Listener, number>) {
  let line = 100;
  const c = (
    name: string,
    listener: Listener,
    request: Record<string, unknown>,
    expect: Record<string, unknown>,
    more: Record<string, unknown> = {},
  ) => ({
    name,
    subtest: null,
    phase: 1,
    gateway: {
      namespace: NS,
      name: 'gw',
      port: ports[listener],
      scheme: ['h2', 'h1tls'].includes(listener) ? 'https' : 'http',
    },
    request: { method: 'GET', host: null, path: '/', headers: {}, ...request },
    expect,
    upstreamLine: line++,
    ...more,
  });
  const h2Request = {
    protocol: 'HTTP/2',
    host: 'example.org',
    path: '/h2?x=1',
    tls: { sni: 'example.org', trustedServerCertificate: CERT.certPem },
  };
  const echoed = {
    status: [200],
    backend: 'infra-backend-v1',
    namespace: NS,
    backendRequest: {
      source: 'defaulted-from-request',
      method: 'GET',
      host: 'example.org',
      path: '/h2?x=1',
      headers: {},
      absentHeaders: [],
    },
  };
  const echoedPlain = (path: string) => ({
    status: [200],
    backend: 'infra-backend-v1',
    namespace: NS,
    backendRequest: {
      source: 'defaulted-from-request',
      method: 'GET',
      host: null,
      path,
      headers: {},
      absentHeaders: [],
    },
  });
  const mirror = (percent: number) => ({
    mirrorDistribution: {
      backends: [{ namespace: NS, name: 'infra-backend-v2', percent }],
      totalRequests: 40,
      concurrency: 5,
      maxAttempts: 1,
      toleranceStdDevs: 3,
      appendQueryParam: { name: 'gateway-api-conformance-request-id', value: '<uuid per attempt>' },
    },
  });
  const mirrorExpect = (path: string) => ({
    status: [200],
    backend: 'infra-backend-v1',
    namespace: NS,
    backendRequest: { source: 'explicit', method: 'GET', host: null, path, headers: {}, absentHeaders: [] },
  });
  return {
    test: 'TransportProbe',
    description: 'written for the runner test',
    features: ['Gateway', 'HTTPRoute'],
    upstream: { go: { path: 'transport-probe.go' } },
    manifests: ['TransportProbe.yaml'],
    cases: [
      c('pass: HTTP/2 negotiated, :authority is the Host', 'h2', h2Request, echoed),
      c('fail: HTTP/2 to a listener without h2 (no HTTP/1.1 fallback)', 'h1tls', h2Request, echoed),
      c('fail: HTTP/1.1 to an h2-only listener', 'h2', { ...h2Request, protocol: undefined }, echoed),
      c(
        'pass: non200Response with a 418',
        'plain',
        { path: '/teapot' },
        { status: null, non200Response: true },
      ),
      c(
        'fail: non200Response with a 200 fails at once',
        'plain',
        { path: '/' },
        { status: null, non200Response: true },
      ),
      c(
        'fail: non200Response with only 504s',
        'plain',
        { path: '/gateway-timeout' },
        { status: null, non200Response: true },
      ),
      c('fail: non200Response with no response at all', 'closed', {}, { status: null, non200Response: true }),
      c('pass: requestFails on a reset connection', 'reset', {}, { status: null, requestFails: true }),
      c(
        'pass: requestFails when TLS verification fails',
        'h1tls',
        {
          host: 'example.org',
          tls: {
            sni: 'example.org',
            trustedServerCertificate: selfSignedCertificate(['other.test']).certPem,
          },
        },
        { status: null, requestFails: true },
      ),
      c(
        'fail: requestFails but an HTTP 418 came back',
        'plain',
        { path: '/teapot' },
        { status: null, requestFails: true },
      ),
      c(
        'pass: tlsConnectionRejected by a reset',
        'reset',
        { tls: { sni: 'example.org' } },
        {},
        { type: 'tlsConnectionRejected' },
      ),
      c(
        'fail: tlsConnectionRejected but the handshake completed',
        'h1tls',
        { tls: { sni: 'example.org' } },
        {},
        { type: 'tlsConnectionRejected' },
      ),
      c(
        'fail: tlsConnectionRejected but the connection was refused',
        'closed',
        { tls: { sni: 'example.org' } },
        {},
        { type: 'tlsConnectionRejected' },
      ),
      c(
        'pass: half of the requests mirrored, 50% expected',
        'plain',
        { path: '/mirror-half' },
        mirrorExpect('/mirror-half'),
        mirror(50),
      ),
      c(
        'fail: every request mirrored, 50% expected',
        'plain',
        { path: '/mirror-all' },
        mirrorExpect('/mirror-all'),
        mirror(50),
      ),
      c(
        'pass: repeat sends each request once',
        'plain',
        { path: '/flaky-a' },
        { status: [200] },
        { repeat: { count: 2, retry: false } },
      ),
      c(
        'fail: repeat fails at the first bad send',
        'plain',
        { path: '/flaky-b' },
        { status: [200] },
        { repeat: { count: 4, retry: false } },
      ),
      c(
        'pass: appendQueryParam, one value per case',
        'plain',
        { path: '/regen-once', appendQueryParam: { name: 'id' } },
        echoedPlain('/regen-once'),
      ),
      c(
        'pass: appendQueryParam with regenerateEachAttempt',
        'plain',
        { path: '/regen-each?a=1', appendQueryParam: { name: 'id', regenerateEachAttempt: true } },
        echoedPlain('/regen-each?a=1'),
      ),
    ],
  };
}

describe('conformance runner: HTTP/2, non200Response, requestFails, tlsConnectionRejected, mirrorDistribution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-transport-'));
  const backends = new EchoBackends();
  let target: TransportTarget;
  let result: ScenarioResult;

  beforeAll(async () => {
    target = await new TransportTarget().start();
    writeFileSync(join(dir, 'TransportProbe.yaml'), MANIFEST);
    writeFileSync(join(dir, 'TransportProbe.expect.json'), JSON.stringify(scenario(target.ports), null, 2));
    result = await runScenario(loadScenario(join(dir, 'TransportProbe.expect.json')), target, {
      backends,
      timeouts: FAST,
    });
  }, 120_000);
  afterAll(async () => {
    await target.close();
    await backends.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const byName = (name: string) => {
    const r = result.cases.find((c) => c.name === name);
    if (!r) throw new Error(`no result for ${name}`);
    return r;
  };
  const reason = (name: string) => byName(name).reason ?? '';

  it('passes exactly the pass variants', () => {
    expect(result.setupFailure).toBeUndefined();
    expect(result.cases.filter((c) => c.outcome === 'passed').map((c) => c.name)).toEqual(
      result.cases.filter((c) => c.name.startsWith('pass:')).map((c) => c.name),
    );
    expect(result.cases.every((c) => c.outcome !== 'skipped')).toBe(true);
  });

  it('HTTP/2: ALPN h2 only, no fallback either way', () => {
    expect(reason('fail: HTTP/2 to a listener without h2 (no HTTP/1.1 fallback)')).toContain(
      'request failed:',
    );
    // Node's h2-only server answers an HTTP/1.1 client with a bare 403.
    expect(reason('fail: HTTP/1.1 to an h2-only listener')).toContain(
      'expected status code to be 200, got 403',
    );
  });

  it('repeat: each send exactly once; appendQueryParam: one value per case unless regenerateEachAttempt', () => {
    expect(byName('pass: repeat sends each request once').attempts).toBe(2);
    expect(target.paths.filter((p) => p === '/flaky-a')).toHaveLength(2);
    // /flaky-b answers its third request with a 503, and repeat does not retry it.
    expect(reason('fail: repeat fails at the first bad send')).toBe(
      'case "fail: repeat fails at the first bad send" (transport-probe.go:116): repeat 3 of 4: expected status code to be 200, got 503',
    );
    expect(target.paths.filter((p) => p === '/flaky-b')).toHaveLength(3);
    const ids = (prefix: string) =>
      target.paths
        .filter((p) => p.startsWith(prefix))
        .map((p) => new URL(p, 'http://x').searchParams.get('id'));
    // Three passes in a row each; the echo saw the appended id (the defaulted backend path includes it).
    const once = ids('/regen-once?id=');
    const each = ids('/regen-each?a=1&id=');
    expect(once).toHaveLength(3);
    expect(new Set(once).size).toBe(1);
    expect(each).toHaveLength(3);
    expect(new Set(each).size).toBe(3);
  });

  it('non200Response: a 200 fails at once, 408/504 and transport errors are "not yet"', () => {
    const at200 = byName('fail: non200Response with a 200 fails at once');
    expect(at200.attempts).toBe(1);
    expect(at200.reason).toBe(
      'case "fail: non200Response with a 200 fails at once" (transport-probe.go:104): expected no 200 response, got 200',
    );
    expect(reason('fail: non200Response with only 504s')).toContain('got 504 (a timeout): not yet');
    expect(reason('fail: non200Response with no response at all')).toContain('no HTTP response yet:');
  });

  it('requestFails: any HTTP response counts as not failing', () => {
    expect(reason('fail: requestFails but an HTTP 418 came back')).toContain(
      'expected the request to fail, got an HTTP 418 response',
    );
  });

  it('tlsConnectionRejected: a completed handshake or a refused connection is not a rejection', () => {
    for (const name of [
      'fail: tlsConnectionRejected but the handshake completed',
      'fail: tlsConnectionRejected but the connection was refused',
    ])
      expect(reason(name)).toContain('expected the TLS connection with SNI example.org to be rejected');
  });

  it('mirrorDistribution: counts the mirror log lines of the attempt against the expected share', () => {
    // 40 requests at p = 0.5: 20 +/- 3*sqrt(10) = 10.51..29.49.
    expect(reason('fail: every request mirrored, 50% expected')).toContain(
      'mirror distribution: run 1: infra-backend-v2 logged 40 mirrored requests, want 10.51..29.49 (failed all 1 runs)',
    );
  });
});
