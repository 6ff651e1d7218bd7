// Where one route change's time goes on the HAProxy path: a Gateway with N routes, then single-route
// adds and no-op syncs, each timed in spans (diff → translate → render → observe → plan → apply).
// `npx tsx bench/haproxy/profile-change.ts [N]`; with PROFILE=<file>, a V8 CPU profile of the timed
// route-adding syncs is written there (open it in Chrome DevTools).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { propGateway, propRoute } from './profile-gateway.js';

const N = Number(process.argv[2] ?? 3000);
const NS = 'bench';
const stateDir = mkdtempSync(join(os.tmpdir(), 'portico-profile-'));
const adapter = createHaproxyAdapter({ stateDir, addressPool: '127.0.105.10-127.0.105.20' });
const spans: Record<string, number[]> = {};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const span = (name: string, ms: number) => {
  spans[name] ??= [];
  spans[name].push(ms);
};
const timed: LoadBalancerAdapter<HaproxyKinds> = {
  name: adapter.name,
  diffSpec: adapter.diffSpec,
  capabilities: () => adapter.capabilities(),
  render(lb) {
    const t = performance.now();
    const r = adapter.render(lb);
    span('render', performance.now() - t);
    return r;
  },
  async observe(key, o) {
    const t = performance.now();
    const c = process.cpuUsage();
    const r = await adapter.observe(key, o);
    span('observe', performance.now() - t);
    span('observe (this process CPU)', cpuMs(c));
    const t2 = performance.now();
    planChanges(o.desired, r.resources, adapter.diffSpec, { lbKey: key });
    span('plan (again, alone)', performance.now() - t2);
    return r;
  },
  async apply(plan, o) {
    const t = performance.now();
    const c = process.cpuUsage();
    const r = await adapter.apply(plan, o);
    span('apply', performance.now() - t);
    span('apply (this process CPU)', cpuMs(c));
    if (adapter.lastApply) {
      span('apply: files + runtime API (applyHAProxyChange)', adapter.lastApply.durationMs);
      if (adapter.lastApply.filesMs !== undefined)
        span('apply: writing the files', adapter.lastApply.filesMs);
      if (adapter.lastApply.runtimeMs !== undefined)
        span('apply: runtime commands sent', adapter.lastApply.runtimeMs);
      span('apply: runtime commands (count)', adapter.lastApply.runtimeCommands);
      span('apply: runtime requests (CLI connections)', adapter.lastApply.runtimeRequests);
      span('apply: files written', adapter.lastApply.written.length);
    }
    return r;
  },
};
const pipeline = new LocalPipeline({ adapters: { haproxy: timed } });
const base = propGateway({
  namespace: NS,
  listenerPort: 20500,
  backendPort: 20501,
  backendAddress: '127.0.105.1',
});
const route = (i: number) => propRoute(NS, i);
const routes = Array.from({ length: N - 20 }, (_, i) => route(i));
try {
  await pipeline.sync([...base, ...routes]);
  for (const k of Object.keys(spans)) delete spans[k];
  const session = process.env.PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const total: number[] = [];
  const cpu: number[] = [];
  const { recordedObserves } = adapter;
  const { reloads } = adapter.counters;
  for (let k = 0; k < 20; k++) {
    routes.push(route(routes.length));
    const t = performance.now();
    const c = process.cpuUsage();
    await pipeline.sync([...base, ...routes]);
    total.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.PROFILE!, JSON.stringify(profile));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
  console.log(`${N} routes, one route added per sync (20 syncs), median ms:`);
  console.log(`  sync ${med(total)} (this process's CPU ${med(cpu)})`);
  console.log(
    `  observes from the record ${adapter.recordedObserves - recordedObserves} of 20, reloads ${adapter.counters.reloads - reloads}`,
  );
  for (const [k, v] of Object.entries(spans)) console.log(`  ${k} ${med(v)}`);
  const noop: number[] = [];
  for (let k = 0; k < 10; k++) {
    const t = performance.now();
    await pipeline.sync([...base, ...routes]);
    noop.push(performance.now() - t);
  }
  console.log(`  no-op sync ${med(noop)}`);
} finally {
  await adapter.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
