import { describe, expect, it } from 'vitest';
import type * as ir from '#core/ir/load-balancer.js';
import { type Pod, pod as podSchema } from '#core/model/pod.js';
import { readObjects } from '#core/model/read-objects.js';
import {
  markAwaitingLoadBalancer,
  podAwaitsLoadBalancer,
  podLookup,
  registersEndpoint,
} from '#core/readiness/awaiting-load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { resolveServicePool } from '#core/translate/backend/service-pool.js';
import { createContext } from '#core/translate/context.js';
import { withDefaults } from '#core/translate/options.js';

const GATE = readinessGateType('prod/Gateway/shop/web');
const OTHER_LB_GATE = readinessGateType('prod/Gateway/shop/api');
const FOREIGN_GATE = 'example.com/cache-warm';

type Conditions = Record<string, 'True' | 'False' | 'Unknown'>;

function rawPod(name: string, gates: string[], conditions: Conditions, deleting = false) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: 'web' },
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
      ...(gates.length > 0 ? { readinessGates: gates.map((conditionType) => ({ conditionType })) } : {}),
    },
    ...(Object.keys(conditions).length > 0
      ? { status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) } }
      : {}),
  };
}

const pod = (...args: Parameters<typeof rawPod>): Pod => podSchema.parse(rawPod(...args));

describe('podAwaitsLoadBalancer', () => {
  it('awaits when its containers are ready and only Portico gates (one or several load balancers) are unmet', () => {
    expect(podAwaitsLoadBalancer(pod('a', [GATE], { ContainersReady: 'True', Ready: 'False' }))).toBe(true);
    expect(
      podAwaitsLoadBalancer(
        pod('b', [GATE, OTHER_LB_GATE], { ContainersReady: 'True', [OTHER_LB_GATE]: 'True' }),
      ),
    ).toBe(true);
    // Another controller's gate already True does not hold it back.
    expect(
      podAwaitsLoadBalancer(
        pod('c', [FOREIGN_GATE, GATE], { ContainersReady: 'True', [FOREIGN_GATE]: 'True' }),
      ),
    ).toBe(true);
  });

  it('still awaits once its gate is True while Ready (or its endpoint) lags: never deregistered for that moment', () => {
    expect(
      podAwaitsLoadBalancer(pod('a', [GATE], { ContainersReady: 'True', Ready: 'False', [GATE]: 'True' })),
    ).toBe(true);
  });

  it('does not await when its own containers are not ready, or their readiness is not known', () => {
    for (const status of ['False', 'Unknown'] as const)
      expect(podAwaitsLoadBalancer(pod('a', [GATE], { ContainersReady: status }))).toBe(false);
    expect(podAwaitsLoadBalancer(pod('a', [GATE], {}))).toBe(false);
    expect(podAwaitsLoadBalancer(pod('a', [GATE], { Ready: 'False' }))).toBe(false);
  });

  it('does not await when another controller’s gate is unmet, when it carries no Portico gate, or when it is being deleted', () => {
    expect(podAwaitsLoadBalancer(pod('a', [GATE, FOREIGN_GATE], { ContainersReady: 'True' }))).toBe(false);
    expect(
      podAwaitsLoadBalancer(
        pod('a', [GATE, FOREIGN_GATE], { ContainersReady: 'True', [FOREIGN_GATE]: 'False' }),
      ),
    ).toBe(false);
    // A look-alike of a Portico gate is another controller's.
    expect(podAwaitsLoadBalancer(pod('a', ['portico.dev/lb-TOO-SHORT'], { ContainersReady: 'True' }))).toBe(
      false,
    );
    expect(podAwaitsLoadBalancer(pod('a', [], { ContainersReady: 'True' }))).toBe(false);
    expect(podAwaitsLoadBalancer(pod('a', [FOREIGN_GATE], { ContainersReady: 'True' }))).toBe(false);
    expect(podAwaitsLoadBalancer(pod('a', [GATE], { ContainersReady: 'True' }, true))).toBe(false);
  });
});

