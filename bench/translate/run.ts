// Translate benchmark: a synthetic cluster of 50 Gateways, 5,000 HTTPRoutes (2 rules each), 5,000
// Services and 5,000 EndpointSlices (3 endpoints each). Measures the full translate, the incremental
// path of one changed route (affectedKeys + selectBundle + translate of the affected keys only), and
// memory. Run with `npm run bench:translate` (or `npx tsx bench/translate/run.ts`); writes
// bench/translate/RESULTS.md next to this file. Options: `--no-write` (print only).
//
// It refuses to record meaningless figures: if the full translate yields fewer than 50 load
// balancers or fewer than 10,000 routes (the Gateway API translator missing or broken), it exits 1.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { affectedKeys, DependencyGraph, selectBundle } from '#core/index/index.js';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import { translate } from '#core/translate/translate.js';
import { machine as machineOf, markdownTable, ms, prng, quantile } from '../support.js';
import { stamp, syntheticCluster } from './cluster.js';

const CLUSTER = 'bench';
const GATEWAYS = 50;
const ROUTES = 5_000;
const SERVICES = ROUTES;
const NAMESPACES = 10;
const FULL_RUNS = 12;
const FULL_WARMUP = 2;
const CHANGES = 300;
const CHANGE_WARMUP = 20;
const TARGET_FULL_MS = 1_000;
const TARGET_ONE_KEY_MS = 5;

const write = !process.argv.includes('--no-write');
const LOCAL_SYNC_HEADING = '## Local-mode sync';
const gc = exposeGc();

// ---- the synthetic cluster -------------------------------------------------------------------

// bench/translate/cluster.ts builds it (shared with bench/translate/local-sync.ts).

// ---- measuring ---------------------------------------------------------------------------------

function stats(samples: readonly number[]): Stats {
  const q = (p: number) => quantile(samples, p);
  return { median: q(0.5), p95: q(0.95), min: q(0), max: q(1), n: samples.length };
}

