import { describe, expect, it } from 'vitest';
import { pod as podSchema } from '#core/model/pod.js';
import { podAwaitsLoadBalancer } from '#core/readiness/awaiting-load-balancer.js';
import { LAST_APPLIED_ANNOTATION, sanitizeObject } from '#events/sanitize-object.js';
import type { ClusterObject } from '#kube/cluster-object.js';

const secret = (type: string, data: Record<string, string>): ClusterObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 's',
    namespace: 'a',
    uid: 'u',
    resourceVersion: '1',
    managedFields: [{ manager: 'kubectl' }],
    annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify({ data }), team: 'web' },
  },
  type,
  data,
  stringData: { leaked: 'x' },
  immutable: true,
});

describe('sanitizeObject', () => {
  it('drops managedFields and the last-applied annotation (and an annotations map left empty)', () => {
    const gw: ClusterObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'gw',
        namespace: 'a',
        managedFields: [{}],
        annotations: { [LAST_APPLIED_ANNOTATION]: '{}' },
        labels: { x: 'y' },
      },
      spec: { gatewayClassName: 'portico' },
    };
    const out = sanitizeObject(gw);
    expect(out).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'a', labels: { x: 'y' } },
      spec: { gatewayClassName: 'portico' },
    });
    expect(gw.metadata.managedFields).toHaveLength(1); // input untouched
    expect(gw.metadata.annotations).toHaveProperty([LAST_APPLIED_ANNOTATION]);
  });

  it('keeps only tls.crt and ca.crt of TLS Secrets', () => {
    const out = sanitizeObject(
      secret('kubernetes.io/tls', { 'tls.crt': 'CRT', 'tls.key': 'KEY', 'ca.crt': 'CA', other: 'O' }),
    );
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'a', uid: 'u', resourceVersion: '1', annotations: { team: 'web' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'CRT', 'ca.crt': 'CA' },
    });
    expect(JSON.stringify(out)).not.toContain('KEY');
  });

  it('keeps tls.key too when keepPrivateKeys is set, and never another key', () => {
    const out = sanitizeObject(
      secret('kubernetes.io/tls', { 'tls.crt': 'CRT', 'tls.key': 'KEY', other: 'O' }),
      {
        keepPrivateKeys: true,
      },
    );
    expect(out.data).toEqual({ 'tls.crt': 'CRT', 'tls.key': 'KEY' });
  });

  it('records only the metadata (and type) of Secrets of other types', () => {
    for (const type of ['Opaque', 'kubernetes.io/dockerconfigjson']) {
      const out = sanitizeObject(secret(type, { 'tls.crt': 'CRT', password: 'P' }), {
        keepPrivateKeys: true,
      });
      expect(Object.keys(out).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'type']);
      expect(JSON.stringify(out)).not.toMatch(/CRT|"P"|leaked/);
    }
  });
});

describe('sanitizeObject: Pods', () => {
  it('keeps identity, labels, container ports and readiness probes, and nothing else', () => {
    const pod: ClusterObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        uid: 'u',
        resourceVersion: '7',
        labels: { app: 'web' },
        annotations: { big: 'x'.repeat(10_000) },
        managedFields: [{}],
        ownerReferences: [{ kind: 'ReplicaSet' }],
      },
      spec: {
        nodeName: 'n1',
        volumes: [{ name: 'v' }],
        containers: [
          {
            name: 'app',
            image: 'web:1',
            env: [{ name: 'PASSWORD', value: 'secret' }],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', hostPort: 80 }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/live', port: 8080 } },
          },
          { name: 'sidecar', readinessProbe: { exec: { command: ['cat', '/etc/token'] } } },
        ],
      },
      status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(sanitizeObject(pod)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'shop', uid: 'u', resourceVersion: '7', labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
          },
          { name: 'sidecar', readinessProbe: { exec: {} } },
        ],
      },
    });
  });

  it('keeps the readiness gates (condition type only) and the conditions gates read (type and status only)', () => {
    const gate = 'portico.dev/lb-abcdefghijklmnop';
    const pod: ClusterObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-2', namespace: 'shop' },
      spec: {
        containers: [{ name: 'app' }],
        readinessGates: [{ conditionType: gate, extra: 'dropped' }, { conditionType: 'example.com/warm' }],
      },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'ContainersReady', status: 'True', reason: 'r', message: 'm', lastTransitionTime: 't' },
          { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady' },
          { type: gate, status: 'False', message: 'kept out' },
          { type: 'example.com/warm', status: 'False' },
        ],
      },
    };
    const out = sanitizeObject(pod);
    expect(out.spec).toEqual({
      containers: [{ name: 'app' }],
      readinessGates: [{ conditionType: gate }, { conditionType: 'example.com/warm' }],
    });
    // Every gate's condition is kept, another controller's too (its gate is met only when True);
    // `Ready` is not: nothing reads it, and its flips would send events.
    expect(out.status).toEqual({
      conditions: [
        { type: 'ContainersReady', status: 'True' },
        { type: gate, status: 'False' },
        { type: 'example.com/warm', status: 'False' },
      ],
    });
  });

  it('keeps another controller’s True gate, so a pod held back only by Portico’s gate still awaits the load balancer', () => {
    const gate = 'portico.dev/lb-abcdefghijklmnop';
    const trimmed = sanitizeObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-3', namespace: 'shop' },
      spec: {
        containers: [{ name: 'app' }],
        readinessGates: [{ conditionType: 'example.com/warm' }, { conditionType: gate }],
      },
      status: {
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'example.com/warm', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    expect(podAwaitsLoadBalancer(podSchema.parse(trimmed))).toBe(true);
  });

  it('drops gates and conditions of an unexpected shape, and a second copy of a condition type', () => {
    const pod: ClusterObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: {
        containers: [{ name: 'app' }],
        readinessGates: [
          'portico.dev/lb-abcdefghijklmnop',
          { conditionType: 7 },
          { conditionType: '' },
          { conditionType: 'x'.repeat(317) },
          { conditionType: 'example.com/ok' },
        ],
      },
      status: {
        conditions: [
          { type: 'ContainersReady', status: 'Yes' },
          { type: 'ContainersReady', status: 'False' },
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready' },
          { type: 'portico.dev/lb-NOT-A-GATE', status: 'True' },
          { type: ['Ready'], status: 'True' },
          null,
          'Ready',
        ],
      },
    };
    const out = sanitizeObject(pod);
    expect(out.spec).toEqual({
      containers: [{ name: 'app' }],
      readinessGates: [{ conditionType: 'example.com/ok' }],
    });
    expect(out.status).toEqual({ conditions: [{ type: 'ContainersReady', status: 'False' }] });

    for (const status of [
      undefined,
      'junk',
      { conditions: 'junk' },
      { conditions: [{ type: 'PodScheduled', status: 'True' }] },
    ]) {
      const trimmed = sanitizeObject({ ...pod, spec: { containers: [] }, status });
      expect(Object.keys(trimmed)).not.toContain('status');
      expect(trimmed.spec).toEqual({ containers: [] });
    }
  });

  it('leaves a malformed Pod malformed (the core rejects it) without throwing', () => {
    const bad: ClusterObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: 'junk' };
    expect(sanitizeObject(bad)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [] },
    });
  });
});
