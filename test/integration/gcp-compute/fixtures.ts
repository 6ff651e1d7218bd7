// A small Gateway (an HTTP listener, 3 routes, 2 Services in two zones; optionally an HTTPS listener
// with a TLS Secret) translated into IR for the GCP Compute adapter, and the adapter and clients
// pointed at the Compute emulator, which `onComputeEmulator` starts and resets for a test file.

import { PassThroughClient } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createGcpComputeAdapter, type GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import { loadComputeLibrary } from '#adapters/gcp-compute/internal/clients.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { type ReconcileOutcome, reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';
import { caConfigMap, certificateAuthority, selfSignedCertificate } from '#test/conformance/certificates.js';
import {
  type CallStats,
  type GcpComputeEmulator,
  type GcpComputeEmulatorOptions,
  startGcpComputeEmulator,
} from '#test/emulators/gcp-compute/index.js';

export const PROJECT = 'portico-test';
export const ZONES = ['europe-west1-b', 'europe-west1-c'];

export const GCP_PARAMETERS = {
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'LoadBalancerParameters',
  metadata: { name: 'gclb', namespace: 'portico-system' },
  spec: {
    provider: 'gcp-compute',
    scheme: 'internet-facing',
    gcpCompute: { project: PROJECT, negZones: ZONES },
  },
};

const GATEWAY_CLASS = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico-gcp', generation: 1 },
  spec: {
    controllerName: 'portico.dev/gateway-controller',
    parametersRef: {
      group: 'portico.dev',
      kind: 'LoadBalancerParameters',
      name: 'gclb',
      namespace: 'portico-system',
    },
  },
};

