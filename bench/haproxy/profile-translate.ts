// What translating one route change costs, without HAProxy: IncrementalTranslate holding one Gateway
// of N routes, then 20 route adds (one apply and one read of the result each), median CPU time, and
// how many of the Gateway's IR routes are the same objects after a change (the route memo keeps
// them). Then the same adds through a LocalPipeline whose adapter renders, observes and applies
// nothing: its sync CPU less the translation's is what the pipeline itself does per change
// (ObjectChanges, reconcileKey's own checks, statuses after the provider, notices).
// `npx tsx bench/haproxy/profile-translate.ts [N] [adds] [shape]`; shape `one-service` (default: every
// route to one Service) or `services` (route i to its own Service svc-i, stored from the start, so
// that each route add brings a new Service into the Gateway's bundle, as profile-render.ts's).
// Then a Gateway change that changes no route (a label): translate CPU, and the IR routes kept.
import { FAKE_CAPABILITIES } from '#adapters/fake/capabilities.js';
import { fakeDiffSpec } from '#adapters/fake/diff-spec.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { propGateway, propRoute, propService } from './profile-gateway.js';

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
const SHAPE = process.argv[4] ?? 'one-service';
if (!['one-service', 'services'].includes(SHAPE)) throw new Error(`bench: unknown shape ${SHAPE}`);
const service = (i: number) => propService(NS, i);
const services = SHAPE === 'services' ? Array.from({ length: N + ADDS }, (_, i) => service(i)).flat() : [];
const route = (i: number) => {
  const r = propRoute(NS, i);
  if (SHAPE === 'services') r.spec.rules[0]!.backendRefs = [{ name: `svc-${i}`, port: 80 }];
  return r;
};

function cpuMs(run: () => void): number {
  const c = process.cpuUsage();
  run();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const t = new IncrementalTranslate({ cluster: 'bench' });
t.apply([...base, ...services, ...Array.from({ length: N }, (_, i) => route(i))].map((o) => ({ new: o })));
const irRoutes = () => t.get(KEY)?.lb?.listeners[0]?.routes ?? [];
const cpu: number[] = [];
let kept = 0;
for (let k = 0; k < ADDS; k++) {
  const before = new Set(irRoutes());
  cpu.push(
    cpuMs(() => {
      t.apply([{ new: route(N + k) }]);
      void t.result;
    }),
  );
  kept = irRoutes().filter((r) => before.has(r)).length;
}
console.log(`${N} routes, ${ADDS} route adds: translate CPU per add, median ${median(cpu).toFixed(1)} ms`);
console.log(`  IR routes kept as the same objects after the last add: ${kept} of ${irRoutes().length}`);
{
  // A Gateway change every route may read: each route is translated again, into equal IR routes.
  const gateway = base.find((o) => (o as { kind?: string }).kind === 'Gateway') as {
    metadata: Record<string, unknown>;
  };
  const before = new Set(irRoutes());
  let last = gateway;
  const changes: number[] = [];
  for (let k = 0; k < 5; k++) {
    const next = { ...last, metadata: { ...last.metadata, labels: { bench: String(k) } } };
    const old = last;
    changes.push(
      cpuMs(() => {
        t.apply([{ old, new: next }]);
        void t.result;
      }),
    );
    last = next;
  }
  const same = irRoutes().filter((r) => before.has(r)).length;
  console.log(
    `  a Gateway label change: translate CPU, median ${median(changes).toFixed(1)} ms; IR routes kept ${same} of ${irRoutes().length}`,
  );
}

// An adapter that programs nothing: what is left of a sync is translation and the pipeline's own work.
const nothing: AnyLoadBalancerAdapter = {
  name: 'haproxy',
  capabilities: () => FAKE_CAPABILITIES,
  render: () => ({ resources: [], notices: [] }),
  diffSpec: fakeDiffSpec,
  observe: async () => ({ resources: [], complete: true }),
  apply: async (plan: { key: string }) => ({ key: plan.key, addresses: [], programmed: true }),
} as unknown as AnyLoadBalancerAdapter;
const pipeline = new LocalPipeline({
  adapters: { haproxy: nothing },
  translateOptions: { cluster: 'bench' },
});
const objects = [...base, ...services, ...Array.from({ length: N }, (_, i) => route(i))];
await pipeline.sync(objects);
const sync: number[] = [];
for (let k = 0; k < ADDS; k++) {
  objects.push(route(N + k));
  const c = process.cpuUsage();
  await pipeline.sync(objects);
  const d = process.cpuUsage(c);
  sync.push((d.user + d.system) / 1000);
}
console.log(
  `  LocalPipeline.sync with an adapter that programs nothing: CPU per add, median ${median(sync).toFixed(1)} ms` +
    ` (of which translate ~${median(cpu).toFixed(1)})`,
);
