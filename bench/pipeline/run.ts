// Pipeline benchmark (issue 5): the Lambda functions in-process and as bundles.
//
// 1. Throughput: events/s through ingest (signed batches of 500, MemoryQueue) and record (FIFO
//    batches of 10, MemorySnapshotStore, MemoryQueue for reconcile), each stage and combined.
// 2. Propagation in-process: an HTTPRoute change → ingest → record → reconcile with the real HAProxy
//    adapter → the first HTTP request that sees the change.
// 2b. The same through everything (test/e2e/local-cloud.ts), as deployed: an HTTPRoute changed in a
//    local API server → the forwarder → ingest over HTTP → SQS emulator → record (DynamoDB on dynalite,
//    leading-edge dispatch) → reconcile queue (serverless.yml's DelaySeconds) → reconcile on HAProxy →
//    first request that sees it; for an isolated change, and during a burst of EndpointSlice updates
//    on the same Gateway.
// 3. Per-function bundle size and module initialisation time: each functions/<name>/handler.ts that
//    exports `handler`, bundled with esbuild using serverless.yml's `custom.esbuild`, imported by 10
//    fresh node processes.
//
// Run with `npm run bench:pipeline` (or `npx tsx bench/pipeline/run.ts`); writes bench/pipeline/RESULTS.md.
// Options: `--no-write` (print only), `--quick` (smaller runs, never written), `--only-deployed` (2b
// alone, printed only).
// All traffic stays on loopback (Gateway bind addresses in 127.0.72.0/24 and 127.0.75.0/24); HAProxy is
// stopped at the end. On a shared machine, 2b's addresses and port can be moved with
// `PORTICO_BENCH_DEPLOYED_POOL=<first>-<last>` and `PORTICO_BENCH_DEPLOYED_PORT=<port>`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import { KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { createRecordHandler } from '#functions/record/handler.js';
import type { HttpEvent } from '#functions/shared/http-context.js';
import { MemoryReplayCache } from '#functions/shared/replay-cache.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { silentLogger } from '#logging/logger.js';
import { startBackend } from '#test/integration/haproxy/support.js';
import {
  CLUSTER,
  createHarness,
  gatewayAddress,
  ingestContext,
  SECRET,
  signedRequest,
} from '#test/reliability/harness.js';
import {
  add,
  bump,
  endpointSlice,
  gateway,
  gatewayClass,
  httpRoute,
  type Obj,
  remove,
  service,
  snapshotEvents,
  update,
} from '#test/reliability/objects.js';
import { batches, lambdaContext, sqsEvent } from '#test/unit/functions/pipeline-support.js';
import { type EsbuildConfig, esbuildOptionsFromServerlessYml } from '../serverless-esbuild.js';
import { haproxyVersion, machine as machineOf, markdownTable, ms, prng, quantile } from '../support.js';
import {
  type ClusterPropagationOptions,
  clusterPropagation,
  deployedReconcileDelaySeconds,
  STAGE_LEGS,
  type StageLeg,
} from './cluster-propagation.js';
import { httpGet } from './http-probe.js';

const onlyDeployed = process.argv.includes('--only-deployed');
const write = !process.argv.includes('--no-write') && !process.argv.includes('--quick') && !onlyDeployed;
const quick = process.argv.includes('--quick');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const THROUGHPUT_EVENTS = quick ? 5_000 : 50_000;
const INGEST_BATCH = 500;
const PROPAGATION_CHANGES = quick ? 10 : 50;
const PROBE_INTERVAL_MS = 5;
const PROBE_TIMEOUT_MS = 10_000;
const INIT_RUNS = quick ? 3 : 10;
const POOL = '127.0.72.10-127.0.72.20';
const GW_PORT = 18_090;
/**
 * 2b. The burst: EndpointSlice updates of `burstServices` Services on the same Gateway, one every
 * `burstEveryMs` (10/s: what the one local record consumer on dynalite keeps up with on a busy
 * machine; faster, the events queue backs up and the latency measured is the record backlog's,
 * not dispatch's).
 */
const CLOUD: ClusterPropagationOptions = {
  addressPool: process.env.PORTICO_BENCH_DEPLOYED_POOL ?? '127.0.75.10-127.0.75.20',
  port: Number(process.env.PORTICO_BENCH_DEPLOYED_PORT ?? 18_091),
  changes: quick ? 3 : 30,
  quietMs: 500,
  timeoutMs: 30_000,
  probeIntervalMs: PROBE_INTERVAL_MS,
  burstServices: 10,
  burstEveryMs: 100,
};
const FUNCTIONS = ['ingest', 'record', 'reconcile', 'resync', 'status'] as const;
const THROUGHPUT_GATEWAYS = 20;
const THROUGHPUT_ROUTES = 400;
const TARGETS = {
  ingestBytes: 300 * 1024,
  ingestInitMs: 150,
  reconcileInitMs: 300,
};

