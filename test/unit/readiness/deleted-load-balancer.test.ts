import { describe, expect, it } from 'vitest';
import { gatesReleasedByDeletion } from '#core/readiness/deleted-load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { podGatePass } from '#functions/reconcile/pod-gate-pass.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';

const KEY = 'prod/Gateway/shop/web';
const GATE = readinessGateType(KEY);
const OTHER = readinessGateType('prod/Gateway/shop/api');

function pod(
  name: string,
  gates: string[],
  conditions: Record<string, string> = {},
  more: { namespace?: string; deleting?: boolean } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: more.namespace ?? 'shop',
      uid: `uid-${name}`,
      resourceVersion: '1',
      ...(more.deleting ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'app' }],
      readinessGates: gates.map((conditionType) => ({ conditionType })),
    },
    status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
  };
}

const objects = [
  pod('waiting', [GATE], { ContainersReady: 'True', [GATE]: 'False' }),
  pod('no-condition-yet', [OTHER, GATE]),
  pod('elsewhere', [GATE], {}, { namespace: 'blog' }),
  pod('open', [GATE], { [GATE]: 'True' }),
  pod('other-lb', [OTHER], { [OTHER]: 'False' }),
  pod('leaving', [GATE], {}, { deleting: true }),
  { ...pod('malformed', [GATE]), spec: { containers: 'junk', readinessGates: [{ conditionType: GATE }] } },
  'not an object',
];

describe('gatesReleasedByDeletion', () => {
  it('releases every Pod naming the deleted load balancer’s gate that is not True yet, in any namespace', () => {
    expect(gatesReleasedByDeletion(KEY, objects)).toEqual(
      [
        { namespace: 'blog', name: 'elsewhere' },
        { namespace: 'shop', name: 'no-condition-yet' },
        { namespace: 'shop', name: 'waiting' },
      ].map((p) => ({
        pod: p,
        conditionType: GATE,
        message: `load balancer ${KEY} is deleted: it no longer holds the pod back`,
      })),
    );
    expect(gatesReleasedByDeletion('prod/Gateway/shop/gone', objects)).toEqual([]);
  });
});

describe('the reconcile function’s gate pass for a deleted load balancer', () => {
  it('records a release for each Pod still waiting on its gate (the forwarder patches them), replacing its open gates', async () => {
    const store = new MemorySnapshotStore();
    for (const o of objects) if (typeof o === 'object') await store.put('prod', o);
    await store.putPodGatesOfKey('prod', KEY, [
      {
        pod: { namespace: 'shop', name: 'open' },
        conditionType: GATE,
        message: `healthy in load balancer ${KEY}`,
      },
    ]);
    const signal = new AbortController().signal;
    expect(await podGatePass(store, 'prod', KEY, undefined, undefined, signal)).toEqual({
      open: 3,
      waiting: 0,
    });
    const recorded = await store.podGatesOfKey('prod', KEY);
    expect(recorded.map((g) => `${g.pod.namespace}/${g.pod.name}`)).toEqual([
      'blog/elsewhere',
      'shop/no-condition-yet',
      'shop/waiting',
    ]);
    expect(recorded.every((g) => g.conditionType === GATE && /is deleted/.test(g.message))).toBe(true);
    // The records are served by the status stream, like any gate record.
    const page = await store.statusSince('prod', undefined, 100);
    expect(JSON.stringify(page)).toContain('no longer holds the pod back');
  });
});
