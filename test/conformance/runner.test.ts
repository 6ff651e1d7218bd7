// The runner's strictness, end to end over real HTTP: a scenario written for this test is run against a
// tiny in-test target whose "gateway" is a real Node reverse proxy sending everything to infra-backend-v1.
// Some cases must pass, the others must fail with a reason naming the case, its upstream line and what
// differed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './certificates.js';
import { formatResult, main, runDirectory } from './cli.js';
import { EchoBackends } from './echo-backends.js';
import { claimedFeatures } from './features.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';
import { countedResults, runScenario, type ScenarioResult } from './runner.js';
import { loadScenario } from './scenario.js';
import type { ConformanceTarget } from './target.js';
import type { TimeoutConfig } from './timeouts.js';

const FAST: Partial<TimeoutConfig> = {
  maxTimeToConsistency: 1500,
  requestTimeout: 1500,
  pollInterval: 50,
  gwcMustBeAccepted: 1000,
  namespacesMustBeReady: 1000,
  gatewayMustHaveAddress: 1000,
  routeMustHaveParents: 1000,
  httpRouteMustHaveCondition: 1000,
  gatewayListenersMustHaveConditions: 1000,
  weightEntropyDelayLimit: 0,
};

/** A "gateway": one reverse proxy for every Gateway, routing everything to infra-backend-v1. */
class ProxyTarget implements ConformanceTarget {
  objects: KubeObject[] = [];
  server!: Server;
  port = 0;

  /** With `tls`, the proxy listens for HTTPS with that certificate. */
  constructor(readonly tls?: { cert: string; key: string }) {}

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '/';
      if (path.startsWith('/redirect-ok')) {
        res.writeHead(302, { Location: 'http://example.org/right' }).end();
        return;
      }
      if (path.startsWith('/redirect-bad')) {
        res.writeHead(302, { Location: 'http://example.org:8080/wrong' }).end();
        return;
      }
      const upstream = this.endpoint('gateway-conformance-infra', 'infra-backend-v1');
      if (!upstream) {
        res.writeHead(503).end('no endpoints');
        return;
      }
      const headers = [...req.rawHeaders, 'X-Multi', 'proxy'];
      const out = request(
        {
          host: upstream.host,
          port: upstream.port,
          method: req.method,
          path,
          headers,
          setHost: false,
          agent: false,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, [...up.rawHeaders, 'X-Proxy', 'yes']);
          up.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
    };
    this.server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  endpoint(namespace: string, service: string): { host: string; port: number } | undefined {
    const slice = this.objects.find(
      (o) =>
        o.kind === 'EndpointSlice' &&
        o.metadata?.namespace === namespace &&
        o.metadata?.labels?.['kubernetes.io/service-name'] === service,
    );
    const address = asArray(asRecord(asArray(slice?.endpoints)[0])?.addresses)[0];
    const port = asRecord(asArray(slice?.ports)[0])?.port;
    return typeof address === 'string' && typeof port === 'number' ? { host: address, port } : undefined;
  }

  async apply(objects: unknown[]): Promise<void> {
    this.objects = structuredClone(objects) as KubeObject[];
  }

