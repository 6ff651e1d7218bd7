import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import { loadSavedState } from '#adapters/haproxy/state/saved-state.js';
import type { LoadBalancerAdapter, Observed } from '#adapters/types.js';
import { LocalPipeline } from '#cli/local/local-pipeline.js';
import { planChanges } from '#core/plan/plan-changes.js';
import type { Plan } from '#core/plan/types.js';
import { seededRandom } from '#test/emulators/fault-patterns.js';
import { httpGateway, makeStateDir } from './support.js';

// The record of the last apply (adapters/haproxy/state/confirmed-record.ts) against a real HAProxy:
// after each of a series of random changes (routes added and deleted, with and without header
// matches, endpoints changed), the observe that answers from the record gives the same plan as a
// full read of the files and the worker; and a hand edit of a managed file sends the next observe to
// a full read. Addresses 127.0.106.x, listener port 20600.

const NS = 'rec';
const PORT = 20600;
const POOL = '127.0.106.10-127.0.106.20';

const base = [
  ...httpGateway(NS, PORT),
  ...['svc-a', 'svc-b'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { ports: [{ name: 'http', port: 80 }] },
  })),
];

const slice = (service: string, ports: number[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 80 }],
  endpoints: ports.map((p) => ({ addresses: [`127.0.106.${p}`], conditions: { ready: true } })),
});

interface RouteSpec {
  i: number;
  service: string;
  exact: boolean;
  header: boolean;
}

const route = ({ i, service, exact, header }: RouteSpec) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: `r${i}`, namespace: NS },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: [`${i % 7}.rec.test`],
    rules: [
      {
        matches: [
          {
            path: { type: exact ? 'Exact' : 'PathPrefix', value: `/p${i}` },
            ...(header ? { headers: [{ name: 'x-variant', value: `v${i}` }] } : {}),
          },
        ],
        backendRefs: [{ name: service, port: 80 }],
      },
    ],
  },
});

let dir: { dir: string; cleanup(): void };
let adapter: HaproxyAdapter;
/** Plans of the same observe, from the record and from a full read, for every apply. */
const compared: { recorded: Plan<HaproxyKinds>; full: Plan<HaproxyKinds> }[] = [];

/** The adapter, with every observe also made as a full read and both plans kept. */
function comparing(inner: HaproxyAdapter): LoadBalancerAdapter<HaproxyKinds> {
  return {
    name: inner.name,
    diffSpec: inner.diffSpec,
    capabilities: () => inner.capabilities(),
    render: (lb) => inner.render(lb),
    apply: (plan, o) => inner.apply(plan, o),
    async observe(key, o): Promise<Observed<HaproxyKinds>> {
      const full = await inner.observe(key, { ...o, readBack: 'full' });
      const before = inner.recordedObserves;
      // Last, so that the apply that follows plans from the record.
      const observed = await inner.observe(key, o);
      if (inner.recordedObserves > before) {
        const plan = (r: Observed<HaproxyKinds>) =>
          planChanges(o.desired, r.resources, inner.diffSpec, { lbKey: key });
        compared.push({ recorded: plan(observed), full: plan(full) });
      }
      return observed;
    },
  };
}

beforeAll(async () => {
  dir = makeStateDir('record');
  adapter = createHaproxyAdapter({ stateDir: dir.dir, addressPool: POOL, slotMinimum: 2 });
});

afterAll(async () => {
  await adapter?.stop();
  dir?.cleanup();
});