const rows: string[][] = [];
const notes: string[] = [];
const misses: string[] = [];

// ---- 1. throughput ------------------------------------------------------------------------------------

interface Throughput {
  events: number;
  mix: Record<string, number>;
  ingestMs: number;
  recordMs: number;
  requests: number;
  recordBatches: number;
  reconcileRequests: number;
}

async function throughput(): Promise<Throughput> {
  const GATEWAYS = THROUGHPUT_GATEWAYS;
  const ROUTES = THROUGHPUT_ROUTES;
  const rand = prng(5);
  const objects: Obj[] = [gatewayClass()];
  for (let g = 0; g < GATEWAYS; g++) objects.push(gateway(`gw-${g}`));
  const routes: Obj[] = [];
  const services: Obj[] = [];
  const slices: Obj[] = [];
  for (let i = 0; i < ROUTES; i++) {
    routes.push(httpRoute(`route-${i}`, `gw-${i % GATEWAYS}`, `svc-${i}`, `svc-${i}.example`));
    services.push(service(`svc-${i}`));
    slices.push(endpointSlice(`svc-${i}`, [`10.${i >> 8}.${i & 255}.1`]));
  }

  // The mix: mostly endpoint churn, as in a real cluster.
  const mix: Record<string, number> = {};
  const events: PorticoEvent[] = [];
  const count = (k: string) => {
    mix[k] = (mix[k] ?? 0) + 1;
  };
  let extra = 0;
  while (events.length < THROUGHPUT_EVENTS) {
    const r = rand();
    const i = Math.floor(rand() * ROUTES);
    if (r < 0.8) {
      const n = 1 + Math.floor(rand() * 4);
      slices[i] = bump(slices[i]!, {
        endpoints: Array.from({ length: n }, (_, k) => ({
          addresses: [`10.${i >> 8}.${i & 255}.${1 + ((events.length + k) % 250)}`],
          conditions: { ready: true },
        })),
      });
      events.push(update(slices[i]!));
      count('EndpointSlice update');
    } else if (r < 0.9) {
      routes[i] = bump(routes[i]!, {
        spec: { ...(routes[i]!.spec as object), hostnames: [`svc-${i}-${events.length}.example`] },
      });
      events.push(update(routes[i]!));
      count('HTTPRoute update');
    } else if (r < 0.95) {
      services[i] = bump(services[i]!, {
        metadata: { ...services[i]!.metadata, labels: { v: String(events.length) } },
      });
      events.push(update(services[i]!));
      count('Service update');
    } else {
      // a short-lived route: add, then delete
      const t = httpRoute(`tmp-${extra++}`, `gw-${i % GATEWAYS}`, `svc-${i}`, `tmp-${extra}.example`);
      events.push(add(t), remove(bump(t)));
      count('HTTPRoute add');
      count('HTTPRoute delete');
    }
  }

  let clockMs = Date.now();
  const now = () => clockMs;
  const nowS = () => Math.floor(clockMs / 1000);
  const eventsQueue = new MemoryQueue({ now });
  const reconcileQueue = new MemoryQueue({ now });
  const store = new MemorySnapshotStore({ now });
  const ingest = createIngestHandler({
    queue: eventsQueue,
    signingKeys: [{ cluster: CLUSTER, secret: SECRET }],
    replayCache: new MemoryReplayCache({ now: nowS }),
    now: nowS,
    logger: silentLogger,
  });
  const dispatch = new KeyDispatch({ store, queue: reconcileQueue, now });
  const record = createRecordHandler({ store, reconcileQueue, now, dispatch, logger: silentLogger });

  // the cluster, listed and recorded before the clock starts
  const listed = snapshotEvents([...objects, ...routes, ...services, ...slices], 'bench');
  for (const b of batches(listed, INGEST_BATCH)) {
    const res = await ingest(
      signedRequest(JSON.stringify(b), JSON.stringify(b), SECRET, nowS()),
      ingestContext(),
    );
    if (res.statusCode !== 202) throw new Error(`ingest refused the list: ${res.body}`);
  }
  for (const b of batches(eventsQueue.messages.splice(0))) await record(sqsEvent(b), lambdaContext());
  if (!(await store.isComplete(CLUSTER))) throw new Error('the list did not complete');
  // the list's reconciles run (begin and end; no provider here), so every key is idle again
  for (const m of reconcileQueue.messages.splice(0)) {
    await (await dispatch.begin(JSON.parse(m.body).key)).end();
  }

  // stage 1: ingest (signing is the forwarder's work: done before the clock starts)
  const requests: HttpEvent[] = batches(events, INGEST_BATCH).map((b) => {
    const body = JSON.stringify(b);
    return signedRequest(body, body, SECRET, nowS());
  });
  const t0 = performance.now();
  for (const req of requests) {
    const res = await ingest(req, ingestContext());
    if (res.statusCode !== 202) throw new Error(`ingest refused a batch: ${res.body}`);
  }
  const ingestMs = performance.now() - t0;
  if (eventsQueue.messages.length !== events.length) {
    throw new Error(`ingest enqueued ${eventsQueue.messages.length} of ${events.length} events`);
  }

  // stage 2: record, FIFO batches of 10 (the SQS records are built before the clock starts); no
  // reconcile runs meanwhile, so each key's first request goes out and the rest find it queued
  clockMs += 10_000;
  const sqsBatches: SQSEvent[] = batches(eventsQueue.messages).map((b) => sqsEvent(b));
  const t1 = performance.now();
  for (const e of sqsBatches) {
    const r = await record(e, lambdaContext());
    if (r.batchItemFailures.length > 0)
      throw new Error(`record failed ${r.batchItemFailures.length} records`);
    clockMs += 1;
  }
  const recordMs = performance.now() - t1;
  return {
    events: events.length,
    mix,
    ingestMs,
    recordMs,
    requests: requests.length,
    recordBatches: sqsBatches.length,
    reconcileRequests: reconcileQueue.messages.length,
  };
}

