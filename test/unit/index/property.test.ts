import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affectedKeys, DependencyGraph, selectBundle } from '#core/index/index.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';
import { type Scenario, scenarioArb } from './arbitraries.js';
import { CLUSTER } from './fixtures.js';
import { oracleTranslate } from './structural-oracle.js';

const OPTIONS = { cluster: CLUSTER };
const RUNS = Number(process.env.INDEX_PROPERTY_RUNS ?? 300);

/** Per key, what a translation says about that load balancer. */
type PerKey = (objects: readonly unknown[]) => Map<LbKey, string>;

/** The structural oracle: everything a key's translation reads, found by naive full scans. */
const oracle: PerKey = (objects) => {
  const out = new Map<LbKey, string>();
  for (const [k, v] of oracleTranslate(objects, { ...oracleDefaults(), ...OPTIONS }))
    out.set(k, JSON.stringify(v));
  return out;
};

/**
 * The real translate(): per key, the load balancer, whether it is held, the status of the objects
 * whose status depends on that key (Gateway, Ingress, Service), and, for routes, the parent entries
 * naming that key's Gateway. A route attached to two Gateways has one status spanning both load
 * balancers; each key's reconcile owns (and can compute from its bundle) only its own entries.
 */
const real: PerKey = (objects) => {
  const result = translate(objects, OPTIONS);
  const out = new Map<LbKey, { lb?: unknown; held?: unknown; statuses: unknown[] }>();
  const entry = (k: LbKey) => {
    const e = out.get(k) ?? { statuses: [] };
    out.set(k, e);
    return e;
  };
  for (const lb of result.loadBalancers) entry(lb.key).lb = lb;
  for (const h of result.held) entry(h.key).held = h;
  for (const s of result.statuses) {
    if (s.kind === 'GatewayClass') continue;
    if ('parents' in s.status) {
      for (const p of s.status.parents) {
        const key = `${CLUSTER}/Gateway/${p.parentRef.namespace ?? s.namespace}/${p.parentRef.name}`;
        if (!s.loadBalancers.includes(key)) continue;
        entry(key).statuses.push({
          kind: s.kind,
          namespace: s.namespace,
          name: s.name,
          generation: s.generation,
          parent: p,
        });
      }
    } else if ('ancestors' in s.status) {
      // A policy's ancestor entries, like a route's parents: each Gateway's key says its own.
      for (const a of s.status.ancestors) {
        const key = `${CLUSTER}/Gateway/${a.ancestorRef.namespace}/${a.ancestorRef.name}`;
        entry(key).statuses.push({ kind: s.kind, namespace: s.namespace, name: s.name, ancestor: a });
      }
    } else {
      for (const k of s.loadBalancers) entry(k).statuses.push(s);
    }
  }
  return new Map([...out].map(([k, v]) => [k, JSON.stringify(v)]));
};

function oracleDefaults() {
  return {
    controllerName: 'portico.dev/gateway-controller',
    ingressController: 'portico.dev/ingress-controller',
    ingressClassAnnotationValues: ['portico'],
    loadBalancerClassPrefix: 'portico.dev/',
    defaultProvider: 'haproxy' as const,
  };
}

function changedKeys(before: Map<LbKey, string>, after: Map<LbKey, string>): LbKey[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

function applied(objects: readonly unknown[], s: Scenario): DependencyGraph {
  const g = DependencyGraph.of(objects, CLUSTER);
  if (s.change.new !== undefined) g.upsert(s.change.new);
  else g.removeObject(s.change.old);
  return g;
}

for (const [name, perKey] of [
  ['structural oracle', oracle],
  ['real translate()', real],
] as const) {
  describe(`index properties against the ${name}`, () => {
    it('affectedKeys(change) ⊇ every key whose translation changes', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const changed = changedKeys(perKey(s.before), perKey(s.after));
          const affected = new Set(affectedKeys(s.change, DependencyGraph.of(s.before, CLUSTER), CLUSTER));
          const missed = changed.filter((k) => !affected.has(k));
          expect(missed, `missed keys for change ${JSON.stringify(s.change)}`).toEqual([]);
        }),
        { numRuns: RUNS },
      );
    });

    it('translate(selectBundle(key)) gives each key exactly what the full translate gives it', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const graph = applied(s.before, s);
          const full = perKey(s.after);
          const keys = new Set([...full.keys(), ...affectedKeys(s.change, graph, CLUSTER)]);
          for (const key of keys) {
            const one = perKey(selectBundle(key, graph)).get(key);
            expect(one, `key ${key}`).toEqual(full.get(key));
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
}

describe('incremental maintenance', () => {
  it('a graph updated by one change answers like a graph built from the result', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const incremental = applied(s.before, s);
        const fresh = DependencyGraph.of(s.after, CLUSTER);
        expect([...incremental.objects()].length).toEqual(fresh.size);
        const keys = new Set([
          ...affectedKeys(s.change, fresh, CLUSTER),
          ...oracle(s.after).keys(),
          ...oracle(s.before).keys(),
        ]);
        for (const key of keys) expect(selectBundle(key, incremental)).toEqual(selectBundle(key, fresh));
        for (const o of s.after) {
          expect(affectedKeys({ old: o }, incremental, CLUSTER)).toEqual(
            affectedKeys({ old: o }, fresh, CLUSTER),
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('affectedKeys gives the same answer before and after the change is recorded', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const before = affectedKeys(s.change, DependencyGraph.of(s.before, CLUSTER), CLUSTER);
        expect(affectedKeys(s.change, applied(s.before, s), CLUSTER)).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});
