import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KINDS } from '#core/model/bundle.js';

const DIR = fileURLToPath(new URL('../../../infra/forwarder/', import.meta.url));
const CLASSES = fileURLToPath(new URL('../../../infra/classes/', import.meta.url));

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests, inspected by the assertions
type Manifest = any;

function load(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(dir + f, 'utf8')).map((doc) => {
        expect(doc.errors, f).toEqual([]);
        return doc.toJS();
      }),
    );
}

const manifests = load(DIR);
const only = (kind: string) => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};
const rules: Rule[] = only('ClusterRole').rules;

/** The resource (plural, lower case) Kubernetes serves a kind as. */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('ss')) return `${k}es`;
  if (k.endsWith('s')) return k;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

const grants = (verb: string) =>
  rules.flatMap((r) =>
    r.verbs.includes(verb) ? r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`)) : [],
  );

const STATUS_PATCH = [
  'GatewayClass',
  'Gateway',
  'ListenerSet',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'BackendTLSPolicy',
  'Ingress',
  'Service',
] as const;

describe('infra/forwarder: the ClusterRole', () => {
  it('grants list and watch on every kind of the bundle, in its API group', () => {
    const expected = Object.entries(KINDS)
      .map(([kind, { group }]) => `${group}/${pluralOf(kind)}`)
      .sort();
    expect([...grants('list')].sort()).toEqual(expected);
    expect([...grants('watch')].sort()).toEqual(expected);
  });

  it('writes nothing but a status patch on the programmed kinds and Pods (readiness gates)', () => {
    for (const rule of rules) {
      for (const verb of rule.verbs) expect(['list', 'watch', 'get', 'patch']).toContain(verb);
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
      if (rule.verbs.includes('patch')) {
        expect(rule.verbs).toEqual(['patch']);
        for (const resource of rule.resources) expect(resource).toMatch(/\/status$/);
      }
    }
    const expected = [...STATUS_PATCH, 'Pod' as const]
      .map((kind) => `${KINDS[kind].group}/${pluralOf(kind)}/status`)
      .sort();
    expect([...grants('patch')].sort()).toEqual(expected);
  });

  it('gets only Pods (the readiness-gate writer reads the live Pod, not the trimmed event)', () => {
    expect(grants('get')).toEqual(['/pods']);
  });

  it('is bound to the forwarder service account, which the Deployment runs as', () => {
    const sa = only('ServiceAccount');
    const binding = only('ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: only('ClusterRole').metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(only('Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });
});

describe('infra/forwarder: the Deployment', () => {
  const deployment = only('Deployment');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;

  it('runs non-root on a read-only root filesystem, with no capabilities', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('probes /healthz, exposes metrics and takes the signing secret from the Secret', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.ports.map((p: { name: string }) => p.name)).toContain('metrics');
    const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['PORTICO_ENDPOINT', 'PORTICO_CLUSTER_ID']));
    expect(env.PORTICO_SIGNING_SECRET.valueFrom.secretKeyRef.name).toBe(only('Secret').metadata.name);
  });

  it('lives in the namespace the manifests create', () => {
    const ns = only('Namespace').metadata.name;
    const clusterScoped = new Set(['Namespace', 'MutatingWebhookConfiguration']);
    for (const m of manifests.filter((x) => !clusterScoped.has(x.kind) && !x.kind.startsWith('Cluster'))) {
      expect(m.metadata.namespace, m.kind).toBe(ns);
    }
  });
});

describe('infra/classes', () => {
  it('has a GatewayClass and an IngressClass per provider, each pointing at its parameters', () => {
    const docs = load(CLASSES);
    const params = docs.filter((d) => d.kind === 'LoadBalancerParameters');
    expect(params.map((p) => p.spec.provider).sort()).toEqual(['aws-elbv2', 'gcp-compute', 'haproxy']);
    for (const p of params) {
      const ref = { name: p.metadata.name, namespace: p.metadata.namespace };
      const gc = docs.find((d) => d.kind === 'GatewayClass' && d.spec.parametersRef?.name === ref.name);
      const ic = docs.find((d) => d.kind === 'IngressClass' && d.spec.parameters?.name === ref.name);
      expect(gc?.spec).toMatchObject({
        controllerName: 'portico.dev/gateway-controller',
        parametersRef: { group: 'portico.dev', kind: 'LoadBalancerParameters', ...ref },
      });
      expect(ic?.spec).toMatchObject({
        controller: 'portico.dev/ingress-controller',
        parameters: { apiGroup: 'portico.dev', kind: 'LoadBalancerParameters', scope: 'Namespace', ...ref },
      });
    }
  });
});