// ---- 2. end-to-end propagation -------------------------------------------------------------------------

interface Propagation {
  latencies: number[];
  pipelineMs: number[];
  reloads: number;
  runtimeApplies: number;
  other: Record<string, number>;
}

async function propagation(): Promise<Propagation> {
  const stateDir = mkdtempSync(join(tmpdir(), 'portico-bench-pipeline-'));
  const backend = await startBackend('app');
  let haproxy: HaproxyAdapter | undefined;
  try {
    haproxy = createHaproxyAdapter({ stateDir, addressPool: POOL });
    const h = createHarness({ adapters: { haproxy: haproxy } });
    let route = httpRoute('app', 'web', 'app', 'app.example', '/v0');
    const objects = [
      gatewayClass(),
      gateway('web', GW_PORT),
      route,
      service('app', backend.port),
      endpointSlice('app', ['127.0.0.1'], backend.port),
    ];
    await h.post(snapshotEvents(objects, 'bench'));
    await h.settle();
    const address = await gatewayAddress(h.store);
    if (!address) throw new Error('the Gateway was not programmed');
    if ((await httpGet(address, GW_PORT, 'app.example', '/v0')) !== 200) throw new Error('/v0 is not served');

    const latencies: number[] = [];
    const pipelineMs: number[] = [];
    const other: Record<string, number> = {};
    const { reloads, runtimeApplies } = haproxy.counters;
    for (let i = 1; i <= PROPAGATION_CHANGES; i++) {
      h.tick(5_000);
      route = bump(route, {
        spec: {
          ...(route.spec as object),
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: `/v${i}` } }],
              backendRefs: [{ name: 'app', port: 80 }],
            },
          ],
        },
      });
      const t0 = performance.now();
      let seen: number | undefined;
      const prober = (async () => {
        while (performance.now() - t0 < PROBE_TIMEOUT_MS) {
          const status = await httpGet(address, GW_PORT, 'app.example', `/v${i}`);
          if (status === 200) {
            seen = performance.now() - t0;
            return;
          }
          if (status !== 404) other[String(status)] = (other[String(status)] ?? 0) + 1;
          await delay(PROBE_INTERVAL_MS);
        }
      })();
      const res = await h.post([update(route)]);
      if (res.status !== 202) throw new Error(`ingest refused the change: ${JSON.stringify(res.body)}`);
      if ((await h.record()).length > 0) throw new Error('record failed');
      const r = await h.reconcile({ all: true }); // the coalescing delay skipped in-process
      if (r.failed.length > 0 || r.delivered !== 1) throw new Error(`reconcile: ${JSON.stringify(r)}`);
      pipelineMs.push(performance.now() - t0);
      await prober;
      if (seen === undefined) throw new Error(`change ${i} never seen in ${PROBE_TIMEOUT_MS} ms`);
      latencies.push(seen);
    }
    return {
      latencies,
      pipelineMs,
      reloads: haproxy.counters.reloads - reloads,
      runtimeApplies: haproxy.counters.runtimeApplies - runtimeApplies,
      other,
    };
  } finally {
    await haproxy?.stop();
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// ---- 2b. cluster to traffic, as deployed ---------------------------------------------------------------

/** 2b's rows: isolated changes (and where they spend their time), then changes during a burst. */
async function deployed(): Promise<string[][]> {
  const out: string[][] = [];
  const delaySeconds = deployedReconcileDelaySeconds();
  for (const burst of [false, true]) {
    progress(burst ? '2b. during a burst' : '2b. isolated changes');
    const c = await clusterPropagation(CLOUD, burst);
    const l = c.latencies;
    const p50 = quantile(l, 0.5);
    const label = burst
      ? `during a burst: ${CLOUD.burstServices} other Services' EndpointSlices on the same Gateway updated every ${CLOUD.burstEveryMs} ms`
      : 'isolated changes';
    out.push([
      `2b. API server change → forwarder → functions → HAProxy → first request, as deployed (reconcile queue DelaySeconds ${delaySeconds}, leading-edge dispatch; ${l.length} ${label})`,
      `p50 ${ms(p50)}, p99 ${ms(quantile(l, 0.99))}, max ${ms(Math.max(...l))}${c.unserved > 0 ? `; ${c.unserved} not served within ${CLOUD.timeoutMs / 1000} s (counted as ${CLOUD.timeoutMs / 1000} s)` : ''}`,
      burst ? 'report' : 'p50 ≤ 250 ms',
      burst ? '' : p50 <= 250 ? 'met' : 'NOT met',
    ]);
    if (!burst && p50 > 250) misses.push(`cluster to traffic, isolated, p50 ${ms(p50)} > 250 ms`);
    if (c.legs.length > 0) {
      const median = (leg: StageLeg) =>
        ms(
          quantile(
            c.legs.map((x) => x[leg]),
            0.5,
          ),
        );
      const legs = Object.entries(STAGE_LEGS) as [StageLeg, string][];
      // A part (`record: store`) goes in brackets after its leg.
      const parts = (leg: StageLeg) =>
        legs.filter(([part]) => part.startsWith(`${leg}: `)).map(([part, what]) => `${what} ${median(part)}`);
      out.push([
        `↳ where an isolated change spends its time (median of ${c.legs.length})`,
        legs
          .filter(([leg]) => !leg.includes(': '))
          .map(([leg, what]) => {
            const p = parts(leg);
            return `${what}: ${median(leg)}${p.length > 0 ? ` (${p.join(', ')})` : ''}`;
          })
          .join('; '),
        '',
        '',
      ]);
    }
    out.push([
      '↳ CPU time of the process running everything but HAProxy, per change (user + system)',
      `${ms(c.cpuMsPerChange)} (the API server, forwarder, emulators, dynalite and functions; quiet time between changes included)`,
      '',
      '',
    ]);
    if (c.burst) {
      out.push([
        '↳ the burst meanwhile',
        `${c.burst.updates.toLocaleString('en')} EndpointSlice updates in ${c.burst.seconds.toFixed(1)} s (${Math.round(c.burst.updates / c.burst.seconds)}/s) → ${c.burst.reconciles} reconciles of the one Gateway key`,
        '',
        '',
      ]);
    }
  }
  return out;
}

// ---- 3. bundles and module initialisation ---------------------------------------------------------------

interface BundleResult {
  name: string;
  status: 'ok' | 'missing' | 'no handler export' | 'build failed';
  detail?: string;
  /** All the code in the artefact: the entry plus its chunks (`splitting`), source maps aside. */
  bytes?: number;
  entryBytes?: number;
  chunks?: number;
  mapBytes?: number;
  inputs?: number;
  initMs?: number[];
  /** `await import(entry)` and then every chunk: what the first invocation's wiring loads, at most. */
  initAllMs?: number[];
  googleCloud?: boolean;
  /** Chunks only the GCP wiring reaches (functions/wiring/gcp-adapter.ts): not loaded without a GCP config. */
  gcpOnlyBytes?: number;
  awsSdkBytes?: number;
  /** The biggest contributors to the bundle, by package or top-level folder. */
  largest?: string;
}

const HANDLER_EXPORT =
  /export\s+(?:const|let|var|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;

async function bundles(): Promise<{ results: BundleResult[]; config: EsbuildConfig }> {
  const { options, config } = esbuildOptionsFromServerlessYml();
  const outRoot = mkdtempSync(join(tmpdir(), 'portico-bench-bundles-'));
  const results: BundleResult[] = [];
  try {
    for (const name of FUNCTIONS) {
      const entry = join(ROOT, 'functions', name, 'handler.ts');
      if (!existsSync(entry)) {
        results.push({ name, status: 'missing', detail: `functions/${name}/handler.ts does not exist yet` });
        continue;
      }
      const hasHandler = HANDLER_EXPORT.test(readFileSync(entry, 'utf8'));
      const outdir = join(outRoot, name);
      let built: Awaited<ReturnType<typeof build>>;
      try {
        built = await build({ ...options, entryPoints: [entry], outdir, absWorkingDir: ROOT });
      } catch (err) {
        results.push({
          name,
          status: 'build failed',
          detail: (err as Error).message.split('\n').slice(0, 3).join(' '),
        });
        continue;
      }
      const ext = config.outputFileExtension ?? '.js';
      const file = join(outdir, `handler${ext}`);
      const outputs = built.metafile!.outputs;
      const main = Object.entries(outputs).find(([p]) => p.endsWith(`handler${ext}`));
      if (!main) throw new Error(`esbuild wrote no handler${ext} for ${name}`);
      const exportsHandler = hasHandler && main[1].exports.includes('handler');
      const inputs = Object.keys(built.metafile!.inputs);
      // The AWS path: what the entry can load without a GCP config (every import but the GCP wiring's).
      const reached = new Set<string>();
      const todo = [main[0]];
      while (todo.length > 0) {
        const p = todo.pop()!;
        if (reached.has(p)) continue;
        reached.add(p);
        for (const i of outputs[p]!.imports) {
          const gcpWiring =
            i.kind === 'dynamic-import' && /gcp-adapter\.ts$/.test(outputs[i.path]?.entryPoint ?? '');
          if (!i.external && !gcpWiring) todo.push(i.path);
        }
      }
      const all = Object.entries(outputs).filter(([p]) => p.endsWith(ext));
      const code = all.filter(([p]) => reached.has(p));
      const gcpOnlyBytes = all
        .filter(([p]) => !reached.has(p))
        .reduce((sum, [p]) => sum + statSync(join(ROOT, p)).size, 0);
      const chunkFiles = code.filter(([p]) => p !== main[0]).map(([p]) => join(ROOT, p));
      const text = code.map(([p]) => readFileSync(join(ROOT, p), 'utf8')).join('\n');
      const codeInputs = code.flatMap(([, o]) => Object.entries(o.inputs));
      const mapBytes = code
        .map(([p]) => join(ROOT, `${p}.map`))
        .filter((m) => existsSync(m))
        .reduce((sum, m) => sum + statSync(m).size, 0);
      const awsSdkBytes = codeInputs
        .filter(([p]) => /node_modules\/@(aws-sdk|smithy|aws-crypto)\//.test(p))
        .reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
      const byPackage = new Map<string, number>();
      for (const [p, v] of codeInputs) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
        const k = m ? m[1]! : p.split('/').slice(0, 2).join('/');
        byPackage.set(k, (byPackage.get(k) ?? 0) + v.bytesInOutput);
      }
      const largest = [...byPackage]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 3)
        .map(([k, v]) => `${k} ${kb(v)}`)
        .join(', ');
      results.push({
        name,
        largest,
        status: exportsHandler ? 'ok' : 'no handler export',
        ...(exportsHandler
          ? {}
          : {
              detail: `functions/${name}/handler.ts exports no \`handler\` yet: its factory module bundled as a lower bound (no AWS client wiring)`,
            }),
        bytes: code.reduce((sum, [p]) => sum + statSync(join(ROOT, p)).size, 0),
        entryBytes: statSync(file).size,
        chunks: chunkFiles.length,
        ...(mapBytes > 0 ? { mapBytes } : {}),
        inputs: inputs.length,
        googleCloud:
          /@google-cloud|GOOGLE_APPLICATION_CREDENTIALS/.test(text) ||
          code.some(([, o]) =>
            Object.keys(o.inputs).some((p) => /@google-cloud|google-auth-library/.test(p)),
          ),
        gcpOnlyBytes,
        awsSdkBytes,
        initMs: initTimes(file, exportsHandler),
        initAllMs: initTimes(file, exportsHandler, chunkFiles),
      });
    }
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  return { results, config };
}

/** Median-able samples: each a fresh node process timing `await import(bundle)` from the inside. */
function initTimes(file: string, requireHandler: boolean, chunks: string[] = []): number[] {
  const url = pathToFileURL(file).href;
  const rest = JSON.stringify(chunks.map((c) => pathToFileURL(c).href));
  const check = requireHandler ? "if (typeof m.handler !== 'function') process.exit(3); " : '';
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(url)}); await Promise.all(${rest}.map((c) => import(c))); const d = performance.now() - t; ${check}process.stdout.write(String(d));`;
  const samples: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`importing ${file} failed (${r.status}): ${r.stderr.slice(0, 400)}`);
    samples.push(Number(r.stdout));
  }
  return samples;
}

// ---- report ----------------------------------------------------------------------------------------------

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const rate = (n: number, msTotal: number) =>
  `${Math.round(n / (msTotal / 1000)).toLocaleString('en')} events/s`;

const started = performance.now();
const machine = { ...machineOf(), haproxy: haproxyVersion() };
/** The 1-minute load average (the machine is shared: the latencies of 2b follow it). */
const load = () => loadavg()[0]!.toFixed(1);
const loadAtStart = load();
/** What runs now, on stderr (a section can take minutes on a loaded machine). */
const progress = (section: string) =>
  console.error(`${section}… (${((performance.now() - started) / 1000).toFixed(0)} s, load ${load()})`);

if (onlyDeployed) {
  const table = markdownTable(['measure', 'result', 'target', 'verdict'], await deployed());
  console.log(`\n${table}\n\nload ${loadAtStart} → ${load()} on ${machine.cores} cores`);
  process.exit(0);
}

progress('1. throughput');
const tp = await throughput();
const mix = Object.entries(tp.mix)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `${k} ${((100 * v) / tp.events).toFixed(1)}%`)
  .join(', ');
rows.push(
  [
    '1. ingest (signed batches of 500 → MemoryQueue)',
    `${rate(tp.events, tp.ingestMs)} (${tp.requests} requests, ${ms(tp.ingestMs)})`,
    'report',
    '',
  ],
  [
    '1. record (FIFO batches of 10 → MemorySnapshotStore)',
    `${rate(tp.events, tp.recordMs)} (${tp.recordBatches} batches, ${ms(tp.recordMs)})`,
    'report',
    '',
  ],
  [
    '1. ingest + record combined',
    `${rate(tp.events, tp.ingestMs + tp.recordMs)} (${tp.events.toLocaleString('en')} events)`,
    'report',
    '',
  ],
  ['↳ event mix', mix, '', ''],
  [
    '↳ reconcile requests sent (leading edge; the rest coalesced into the queued runs)',
    `${tp.reconcileRequests} for ${tp.events.toLocaleString('en')} events (${THROUGHPUT_GATEWAYS} Gateway keys; no reconcile ran meanwhile)`,
    '',
    '',
  ],
);

progress('2. propagation in-process');
const prop = await propagation();
rows.push(
  [
    `2. HTTPRoute change → first request that sees it (${prop.latencies.length} changes, probe every ${PROBE_INTERVAL_MS} ms)`,
    `p50 ${ms(quantile(prop.latencies, 0.5))}, p99 ${ms(quantile(prop.latencies, 0.99))}, max ${ms(Math.max(...prop.latencies))}`,
    'report',
    '',
  ],
  [
    '↳ ingest → record → reconcile (HAProxy applied)',
    `p50 ${ms(quantile(prop.pipelineMs, 0.5))}, p99 ${ms(quantile(prop.pipelineMs, 0.99))}; reloads ${prop.reloads}, runtime applies ${prop.runtimeApplies}; answers other than 404/200: ${JSON.stringify(prop.other)}`,
    '',
    '',
  ],
);

progress('2b. cluster to traffic, as deployed');
rows.push(...(await deployed()));

progress('3. bundles');
const { results: bundled, config } = await bundles();
const bundleRows: string[][] = [];
for (const b of bundled) {
  if (b.bytes === undefined) {
    bundleRows.push([b.name, b.status, '', '', '', '', b.detail ?? '']);
    continue;
  }
  if (b.status !== 'ok') {
    const lower = quantile(b.initMs!, 0.5);
    bundleRows.push([
      `${b.name} (lower bound)`,
      `${kb(b.bytes)}${b.mapBytes ? ` (+ ${kb(b.mapBytes)} map)` : ''}`,
      kb(b.awsSdkBytes!),
      `${b.inputs}`,
      b.largest ?? '',
      `median ${ms(lower)} (min ${ms(Math.min(...b.initMs!))}, max ${ms(Math.max(...b.initMs!))})`,
      `median ${ms(quantile(b.initAllMs!, 0.5))}`,
      `${b.detail}; no verdict${b.googleCloud ? '; contains @google-cloud' : '; no @google-cloud'}`,
    ]);
    continue;
  }
  const init = quantile(b.initAllMs!, 0.5);
  const checks: string[] = [];
  if (b.name === 'ingest') {
    const okBytes = b.bytes! <= TARGETS.ingestBytes;
    const okInit = init <= TARGETS.ingestInitMs;
    checks.push(
      `size ≤ 300 KB: ${okBytes ? 'met' : 'NOT met'}`,
      `init ≤ 150 ms: ${okInit ? 'met' : 'NOT met'}`,
    );
    if (!okBytes) misses.push(`ingest bundle ${kb(b.bytes!)} > 300 KB`);
    if (!okInit) misses.push(`ingest init ${ms(init)} > 150 ms`);
  }
  if (b.name === 'reconcile') {
    const okInit = init <= TARGETS.reconcileInitMs;
    checks.push(
      `init ≤ 300 ms: ${okInit ? 'met' : 'NOT met'}`,
      `no GCP code on the AWS path: ${b.googleCloud ? 'NOT met' : 'met'}`,
    );
    if (!okInit) misses.push(`reconcile init ${ms(init)} > 300 ms`);
    if (b.googleCloud) misses.push("the reconcile bundle's AWS path contains GCP code");
  }
  bundleRows.push([
    b.name,
    `${kb(b.bytes!)} (entry ${kb(b.entryBytes!)} + ${b.chunks} chunks${b.mapBytes ? `; + ${kb(b.mapBytes)} maps` : ''}${b.gcpOnlyBytes ? `; + ${kb(b.gcpOnlyBytes)} GCP-only chunks` : ''})`,
    `${kb(b.awsSdkBytes!)}`,
    `${b.inputs}`,
    b.largest ?? '',
    `median ${ms(quantile(b.initMs!, 0.5))} (min ${ms(Math.min(...b.initMs!))}, max ${ms(Math.max(...b.initMs!))})`,
    `median ${ms(init)} (min ${ms(Math.min(...b.initAllMs!))}, max ${ms(Math.max(...b.initAllMs!))})`,
    (b.name === 'reconcile'
      ? checks
      : [...checks, b.googleCloud ? 'contains @google-cloud' : 'no @google-cloud']
    ).join('; '),
  ]);
}

const table = markdownTable(['measure', 'result', 'target', 'verdict'], rows);
const bundleTable = markdownTable(
  [
    'function',
    'bundle',
    'of which AWS SDK',
    'modules',
    'largest parts',
    `init: import entry (${INIT_RUNS} fresh processes)`,
    'init: entry + every chunk (verdict)',
    'checks',
  ],
  bundleRows,
);
const esbuildLine = `bundle ${config.bundle}, minify ${config.minify}, sourcemap ${config.sourcemap}, target ${config.target}, platform ${config.platform}, format ${config.format}, mainFields ${JSON.stringify(config.mainFields ?? null)}, splitting ${config.splitting ?? false}, extension ${config.outputFileExtension}, external ${JSON.stringify(config.exclude ?? [])}, banner (createRequire)`;
const ingest = bundled.find((b) => b.name === 'ingest');
if (ingest?.status !== 'ok') {
  const lower =
    ingest?.bytes !== undefined
      ? ` Its factory module alone (no SQS client, no config wiring) bundles to ${kb(ingest.bytes)} and imports in ${ms(quantile(ingest.initMs!, 0.5))} (median): a lower bound, not a verdict.`
      : '';
  notes.push(
    `**The ingest targets (bundle ≤ 300 KB, init ≤ 150 ms) could not be checked**: ${ingest?.detail ?? 'no ingest handler'}.${lower}`,
  );
}
const loadAtEnd = loadavg()[0]!;
if (Math.max(Number(loadAtStart), loadAtEnd) > machine.cores) {
  notes.push(
    `**The machine was oversubscribed** (1-minute load average ${loadAtStart} at the start, ${loadAtEnd.toFixed(1)} at the end, on ${machine.cores} cores): every latency above includes waiting for a CPU. Compare 2 (in-process, no queue, ${ms(quantile(prop.latencies, 0.5))} p50 in this run) with 2b: the difference is the forwarder, HTTP, the SQS emulator's polling and dynalite, not a fixed delay (the reconcile queue has none).`,
  );
}
if (misses.length === 0) notes.push('Every target of issue 5 that could be measured was met.');
else notes.push(`Targets missed: ${misses.join('; ')}.`);
const missing = bundled.filter((b) => b.status !== 'ok').map((b) => `${b.name} (${b.detail})`);
if (missing.length > 0) notes.push(`Not measured, handler not there yet: ${missing.join('; ')}.`);