describe('markAwaitingLoadBalancer and registersEndpoint', () => {
  const endpoint = (name: string, n: number, more: Partial<ir.Endpoint> = {}): ir.Endpoint => ({
    address: `10.0.0.${n}`,
    family: 'IPv4',
    port: 8080,
    ready: false,
    serving: false,
    terminating: false,
    pod: { namespace: 'shop', name },
    ...more,
  });
  const pods = new Map([
    [
      'shop',
      [
        pod('gated', [GATE], { ContainersReady: 'True', Ready: 'False' }),
        pod('failing', [GATE], { ContainersReady: 'False', Ready: 'False' }),
        pod('ready', [GATE], { ContainersReady: 'True', Ready: 'True', [GATE]: 'True' }),
      ],
    ],
  ]);

  it('marks only a not-ready, not-terminating endpoint whose known Pod awaits the load balancer', () => {
    const ready = endpoint('ready', 3, { ready: true, serving: true });
    const marked = markAwaitingLoadBalancer(
      [
        endpoint('gated', 1),
        endpoint('failing', 2),
        ready,
        endpoint('gated', 4, { terminating: true }),
        endpoint('unknown', 5),
        { ...endpoint('gated', 6), pod: undefined },
        // The same name in another namespace is another Pod.
        endpoint('gated', 7, { pod: { namespace: 'other', name: 'gated' } }),
      ],
      podLookup(pods),
    );
    expect(marked.map((e) => [e.address, e.awaitingLoadBalancer ?? false])).toEqual([
      ['10.0.0.1', true],
      ['10.0.0.2', false],
      ['10.0.0.3', false],
      ['10.0.0.4', false],
      ['10.0.0.5', false],
      ['10.0.0.6', false],
      ['10.0.0.7', false],
    ]);
    expect(marked[2]).toBe(ready);
    expect(marked.filter(registersEndpoint).map((e) => e.address)).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('registers ready endpoints but never a terminating one', () => {
    expect(registersEndpoint(endpoint('a', 1, { ready: true }))).toBe(true);
    expect(registersEndpoint(endpoint('a', 1, { ready: true, terminating: true }))).toBe(false);
    expect(registersEndpoint(endpoint('a', 1, { awaitingLoadBalancer: true, terminating: true }))).toBe(
      false,
    );
    expect(registersEndpoint(endpoint('a', 1))).toBe(false);
  });
});

describe('a Service pool from the EndpointSlice and the Pods', () => {
  function slice(endpoints: { name: string; n: number; ready: boolean }[]) {
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: endpoints.map((e) => ({
        addresses: [`10.0.0.${e.n}`],
        conditions: { ready: e.ready, serving: e.ready, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'shop', name: e.name },
      })),
    };
  }
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };

  function pool(objects: unknown[]): ir.BackendPool {
    const { bundle, rejected } = readObjects(objects);
    expect(rejected).toEqual([]);
    const result = resolveServicePool(
      createContext(bundle, withDefaults()),
      {
        namespace: 'shop',
        name: 'web',
        port: 80,
      },
      'HTTP',
    );
    if (!result.ok) throw new Error(result.message);
    return result.pool;
  }

  it('carries awaitingLoadBalancer on the endpoint of a gated pod whose containers are ready, not on one failing its probe', () => {
    const p = pool([
      service,
      slice([
        { name: 'gated', n: 1, ready: false },
        { name: 'failing', n: 2, ready: false },
        { name: 'ready', n: 3, ready: true },
      ]),
      rawPod('gated', [GATE], { ContainersReady: 'True', Ready: 'False', [GATE]: 'False' }),
      rawPod('failing', [GATE], { ContainersReady: 'False', Ready: 'False' }),
      rawPod('ready', [GATE], { ContainersReady: 'True', Ready: 'True', [GATE]: 'True' }),
    ]);
    expect(p.endpoints.map((e) => [e.address, e.ready, e.awaitingLoadBalancer])).toEqual([
      ['10.0.0.1', false, true],
      ['10.0.0.2', false, undefined],
      ['10.0.0.3', true, undefined],
    ]);
  });

  it('marks nothing while the Pod is not known, and refuses a Pod whose gates or conditions are malformed', () => {
    expect(
      pool([service, slice([{ name: 'gated', n: 1, ready: false }])]).endpoints[0]!.awaitingLoadBalancer,
    ).toBe(undefined);
    const bad = rawPod('gated', [GATE], { ContainersReady: 'True' });
    for (const malformed of [
      { ...bad, status: { conditions: [{ type: 'ContainersReady', status: 'Yes' }] } },
      { ...bad, spec: { ...bad.spec, readinessGates: [{ conditionType: 'x'.repeat(317) }] } },
      {
        ...bad,
        spec: { ...bad.spec, readinessGates: Array.from({ length: 65 }, () => ({ conditionType: GATE })) },
      },
    ]) {
      const { rejected } = readObjects([malformed]);
      expect(rejected).toHaveLength(1);
    }
  });
});