interface Stats {
  median: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function countRoutes(lbs: readonly LoadBalancer[]): number {
  let n = 0;
  for (const lb of lbs) for (const l of lb.listeners) n += l.routes.length;
  return n;
}

function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose_gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function fail(message: string): never {
  console.error(`\nbench/translate: ${message}`);
  console.error('No results recorded: fix the translator first (see bench/translate/run.ts).');
  process.exit(1);
}

// ---- the run -------------------------------------------------------------------------------------

const heap0 = heapUsed();
const synthetic = syntheticCluster({ gateways: GATEWAYS, routes: ROUTES, namespaces: NAMESPACES });
const objects = synthetic.objects;
const routeObj = synthetic.route;
const heapObjects = heapUsed();

// Index build (before anything else allocates, so that its heap delta is its own).
const [graph, graphMs] = time(() => DependencyGraph.of(objects, CLUSTER));
const heapGraph = heapUsed();

// (a) Full translate. Cold: the first run in this process (JIT cold, schema checks not memoised).
let [coldResult, coldMs] = time(() => translate(objects, { cluster: CLUSTER }));
const lbCount = coldResult.loadBalancers.length;
const routeCount = countRoutes(coldResult.loadBalancers);
if (lbCount < GATEWAYS || routeCount < 2 * ROUTES) {
  fail(
    `the full translate yielded ${lbCount} load balancers and ${routeCount} routes; ` +
      `expected at least ${GATEWAYS} and ${2 * ROUTES}. Is core/translate/gateway-api implemented?`,
  );
}
const heapTranslated = heapUsed();
coldResult = undefined as unknown as typeof coldResult; // free it: later phases measure time only

// Warm, same objects: translate() memoises schema checks per object identity (read-objects.ts).
const warmSame: number[] = [];
for (let r = 0; r < FULL_WARMUP + FULL_RUNS; r++) {
  const [, t] = time(() => translate(objects, { cluster: CLUSTER }));
  if (r >= FULL_WARMUP) warmSame.push(t);
}
// Warm, fresh objects: what a reconcile that loads the snapshot from a store pays (no memo hit).
const warmFresh: number[] = [];
for (let r = 0; r < FULL_WARMUP + FULL_RUNS; r++) {
  const copy = structuredClone(objects);
  const [, t] = time(() => translate(copy, { cluster: CLUSTER }));
  if (r >= FULL_WARMUP) warmFresh.push(t);
}

gc?.(); // start the incremental phase from a clean heap

// (b) One changed route: record (affectedKeys + upsert), then per key selectBundle + translate.
const random = prng(42);
const current = new Map<number, unknown>();
const samples = {
  perKey: [] as number[],
  total: [] as number[],
  affected: [] as number[],
  upsert: [] as number[],
  select: [] as number[],
  translate: [] as number[],
  translateStored: [] as number[],
};
const readCache = new ReadCache();
let keysSeen = 0;
let bundleObjects = 0;
let maxKeys = 0;
for (let c = 0; c < CHANGE_WARMUP + CHANGES; c++) {
  const i = Math.floor(random() * ROUTES);
  const moved = random() < 0.25;
  const old = current.get(i) ?? objects[synthetic.routeIndex(i)];
  const next = stamp(routeObj(i, c + 1, moved ? 1 + (c % 4) : 0), String(c + 2));
  current.set(i, next);

  const [keys, tAffected] = time(() => affectedKeys({ old, new: next }, graph, CLUSTER));
  const [, tUpsert] = time(() => graph.upsert(next));
  let tSelect = 0;
  let tTranslate = 0;
  let tStored = 0;
  for (const key of keys) {
    const [bundle, ts] = time(() => selectBundle(key, graph));
    // A reconcile loads its bundle from the store: fresh objects. A warm container keeps a ReadCache,
    // so only objects with a new resourceVersion (here: the changed route) are schema-checked again.
    const fresh = structuredClone(bundle);
    const [result, tt] = time(() => translate(fresh, { cluster: CLUSTER }, readCache));
    if (!result.loadBalancers.some((lb) => lb.key === key))
      fail(`the bundle of ${key} translated to no load balancer`);
    // The same bundle as stored (memoised schema checks): what an in-process reconcile pays.
    const [, tm] = time(() => translate(bundle, { cluster: CLUSTER }));
    tSelect += ts;
    tTranslate += tt;
    tStored += tm;
    bundleObjects += bundle.length;
  }
  if (c < CHANGE_WARMUP) continue;
  keysSeen += keys.length;
  maxKeys = Math.max(maxKeys, keys.length);
  samples.affected.push(tAffected);
  samples.upsert.push(tUpsert);
  samples.select.push(tSelect);
  samples.translate.push(tTranslate);
  samples.translateStored.push(tStored);
  samples.total.push(tAffected + tUpsert + tSelect + tTranslate);
  samples.perKey.push(tAffected + tUpsert + (tSelect + tTranslate) / Math.max(1, keys.length));
}

// ---- report --------------------------------------------------------------------------------------

const cold = coldMs;
const same = stats(warmSame);
const fresh = stats(warmFresh);
const inc = stats(samples.total);
const oneKey = stats(samples.perKey);
const machine = machineOf();
const date = new Date().toISOString();
const fullOk = fresh.median <= TARGET_FULL_MS;
const oneKeyOk = oneKey.median <= TARGET_ONE_KEY_MS;

const rows: [string, string, string, string][] = [
  ['full translate, cold (first run)', ms(cold), '', ''],
  ['full translate, warm, same objects (memoised parse)', ms(same.median), ms(same.p95), `${same.n}`],
  ['full translate, warm, fresh objects', ms(fresh.median), ms(fresh.p95), `${fresh.n}`],
  ['index build (DependencyGraph.of, all objects)', ms(graphMs), '', '1'],
  ['one route change: total (all affected keys)', ms(inc.median), ms(inc.p95), `${inc.n}`],
  ['one route change: per affected key', ms(oneKey.median), ms(oneKey.p95), `${oneKey.n}`],
  ['↳ affectedKeys', ms(stats(samples.affected).median), ms(stats(samples.affected).p95), ''],
  ['↳ graph.upsert', ms(stats(samples.upsert).median), ms(stats(samples.upsert).p95), ''],
  ['↳ selectBundle (all affected keys)', ms(stats(samples.select).median), ms(stats(samples.select).p95), ''],
  [
    '↳ translate (all affected keys)',
    ms(stats(samples.translate).median),
    ms(stats(samples.translate).p95),
    '',
  ],
  [
    '↳ (translate of the stored bundle objects, memoised parse)',
    ms(stats(samples.translateStored).median),
    ms(stats(samples.translateStored).p95),
    '',
  ],
];
const memRows: [string, string][] = [
  ['objects (raw snapshot)', mb(heapObjects - heap0)],
  ['dependency graph (index only; objects shared with the snapshot)', mb(heapGraph - heapObjects)],
  ['full translate result (retained; includes memoised schema checks)', mb(heapTranslated - heapGraph)],
];

/** A Markdown table, padded the way the formatter (biome) lays tables out. */

const summary = [
  `Cluster: ${GATEWAYS} Gateways (HTTP listener, one GatewayClass), ${ROUTES.toLocaleString('en')} HTTPRoutes × 2 rules, ` +
    `${SERVICES.toLocaleString('en')} Services, ${SERVICES.toLocaleString('en')} EndpointSlices × 3 endpoints, ${NAMESPACES} namespaces ` +
    `(${objects.length.toLocaleString('en')} objects).`,
  `Full translate output: ${lbCount} load balancers, ${routeCount.toLocaleString('en')} routes.`,
  `Incremental: ${CHANGES} route changes after ${CHANGE_WARMUP} warm-up (75% path edits, 25% moves to another Gateway); ` +
    `${(keysSeen / CHANGES).toFixed(2)} keys per change on average (max ${maxKeys}), ` +
    `${Math.round(bundleObjects / Math.max(1, keysSeen + CHANGE_WARMUP))} objects per bundle on average.`,
];
const timings = markdownTable(['measure', 'median', 'p95', 'runs'], rows);
const memory = markdownTable(['heapUsed delta', 'size'], memRows);
const verdict = [
  `Targets: full translate ≤ ${TARGET_FULL_MS} ms (fresh objects, median): ${fullOk ? 'met' : 'NOT met'}; ` +
    `one key ≤ ${TARGET_ONE_KEY_MS} ms (median per affected key: affectedKeys + upsert + selectBundle + translate): ${oneKeyOk ? 'met' : 'NOT met'}.`,
];

const selectPerKey = stats(samples.select).median / (keysSeen / CHANGES);
const translatePerKey = stats(samples.translate).median / (keysSeen / CHANGES);
const analysis = [
  `Where one key's time goes (medians, per affected key): translate ${ms(translatePerKey)} of a bundle of ` +
    `~${Math.round(bundleObjects / Math.max(1, keysSeen + CHANGE_WARMUP))} objects (one Gateway's ${ROUTES / GATEWAYS} routes, ` +
    `their ${(2 * ROUTES) / GATEWAYS} Services and slices), selectBundle ${ms(selectPerKey)}, affectedKeys + upsert ` +
    `${ms(stats(samples.affected).median + stats(samples.upsert).median)}. The index part is independent of the cluster ` +
    `size (it reads only what the key holds); the translate part is proportional to the size of the one load ` +
    `balancer, and re-validating every object of the bundle (zod) is a large share of it: compare the ` +
    `memoised-parse line.`,
];

console.log(
  `\n${summary.join('\n')}\n\n${timings}\n\n${memory}\n\n${verdict.join('\n')}\n\n${analysis.join('\n')}\n`,
);
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, node ${machine.node}, ${machine.platform}`,
);

if (write) {
  const md = `# Translate benchmark results

Generated by \`npm run bench:translate\` (bench/translate/run.ts) on ${date}.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} RAM, Node ${machine.node}, ${machine.platform}.${gc ? '' : ' (GC not exposed: memory figures are rough.)'}

${summary.join('\n')}

## Timings

${timings}

- _cold_: the first translate() in the process (JIT cold, nothing memoised).
- _same objects_: translate() memoises schema checks per object identity (core/model/read-objects.ts),
  so re-translating the very same objects skips parsing; _fresh objects_ (a structuredClone per run,
  not timed) is what a reconcile loading its snapshot from a store pays.
- _one route change_: \`affectedKeys\` for the change, \`graph.upsert\` of the new version, then for each
  affected key \`selectBundle\` and \`translate\` of that bundle (cloned first, untimed, as if loaded
  from a store). _per affected key_ divides the selectBundle + translate part by the number of keys
  (a route moved to another Gateway affects two). The memoised-parse line is for comparison only
  (an in-process reconcile, as in local mode, translating the very objects the graph holds).

## Memory

${memory}

## Verdict

${verdict.join('\n')}

${analysis.join('\n')}
`;
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  // The local-mode section is recorded by hand from bench/translate/local-sync.ts: keep it.
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const localSync = previous.indexOf(LOCAL_SYNC_HEADING);
  writeFileSync(out, localSync >= 0 ? `${md}\n${previous.slice(localSync)}` : md);
  console.log(`wrote ${out}`);
}