const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\n${table}\n\n${bundleTable}\n\n${notes.join('\n')}`);
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, node ${machine.node}, ${machine.haproxy}; load ${loadAtStart} → ${load()}; ${seconds} s`,
);

if (write) {
  const md = `# Pipeline benchmark results

Generated by \`npm run bench:pipeline\` (bench/pipeline/run.ts) on ${new Date().toISOString()}, in ${seconds} s.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} RAM, Node ${machine.node}, ${machine.platform}; ${machine.haproxy}. 1-minute load average ${loadAtStart} at the start, ${load()} at the end (the machine is shared).

## Throughput and propagation

${table}

## Bundles and module initialisation

esbuild ${(await import('esbuild')).version}, options read from serverless.yml \`custom.esbuild\`: ${esbuildLine}.

${bundleTable}

${notes.join('\n\n')}

## Method

1. **Throughput**: a listed cluster of ${THROUGHPUT_GATEWAYS} Gateways, ${THROUGHPUT_ROUTES} HTTPRoutes, ${THROUGHPUT_ROUTES} Services and ${THROUGHPUT_ROUTES} EndpointSlices
   (recorded before the clock starts), then ${tp.events.toLocaleString('en')} events of the mix above (fixed seed).
   _ingest_: the real \`createIngestHandler\` (HMAC verification, replay cache, parsing, validation,
   dedup ids) with a \`MemoryQueue\`, fed pre-signed API Gateway v2 requests of ${INGEST_BATCH} events.
   _record_: the real \`createRecordHandler\` with a \`MemorySnapshotStore\` and a \`MemoryQueue\` for
   reconcile, fed the enqueued messages as SQS FIFO batches of 10. Single-threaded, in one process, no
   network: the figures are the functions' own CPU cost, not Lambda's or SQS's or DynamoDB's.
2. **Propagation**: one Gateway on a real HAProxy (HAProxy adapter, bind address in 127.0.72.0/24),
   HTTPRoute \`app\` whose PathPrefix changes from \`/v{i-1}\` to \`/v{i}\`. The clock starts just before the
   signed request is posted to ingest; the change then goes through record and reconcile (translate →
   render → observe → plan → apply) in-process; meanwhile a prober (a new connection per request) asks for
   \`/v{i}\` every ${PROBE_INTERVAL_MS} ms; the latency is to its first 200. No queue in between: on AWS add
   SQS and Lambda polling (2b has them).
2b. **Cluster to traffic, as deployed**: the same change made in a local Kubernetes API server and
   carried by everything but AWS (test/e2e/local-cloud.ts): the forwarder's informers (its default
   50 ms linger, taken only when a batch went out within it: an isolated change is sent at once; status pulled every 5 s, its default), signed batches over HTTP to the ingest handler,
   the SQS emulator, the SQS event-source simulator long-polling for record and reconcile (one poller
   per function: Lambda runs 2 to 5 batches at once, so a burst backs up here more than on AWS),
   DynamoDB on dynalite (the dispatch marks too), HAProxy. The
   reconcile queue's DelaySeconds is read from serverless.yml (${deployedReconcileDelaySeconds()}); record dispatches on the
   leading edge (functions/queue/key-dispatch.ts: an idle key's request goes out at once, a queued or
   running key's change waits for that run or its one trailing run). Isolated: ${CLOUD.changes} changes,
   each ${CLOUD.quietMs} ms after the previous one was served. Burst: ${CLOUD.changes} changes 50-130 ms apart while
   ${CLOUD.burstServices} other routes' EndpointSlices on the same Gateway change every ${CLOUD.burstEveryMs} ms (one key, always
   queued or running; the updates start once the Gateway is programmed): the change waits for the
   run in progress, then for its trailing run. "Where an isolated change spends its time" splits each
   isolated change by when the ingest, record and reconcile invocations started and ended, and record
   and reconcile by the phase times of their log lines (\`recorded\`, \`reconciled\`: \`ms\`); the
   HAProxy part is what is left of the reconcile until the first 200. Before
   leading-edge dispatch (DelaySeconds 2 and a 1 s dedup window) the isolated p50 was 2,099 ms.
3. **Bundles**: each \`functions/<name>/handler.ts\` that exports \`handler\`, bundled by esbuild with the
   options of serverless.yml into a temporary directory; size is the \`.mjs\` code of the AWS path: the
   entry plus the chunks \`splitting\` makes of the handlers' dynamic imports (the linked source maps
   beside them are not loaded at run time), without the chunks only the GCP wiring reaches
   (functions/wiring/gcp-adapter.ts, loaded only with a GCP config; their size is given apart). Init: ${INIT_RUNS} fresh \`node\` processes each time
   \`await import(entry)\` with \`performance.now()\` inside the child, then also \`import()\` every chunk
   (an upper bound of what the first invocation's wiring loads: the verdict uses it); medians reported. A handler file
   that does not export \`handler\` yet is still bundled and timed, as a lower bound with no verdict.
`;
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeFileSync(out, md);
  console.log(`wrote ${out}`);
}
process.exit(0);
