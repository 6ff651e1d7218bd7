// Local-mode sync benchmark: `portico dev`'s pipeline (cli/local/local-pipeline.ts) in process, on
// the HAProxy adapter's pure part (render and diff spec) over an in-memory provider that runs what
// it was last given: what is measured is translate, render, plan and the pipeline's own bookkeeping,
// not HAProxy's reloads (bench/haproxy measures those). The fake adapter is not used: it clones
// its whole cloud on every read, which would dominate. For the synthetic cluster of bench/translate/cluster.ts at 1,000, 3,000
// and 5,000 routes (50 Gateways): the first sync, a sync with nothing changed (the very same objects,
// as the cluster source hands them; and fresh copies of them, as a manifests folder re-read gives),
// and a sync after one route changed. Run with `npx tsx bench/translate/local-sync.ts`; prints a
// Markdown table for bench/translate/RESULTS.md. Options: `--sizes 1000,5000`, `--runs N`.

import { performance } from 'node:perf_hooks';
import { haproxy } from '#adapters/haproxy/index.js';
import type { AnyLoadBalancerAdapter, Observed } from '#adapters/types.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { machine as machineOf, markdownTable, ms, quantile } from '../support.js';
import { stamp, syntheticCluster } from './cluster.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '1000,3000,5000').split(',').map(Number);
const RUNS = Number(arg('--runs') ?? 20);

/** HAProxy's render and diff spec over an in-memory provider: apply keeps what render last gave. */
async function renderOnlyHaproxy(): Promise<AnyLoadBalancerAdapter> {
  const pure = await haproxy.pure();
  const rendered = new Map<string, unknown[]>();
  const running = new Map<string, unknown[]>();
  const adapter = {
    ...pure,
    render(lb: Parameters<typeof pure.render>[0]) {
      const r = pure.render(lb);
      rendered.set(lb.key, r.resources);
      return r;
    },
    async observe(key: string) {
      const resources = (running.get(key) ?? []).map((r) => ({ ...(r as object), owned: true }));
      return { resources, complete: true } as unknown as Observed<never>;
    },
    async apply(plan: { lbKey: string }) {
      const wanted = plan as unknown as { changes: { action: string }[] };
      running.set(
        plan.lbKey,
        wanted.changes.every((c) => c.action === 'delete') ? [] : (rendered.get(plan.lbKey) ?? []),
      );
      return { key: plan.lbKey, programmed: true, addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] };
    },
  };
  return adapter as unknown as AnyLoadBalancerAdapter;
}

const rows: string[][] = [];
for (const routes of SIZES) {
  const cluster = syntheticCluster({ gateways: 50, routes, namespaces: 10 });
  const pipeline = new LocalPipeline({ adapters: { haproxy: await renderOnlyHaproxy() } });
  let objects = [...cluster.objects];

  const t0 = performance.now();
  const first = await pipeline.sync(objects);
  const firstMs = performance.now() - t0;
  if (first.loadBalancers.length !== 50)
    throw new Error(`expected 50 load balancers, got ${first.loadBalancers.length}`);

  const noop: number[] = [];
  const noopFresh: number[] = [];
  const change: number[] = [];
  let keysPerChange = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    let result = await pipeline.sync(objects);
    noop.push(performance.now() - t);
    if (result.changed.length > 0) throw new Error('a no-op sync changed something');

    const fresh = structuredClone(objects);
    t = performance.now();
    result = await pipeline.sync(fresh);
    noopFresh.push(performance.now() - t);
    if (result.changed.length > 0) throw new Error('a no-op sync of fresh copies changed something');
    objects = fresh;

    const i = (r * 7919) % routes;
    objects = [...objects];
    objects[cluster.routeIndex(i)] = stamp(cluster.route(i, r + 1), String(r + 2));
    t = performance.now();
    result = await pipeline.sync(objects);
    change.push(performance.now() - t);
    if (result.changed.length !== 1)
      throw new Error(`one route change changed ${result.changed.length} keys`);
    keysPerChange += (result as { reconciled?: unknown[] }).reconciled?.length ?? 50;
  }
  const med = (xs: number[]) => ms(quantile(xs, 0.5));
  const p95 = (xs: number[]) => ms(quantile(xs, 0.95));
  rows.push([
    routes.toLocaleString('en'),
    ms(firstMs),
    `${med(noop)} / ${p95(noop)}`,
    `${med(noopFresh)} / ${p95(noopFresh)}`,
    `${med(change)} / ${p95(change)}`,
    (keysPerChange / RUNS).toFixed(1),
  ]);
  console.error(`${routes} routes done`);
}

const m = machineOf();
console.log(
  `${new Date().toISOString()}; ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}; ${RUNS} runs each\n`,
);
console.log(
  markdownTable(
    [
      'routes',
      'first sync',
      'no-op, same objects (median / p95)',
      'no-op, fresh copies (median / p95)',
      'one route changed (median / p95)',
      'keys reconciled per change',
    ],
    rows,
  ),
);
