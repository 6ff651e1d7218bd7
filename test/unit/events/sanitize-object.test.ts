import { describe, expect, it } from 'vitest';
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
