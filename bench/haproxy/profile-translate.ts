// What translating one route change costs, without HAProxy: IncrementalTranslate holding one Gateway
// of N routes, then 20 route adds (one apply and one read of the result each), median CPU time, and
// how many of the Gateway's IR routes are the same objects after a change (the route memo keeps
// them). `npx tsx bench/haproxy/profile-translate.ts [N] [adds]`.
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { propGateway, propRoute } from './profile-gateway.js';

const N = Number(process.argv[2] ?? 3000);
const ADDS = Number(process.argv[3] ?? 20);
const NS = 'bench';
const KEY = `bench/Gateway/${NS}/prop`;
const base = propGateway({
  namespace: NS,
  listenerPort: 8080,
  backendPort: 8081,
  backendAddress: '127.0.0.1',
});
const route = (i: number) => propRoute(NS, i);

const t = new IncrementalTranslate({ cluster: 'bench' });
t.apply([...base, ...Array.from({ length: N }, (_, i) => route(i))].map((o) => ({ new: o })));
const irRoutes = () => t.get(KEY)?.lb?.listeners[0]?.routes ?? [];
const cpu: number[] = [];
let kept = 0;
for (let k = 0; k < ADDS; k++) {
  const before = new Set(irRoutes());
  const c = process.cpuUsage();
  t.apply([{ new: route(N + k) }]);
  void t.result;
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
  kept = irRoutes().filter((r) => before.has(r)).length;
}
cpu.sort((a, b) => a - b);
console.log(
  `${N} routes, ${ADDS} route adds: translate CPU per add, median ${cpu[cpu.length >> 1]!.toFixed(1)} ms`,
);
console.log(`  IR routes kept as the same objects after the last add: ${kept} of ${irRoutes().length}`);
