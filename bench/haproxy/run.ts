// HAProxy data-plane benchmark: the local pipeline (translate → reconcile → HAProxy adapter) driving a
// real HAProxy 2.6, with real HTTP traffic on loopback. Modelled on howardjohn/gateway-api-bench
// (research/haproxy.md §5.1): route propagation, route change, endpoint churn, reloads per 1,000
// mixed changes, and HAProxy memory at 5,000 routes. Run with `npm run bench:haproxy` (or
// `npx tsx bench/haproxy/run.ts`); writes bench/haproxy/RESULTS.md next to this file.
// Options: `--no-write` (print only), `--quick` (10× fewer iterations, for a smoke run; never written),
// `--mixed-only` (the mixed changes at full size, every other phase as `--quick`, to measure reloads
// alone; never written), `--propagation-only` (phase 1 alone, printed, never written), `--net=A.B.C` and `--port=P` (Gateways
// and backends A/B in A.B.C.0/24, Gateway port P, backends P+1 and P+2: for a shared machine; with
// --propagation-only, as the other phases use further /24s).
//
// All traffic stays on 127.0.0.0/8 (Gateways bind in 127.0.42.0/24, backends in 127.0.43.0/24 and
// 127.0.44.0/24); every loop is bounded in count and in time; HAProxy is stopped at the end, on an
// error and on Ctrl-C. It refuses to record meaningless figures: if the pipeline does not program
// the Gateway, if a phase hits its time budget, or if the probes never see a 200, it exits 1 without
// writing RESULTS.md.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createConnection } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import type { ApplyResult } from '#adapters/haproxy/runtime/index.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';
import { type DemoBackend, startDemoBackends } from '#cli/demo-backends.js';
import { LocalPipeline, type PipelineEvent } from '#cli/local/local-pipeline.js';
import { haproxyVersion, machine as machineOf, markdownTable, ms, prng, quantile } from '../support.js';
import { RouteProber } from './route-prober.js';

const propagationOnly = process.argv.includes('--propagation-only');
const mixedOnly = process.argv.includes('--mixed-only');
const quick = process.argv.includes('--quick') || mixedOnly;
const write = !process.argv.includes('--no-write') && !quick && !propagationOnly;
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const NET = option('net');
const PORT = option('port') === undefined ? undefined : Number(option('port'));
if (
  (NET !== undefined && !/^127\.\d{1,3}\.\d{1,3}$/.test(NET)) ||
  (PORT !== undefined && !(PORT > 0 && PORT < 65533))
)
  throw new Error('--net takes the first three parts of a 127.x.y.z address, --port a port below 65533');
if ((NET !== undefined || PORT !== undefined) && !propagationOnly)
  throw new Error('--net and --port move phase 1 only: use them with --propagation-only');
const scale = (n: number) => (quick ? Math.max(1, Math.round(n / 10)) : n);

const POOL = NET ? `${NET}.10-${NET}.40` : '127.0.42.10-127.0.42.40';
const BACKEND_ADDRESS = NET ? `${NET}.1` : '127.0.43.1';
const BACKEND_PORT = PORT !== undefined ? PORT + 1 : 38_700;
/** Route counts at which propagation is measured (the public benchmark's sizes). */
const PROPAGATION_SIZES = [1_000, 3_000, 5_000].map(scale);
/** Routes added one at a time (and probed) at each size. */
const PROPAGATION_SAMPLES = scale(100);
const PROBE_INTERVAL_MS = 5;
const PROBE_ROUTE_TIMEOUT_MS = 10_000;
const FLIPS = 20;
const FLIP_EVERY_MS = 200;
const CHURN_INITIAL = 10;
const CHURN_STEPS = 50;
const MIXED_CHANGES = mixedOnly ? 1_000 : scale(1_000);
const SCALE_ROUTES = scale(5_000);
const PHASE_BUDGET_MS = 10 * 60_000;
const TARGET_P50_MS = 30;
const TARGET_P99_MS = 100;
const TARGET_NOOP_MS = 20;
const TARGET_RELOADS_PER_1000 = 50;
/** The scale phase's slot minimum: 5,000 Services × 2 slots fit the 20,000 file descriptors here. */
const SCALE_SLOT_MINIMUM = 1;

// ---- objects ----------------------------------------------------------------------------------------

type Obj = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };
const NS = 'bench';
const GW_PORT = PORT ?? 8080;

const base: Obj[] = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico' },
    spec: { controllerName: 'portico.dev/gateway-controller' },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
];

function gateway(name: string): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: NS },
    spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: GW_PORT, protocol: 'HTTP' }] },
  };
}

function service(name: string, port = 80): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { ports: [{ name: 'http', port, targetPort: BACKEND_PORT }] },
  };
}