  async status(kind: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    const o = this.objects.find(
      (x) => x.kind === kind && (x.metadata?.namespace ?? '') === namespace && x.metadata?.name === name,
    );
    if (!o) return undefined;
    const generation = o.metadata?.generation;
    const cond = (type: string, reason = type) => ({
      type,
      status: 'True',
      reason,
      message: '',
      observedGeneration: generation,
    });
    if (kind === 'GatewayClass') return { conditions: [cond('Accepted')] };
    if (kind === 'Gateway') {
      return {
        addresses: [{ type: 'IPAddress', value: '127.0.0.1' }],
        conditions: [cond('Accepted'), cond('Programmed')],
        listeners: asArray(asRecord(o.spec)?.listeners).map((l) => ({
          name: asRecord(l)?.name,
          supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          attachedRoutes: 1,
          conditions: [cond('Accepted'), cond('Programmed'), cond('ResolvedRefs')],
        })),
      };
    }
    if (kind === 'HTTPRoute') {
      return {
        parents: asArray(asRecord(o.spec)?.parentRefs).map((p) => ({
          parentRef: { name: asRecord(p)?.name },
          controllerName: 'portico.dev/gateway-controller',
          conditions: [cond('Accepted'), cond('ResolvedRefs')],
        })),
      };
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const BASE = `apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-infra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: "{GATEWAY_CLASS_NAME}"
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]
${['infra-backend-v1', 'infra-backend-v2']
  .map(
    (n) => `---
apiVersion: v1
kind: Service
metadata: {name: ${n}, namespace: gateway-conformance-infra}
spec:
  selector: {app: ${n}}
  ports: [{protocol: TCP, port: 8080, targetPort: 3000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${n}, namespace: gateway-conformance-infra, labels: {app: ${n}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${n}}}
  template:
    metadata: {labels: {app: ${n}}}
    spec: {containers: [{name: ${n}, image: registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0}]}
`,
  )
  .join('')}`;

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: probe, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]
`;

const NS = 'gateway-conformance-infra';

function scenario(port: number) {
  const gateway = { namespace: NS, name: 'same-namespace', port, scheme: 'http' };
  const defaulted = (path: string, headers: Record<string, string> = {}) => ({
    source: 'defaulted-from-request',
    method: 'GET',
    host: null,
    path,
    headers,
    absentHeaders: [],
  });
  let line = 100;
  const c = (
    name: string,
    request: Record<string, unknown>,
    expect: Record<string, unknown>,
    subtest: string | null = null,
  ) => ({
    name,
    subtest,
    phase: 1,
    gateway,
    request: { method: 'GET', host: null, headers: {}, ...request },
    expect,
    upstreamLine: line++,
  });
  return {
    test: 'StrictnessProbe',
    description: 'written for the runner test',
    features: ['Gateway', 'HTTPRoute'],
    upstream: { go: { path: 'conformance/tests/strictness-probe.go' } },
    manifests: ['base.yaml', 'StrictnessProbe.yaml'],
    statusChecks: [
      {
        check: 'GatewayHasAddress',
        subtest: null,
        phase: 1,
        gateway: { namespace: NS, name: 'same-namespace' },
      },
      {
        check: 'HTTPRouteParentStatus',
        subtest: null,
        phase: 1,
        route: { namespace: NS, name: 'probe' },
        parentRef: {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'same-namespace',
          namespace: NS,
          namespaceMayBeOmitted: true,
        },
        controllerName: "<the implementation's controllerName (from GatewayClass)>",
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
        conditionsObservedGenerationMustBeLatest: true,
      },
      {
        check: 'GatewayAllListenersConditions',
        subtest: null,
        phase: 1,
        gateway: { namespace: NS, name: 'same-namespace' },
        conditions: [{ type: 'Programmed', status: 'True', reason: null }],
      },
      {
        check: 'HTTPRouteCondition',
        subtest: 'blocked subtest',
        phase: 1,
        route: { namespace: NS, name: 'probe' },
        parent: { namespace: NS, name: 'same-namespace' },
        condition: { type: 'PartiallyInvalid', status: 'True', reason: null },
        upstreamLine: 90,
      },
    ],
    cases: [
      c(
        'pass: / goes to infra-backend-v1',
        { path: '/?animal=whale' },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          backendRequest: defaulted('/?animal=whale'),
        },
      ),
      c(
        'fail: wrong backend',
        { path: '/v2' },
        {
          status: [200],
          backend: 'infra-backend-v2',
          namespace: NS,
          backendRequest: defaulted('/v2'),
        },
      ),
      c(
        'fail: missing header',
        { path: '/add' },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          backendRequest: {
            ...defaulted('/add'),
            source: 'explicit',
            headers: { 'X-Header-Add': 'add-appends-values' },
          },
        },
      ),
      c(
        'pass: multi-value headers joined by ","',
        { path: '/multi', headers: { 'x-multi': 'a' } },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          backendRequest: defaulted('/multi', { 'X-Multi': 'a,proxy' }),
        },
      ),
      c(
        'fail: header present that must be absent',
        { path: '/absent', headers: { 'X-Remove': 'x' } },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          backendRequest: { ...defaulted('/absent'), source: 'explicit', absentHeaders: ['X-Remove'] },
        },
      ),
      c(
        'pass: response header set by the backend',
        { path: '/resp', backendSetsResponseHeaders: { 'X-Resp': 'a' } },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          responseHeaders: { 'X-Resp': 'a', 'X-Proxy': 'yes' },
        },
      ),
      c(
        'fail: response header that must be absent',
        { path: '/noproxy' },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          absentResponseHeaders: ['X-Proxy'],
        },
      ),
      c('fail: expected 404', { path: '/missing' }, { status: [404] }),
      c(
        'pass: redirect',
        { path: '/redirect-ok?x=1', followRedirects: false },
        {
          status: [302],
          redirect: { scheme: null, host: 'example.org', port: null, path: '/right', defaulted: ['scheme'] },
        },
      ),
      c(
        'fail: wrong redirect port and path',
        { path: '/redirect-bad', followRedirects: false },
        {
          status: [302],
          redirect: {
            scheme: 'http',
            host: 'example.org',
            port: null,
            path: '/right',
            defaulted: [],
            locationPattern: 'http://example.org[:80]/right',
          },
        },
      ),
      c(
        'fail: not mirrored',
        { path: '/mirror', appendQueryParam: true },
        {
          status: [200],
          backend: 'infra-backend-v1',
          namespace: NS,
          backendRequest: defaulted('/mirror'),
          mirroredTo: [{ namespace: NS, name: 'infra-backend-v2' }],
        },
      ),
      c(
        'blocked: case of a subtest whose status check failed',
        { path: '/' },
        { status: [200] },
        'blocked subtest',
      ),
    ],
    distributionCheck: {
      subtest: null,
      phase: 1,
      gateway,
      request: { method: 'GET', host: null, path: '/', headers: {} },
      totalRequests: 20,
      concurrency: 5,
      expectedWeights: { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3 },
      tolerance: 0.05,
      maxAttempts: 2,
      upstreamLine: 200,
    },
  };
}

describe('conformance runner strictness (real proxy, real echo servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-runner-'));
  const backends = new EchoBackends();
  let target: ProxyTarget;
  let result: ScenarioResult;

  beforeAll(async () => {
    target = await new ProxyTarget().start();
    writeFileSync(join(dir, 'base.yaml'), BASE);
    writeFileSync(join(dir, 'StrictnessProbe.yaml'), ROUTE);
    writeFileSync(join(dir, 'StrictnessProbe.expect.json'), JSON.stringify(scenario(target.port), null, 2));
    writeFileSync(
      join(dir, 'NeedsExtended.expect.json'),
      JSON.stringify({
        ...scenario(target.port),
        test: 'NeedsExtended',
        features: ['Gateway', 'HTTPRoute', 'HTTPRouteQueryParamMatching'],
        distributionCheck: undefined,
      }),
    );
    result = await runScenario(loadScenario(join(dir, 'StrictnessProbe.expect.json')), target, {
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

  it('passes exactly the cases the proxy satisfies and fails all the others', () => {
    expect(Object.fromEntries(result.cases.map((c) => [c.name, c.outcome]))).toEqual({
      'pass: / goes to infra-backend-v1': 'passed',
      'fail: wrong backend': 'failed',
      'fail: missing header': 'failed',
      'pass: multi-value headers joined by ","': 'passed',
      'fail: header present that must be absent': 'failed',
      'pass: response header set by the backend': 'passed',
      'fail: response header that must be absent': 'failed',
      'fail: expected 404': 'failed',
      'pass: redirect': 'passed',
      'fail: wrong redirect port and path': 'failed',
      'fail: not mirrored': 'failed',
      'blocked: case of a subtest whose status check failed': 'failed',
      'weighted distribution': 'failed',
    });
    expect(Object.fromEntries(result.statusChecks.map((s) => [s.name, s.outcome]))).toEqual({
      GatewayHasAddress: 'passed',
      HTTPRouteParentStatus: 'passed',
      GatewayAllListenersConditions: 'passed',
      HTTPRouteCondition: 'failed',
    });
    // A pass needs 3 consecutive successes.
    expect(byName('pass: / goes to infra-backend-v1').attempts).toBe(3);
  });

  it('gives reasons that name the case, its upstream line and what differed', () => {
    const reason = (name: string) => byName(name).reason ?? '';
    expect(reason('fail: wrong backend')).toMatch(
      /^case "fail: wrong backend" \(conformance\/tests\/strictness-probe\.go:101\): expected pod name to start with infra-backend-v2, got infra-backend-v1-[0-9a-f]+-\w+ \(wrong backend\) \(no 3 consecutive passes within 1\.5s; \d+ attempts\)$/,
    );
    expect(reason('fail: missing header')).toContain(
      'strictness-probe.go:102): expected X-Header-Add header to be set on the backend request',
    );
    expect(reason('fail: header present that must be absent')).toContain(
      'expected X-Remove header to not be set on the backend request, got "x"',
    );
    expect(reason('fail: response header that must be absent')).toContain(
      'expected response header X-Proxy to not be set, got "yes"',
    );
    expect(reason('fail: expected 404')).toContain(
      'strictness-probe.go:107): expected status code to be 404, got 200',
    );
    expect(reason('fail: wrong redirect port and path')).toContain(
      'for http scheme, expected redirected port to be 80 or not set, got "8080"; Location "http://example.org:8080/wrong" (want http://example.org[:80]/right)',
    );
    expect(reason('fail: not mirrored')).toMatch(
      /expected the request to be mirrored to gateway-conformance-infra\/infra-backend-v2, but no "Echoing back request made to \/mirror\?gateway-conformance-request-id=[0-9a-f-]{36} to client" in its log/,
    );
    expect(reason('blocked: case of a subtest whose status check failed')).toContain(
      'not run: status check HTTPRouteCondition HTTPRoute gateway-conformance-infra/probe parent gateway-conformance-infra/same-namespace PartiallyInvalid=True failed',
    );
    expect(reason('weighted distribution')).toContain(
      'strictness-probe.go:200): run 2: backend "infra-backend-v1" weighted traffic of 1 not within tolerance 0.7 (+/-0.05)',
    );
    expect(reason('weighted distribution')).toContain('expected 2 backends to receive traffic, but got 1');
    const statusReason = result.statusChecks.find((s) => s.name === 'HTTPRouteCondition')?.reason ?? '';
    expect(statusReason).toContain(
      '[subtest "blocked subtest"] (conformance/tests/strictness-probe.go:90): condition PartiallyInvalid=True not found; conditions: [Accepted=True/Accepted, ResolvedRefs=True/ResolvedRefs]',
    );
  });

  it('checks observedGeneration when the scenario says so', async () => {
    const stale = new (class extends ProxyTarget {
      override async status(kind: string, namespace: string, name: string) {
        const st = await super.status(kind, namespace, name);
        if (kind !== 'HTTPRoute' || !st) return st;
        for (const p of asArray(st.parents))
          for (const c of asArray(asRecord(p)?.conditions)) delete asRecord(c)?.observedGeneration;
        return st;
      }
    })();
    await stale.start();
    try {
      const only = { ...scenario(stale.port), cases: [], distributionCheck: undefined };
      only.statusChecks = only.statusChecks.filter((s) => s.check === 'HTTPRouteParentStatus');
      writeFileSync(join(dir, 'Stale.json'), JSON.stringify({ ...only, test: 'Stale' }));
      const r = await runScenario(loadScenario(join(dir, 'Stale.json')), stale, { backends, timeouts: FAST });
      expect(countedResults(r).map((s) => s.outcome)).toEqual(['failed']);
      expect(r.statusChecks[0]?.reason).toContain(
        'condition Accepted has observedGeneration (none), want metadata.generation 1',
      );
    } finally {
      await stale.close();
    }
  });

  it('skips tests needing unclaimed features, counts cases, and reports through the CLI', async () => {
    const lines: string[] = [];
    const run = await runDirectory(dir, target, {
      backends,
      timeouts: FAST,
      features: claimedFeatures(undefined),
      onResult: (r) => lines.push(...formatResult(r)),
    });
    const skipped = run.results.find((r) => r.test === 'NeedsExtended');
    expect(skipped?.cases.every((c) => c.outcome === 'skipped')).toBe(true);
    expect(skipped?.cases[0]?.reason).toContain(
      'skipped: needs unclaimed feature(s) HTTPRouteQueryParamMatching',
    );
    // StrictnessProbe: 4 passed, 9 failed (13 counted); NeedsExtended: 12 skipped.
    expect([run.passed, run.failed, run.skipped]).toEqual([4, 9, 12]);
    expect(lines).toContain('SKIP NeedsExtended (0 passed, 0 failed, 12 skipped)');
    expect(lines).toContain('FAIL StrictnessProbe (4 passed, 9 failed, 0 skipped)');
    expect(
      lines.some((l) =>
        l.startsWith('  ✗ case "fail: wrong backend" (conformance/tests/strictness-probe.go:101)'),
      ),
    ).toBe(true);
  });

  it('loads the target from --target and prints the summary line', async () => {
    const mod = join(dir, 'dead-target.mjs');
    writeFileSync(
      mod,
      'export function createConformanceTarget() { return Promise.resolve({ apply: async () => {}, status: async () => undefined, close: async () => {} }); }\n',
    );
    writeFileSync(join(dir, 'solo.expect.json'), '{}');
    const logs: string[] = [];
    const orig = console.log;
    console.log = (l: string) => logs.push(l);
    try {
      const code = await main([
        dir,
        '--target',
        mod,
        '--run',
        'StrictnessProbe',
        '--timeouts',
        'GWCMustBeAccepted:0',
      ]);
      expect(code).toBe(1);
    } finally {
      console.log = orig;
    }
    expect(logs.at(-1)).toBe('0 passed, 14 failed, 0 skipped');
    expect(logs).toContain(
      '  setup: GatewayClass portico not Accepted=True: condition Accepted=True not found; conditions: []',
    );
    expect(logs.some((l) => l.includes('solo.expect.json') && l.includes('could not load'))).toBe(true);
  });

  it('sends HTTPS with the SNI asked for and trusts only the given certificate', async () => {
    const { certPem, keyPem } = selfSignedCertificate(['*', '*.org', '*.wildcard.org']);
    const tlsTarget = await new ProxyTarget({ cert: certPem, key: keyPem }).start();
    try {
      const gateway = { namespace: NS, name: 'same-namespace', port: tlsTarget.port, scheme: 'https' };
      const tlsCase = (name: string, tls: Record<string, unknown>, line: number) => ({
        name,
        subtest: null,
        phase: 1,
        gateway,
        request: { method: 'GET', host: 'example.org', path: '/tls', headers: {}, tls },
        expect: { status: [200], backend: 'infra-backend-v1', namespace: NS, backendRequest: null },
        upstreamLine: line,
      });
      const tlsDir = mkdtempSync(join(tmpdir(), 'portico-runner-tls-'));
      writeFileSync(join(tlsDir, 'base.yaml'), BASE);
      writeFileSync(join(tlsDir, 'T.yaml'), ROUTE);
      const other = selfSignedCertificate(['example.org', 'other.test']).certPem;
      writeFileSync(
        join(tlsDir, 'T.expect.json'),
        JSON.stringify({
          test: 'TlsProbe',
          features: ['Gateway', 'HTTPRoute'],
          manifests: ['base.yaml', 'T.yaml'],
          cases: [
            tlsCase(
              'pass: trusted setup certificate',
              { sni: 'example.org', trustedServerCertificate: `${NS}/tls-validity-checks-certificate` },
              10,
            ),
            tlsCase('fail: another certificate', { sni: 'example.org', trustedServerCertificate: other }, 11),
          ],
        }),
      );
      const r = await runScenario(loadScenario(join(tlsDir, 'T.expect.json')), tlsTarget, {
        backends,
        timeouts: FAST,
      });
      rmSync(tlsDir, { recursive: true, force: true });
      expect(r.cases.map((c) => c.outcome)).toEqual(['passed', 'failed']);
      expect(r.cases[1]?.reason).toMatch(/TlsProbe\.go:11\): request failed: self[- ]signed certificate/);
    } finally {
      await tlsTarget.close();
    }
  });
});
