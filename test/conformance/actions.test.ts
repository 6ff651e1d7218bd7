import { describe, expect, it } from 'vitest';
import { getField, parseFieldPath, setField } from './field-path.js';
import type { KubeObject } from './kube-object.js';
import { type ActionContext, ObjectSet } from './object-set.js';
import { validateScenarioExpect } from './scenario-schema.js';

const gateway: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { namespace: 'ns', name: 'gw', generation: 1 },
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
};
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'ns', name: 'ca', generation: 1 },
  data: { 'ca.crt': 'PEM' },
};
const context: ActionContext = {
  dir: '/nonexistent',
  placeholders: { gatewayClassName: 'portico', controllerName: 'portico.dev/gateway-controller' },
  pods: () => [{ name: 'web-abc-x', ip: '127.9.0.1', nodeName: 'n1', uid: 'u1' }],
};

describe('field paths', () => {
  it('parses dotted segments, list indexes and quoted map keys', () => {
    expect(parseFieldPath('spec.listeners[0].port')).toEqual(['spec', 'listeners', 0, 'port']);
    expect(parseFieldPath('data["ca.crt"]')).toEqual(['data', 'ca.crt']);
    expect(() => parseFieldPath('spec..x[')).toThrow(/bad field path/);
    const o: Record<string, unknown> = {};
    setField(o, 'spec.listeners[0].port', 8080);
    expect(o).toEqual({ spec: { listeners: [{ port: 8080 }] } });
    expect(getField(configMap, 'data["ca.crt"]')).toBe('PEM');
  });
});

describe('actions', () => {
  it('patch "(JSON merge patch from original)" with appendListener bumps the generation', async () => {
    const set = new ObjectSet([gateway]);
    const what = await set.applyAction(
      {
        beforePhase: 2,
        action: 'patch (JSON merge patch from original)',
        object: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: 'ns', name: 'gw' },
        appendListener: { name: 'alternate', port: 80, protocol: 'HTTP', hostname: 'foo.com' },
      },
      context,
    );
    expect(what).toMatch(/append listener alternate/);
    const gw = set.get('Gateway', 'ns', 'gw');
    expect(gw?.metadata?.generation).toBe(2);
    expect((gw?.spec as { listeners: unknown[] } | undefined)?.listeners).toHaveLength(2);
    expect(set.generationBeforeActions('Gateway', 'ns', 'gw')).toBe(1);
  });

  it('patch with set and setFrom; create with setFrom; delete by object reference', async () => {
    const set = new ObjectSet([gateway, configMap]);
    await set.applyAction(
      {
        beforePhase: 1,
        action: 'patch',
        object: { kind: 'Gateway', namespace: 'ns', name: 'gw' },
        set: { 'spec.listeners[0].port': 8080 },
        setFrom: {
          'metadata.annotations["copied"]': {
            kind: 'ConfigMap',
            namespace: 'ns',
            name: 'ca',
            fieldPath: 'data["ca.crt"]',
          },
        },
      },
      context,
    );
    const gw = set.get('Gateway', 'ns', 'gw');
    expect(getField(gw, 'spec.listeners[0].port')).toBe(8080);
    expect(getField(gw, 'metadata.annotations["copied"]')).toBe('PEM');
    await set.applyAction(
      {
        beforePhase: 1,
        action: 'create',
        delayBeforeSeconds: 0,
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { namespace: 'ns', name: 'copy' },
          data: {},
        },
        setFrom: {
          'data["ca.crt"]': { kind: 'ConfigMap', namespace: 'ns', name: 'ca', fieldPath: 'data["ca.crt"]' },
        },
      },
      context,
    );
    expect(set.get('ConfigMap', 'ns', 'copy')?.data).toEqual({ 'ca.crt': 'PEM' });
    await set.applyAction(
      {
        beforePhase: 1,
        action: 'delete',
        object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'copy' },
      },
      context,
    );
    expect(set.get('ConfigMap', 'ns', 'copy')).toBeUndefined();
    await expect(
      set.applyAction(
        { beforePhase: 1, action: 'delete', object: { kind: 'ConfigMap', namespace: 'ns', name: 'copy' } },
        context,
      ),
    ).rejects.toThrow(/ConfigMap\/ns\/copy does not exist/);
    await expect(
      set.applyAction(
        { beforePhase: 1, action: 'patch', object: { kind: 'Gateway', namespace: 'ns', name: 'gw' } },
        context,
      ),
    ).rejects.toThrow(/nothing to change/);
  });

  it('patchEndpointSlicesFromPods fills the slices of the pods family only', async () => {
    const slice = (name: string): KubeObject => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'ns', name },
      endpoints: [],
    });
    const set = new ObjectSet([slice('web-ip4'), slice('web-ip6')]);
    await set.applyAction(
      {
        beforePhase: 1,
        action: 'patchEndpointSlicesFromPods',
        podsOf: { kind: 'Deployment', namespace: 'ns', name: 'web' },
        endpointSlices: ['web-ip4', 'web-ip6'],
      },
      context,
    );
    expect(set.get('EndpointSlice', 'ns', 'web-ip4')?.endpoints).toEqual([
      {
        addresses: ['127.9.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'n1',
        targetRef: { kind: 'Pod', name: 'web-abc-x', namespace: 'ns', uid: 'u1' },
      },
    ]);
    expect(set.get('EndpointSlice', 'ns', 'web-ip6')?.endpoints).toEqual([]);
  });

  it('refuses unknown case types, check kinds and actions when loading, naming the entry', () => {
    const base = { test: 'T', features: [], manifests: ['T.yaml'] };
    expect(() =>
      validateScenarioExpect({ ...base, actions: [{ beforePhase: 1, action: 'explode' }] }, 'T'),
    ).toThrow(/actions\[0\].action "explode" is not an action the runner implements/);
    expect(() =>
      validateScenarioExpect({ ...base, statusChecks: [{ check: 'Nope', subtest: null, phase: 1 }] }, 'T'),
    ).toThrow(/statusChecks\[0\].check "Nope"/);
    const c = {
      name: 'c',
      subtest: null,
      phase: 1,
      gateway: { namespace: 'n', name: 'g', port: 1 },
      request: {},
      expect: {},
    };
    expect(() => validateScenarioExpect({ ...base, cases: [{ ...c, type: 'udpEcho' }] }, 'T')).toThrow(
      /cases\[0\].type "udpEcho"/,
    );
    expect(() => validateScenarioExpect({ ...base, cases: [c] }, 'T')).toThrow(
      /cases\[0\].request.path must be a string/,
    );
    // A TCP case needs no path; a rejected-TLS case needs an SNI.
    expect(validateScenarioExpect({ ...base, cases: [{ ...c, type: 'tcpEcho' }] }, 'T').cases).toHaveLength(
      1,
    );
    expect(() =>
      validateScenarioExpect({ ...base, cases: [{ ...c, type: 'tlsConnectionRejected' }] }, 'T'),
    ).toThrow(/request.tls.sni/);
  });
});