function slice(svc: string, addresses: readonly string[], port = BACKEND_PORT): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-slice`, namespace: NS, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
  };
}

interface RouteSpec {
  name: string;
  gateway: string;
  hostname?: string;
  path: string;
  backends: { name: string; port?: number; weight?: number }[];
  header?: { name: string; value: string };
}

function route(r: RouteSpec): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: r.name, namespace: NS },
    spec: {
      parentRefs: [{ name: r.gateway }],
      ...(r.hostname ? { hostnames: [r.hostname] } : {}),
      rules: [
        {
          matches: [
            {
              path: { type: 'PathPrefix', value: r.path },
              ...(r.header ? { headers: [{ name: r.header.name, value: r.header.value }] } : {}),
            },
          ],
          backendRefs: r.backends.map((b) => ({
            name: b.name,
            port: b.port ?? 80,
            ...(b.weight !== undefined ? { weight: b.weight } : {}),
          })),
        },
      ],
    },
  };
}

// ---- traffic ------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  backend?: string;
  error?: string;
}

// One keep-alive client per phase: an idle connection kept from an earlier phase would reach a worker
// that a later reload retired (option idle-close-on-response keeps it for one more request), and its
// first request would be answered by that worker's older config. That is a property of reloads, not
// of the phase that happens to reuse the connection; phase 2 measures it.
const agents: Agent[] = [];
const keepAliveAgent = () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  agents.push(agent);
  return agent;
};

function get(
  address: string,
  path: string,
  host: string,
  opts: { agent?: Agent; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: address,
        port: GW_PORT,
        path,
        headers: { host },
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 2_000,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            backend: (res.headers['x-backend'] as string | undefined) ?? '',
          }),
        );
        res.on('error', (err) =>
          resolve({ status: 0, error: (err as NodeJS.ErrnoException).code ?? err.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) =>
      resolve({ status: 0, error: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Back-to-back requests until stopped; counts every answer by status and every connection error. */
function loadLoop(
  address: string,
  path: string,
  host: string,
  agent?: Agent,
): { stop: () => Promise<Tally> } {
  const tally: Tally = { requests: 0, byStatus: {}, errors: {}, backends: {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const a = await get(address, path, host, agent ? { agent } : {});
      tally.requests++;
      if (a.error) tally.errors[a.error] = (tally.errors[a.error] ?? 0) + 1;
      else tally.byStatus[a.status] = (tally.byStatus[a.status] ?? 0) + 1;
      if (a.backend) tally.backends[a.backend] = (tally.backends[a.backend] ?? 0) + 1;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return tally;
    },
  };
}

interface Tally {
  requests: number;
  byStatus: Record<number, number>;
  errors: Record<string, number>;
  backends: Record<string, number>;
}

const non200 = (t: Tally) => Object.entries(t.byStatus).reduce((n, [s, c]) => n + (s === '200' ? 0 : c), 0);
const errorCount = (t: Tally) => Object.values(t.errors).reduce((a, b) => a + b, 0);
const merge = (...ts: Tally[]): Tally => {
  const out: Tally = { requests: 0, byStatus: {}, errors: {}, backends: {} };
  for (const t of ts) {
    out.requests += t.requests;
    for (const [k, v] of Object.entries(t.byStatus))
      out.byStatus[Number(k)] = (out.byStatus[Number(k)] ?? 0) + v;
    for (const [k, v] of Object.entries(t.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.backends)) out.backends[k] = (out.backends[k] ?? 0) + v;
  }
  return out;
};
const describeTally = (t: Tally) =>
  `${t.requests} requests; statuses ${JSON.stringify(t.byStatus)}; connection errors ${JSON.stringify(t.errors)}`;

// ---- measuring ------------------------------------------------------------------------------------------

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

function fail(message: string): never {
  console.error(`\nbench/haproxy: ${message}`);
  console.error('No results recorded (see bench/haproxy/run.ts).');
  throw new BenchFailure(message);
}
class BenchFailure extends Error {}

function budget(phase: string, started: number): void {
  if (performance.now() - started > PHASE_BUDGET_MS)
    fail(`${phase} ran past its ${PHASE_BUDGET_MS / 1000} s budget`);
}

/** Prefix of the named PRNG (mulberry32): every run makes the same changes. */

function vmRssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** The master's children that are HAProxy processes (the workers; old ones linger while draining). */
function workerPids(master: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === master) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

// ---- the run ----------------------------------------------------------------------------------------------

const stateDir = mkdtempSync(join(os.tmpdir(), 'portico-bench-haproxy-'));
const events: PipelineEvent[] = [];
let adapter: HaproxyAdapter | undefined;
let stopBackends: (() => Promise<void>) | undefined;
let interrupted = false;

process.on('SIGINT', () => {
  interrupted = true;
  console.error('\ninterrupted: stopping HAProxy');
  void cleanup().finally(() => process.exit(130));
});

/** What one observe of Gateway `name` costs (it runs on every reconcile), against what render wants. */
async function timeObserve(
  adapter: HaproxyAdapter,
  pipeline: LocalPipeline,
  name: string,
): Promise<number[]> {
  const lb = pipeline.last.loadBalancers.find((l) => l.key.endsWith(`/Gateway/${NS}/${name}`));
  if (!lb) fail(`no load balancer for Gateway ${name}`);
  const desired = adapter.render(lb).resources;
  const signal = new AbortController().signal;
  const out: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    // A full read, as a resync does (a change observes from the adapter's record of its last apply).
    const observed = await adapter.observe(lb.key, { signal, desired, readBack: 'full' });
    out.push(performance.now() - t0);
    if (observed.resources.length !== desired.length)
      fail(`observe found ${observed.resources.length} of ${desired.length} resources`);
  }
  return out;
}

/** What the adapter's part of a resync costs: render + full observe + plan + apply, nothing changed. */
async function timeNoopReconcile(
  adapter: HaproxyAdapter,
  pipeline: LocalPipeline,
  name: string,
): Promise<number[]> {
  const lb = pipeline.last.loadBalancers.find((l) => l.key.endsWith(`/Gateway/${NS}/${name}`));
  if (!lb) fail(`no load balancer for Gateway ${name}`);
  const signal = new AbortController().signal;
  const out: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const r = await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal, readBack: 'full' });
    out.push(performance.now() - t0);
    if (r.plan.changes.some((c) => c.action !== 'noop'))
      fail(
        `a no-op reconcile of ${name} planned ${JSON.stringify(r.plan.changes.find((c) => c.action !== 'noop'))}`,
      );
  }
  return out;
}

async function cleanup(): Promise<void> {
  for (const agent of agents) agent.destroy();
  await adapter?.stop().catch(() => undefined);
  adapter = undefined;
  await stopBackends?.().catch(() => undefined);
  stopBackends = undefined;
  rmSync(stateDir, { recursive: true, force: true });
}

const results: string[][] = [];
const notes: string[] = [];
const verdicts: string[] = [];

async function main(): Promise<void> {
  // Backends: A and B (two ports, for the route change), and the churn pool.
  const churnAddress = (i: number) => `127.0.44.${10 + i}`;
  const backends: DemoBackend[] = [
    { service: 'backend-a', kind: 'http', address: BACKEND_ADDRESS, port: BACKEND_PORT },
    { service: 'backend-b', kind: 'http', address: BACKEND_ADDRESS, port: BACKEND_PORT + 1 },
    ...Array.from({ length: propagationOnly ? 0 : CHURN_INITIAL + CHURN_STEPS }, (_, i) => ({
      service: `churn-${i}`,
      kind: 'http' as const,
      address: churnAddress(i),
      port: BACKEND_PORT,
    })),
  ];
  stopBackends = await startDemoBackends(backends);

  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
  // Every apply's outcome (adapter.lastApply only keeps the last load balancer's of a sync).
  const applies: ApplyResult[] = [];
  const inner = adapter;
  const recording: LoadBalancerAdapter<HaproxyKinds> = {
    name: inner.name,
    diffSpec: inner.diffSpec,
    capabilities: () => inner.capabilities(),
    render: (lb) => inner.render(lb),
    observe: (key, o) => inner.observe(key, o),
    async apply(plan, o) {
      const status = await inner.apply(plan, o);
      if (inner.lastApply) applies.push(inner.lastApply);
      return status;
    },
  };
  const pipeline = new LocalPipeline({
    adapters: { haproxy: recording },
    onEvent: (e) => {
      if (e.type !== 'plan') events.push(e);
    },
  });
  const a = adapter;
  const gwAddress = (name: string) => {
    const s = pipeline.last.statuses.find((x) => x.kind === 'Gateway' && x.name === name)?.status as
      | { addresses?: { value: string }[] }
      | undefined;
    return s?.addresses?.[0]?.value ?? '';
  };
  const syncErrors = () => events.filter((e) => e.type === 'error' || e.type === 'held');

  // Shared objects: the backend Services. backend-a on 127.0.43.1:38700, backend-b on :38701.
  const services: Obj[] = [
    service('backend-a'),
    slice('backend-a', [BACKEND_ADDRESS]),
    service('backend-b', 8080),
    slice('backend-b', [BACKEND_ADDRESS], BACKEND_PORT + 1),
  ];

  // ---- 1. route propagation at 1,000, 3,000 and 5,000 routes ------------------------------------------
  // At each size the Gateway is first filled up to `size - PROPAGATION_SAMPLES` routes in one sync;
  // then PROPAGATION_SAMPLES routes are added one sync at a time, each probed until it answers 200.
  const routes: Obj[] = [];
  const world = () => [...base, gateway('prop'), ...services, ...routes];
  const propRoute = (i: number) =>
    route({
      name: `route-${i}`,
      gateway: 'prop',
      hostname: `${i}-route.example.com`,
      path: `/${i}`,
      backends: [{ name: 'backend-a' }],
    });
  await pipeline.sync(world());
  const propAddr = gwAddress('prop');
  if (!propAddr) fail(`the Gateway was not programmed: ${JSON.stringify(syncErrors())}`);
  const badAnswers: string[] = [];
  let propMet = true;
  const prober = new RouteProber();
  for (const size of PROPAGATION_SIZES) {
    console.log(`1. route propagation at ${size} routes: ${PROPAGATION_SAMPLES} added one at a time`);
    while (routes.length < size - PROPAGATION_SAMPLES) routes.push(propRoute(routes.length));
    await pipeline.sync(world());
    const latencies: number[] = [];
    const syncTimes: number[] = [];
    const tally: Tally = { requests: 0, byStatus: {}, errors: {}, backends: {} };
    const reloads0 = a.counters.reloads;
    const runtime0 = a.counters.runtimeApplies;
    const recorded0 = a.recordedObserves;
    let timedOut = 0;
    const started1 = performance.now();
    while (routes.length < size) {
      budget(`route propagation at ${size}`, started1);
      const i = routes.length;
      const host = `${i}-route.example.com`;
      const path = `/${i}`;
      routes.push(propRoute(i));
      const t0 = performance.now();
      const answer = prober.probe({
        address: propAddr,
        port: GW_PORT,
        host,
        path,
        intervalMs: PROBE_INTERVAL_MS,
        timeoutMs: PROBE_ROUTE_TIMEOUT_MS,
        startedAt: RouteProber.now(),
      });
      const synced = pipeline.sync(world()).then(() => {
        syncTimes.push(performance.now() - t0);
      });
      const probed = await answer;
      for (const [status, n] of Object.entries(probed.byStatus)) {
        tally.requests += n;
        tally.byStatus[Number(status)] = (tally.byStatus[Number(status)] ?? 0) + n;
        if (status !== '200' && status !== '404') badAnswers.push(`route ${i}: HTTP ${status} (${n}×)`);
      }
      for (const [error, n] of Object.entries(probed.errors)) {
        tally.requests += n;
        tally.errors[error] = (tally.errors[error] ?? 0) + n;
        badAnswers.push(`route ${i}: ${error} (${n}×)`);
      }
      const ok = probed.latencyMs !== undefined;
      if (ok) latencies.push(probed.latencyMs!);
      await synced;
      if (!ok) timedOut++;
      if (timedOut > 10)
        fail(
          `more than 10 routes never answered 200 (last: ${i}); sync errors ${JSON.stringify(syncErrors())}`,
        );
    }
    if (latencies.length === 0) fail('no route ever answered 200');
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const bad = non200(tally) - (tally.byStatus[404] ?? 0);
    const errors = errorCount(tally);
    const met = p50 <= TARGET_P50_MS && p99 <= TARGET_P99_MS && bad === 0 && errors === 0 && timedOut === 0;
    propMet &&= met;
    const observeMs = await timeObserve(a, pipeline, 'prop');
    results.push(
      [
        `1. route propagation at ${size} routes (${PROPAGATION_SAMPLES} added, probe every ${PROBE_INTERVAL_MS} ms)`,
        `time to first 200: p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(Math.max(...latencies))}`,
        `p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms, 0 errors`,
        met ? 'met' : 'NOT met',
      ],
      [
        '↳ answers while pending',
        `${tally.requests} probes: ${JSON.stringify(tally.byStatus)}; other than 200/404: ${bad}; connection errors: ${errors}; never 200: ${timedOut}`,
        '',
        '',
      ],
      [
        '↳ sync (translate + reconcile + apply) per added route',
        `p50 ${ms(quantile(syncTimes, 0.5))}, p99 ${ms(quantile(syncTimes, 0.99))}; reloads ${a.counters.reloads - reloads0}, runtime applies ${a.counters.runtimeApplies - runtime0}; observes answered from the record of the last apply ${a.recordedObserves - recorded0}`,
        '',
        '',
      ],
      [
        `↳ full observe at ${size} routes, as resync reads (files + show servers state + show map; 20 runs)`,
        `p50 ${ms(quantile(observeMs, 0.5))}, max ${ms(Math.max(...observeMs))}`,
        '',
        '',
      ],
    );
    console.log(
      results
        .slice(-4)
        .map((r) => `   ${r[0]}: ${r[1]}`)
        .join('\n'),
    );
  }
  await prober.stop();
  // A no-op sync at the largest size: the cost of a level-triggered pass that changes nothing.
  const noopAt5000: number[] = [];
  for (let k = 0; k < 10; k++) {
    const t = performance.now();
    await pipeline.sync(world());
    noopAt5000.push(performance.now() - t);
  }
  const adapterNoop = await timeNoopReconcile(a, pipeline, 'prop');
  const noopP50 = quantile(noopAt5000, 0.5);
  results.push([
    `1b. no-op sync at ${routes.length} routes (10 runs)`,
    `p50 ${ms(noopP50)}, max ${ms(Math.max(...noopAt5000))}; it reconciles no key; a resync of the unchanged Gateway (render + full observe + plan + apply) p50 ${ms(quantile(adapterNoop, 0.5))}`,
    `≤ ${TARGET_NOOP_MS} ms`,
    noopP50 <= TARGET_NOOP_MS ? 'met' : 'NOT met',
  ]);
  console.log(`   ${results.at(-1)![0]}: ${results.at(-1)![1]}`);
  if (badAnswers.length > 0)
    notes.push(
      `Propagation: unexpected answers: ${badAnswers.slice(0, 20).join('; ')}${badAnswers.length > 20 ? ' …' : ''}`,
    );
  verdicts.push(`Route propagation: ${propMet ? 'met' : 'NOT met'} at every size.`);
  if (propagationOnly) return;
  // The later phases run on a small Gateway: back to the first route only.
  routes.splice(1);
  await pipeline.sync(world());

  // ---- 2. route change ---------------------------------------------------------------------------------
  console.log(
    `2. route change: ${FLIPS} backend flips every ${FLIP_EVERY_MS} ms under back-to-back requests`,
  );
  const flipRoute = (n: number) =>
    route({
      name: 'flip',
      gateway: 'prop',
      hostname: 'route.example.com',
      path: '/',
      backends: [n % 2 === 0 ? { name: 'backend-a' } : { name: 'backend-b', port: 8080 }],
    });
  routes.push(flipRoute(0));
  await pipeline.sync(world());
  const flipIndex = routes.length - 1;
  const reloads2 = a.counters.reloads;
  const runtime2 = a.counters.runtimeApplies;
  const fresh = loadLoop(propAddr, '/', 'route.example.com');
  const pooled = loadLoop(propAddr, '/', 'route.example.com', keepAliveAgent());
  const flipSyncs: number[] = [];
  const started2 = performance.now();
  for (let n = 1; n <= FLIPS; n++) {
    const tick = performance.now();
    routes[flipIndex] = flipRoute(n);
    await pipeline.sync(world());
    flipSyncs.push(performance.now() - tick);
    budget('route change', started2);
    const wait = FLIP_EVERY_MS - (performance.now() - tick);
    if (wait > 0) await sleep(wait);
  }
  const freshTally = await fresh.stop();
  const pooledTally = await pooled.stop();
  const flipTally = merge(freshTally, pooledTally);
  const flipBad = non200(flipTally) + errorCount(flipTally);
  if (!flipTally.backends['backend-a'] || !flipTally.backends['backend-b'])
    fail(`route change: traffic never reached both backends (${JSON.stringify(flipTally.backends)})`);
  results.push(
    [
      `2. route change (${FLIPS} flips between two Services, every ${FLIP_EVERY_MS} ms)`,
      `non-200: ${non200(flipTally)}, connection errors: ${errorCount(flipTally)} of ${flipTally.requests} requests`,
      '0 non-200',
      flipBad === 0 ? 'met' : 'NOT met',
    ],
    ['↳ new connection per request', describeTally(freshTally), '', ''],
    ['↳ keep-alive client (4 sockets)', describeTally(pooledTally), '', ''],
    [
      '↳ sync per flip',
      `p50 ${ms(quantile(flipSyncs, 0.5))}, max ${ms(Math.max(...flipSyncs))}; reloads ${a.counters.reloads - reloads2}, runtime applies ${a.counters.runtimeApplies - runtime2}; served by ${JSON.stringify(flipTally.backends)}`,
      '',
      '',
    ],
  );
  console.log(
    results
      .slice(-4)
      .map((r) => `   ${r[0]}: ${r[1]}`)
      .join('\n'),
  );

  // ---- 3. endpoint churn ---------------------------------------------------------------------------------
  console.log(`3. endpoint churn: ${CHURN_INITIAL} endpoints, ${CHURN_STEPS} replaced one by one under load`);
  let live = Array.from({ length: CHURN_INITIAL }, (_, i) => churnAddress(i));
  const churnObjects = () => [service('churn'), slice('churn', live)];
  routes.push(
    route({
      name: 'churn',
      gateway: 'prop',
      hostname: 'churn.example.com',
      path: '/',
      backends: [{ name: 'churn' }],
    }),
  );
  const world3 = () => [...world(), ...churnObjects()];
  await pipeline.sync(world3());
  const reloads3 = a.counters.reloads;
  const runtime3 = a.counters.runtimeApplies;
  const churnLoads = [
    loadLoop(propAddr, '/', 'churn.example.com'),
    loadLoop(propAddr, '/', 'churn.example.com', keepAliveAgent()),
  ];
  const churnSyncs: number[] = [];
  const started3 = performance.now();
  for (let k = 0; k < CHURN_STEPS; k++) {
    budget('endpoint churn', started3);
    live = [...live.slice(1), churnAddress(CHURN_INITIAL + k)];
    const t = performance.now();
    await pipeline.sync(world3());
    churnSyncs.push(performance.now() - t);
    await sleep(50);
  }
  const churnTally = merge(...(await Promise.all(churnLoads.map((l) => l.stop()))));
  const churnReloads = a.counters.reloads - reloads3;
  const churnFailed = non200(churnTally) + errorCount(churnTally);
  const servedBy = Object.keys(churnTally.backends).length;
  if (servedBy < CHURN_INITIAL) fail(`endpoint churn: traffic reached only ${servedBy} distinct endpoints`);
  results.push(
    [
      `3. endpoint churn (${CHURN_INITIAL} endpoints, ${CHURN_STEPS} replaced, each step add + remove + sync)`,
      `failed requests: ${churnFailed} of ${churnTally.requests}; reloads: ${churnReloads}`,
      '0 failed, 0 reloads',
      churnFailed === 0 && churnReloads === 0 ? 'met' : 'NOT met',
    ],
    [
      '↳ detail',
      `${describeTally(churnTally)}; ${servedBy} distinct endpoints served; runtime applies ${a.counters.runtimeApplies - runtime3}; sync p50 ${ms(quantile(churnSyncs, 0.5))}, max ${ms(Math.max(...churnSyncs))}`,
      '',
      '',
    ],
  );
  console.log(
    results
      .slice(-2)
      .map((r) => `   ${r[0]}: ${r[1]}`)
      .join('\n'),
  );

  // ---- 4. reloads per 1,000 mixed changes -----------------------------------------------------------------
  console.log(`4. mixed changes: ${MIXED_CHANGES}`);
  const random = prng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // A second Gateway with its own routes and 20 Services (endpoints need no servers: no traffic here).
  const MIX_SERVICES = 20;
  const mixEndpoints: string[][] = Array.from({ length: MIX_SERVICES }, (_, s) =>
    Array.from({ length: 3 }, (_, e) => `127.0.45.${s * 10 + e + 1}`),
  );
  const mixRoutes = new Map<string, RouteSpec>();
  let nextRoute = 0;
  const newRoute = (kind: 'path' | 'header' | 'weights'): RouteSpec => {
    const n = nextRoute++;
    const svc = `mix-${Math.floor(random() * MIX_SERVICES)}`;
    const other = `mix-${Math.floor(random() * MIX_SERVICES)}`;
    return {
      name: `mix-${n}`,
      gateway: 'mix',
      ...(random() < 0.5 ? { hostname: `m${n}.example.com` } : {}),
      path: `/m${n}`,
      backends:
        kind === 'weights'
          ? [
              { name: svc, weight: 1 + Math.floor(random() * 9) },
              { name: other === svc ? `mix-${(Number(svc.slice(4)) + 1) % MIX_SERVICES}` : other, weight: 1 },
            ]
          : [{ name: svc }],
      ...(kind === 'header' ? { header: { name: 'x-variant', value: `v${n}` } } : {}),
    };
  };
  for (let i = 0; i < 50; i++) {
    const r = newRoute(i % 10 === 0 ? 'header' : i % 10 === 1 ? 'weights' : 'path');
    mixRoutes.set(r.name, r);
  }
  const mixWorld = () => [
    ...world3(),
    gateway('mix'),
    ...mixEndpoints.flatMap((eps, s) => [service(`mix-${s}`), slice(`mix-${s}`, eps)]),
    ...[...mixRoutes.values()].map(route),
  ];
  await pipeline.sync(mixWorld());
  if (!gwAddress('mix')) fail(`the mix Gateway was not programmed: ${JSON.stringify(syncErrors())}`);
  // The mix of changes, by weight: endpoint changes dominate in a real cluster (pods come and go).
  const kinds: [string, number][] = [
    ['endpoint add/remove', 40],
    ['endpoint port/readiness change', 10],
    ['route add (path)', 12],
    ['route path/host change', 10],
    ['route backend change (other Service)', 8],
    ['route delete', 8],
    ['header-match route add', 6],
    ['weight change', 6],
  ];
  const totalWeight = kinds.reduce((s, [, w]) => s + w, 0);
  const perKind = new Map<string, { n: number; reloads: number; runtime: number; ms: number[] }>();
  const reasons = new Map<string, number>();
  const started4 = performance.now();
  const failures4: string[] = [];
  for (let c = 0; c < MIXED_CHANGES; c++) {
    budget('mixed changes', started4);
    let roll = random() * totalWeight;
    let kind = kinds[0]![0];
    for (const [k, w] of kinds) {
      roll -= w;
      if (roll < 0) {
        kind = k;
        break;
      }
    }
    const s = Math.floor(random() * MIX_SERVICES);
    const names = [...mixRoutes.keys()];
    switch (kind) {
      case 'endpoint add/remove': {
        const eps = mixEndpoints[s]!;
        if (eps.length > 1 && random() < 0.5) eps.splice(Math.floor(random() * eps.length), 1);
        else eps.push(`127.0.45.${s * 10 + 1 + Math.floor(random() * 9)}`);
        mixEndpoints[s] = [...new Set(eps)];
        break;
      }
      case 'endpoint port/readiness change': {
        // A new address (another pod) replacing one: same count, different contents.
        const eps = mixEndpoints[s]!;
        eps[Math.floor(random() * eps.length)] = `127.0.46.${Math.floor(random() * 250) + 1}`;
        mixEndpoints[s] = [...new Set(eps)];
        break;
      }
      case 'route add (path)': {
        const r = newRoute('path');
        mixRoutes.set(r.name, r);
        break;
      }
      case 'route path/host change': {
        const r = mixRoutes.get(pick(names))!;
        mixRoutes.set(r.name, { ...r, path: `${r.path.split('-')[0]}-${c}` });
        break;
      }
      case 'route backend change (other Service)': {
        const r = mixRoutes.get(pick(names))!;
        mixRoutes.set(r.name, { ...r, backends: r.backends.map((b) => ({ ...b, name: `mix-${s}` })) });
        break;
      }
      case 'route delete': {
        if (names.length > 5) mixRoutes.delete(pick(names));
        break;
      }
      case 'header-match route add': {
        const r = newRoute('header');
        mixRoutes.set(r.name, r);
        break;
      }
      case 'weight change': {
        const weighted = [...mixRoutes.values()].filter((r) => r.backends.length > 1);
        const r = weighted.length > 0 ? pick(weighted) : newRoute('weights');
        mixRoutes.set(r.name, {
          ...r,
          backends: r.backends.map((b, i) => (i === 0 ? { ...b, weight: 1 + Math.floor(random() * 9) } : b)),
        });
        break;
      }
    }
    const before = { ...a.counters };
    const appliesBefore = applies.length;
    const t = performance.now();
    const errorsBefore = syncErrors().length;
    await pipeline.sync(mixWorld());
    const took = performance.now() - t;
    if (syncErrors().length > errorsBefore) failures4.push(`${kind}: ${JSON.stringify(syncErrors().at(-1))}`);
    const k = perKind.get(kind) ?? { n: 0, reloads: 0, runtime: 0, ms: [] };
    k.n++;
    k.ms.push(took);
    const reloaded = a.counters.reloads - before.reloads;
    k.reloads += reloaded;
    k.runtime += a.counters.runtimeApplies - before.runtimeApplies;
    for (const r of applies.slice(appliesBefore)) {
      if (!r.reloaded) continue;
      const reason = (r.reason ?? '?').replace(/slot \S+/, 'slot …').replace(/maps\/\S+/, 'maps/…');
      reasons.set(`${kind}: ${reason}`, (reasons.get(`${kind}: ${reason}`) ?? 0) + 1);
    }
    perKind.set(kind, k);
  }
  if (failures4.length > 0) fail(`mixed changes: sync errors: ${failures4.slice(0, 5).join('; ')}`);
  const mixTotals = [...perKind.values()].reduce(
    (t, k) => ({ reloads: t.reloads + k.reloads, runtime: t.runtime + k.runtime }),
    { reloads: 0, runtime: 0 },
  );
  const reloadsPer1000 = Math.round((mixTotals.reloads * 1000) / MIXED_CHANGES);
  results.push([
    `4. mixed changes (${MIXED_CHANGES}, one sync each)`,
    `reloads ${mixTotals.reloads}, runtime-only applies ${mixTotals.runtime} (per 1,000 changes: ${reloadsPer1000} reloads)`,
    `≤ ${TARGET_RELOADS_PER_1000} reloads per 1,000`,
    reloadsPer1000 <= TARGET_RELOADS_PER_1000 ? 'met' : 'NOT met',
  ]);
  const mixTable = markdownTable(
    ['change', 'count', 'reloads', 'runtime applies', 'sync p50', 'sync max'],
    kinds.map(([k]) => {
      const v = perKind.get(k) ?? { n: 0, reloads: 0, runtime: 0, ms: [0] };
      return [k, `${v.n}`, `${v.reloads}`, `${v.runtime}`, ms(quantile(v.ms, 0.5)), ms(Math.max(...v.ms))];
    }),
  );
  const reasonLines = [...reasons.entries()].sort((x, y) => y[1] - x[1]).map(([r, n]) => `- ${n}× ${r}`);
  console.log(`${mixTable}\n${reasonLines.join('\n')}`);

  // ---- 5. memory at 5,000 routes ---------------------------------------------------------------------
  // Two shapes: each route with its own Service (as the public bench), and five routes per Service.
  // A HAProxy of its own, with the slot minimum that lets 5,000 Services fit this machine's FDs.
  await a.stop();
  const scaleDir = join(stateDir, 'scale');
  const s5 = createHaproxyAdapter({ stateDir: scaleDir, addressPool: POOL, slotMinimum: SCALE_SLOT_MINIMUM });
  adapter = s5;
  await s5.start();
  const scaleApplies: ApplyResult[] = [];
  const scalePipeline = new LocalPipeline({
    adapters: {
      haproxy: {
        name: s5.name,
        diffSpec: s5.diffSpec,
        capabilities: () => s5.capabilities(),
        render: (lb) => s5.render(lb),
        observe: (key, o) => s5.observe(key, o),
        async apply(plan, o) {
          const status = await s5.apply(plan, o);
          if (s5.lastApply) scaleApplies.push(s5.lastApply);
          return status;
        },
      },
    },
    onEvent: (e) => {
      if (e.type !== 'plan') events.push(e);
    },
  });
  const scaleAddress = () => {
    const st = scalePipeline.last.statuses.find((x) => x.kind === 'Gateway' && x.name === 'scale')?.status as
      | { addresses?: { value: string }[] }
      | undefined;
    return st?.addresses?.[0]?.value ?? '';
  };
  let scaled = 0;
  for (const perService of [1, 5]) {
    const serviceCount = Math.ceil(SCALE_ROUTES / perService);
    console.log(`5. scale: ${SCALE_ROUTES} routes over ${serviceCount} Services in one sync`);
    // Drop everything else first (one reload), so the figure is the routes' own.
    await scalePipeline.sync([...base]);
    const master = readMasterPid(scaleDir);
    await sleep(1_500); // let the old workers drain and exit
    const emptyRss = workerPids(master).map(vmRssKb);
    const scaleObjects: Obj[] = [...base, gateway('scale')];
    for (let j = 0; j < serviceCount; j++)
      scaleObjects.push(service(`svc-${j}`), slice(`svc-${j}`, ['127.0.43.1']));
    for (let i = 0; i < SCALE_ROUTES; i++)
      scaleObjects.push(
        route({
          name: `scale-${i}`,
          gateway: 'scale',
          hostname: `s${i}.example.com`,
          path: `/s${i}`,
          backends: [{ name: `svc-${i % serviceCount}` }],
        }),
      );
    const errorsBefore = syncErrors().length;
    const t5 = performance.now();
    const synced = await scalePipeline.sync(scaleObjects);
    const programMs = performance.now() - t5;
    const slotCount = (readFileSync(join(scaleDir, 'haproxy.cfg'), 'utf8').match(/^ {2}server /gm) ?? [])
      .length;
    const label = `5. scale (${SCALE_ROUTES} routes, ${serviceCount} Services × 1 endpoint, ${slotCount} server slots, slot minimum ${SCALE_SLOT_MINIMUM})`;
    const scaleAddr = scaleAddress();
    if (!scaleAddr || syncErrors().length > errorsBefore) {
      const why = syncErrors()
        .slice(errorsBefore)
        .map((e) => ('message' in e ? e.message : e.reason))
        .join('; ')
        .replace(/\s+/g, ' ');
      results.push([label, `REFUSED after ${(programMs / 1000).toFixed(2)} s: ${why}`, 'report', 'NOT met']);
      console.log(`   ${label}: refused: ${why}`);
      continue;
    }
    const probe = await get(scaleAddr, `/s${SCALE_ROUTES - 1}`, `s${SCALE_ROUTES - 1}.example.com`);
    if (probe.status !== 200)
      fail(`the last of the ${SCALE_ROUTES} routes answers ${probe.status || probe.error}`);
    const applyDetail = scaleApplies.at(-1);
    const info = await showInfo(join(scaleDir, 'haproxy.sock'));
    await sleep(1_500);
    const rss = workerPids(master).map(vmRssKb);
    const masterRss = vmRssKb(master);
    const cfgBytes = readFileSync(join(scaleDir, 'haproxy.cfg')).length;
    const limits = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${master}/limits`, 'utf8'));
    // One more sync of the same objects: the cost of a no-op level-triggered pass at this size.
    const t5b = performance.now();
    await scalePipeline.sync(scaleObjects);
    const noopMs = performance.now() - t5b;
    const observeScale = await timeObserve(s5, scalePipeline, 'scale');
    const noopReconcile = await timeNoopReconcile(s5, scalePipeline, 'scale');
    const routeCount = synced.loadBalancers.reduce(
      (n, lb) => n + lb.listeners.reduce((m, l) => m + l.routes.length, 0),
      0,
    );
    if (routeCount !== SCALE_ROUTES) fail(`the scale Gateway has ${routeCount} routes, not ${SCALE_ROUTES}`);
    scaled++;
    results.push(
      [
        label,
        `served; worker RSS ${rss.map(mb).join(' + ')}, master RSS ${mb(masterRss)}; time to program ${(programMs / 1000).toFixed(2)} s`,
        'served',
        'met',
      ],
      [
        '↳ file descriptors',
        `RLIMIT_NOFILE of the master: soft ${limits?.[1]}, hard ${limits?.[2]}; HAProxy Ulimit-n ${info['Ulimit-n']}, Maxsock ${info.Maxsock}, Maxconn ${info.Maxconn}`,
        '',
        '',
      ],
      [
        '↳ detail',
        `empty config: worker ${emptyRss.map(mb).join(' + ')}; haproxy.cfg ${(cfgBytes / 1024).toFixed(0)} KB; apply ${applyDetail?.path} (haproxy -c ${ms(applyDetail?.validationMs ?? 0)}, reload ${ms(applyDetail?.reloadMs ?? 0)}); a no-op sync at this size ${ms(noopMs)}; full observe p50 ${ms(quantile(observeScale, 0.5))}; adapter resync (render + full observe + plan + apply) p50 ${ms(quantile(noopReconcile, 0.5))}`,
        '',
        '',
      ],
    );
    console.log(
      results
        .slice(-3)
        .map((r) => `   ${r[0]}: ${r[1]}`)
        .join('\n'),
    );
  }
  if (scaled === 0) fail('HAProxy refused every scale configuration');
  verdicts.push(reasonLines.length > 0 ? `Why the mixed changes reloaded:\n\n${reasonLines.join('\n')}` : '');
  notes.push(`Mixed changes, per kind:\n\n${mixTable}`);
}