describe('HAProxy record of the last apply', () => {
  it('plans as a full read does, after each of a series of random changes', async () => {
    const pipeline = new LocalPipeline({ adapters: { haproxy: comparing(adapter) } });
    const next = seededRandom(13);
    const routes = new Map<number, RouteSpec>();
    const endpoints: Record<string, number[]> = { 'svc-a': [2], 'svc-b': [3, 4] };
    let counter = 0;
    const objects = () => [
      ...base,
      ...Object.entries(endpoints).map(([s, ports]) => slice(s, ports)),
      ...[...routes.values()].map(route),
    ];
    for (let k = 0; k < 6; k++) {
      const i = counter++;
      routes.set(i, { i, service: 'svc-a', exact: false, header: false });
    }
    await pipeline.sync(objects());
    for (let step = 0; step < 40; step++) {
      const op = next();
      if (op < 0.45) {
        const i = counter++;
        routes.set(i, {
          i,
          service: next() < 0.5 ? 'svc-a' : 'svc-b',
          exact: next() < 0.3,
          header: next() < 0.3,
        });
      } else if (op < 0.7 && routes.size > 1) {
        const keys = [...routes.keys()];
        routes.delete(keys[Math.floor(next() * keys.length)]!);
      } else if (op < 0.85) {
        const service = next() < 0.5 ? 'svc-a' : 'svc-b';
        const count = 1 + Math.floor(next() * 3);
        endpoints[service] = Array.from({ length: count }, () => 2 + Math.floor(next() * 8)).filter(
          (p, j, all) => all.indexOf(p) === j,
        );
      } else {
        const keys = [...routes.keys()];
        const r = routes.get(keys[Math.floor(next() * keys.length)]!)!;
        routes.set(r.i, { ...r, service: r.service === 'svc-a' ? 'svc-b' : 'svc-a' });
      }
      await pipeline.sync(objects());
    }
    // Most observes answered from the record (the first of the key read in full), and each of them
    // planned exactly as the full read next to it.
    expect(compared.length).toBeGreaterThan(30);
    for (const { recorded, full } of compared) expect(recorded).toEqual(full);
    expect(
      compared.some(({ full }) => full.changes.some((c) => c.kind === 'map' && c.action === 'update')),
    ).toBe(true);
    expect(
      compared.some(({ full }) => full.changes.some((c) => c.kind === 'backend' && c.action !== 'noop')),
    ).toBe(true);
    // And what runs is what was asked for: a full read finds nothing to change.
    const lb = pipeline.last.loadBalancers[0]!;
    const desired = adapter.render(lb).resources;
    const signal = new AbortController().signal;
    const full = await adapter.observe(lb.key, { signal, desired, readBack: 'full' });
    const plan = planChanges(desired, full.resources, adapter.diffSpec, { lbKey: lb.key });
    expect(plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    // The saved state (a snapshot and a log line per change since) reads back as what was applied.
    const byAddress = (rs: readonly { address: string }[]) =>
      [...rs].sort((a, b) => (a.address < b.address ? -1 : 1));
    expect(byAddress(loadSavedState(dir.dir).resources[lb.key]!)).toEqual(byAddress(desired));
  });

  it('reads in full after a hand edit of a managed file, even one that keeps its size', async () => {
    const pipeline = new LocalPipeline({ adapters: { haproxy: adapter } });
    const routes = [0, 1, 2].map((i) => route({ i: 100 + i, service: 'svc-a', exact: false, header: false }));
    const objects = [...base, slice('svc-a', [2]), slice('svc-b', [3]), ...routes];
    await pipeline.sync(objects);
    await pipeline.sync(objects, undefined, { resync: true });
    const lb = pipeline.last.loadBalancers[0]!;
    const desired = adapter.render(lb).resources;
    const signal = new AbortController().signal;
    const observe = () => adapter.observe(lb.key, { signal, desired });
    let before = adapter.recordedObserves;
    await observe();
    expect(adapter.recordedObserves).toBe(before + 1);

    // Route 101's prefix becomes /p191 on disk: the same number of bytes.
    const prefix = desired.find((r) => r.kind === 'map' && r.value.match === 'beg')!;
    const file = join(dir.dir, 'maps', `${prefix.value.name}.map`);
    const good = readFileSync(file, 'utf8');
    expect(good).toContain('/p101');
    const edited = good.replace('/p101', '/p191');
    expect(edited.length).toBe(good.length);
    // In place, as an editor that keeps the inode would.
    writeFileSync(file, edited);
    before = adapter.recordedObserves;
    const seen = await observe();
    expect(adapter.recordedObserves).toBe(before);
    const plan = planChanges(desired, seen.resources, adapter.diffSpec, { lbKey: lb.key });
    expect(plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.kind}`)).toEqual([
      'update map',
    ]);

    // A reconcile puts it back, and the record answers again.
    await pipeline.sync(objects, undefined, { resync: true });
    expect(readFileSync(file, 'utf8')).toBe(good);
    before = adapter.recordedObserves;
    await observe();
    expect(adapter.recordedObserves).toBe(before + 1);

    // A file replaced by another one (a new inode), same content: read in full, found unchanged.
    writeFileSync(`${file}.new`, good);
    renameSync(`${file}.new`, file);
    before = adapter.recordedObserves;
    const again = await observe();
    expect(adapter.recordedObserves).toBe(before);
    expect(
      planChanges(desired, again.resources, adapter.diffSpec, { lbKey: lb.key }).changes.filter(
        (c) => c.action !== 'noop',
      ),
    ).toEqual([]);
    // The full read found the file holding what the record says: the record answers again.
    before = adapter.recordedObserves;
    await observe();
    expect(adapter.recordedObserves).toBe(before + 1);
  });
});
