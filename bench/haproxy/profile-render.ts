// What rendering one route change costs on the HAProxy path, alone: IncrementalTranslate holds a
// Gateway of N routes (N - adds, then one route added per translation), and renderHaproxy renders
// each new IR with one route memo kept between renders, as the adapter does (the IRs are translated
// first, then rendered in turn). Prints the median CPU time of the timed renders.
// `npx tsx bench/haproxy/profile-render.ts [N] [adds] [shape]`; shape `hosts` (default: route i on
// host `<i>-route.example.com`, as the propagation benchmark), `one-host` (every route on one host,
// path `/<i>`) or `services` (route i to its own Service). With PROFILE=<file>, a V8 CPU profile of
// the timed renders is written there; with ALL=1, every render's time is printed.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createHttpRouteMemo } from '#adapters/haproxy/config/http-frontend.js';
import { renderHaproxy } from '#adapters/haproxy/render.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { propGateway, propRoute, propService } from './profile-gateway.js';

const N = Number(process.argv[2] ?? 3000);
const ADDS = Number(process.argv[3] ?? 20);
const NS = 'bench';
const KEY = `bench/Gateway/${NS}/prop`;
const POOL = ['127.0.105.10'];
const base = propGateway({
  namespace: NS,
  listenerPort: 8080,
  backendPort: 8081,
  backendAddress: '127.0.0.1',
});
const SHAPE = process.argv[4] ?? 'hosts';
if (!['hosts', 'one-host', 'services'].includes(SHAPE)) throw new Error(`bench: unknown shape ${SHAPE}`);
const service = (i: number) => propService(NS, i);
const route = (i: number) => {
  const r = propRoute(NS, i);
  if (SHAPE === 'one-host') r.spec.hostnames = ['shop.example.com'];
  if (SHAPE === 'services') r.spec.rules[0]!.backendRefs = [{ name: `svc-${i}`, port: 80 }];
  return r;
};
const services = (from: number, to: number) =>
  SHAPE === 'services' ? Array.from({ length: to - from }, (_, k) => service(from + k)).flat() : [];

const t = new IncrementalTranslate({ cluster: 'bench' });
t.apply(
  [...base, ...services(0, N), ...Array.from({ length: N - ADDS }, (_, i) => route(i))].map((o) => ({
    new: o,
  })),
);
const lbOf = () => {
  const lb = t.get(KEY)?.lb;
  if (!lb) throw new Error(`bench: no load balancer for ${KEY}`);
  return lb;
};
const routeMemo = createHttpRouteMemo();
// The first render compiles every route, as the adapter's first render after a start does.
const first = renderHaproxy(lbOf(), { pool: POOL, routeMemo });

// The IR after each route add, translated first so that the profile holds the renders alone.
const lbs = Array.from({ length: ADDS }, (_, k) => {
  t.apply([{ new: route(N - ADDS + k) }]);
  return lbOf();
});
const session = process.env.PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu: number[] = [];
let last = first;
for (const lb of lbs) {
  const c = process.cpuUsage();
  last = renderHaproxy(lb, { pool: POOL, routeMemo });
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
}
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.PROFILE!, JSON.stringify(profile));
}
const entries = last.resources.reduce((n, r) => n + (r.kind === 'map' ? r.value.entries.length : 0), 0);
if (process.env.ALL) console.log(cpu.map((x) => x.toFixed(2)).join(' '));
cpu.sort((a, b) => a - b);
console.log(
  `${N} routes, ${ADDS} route adds: render CPU per add, median ${cpu[cpu.length >> 1]!.toFixed(2)} ms` +
    ` (min ${cpu[0]!.toFixed(2)}, max ${cpu.at(-1)!.toFixed(2)}); shape ${SHAPE}, ${last.resources.length} resources, ${entries} map entries`,
);
