import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectChange } from '#core/index/index.js';
import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { type TranslateResult, translate } from '#core/translate/translate.js';
import { clusterArb, SLOTS } from '../unit/index/arbitraries.js';
import {
  CLUSTER,
  endpointSlice,
  gateway,
  gatewayClass,
  healthCheckPolicy,
  httpRoute,
  namespace,
  pod,
  service,
} from '../unit/index/fixtures.js';

// Incremental translation equals translation from scratch: a random small cluster (Gateways sharing
// hostnames, ListenerSets, routes attached to several Gateways, GatewayClasses, parameters, Secrets,
// CA bundles, ReferenceGrants, Namespaces, Ingress groups, Services...) goes through a random
// sequence of changes (adds, updates, deletes, sometimes several at once); after each batch the
// incremental result must be what translate() of all the objects gives.

const OPTIONS = { cluster: CLUSTER, supportedFeatures: { haproxy: ['Gateway', 'HTTPRoute'] } };
const RUNS = Number(process.env.INCREMENTAL_PROPERTY_RUNS ?? 150);

/** One change: slot i becomes `value` (undefined = deleted). */
const stepArb = fc
  .integer({ min: 0, max: SLOTS.length - 1 })
  .chain((i) => fc.option(SLOTS[i]!, { nil: undefined, freq: 4 }).map((value) => ({ i, value })));
/** A batch: what arrives between two syncs. */
const batchArb = fc.array(stepArb, { minLength: 1, maxLength: 3 });

/**
 * A Gateway key's IR routes and pools that come out equal to the last translation's (same id, same
 * listener) are those very objects: the HAProxy render keys its work on them.
 */
function expectEqualKeptSame(before: readonly LoadBalancer[], after: readonly LoadBalancer[]): void {
  const last = new Map(before.map((lb) => [lb.key, lb]));
  for (const lb of after) {
    const prev = last.get(lb.key);
    if (!prev || lb.source.kind !== 'Gateway') continue;
    const changedButEqual = <T extends { id: string }>(now: readonly T[], was: readonly T[]) => {
      const byId = new Map(was.map((x) => [x.id, x]));
      return now.filter((x) => byId.get(x.id) !== x && isDeepStrictEqual(byId.get(x.id), x)).map((x) => x.id);
    };
    for (const l of lb.listeners) {
      const was = prev.listeners.find((p) => p.id === l.id);
      if (was)
        expect(changedButEqual(l.routes, was.routes), `${lb.key} ${l.id}: equal routes, new objects`).toEqual(
          [],
        );
    }
    expect(changedButEqual(lb.pools, prev.pools), `${lb.key}: equal pools, new objects`).toEqual([]);
  }
}

/** What is compared: everything, notices as a set (a notice several keys raise is listed once). */
function comparable(r: TranslateResult) {
  const notices = [...new Map(r.notices.map((n) => [JSON.stringify(n), n])).values()];
  return { loadBalancers: r.loadBalancers, held: r.held, statuses: r.statuses, notices };
}

/** Puts a batch's values in their slots; the changes that makes (a slot empty before and after is none). */
function applyBatch(slots: unknown[], batch: readonly { i: number; value: unknown }[]): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const { i, value } of batch) {
    const old = slots[i];
    if (old === undefined && value === undefined) continue;
    changes.push({ ...(old !== undefined ? { old } : {}), ...(value !== undefined ? { new: value } : {}) });
    slots[i] = value;
  }
  return changes;
}

