// GenerationChanged through the runner: after each action, the named object's metadata.generation must
// differ from its value just before that action (not from the value the scenario was loaded with).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EchoBackends } from './echo-backends.js';
import type { KubeObject } from './kube-object.js';
import { runScenario } from './runner.js';
import { loadScenario } from './scenario.js';
import type { ConformanceTarget } from './target.js';

const NS = 'gateway-conformance-infra';

/** Reports every object Accepted/Programmed at its current generation; serves no traffic. */
class StatusOnlyTarget implements ConformanceTarget {
  objects: KubeObject[] = [];
  async apply(objects: unknown[]): Promise<void> {
    this.objects = structuredClone(objects) as KubeObject[];
  }
  async status(kind: string, namespace: string, name: string) {
    const o = this.objects.find(
      (x) => x.kind === kind && (x.metadata?.namespace ?? '') === namespace && x.metadata?.name === name,
    );
    if (!o) return undefined;
    const observedGeneration = o.metadata?.generation;
    return {
      conditions: ['Accepted', 'Programmed'].map((type) => ({
        type,
        status: 'True',
        reason: type,
        observedGeneration,
      })),
    };
  }
  async close(): Promise<void> {}
}

const MANIFEST = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${NS}}
spec:
  gatewayClassName: "{GATEWAY_CLASS_NAME}"
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: ${NS}}
spec:
  parentRefs: [{name: gw}]
`;

const gatewayRef = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: NS, name: 'gw' };
const routeRef = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  namespace: NS,
  name: 'route',
};

describe('GenerationChanged (runner, two actions)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-generation-'));
  const backends = new EchoBackends();
  afterAll(async () => {
    await backends.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares with the generation just before the preceding action', async () => {
    writeFileSync(join(dir, 'GenerationProbe.yaml'), MANIFEST);
    const changed = (phase: number, target: Record<string, unknown>, line: number) => ({
      check: 'GenerationChanged',
      subtest: null,
      phase,
      ...target,
      upstreamLine: line,
    });
    writeFileSync(
      join(dir, 'GenerationProbe.expect.json'),
      JSON.stringify({
        test: 'GenerationProbe',
        features: ['Gateway', 'HTTPRoute'],
        upstream: { go: { path: 'generation-probe.go' } },
        manifests: ['GenerationProbe.yaml'],
        actions: [
          // Phase 2: a spec change bumps both objects' generation.
          {
            action: 'patch',
            beforePhase: 2,
            object: gatewayRef,
            set: { 'spec.listeners[0].hostname': 'a.example' },
          },
          { action: 'patch', beforePhase: 2, object: routeRef, set: { 'spec.hostnames': ['a.example'] } },
          // Phase 3: a label change (metadata only) bumps nothing.
          { action: 'patch', beforePhase: 3, object: gatewayRef, set: { 'metadata.labels.touched': 'yes' } },
          { action: 'patch', beforePhase: 3, object: routeRef, set: { 'metadata.labels.touched': 'yes' } },
        ],
        statusChecks: [
          changed(2, { gateway: { namespace: NS, name: 'gw' } }, 10),
          changed(2, { route: { namespace: NS, name: 'route' } }, 11),
          changed(3, { gateway: { namespace: NS, name: 'gw' } }, 20),
          changed(3, { route: { namespace: NS, name: 'route' } }, 21),
        ],
        cases: [],
      }),
    );
    const r = await runScenario(
      loadScenario(join(dir, 'GenerationProbe.expect.json')),
      new StatusOnlyTarget(),
      {
        backends,
        timeouts: { latestObservedGenerationSet: 200, pollInterval: 50, gwcMustBeAccepted: 1000 },
      },
    );
    expect(r.setupFailure).toBeUndefined();
    expect(r.statusChecks.map((s) => [s.phase, s.outcome])).toEqual([
      [2, 'passed'],
      [2, 'passed'],
      [3, 'failed'],
      [3, 'failed'],
    ]);
    expect(r.statusChecks[2]?.reason).toContain('metadata.generation did not change (was 2, now 2)');
  });
});