/** HAProxy processes whose command line names our state dir (there must be none at the end). */
function haproxyProcessesFor(dir: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (/haproxy$/.test(argv[0] ?? '') && argv.includes(dir)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `show info` of the worker, as name → value. */
function showInfo(socket: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const c = createConnection(socket, () => c.end('show info\n'));
    c.setEncoding('utf8').on('data', (d: string) => {
      text += d;
    });
    c.on('error', reject).on('close', () =>
      resolve(
        Object.fromEntries(
          text.split('\n').flatMap((l) => {
            const i = l.indexOf(': ');
            return i > 0 ? [[l.slice(0, i), l.slice(i + 2)]] : [];
          }),
        ),
      ),
    );
  });
}

function readMasterPid(dir: string): number {
  const pid = Number(readFileSync(join(dir, 'haproxy.pid'), 'utf8').trim());
  if (!(pid > 0)) fail('no HAProxy master pid');
  return pid;
}

/** A Markdown table, padded the way the formatter (biome) lays tables out. */

const machine = {
  ...machineOf(),
  haproxy: haproxyVersion(),
};

let exitCode = 0;
const startedAll = performance.now();
const loadBefore = os.loadavg()[0]!;
try {
  await main();
} catch (err) {
  exitCode = 1;
  if (!(err instanceof BenchFailure)) console.error(err);
} finally {
  await cleanup();
}
const leftover = haproxyProcessesFor(stateDir).join(' ');
if (leftover) {
  console.error(`HAProxy processes left behind: ${leftover}`);
  exitCode = 1;
}
if (interrupted) exitCode = 130;