describe('IncrementalTranslate', () => {
  it('after any sequence of changes, gives what translate() of all the objects gives', () => {
    fc.assert(
      fc.property(clusterArb, fc.array(batchArb, { minLength: 1, maxLength: 8 }), (initial, batches) => {
        const slots = [...initial];
        const incremental = new IncrementalTranslate(OPTIONS);
        incremental.apply(slots.filter((o) => o !== undefined).map((o) => ({ new: o })));
        expect(comparable(incremental.result)).toEqual(
          comparable(
            translate(
              slots.filter((o) => o !== undefined),
              OPTIONS,
            ),
          ),
        );
        for (const batch of batches) {
          const changes = applyBatch(slots, batch);
          const before = incremental.result.loadBalancers;
          incremental.apply(changes);
          expectEqualKeptSame(before, incremental.result.loadBalancers);
          const objects = slots.filter((o) => o !== undefined);
          expect(comparable(incremental.result)).toEqual(comparable(translate(objects, OPTIONS)));
        }
      }),
      { numRuns: RUNS, ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}) },
    );
  }, 60_000);

  it('after any sequence of route changes alone on Gateways of many routes, gives what translate() gives', () => {
    // Most batches here change only routes, which a Gateway key applies to its last translation
    // (gateway-api/route-changes.ts): routes come, go, move between Gateways and listeners, change
    // hostnames, paths, backends and age (precedence), use a missing Service (a status that says
    // so) or another Service (its pool comes into the load balancer, or leaves it).
    const fixed = [
      namespace('a'),
      gatewayClass('portico'),
      gateway('a', 'g2', {
        listeners: [{ name: 'http' }, { name: 'named', port: 8081, hostname: 'x.example.com' }],
      }),
      service('a', 'svc1'),
      endpointSlice('a', 'es1', 'svc1', ['10.0.0.1']),
    ];
    // Now and then another object changes: the Gateway g1 (a listener hostname, or gone), svc2 (a
    // Pod selector or not), its endpoints, a HealthCheckPolicy of it, a Pod. The key is then
    // translated from its bundle, and route changes apply to that; a route change that brings svc2
    // (or svc3) into a key or takes it out moves it with its objects (gateway-api/service-moves.ts).
    const others: fc.Arbitrary<unknown>[] = [
      fc.constantFrom(
        gateway('a', 'g1', { listeners: [{ name: 'http' }, { name: 'alt', port: 8080 }] }),
        gateway('a', 'g1', {
          listeners: [
            { name: 'http', hostname: 'y.example.com' },
            { name: 'alt', port: 8080 },
          ],
        }),
      ),
      fc.constantFrom(
        service('a', 'svc2'),
        service('a', 'svc2', { port: 8080 }),
        service('a', 'svc2', { selector: { app: 'two' } }),
      ),
      fc.constant(endpointSlice('a', 'es2', 'svc2', ['10.0.0.2'])),
      fc.constantFrom(
        healthCheckPolicy('a', 'hc2', ['svc2']),
        healthCheckPolicy('a', 'hc2', ['svc1', 'svc2'], '/ready'),
      ),
      fc.constant(pod('a', 'p2', { app: 'two' })),
    ];
    const routeArb = (name: string) =>
      fc
        .record({
          parents: fc.subarray([
            { name: 'g1' },
            { name: 'g2' },
            { name: 'g1', sectionName: 'alt' },
            { name: 'g2', sectionName: 'named' },
          ]),
          backends: fc.subarray([{ name: 'svc1' }, { name: 'svc2' }, { name: 'svc3' }]),
          hostnames: fc.constantFrom(
            undefined,
            ['x.example.com'],
            ['*.example.com'],
            ['y.example.com'],
            ['y.example.com', 'x.example.com'],
          ),
          path: fc.constantFrom('/', '/x', '/x/y', '/z'),
          created: fc.constantFrom(undefined, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
        })
        .map((o) => {
          const r = httpRoute('a', name, {
            parents: o.parents.map((p) => ({ name: p.name })),
            backends: o.backends,
            path: o.path,
            ...(o.hostnames ? { hostnames: o.hostnames } : {}),
          });
          r.spec.parentRefs = o.parents.map((p) => ({
            name: p.name,
            ...('sectionName' in p ? { sectionName: p.sectionName } : {}),
          }));
          return {
            ...r,
            metadata: { ...r.metadata, ...(o.created ? { creationTimestamp: o.created } : {}) },
          };
        });
    const routeSlots = Array.from({ length: 8 }, (_, i) => routeArb(`r${i}`));
    const slotArb = fc.oneof(
      {
        weight: 9,
        arbitrary: fc
          .integer({ min: 0, max: routeSlots.length - 1 })
          .chain((i) =>
            fc.option(routeSlots[i]!, { nil: undefined, freq: 5 }).map((value) => ({ i, value })),
          ),
      },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 0, max: others.length - 1 })
          .chain((i) =>
            fc.option(others[i]!, { nil: undefined }).map((value) => ({ i: routeSlots.length + i, value })),
          ),
      },
    );
    fc.assert(
      fc.property(
        fc.tuple(...routeSlots.map((r) => fc.option(r, { nil: undefined })), ...others),
        fc.array(fc.array(slotArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 12 }),
        (initial, batches) => {
          const slots: unknown[] = [...initial];
          const incremental = new IncrementalTranslate(OPTIONS);
          const present = () => [...fixed, ...slots.filter((o) => o !== undefined)];
          incremental.apply(present().map((o) => ({ new: o })));
          for (const batch of batches) {
            const changes = applyBatch(slots, batch);
            const before = incremental.result.loadBalancers;
            incremental.apply(changes);
            expectEqualKeptSame(before, incremental.result.loadBalancers);
            expect(comparable(incremental.result)).toEqual(comparable(translate(present(), OPTIONS)));
          }
        },
      ),
      { numRuns: RUNS, ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}) },
    );
  }, 60_000);

  it('translates again only the keys a change affects, and nothing for no change', () => {
    const t = new IncrementalTranslate(OPTIONS);
    const gatewayClass = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'portico' },
      spec: { controllerName: 'portico.dev/gateway-controller' },
    };
    const gateway = (name: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace: 'a' },
      spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    const route = (parent: string, path: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'a' },
      spec: {
        parentRefs: [{ name: parent }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }] }],
      },
    });
    expect(
      t.apply([
        { new: gatewayClass },
        { new: gateway('g1') },
        { new: gateway('g2') },
        { new: route('g1', '/x') },
      ]),
    ).toEqual(['test/Gateway/a/g1', 'test/Gateway/a/g2']);
    const before = t.result;
    expect(t.apply([])).toEqual([]);
    expect(t.result).toBe(before);
    const g2 = t.get('test/Gateway/a/g2');
    // The route moves from g1 to g2: both keys, and only them.
    expect(t.apply([{ old: route('g1', '/x'), new: route('g2', '/x') }])).toEqual([
      'test/Gateway/a/g1',
      'test/Gateway/a/g2',
    ]);
    expect(t.get('test/Gateway/a/g2')).not.toBe(g2);
    const g1 = t.get('test/Gateway/a/g1');
    expect(t.apply([{ old: route('g2', '/x'), new: route('g2', '/y') }])).toEqual(['test/Gateway/a/g2']);
    expect(t.get('test/Gateway/a/g1')).toBe(g1);
  });
});