/** A Service with one port and the EndpointSlice holding its endpoints (`ip@zone`, zone default the first). */
export function serviceWithSlice(name: string, port: number, target: number, endpoints: string[]): unknown[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'shop' },
      spec: { ports: [{ name: 'http', port, targetPort: target }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-abc`, namespace: 'shop', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: target, protocol: 'TCP' }],
      endpoints: endpoints.map((e) => {
        const [ip, zone = ZONES[0]] = e.split('@');
        return { addresses: [ip], zone, conditions: { ready: true } };
      }),
    },
  ];
}

function preferringClose(objects: unknown[], on: boolean | undefined): unknown[] {
  if (!on) return objects;
  const [service, ...rest] = objects as [{ spec: object }, ...unknown[]];
  return [{ ...service, spec: { ...service.spec, trafficDistribution: 'PreferClose' } }, ...rest];
}

function withHealthCheckPath(objects: unknown[], path: string | undefined): unknown[] {
  if (path === undefined) return objects;
  const [service, ...rest] = objects as [{ metadata: object }, ...unknown[]];
  return [
    { ...service, metadata: { ...service.metadata, annotations: { 'portico.dev/health-check-path': path } } },
    ...rest,
  ];
}

export interface FixtureOptions {
  /** Endpoints per Service, `ip` or `ip@zone`. */
  endpoints?: { app: string[]; api: string[] };
  /** A fourth route (`/admin` → admin, a third Service). */
  extraRoute?: boolean;
  /** An HTTPS listener on 443 with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** NEG zones (default both ZONES). */
  zones?: string[];
  /** More LoadBalancerParameters `spec.gcpCompute` fields (location, labels, securityPolicy, …). */
  gcpCompute?: Record<string, unknown>;
  /** The app Service's `portico.dev/health-check-path`. */
  healthCheckPath?: string;
  /** The app Service has `trafficDistribution: PreferClose`. */
  preferClose?: boolean;
  /** The `/api` rule uses the v1.6 route features GCP renders (method, CORS, percentage mirror, timeouts, retry, backend header filter). */
  v16?: boolean;
}

export function manifests(opts: FixtureOptions = {}): unknown[] {
  const endpoints = opts.endpoints ?? { app: ['10.0.1.1', '10.0.1.2@europe-west1-c'], api: ['10.0.2.1'] };
  const rules: unknown[] = [
    opts.v16
      ? {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }],
          filters: [
            {
              type: 'CORS',
              cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['POST'], maxAge: 60 },
            },
            { type: 'RequestMirror', requestMirror: { backendRef: { name: 'app', port: 80 }, percent: 25 } },
          ],
          timeouts: { request: '9s', backendRequest: '1500ms' },
          retry: { attempts: 2, codes: [502, 503, 504] },
          backendRefs: [
            {
              name: 'api',
              port: 8080,
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  requestHeaderModifier: { set: [{ name: 'x-lane', value: 'api' }] },
                },
              ],
            },
          ],
        }
      : {
          matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
          backendRefs: [{ name: 'api', port: 8080 }],
        },
    { matches: [{ path: { type: 'Exact', value: '/health' } }], backendRefs: [{ name: 'app', port: 80 }] },
    { backendRefs: [{ name: 'app', port: 80 }] },
  ];
  if (opts.extraRoute)
    rules.unshift({
      matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
      backendRefs: [{ name: 'admin', port: 80 }],
    });
  const listeners: unknown[] = [{ name: 'http', port: 80, protocol: 'HTTP' }];
  if (opts.tls)
    listeners.push({
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ name: 'web-tls' }] },
    });
  const parameters =
    opts.zones || opts.gcpCompute
      ? {
          ...GCP_PARAMETERS,
          spec: {
            ...GCP_PARAMETERS.spec,
            gcpCompute: { project: PROJECT, negZones: opts.zones ?? ZONES, ...opts.gcpCompute },
          },
        }
      : GCP_PARAMETERS;
  return [
    parameters,
    GATEWAY_CLASS,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { gatewayClassName: 'portico-gcp', listeners },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { parentRefs: [{ name: 'web' }], rules },
    },
    ...withHealthCheckPath(
      preferringClose(serviceWithSlice('app', 80, 8080, endpoints.app), opts.preferClose),
      opts.healthCheckPath,
    ),
    ...serviceWithSlice('api', 8080, 9090, endpoints.api),
    ...(opts.extraRoute ? serviceWithSlice('admin', 80, 8081, ['10.0.3.1']) : []),
    ...(opts.tls
      ? [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'kubernetes.io/tls',
            metadata: { name: 'web-tls', namespace: 'shop' },
            data: {
              'tls.crt': Buffer.from(opts.tls.cert).toString('base64'),
              'tls.key': Buffer.from(opts.tls.key).toString('base64'),
            },
          },
        ]
      : []),
  ];
}

export function gatewayLb(opts: FixtureOptions = {}): ir.LoadBalancer {
  return gcpLbOf(manifests(opts));
}

/** The gcp-compute load balancer translate makes of `objects`. */
export function gcpLbOf(objects: unknown[]): ir.LoadBalancer {
  const result = translate(objects, { cluster: 'it' });
  const lb = result.loadBalancers.find((l) => l.provider === 'gcp-compute');
  if (!lb) throw new Error(`no gcp-compute load balancer: ${JSON.stringify(result.notices)}`);
  return lb;
}

export interface AdapterOptions {
  /** Lets a test see (and stop) every HTTP call. */
  authClient?: PassThroughClient;
  attempts?: number;
}

/** The adapter on the emulator. */
export function adapterOn(emu: GcpComputeEmulator, opts: AdapterOptions = {}): GcpComputeAdapter {
  return createGcpComputeAdapter({
    project: PROJECT,
    cluster: 'it',
    clientOptions: {
      apiEndpoint: '127.0.0.1',
      port: emu.port,
      protocol: 'http',
      authClient: opts.authClient ?? new PassThroughClient(),
    },
    retry: { attempts: opts.attempts ?? 3, baseDelayMs: 1, maxDelayMs: 20 },
  });
}

export interface ComputeEmulatorFixture {
  /** The emulator, started before the file's tests and reset before each. */
  readonly emu: GcpComputeEmulator;
  /** A new adapter on the emulator, closed after the file's tests. */
  adapter(opts?: AdapterOptions): GcpComputeAdapter;
  /** Reconciles `desired` (or deletes it) with a new adapter, counting the calls made. */
  reconcile(
    desired: ir.LoadBalancer,
    opts?: { delete?: boolean },
  ): Promise<{ result: ReconcileOutcome<GcpKinds>; stats: CallStats; adapter: GcpComputeAdapter }>;
}

/**
 * The Compute emulator for a test file (started with `options`, with the Compute library's import,
 * seconds, paid before the first test), reset before each test, and the adapters made on it.
 */
export function onComputeEmulator(
  options: GcpComputeEmulatorOptions = { operationDelayMs: 1 },
): ComputeEmulatorFixture {
  let emu: GcpComputeEmulator | undefined;
  const adapters: GcpComputeAdapter[] = [];
  beforeAll(async () => {
    emu = await startGcpComputeEmulator(options);
    await loadComputeLibrary();
  }, 60_000);
  afterAll(async () => {
    for (const a of adapters) await a.close();
    await emu?.close();
  });
  beforeEach(() => emu?.reset());
  const fixture: ComputeEmulatorFixture = {
    get emu() {
      if (!emu) throw new Error('the Compute emulator is not started');
      return emu;
    },
    adapter(opts = {}) {
      const a = adapterOn(fixture.emu, opts);
      adapters.push(a);
      return a;
    },
    async reconcile(desired, opts = {}) {
      const adapter = fixture.adapter();
      fixture.emu.resetStats();
      const result = await reconcileLoadBalancer<GcpKinds>({
        key: desired.key,
        lb: opts.delete ? undefined : desired,
        adapter,
        signal: new AbortController().signal,
      });
      return { result, stats: fixture.emu.stats(), adapter };
    },
  };
  return fixture;
}

/** Resources of each collection the emulator holds in the project (every scope), with NEG endpoints. */
export function inventory(emu: GcpComputeEmulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of emu.service.store.inProject(PROJECT))
    out[e.ref.collection] = (out[e.ref.collection] ?? 0) + 1;
  let endpoints = 0;
  for (const e of emu.service.store.inProject(PROJECT))
    if (e.ref.collection === 'networkEndpointGroups')
      endpoints += emu.service.endpoints.of(e.value.selfLink as string).size;
  if (endpoints > 0) out.endpoints = endpoints;
  return out;
}

export const REGION = 'europe-west1';

/**
 * A Service `type: LoadBalancer` of class `portico.dev/gcp-compute` (a regional passthrough NLB,
 * port 5432/TCP) with its EndpointSlice: endpoints `ip@node@zone` (the node is the NEG member).
 */
export function passthroughLb(endpoints: string[]): ir.LoadBalancer {
  const objects = [
    {
      ...GCP_PARAMETERS,
      metadata: { name: 'nlb', namespace: 'db' },
      spec: { ...GCP_PARAMETERS.spec, gcpCompute: { project: PROJECT, location: REGION, negZones: ZONES } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'pg', namespace: 'db', annotations: { 'portico.dev/parameters': 'nlb' } },
      spec: {
        type: 'LoadBalancer',
        loadBalancerClass: 'portico.dev/gcp-compute',
        ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'pg-abc', namespace: 'db', labels: { 'kubernetes.io/service-name': 'pg' } },
      addressType: 'IPv4',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpoints: endpoints.map((e) => {
        const [ip, nodeName, zone] = e.split('@');
        return { addresses: [ip], nodeName, zone, conditions: { ready: true } };
      }),
    },
  ];
  return onlyGcpLb(objects);
}

/**
 * The Gateway of `manifests(opts)` with `/static` routed to a StorageBucket (a backend bucket) or
 * not; `cdn` is the StorageBucket's spec.cdn.
 */
export function bucketGatewayLb(
  withBucket: boolean,
  opts: FixtureOptions & { cdn?: Record<string, unknown> } = {},
): ir.LoadBalancer {
  const objects = manifests(opts).map((o) => {
    const obj = o as { kind: string; spec: { rules: unknown[] } };
    if (!withBucket || obj.kind !== 'HTTPRoute') return o;
    const toBucket = {
      matches: [{ path: { type: 'PathPrefix', value: '/static' } }],
      backendRefs: [{ group: 'portico.dev', kind: 'StorageBucket', name: 'assets' }],
    };
    return { ...obj, spec: { ...obj.spec, rules: [toBucket, ...obj.spec.rules] } };
  });
  objects.push({
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'StorageBucket',
    metadata: { name: 'assets', namespace: 'shop' },
    spec: { bucketName: 'shop-static-assets', ...(opts.cdn ? { cdn: opts.cdn } : {}) },
  });
  return onlyGcpLb(objects);
}

function onlyGcpLb(objects: unknown[]): ir.LoadBalancer {
  const result = translate(objects, { cluster: 'it' });
  const lb = result.loadBalancers.find((l) => l.provider === 'gcp-compute');
  if (!lb) throw new Error(`no gcp-compute load balancer: ${JSON.stringify(result.notices)}`);
  const errors = result.notices.filter((n) => n.severity === 'error');
  if (errors.length) throw new Error(`translate: ${JSON.stringify(errors)}`);
  return lb;
}

/** The CAs of tlsGatewayLb: one signs clients (frontend validation), one backends (BackendTLSPolicy). */
export const TLS_CAS = { clientCa: certificateAuthority(), backendCa: certificateAuthority() };
const SERVING = selfSignedCertificate(['shop.example.com']);

/** What tlsGatewayLb adds to the fixture Gateway. */
export interface TlsOptions {
  /** Gateway spec.tls.frontend.default.validation mode; absent = no client validation. */
  frontend?: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** The CA ConfigMap of the client validation (default TLS_CAS.clientCa). */
  clientCaPem?: string;
  /** BackendTLSPolicies: api with the backend CA and a SAN, app with the system roots. */
  backendTls?: boolean;
  /** The api policy trusts the system roots instead of the backend CA. */
  apiSystemTrust?: boolean;
}

/**
 * The fixture Gateway with its HTTPS listener and, as asked, client certificate validation
 * (spec.tls.frontend) and BackendTLSPolicies (api: a CA ConfigMap and a SAN; app: the system roots).
 */
export function tlsGatewayLb(opts: TlsOptions = {}): ir.LoadBalancer {
  const objects = manifests({ tls: { cert: SERVING.certPem, key: SERVING.keyPem } }) as Record<
    string,
    unknown
  >[];
  const gateway = objects.find((o) => o.kind === 'Gateway') as { spec: Record<string, unknown> };
  if (opts.frontend)
    gateway.spec.tls = {
      frontend: {
        default: {
          validation: {
            mode: opts.frontend,
            caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'client-ca' }],
          },
        },
      },
    };
  const extra: unknown[] = [];
  if (opts.frontend) {
    const cm = caConfigMap('shop', 'client-ca', TLS_CAS.clientCa) as { data: Record<string, string> };
    if (opts.clientCaPem !== undefined) cm.data['ca.crt'] = opts.clientCaPem;
    extra.push(cm);
  }
  if (opts.backendTls)
    extra.push(
      caConfigMap('shop', 'backend-ca', TLS_CAS.backendCa),
      backendTlsPolicy('api-tls', 'api', {
        ...(opts.apiSystemTrust
          ? { wellKnownCACertificates: 'System' }
          : { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'backend-ca' }] }),
        hostname: 'api.internal',
        subjectAltNames: [{ type: 'Hostname', hostname: 'api.shop.svc' }],
      }),
      backendTlsPolicy('app-tls', 'app', { wellKnownCACertificates: 'System', hostname: 'app.example.com' }),
    );
  const result = translate([...objects, ...extra], { cluster: 'it' });
  const lb = result.loadBalancers.find((l) => l.provider === 'gcp-compute');
  if (!lb) throw new Error(`no load balancer: ${JSON.stringify(result.notices)}`);
  return lb;
}

function backendTlsPolicy(name: string, service: string, validation: Record<string, unknown>): unknown {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name, namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { targetRefs: [{ group: '', kind: 'Service', name: service }], validation },
  };
}
