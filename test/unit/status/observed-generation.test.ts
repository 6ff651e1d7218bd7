// Every condition Portico writes carries the observedGeneration of the object it is written on
// (Gateway API v1.6: "observedGeneration on every condition"). Walked over every shipped conformance
// scenario: translate, then each provider's notices (applyProviderNotices) and a programmed or failed
// apply (applyProgrammedStates), as the reconciler stacks them. Each object gets its own generation,
// so a condition stamped with another object's generation (a route's with its Gateway's) fails.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS, providerNames } from '#adapters/registry.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
import type { ObjectStatus, StatusCondition } from '#core/status/types.js';
import { translate } from '#core/translate/translate.js';
import { declaredObjects, listScenarioFiles, loadScenario } from '#test/conformance/scenario.js';
import { parametersFor } from '#test/support/loose-ir.js';

const SHARED = join(import.meta.dirname, '../../../../shared/conformance');
const files = ['gateway-api', 'ingress'].flatMap((d) =>
  existsSync(join(SHARED, d)) ? listScenarioFiles(join(SHARED, d)) : [],
);
const adapters = await Promise.all(providerNames().map(async (name) => PROVIDERS[name].pure()));

type Meta = { kind?: string; metadata?: { namespace?: string; name?: string; generation?: number } };
const keyOf = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ''}/${name}`;

/** Every condition of a status, with where it sits (for the failure message). */
function conditionsOf(s: ObjectStatus): [string, StatusCondition][] {
  const status = s.status as {
    conditions?: StatusCondition[];
    listeners?: { name: string; conditions: StatusCondition[] }[];
    parents?: { parentRef: { name: string }; conditions: StatusCondition[] }[];
    ancestors?: { ancestorRef: { name: string }; conditions: StatusCondition[] }[];
  };
  return [
    ...(status.conditions ?? []).map((c) => ['conditions', c] as [string, StatusCondition]),
    ...(status.listeners ?? []).flatMap((l) =>
      l.conditions.map((c) => [`listeners[${l.name}]`, c] as [string, StatusCondition]),
    ),
    ...(status.parents ?? []).flatMap((p) =>
      p.conditions.map((c) => [`parents[${p.parentRef.name}]`, c] as [string, StatusCondition]),
    ),
    ...(status.ancestors ?? []).flatMap((a) =>
      a.conditions.map((c) => [`ancestors[${a.ancestorRef.name}]`, c] as [string, StatusCondition]),
    ),
  ];
}

describe('observedGeneration on every condition Portico writes', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  let checked = 0;
  it.each(files.map((f, i) => [f.split('/').pop()!.replace('.expect.json', ''), f, i] as const))(
    '%s',
    (_name, file, index) => {
      const objects = structuredClone(declaredObjects(loadScenario(file))) as Meta[];
      const generations = new Map<string, number>();
      objects.forEach((o, i) => {
        if (!o.metadata?.name || !o.kind) return;
        o.metadata.generation = 2 + ((index + i) % 9);
        generations.set(
          keyOf(o.kind, o.metadata.namespace ?? 'default', o.metadata.name),
          o.metadata.generation,
        );
        // Cluster-scoped objects are looked up without a namespace.
        generations.set(keyOf(o.kind, undefined, o.metadata.name), o.metadata.generation);
      });
      const result = translate(objects);
      let statuses = result.statuses;
      for (const lb of result.loadBalancers) {
        const adapter = adapters.find((a) => a.name === lb.provider)!;
        const { notices } = adapter.render({ ...lb, ...parametersFor(adapter.name, lb) });
        statuses = applyProviderNotices(statuses, lb, adapter.name, notices);
      }
      const states = new Map<string, ProgrammedState>(
        result.loadBalancers.map((lb, i) => [
          lb.key,
          i % 2 === index % 2
            ? { key: lb.key, programmed: true, addresses: [{ type: 'IPAddress', value: '192.0.2.1' }] }
            : { key: lb.key, programmed: false, addresses: [], message: 'the provider refused a call' },
        ]),
      );
      statuses = applyProgrammedStates(statuses, states);

      const wrong: string[] = [];
      for (const s of statuses) {
        const generation = generations.get(keyOf(s.kind, s.namespace, s.name));
        if (generation === undefined) continue;
        for (const [where, c] of conditionsOf(s)) {
          checked++;
          if (c.observedGeneration !== generation)
            wrong.push(
              `${s.kind} ${s.namespace ?? ''}/${s.name} ${where} ${c.type}: observedGeneration ${c.observedGeneration}, generation ${generation}`,
            );
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('walked conditions of every kind', () => {
    expect(checked).toBeGreaterThan(200);
  });
});