if (exitCode === 0) {
  const date = new Date().toISOString();
  const body = markdownTable(['measure', 'result', 'target', 'verdict'], results);
  console.log(`\n${body}\n\n${verdicts.join('\n')}`);
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, node ${machine.node}, ${machine.haproxy}; ${((performance.now() - startedAll) / 1000).toFixed(0)} s`,
  );
  if (write) {
    const md = `# HAProxy benchmark results

Generated by \`npm run bench:haproxy\` (bench/haproxy/run.ts) on ${date}, in ${((performance.now() - startedAll) / 1000).toFixed(0)} s.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} RAM, Node ${machine.node}, ${machine.platform}; ${machine.haproxy}.
Load average (1 min) at the start ${loadBefore.toFixed(1)}, at the end ${os.loadavg()[0]!.toFixed(1)}: the machine is shared, and
every figure in ms grows with it.

The local pipeline (\`LocalPipeline.sync\`: translate → render → plan → apply, the full object set each
time, as \`portico dev\` does on a change) drives a real HAProxy through the HAProxy adapter; requests are
real HTTP on loopback to the Gateway's bind address, answered by \`cli/demo-backends.ts\` servers.
Modelled on howardjohn/gateway-api-bench (see research/haproxy.md §5.1).

## Results

${body}

${verdicts.filter(Boolean).join('\n\n')}

## Method

1. **Route propagation** at ${PROPAGATION_SIZES.join(', ')} routes: one Gateway (HTTP :${GW_PORT}); route _i_ has
   hostname \`{i}-route.example.com\`, \`PathPrefix /{i}\` → Service \`backend-a\`. At each size the Gateway is
   filled to ${PROPAGATION_SAMPLES} routes short of it in one sync, then ${PROPAGATION_SAMPLES} routes are added one sync each while
   a prober on a thread of its own (a new connection per request) requests \`/{i}\` with that Host every ${PROBE_INTERVAL_MS} ms; the latency
   is from just before \`sync()\` to the first 200. Any answer other than 404 or 200, and any connection
   error, counts. Then 10 no-op syncs at the largest size (1b: the same objects again, which the
   incremental pipeline finds unchanged, so it reconciles no key), and what a resync of that Gateway
   costs (\`reconcileLoadBalancer\`: render, observe, plan, apply, nothing changed; 20 runs).
2. **Route change**: route \`route.example.com\` flips between \`backend-a:80\` and \`backend-b:8080\` (two
   Services, backends on two ports) every ${FLIP_EVERY_MS} ms, ${FLIPS} times; two back-to-back request loops run
   meanwhile, one opening a new connection per request and one reusing keep-alive connections.
3. **Endpoint churn**: Service \`churn\` with ${CHURN_INITIAL} endpoints (one demo server each, 127.0.44.x);
   ${CHURN_STEPS} steps, each replacing the oldest endpoint with a new one and syncing, 50 ms apart, under the
   same two request loops. Reloads are \`adapter.counters.reloads\`.
4. **Mixed changes**: a second Gateway with 50 routes over 20 Services; ${MIXED_CHANGES} random changes
   (fixed seed) of the kinds below, one sync each; no traffic. Reloads and runtime-only applies from the
   adapter's counters.
5. **Scale**: a second HAProxy (adapter with \`slotMinimum: ${SCALE_SLOT_MINIMUM}\`), then one sync adds a Gateway with
   ${SCALE_ROUTES.toLocaleString('en')} HTTPRoutes (distinct hostname and path), each to its own Service with one endpoint
   (then five routes per Service). The last route must answer 200. RSS is \`VmRSS\` from
   \`/proc/<pid>/status\` of the worker(s) and the master, 1.5 s after the apply (old workers gone).

## Notes

${notes.join('\n\n')}
`;
    const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
    writeFileSync(out, md);
    console.log(`wrote ${out}`);
  }
}
process.exit(exitCode);
