// infra/classes: each provider's LoadBalancerParameters are valid for its adapter. A Gateway and an
// Ingress of each class are translated and rendered by the provider's pure half: parameters that the
// adapter refuses render nothing and say why (an error notice), so both are checked.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PROVIDERS } from '#adapters/registry.js';
import type { AnyKinds, PureAdapter } from '#adapters/types.js';
import { translate } from '#core/translate/translate.js';

const CLASSES = fileURLToPath(new URL('../../../infra/classes/', import.meta.url));

/** Each provider's pure half, as adapters/registry.ts gives it. */
const PURE: Record<string, () => Promise<PureAdapter<AnyKinds>>> = {
  haproxy: () => PROVIDERS.haproxy.pure(),
  'aws-elbv2': () => PROVIDERS['aws-elbv2'].pure(),
  'gcp-compute': () => PROVIDERS['gcp-compute'].pure(),
};

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests
const docsOf = (file: string): any[] =>
  parseAllDocuments(readFileSync(CLASSES + file, 'utf8')).map((d) => d.toJS());

/** A Gateway and an Ingress of the file's classes, with a Service and its endpoints. */
function workload(gatewayClass: string, ingressClass: string): unknown[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { gatewayClassName: gatewayClass, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        ingressClassName: ingressClass,
        defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: ['10.0.1.10'], zone: 'europe-west1-b' }],
    },
  ];
}

describe('infra/classes render with their provider', () => {
  const files = readdirSync(CLASSES).filter((f) => f.endsWith('.yaml'));

  it('covers every file', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, '')).sort()).toEqual(Object.keys(PURE).sort());
  });

  it.each(files)('%s: a Gateway and an Ingress of its classes render without an error', async (file) => {
    const docs = docsOf(file);
    const params = docs.find((d) => d.kind === 'LoadBalancerParameters');
    const gc = docs.find((d) => d.kind === 'GatewayClass');
    const ic = docs.find((d) => d.kind === 'IngressClass');
    const result = translate([...docs, ...workload(gc.metadata.name, ic.metadata.name)], { cluster: 'c1' });
    expect(result.notices.filter((n) => n.severity === 'error')).toEqual([]);
    expect(result.loadBalancers.map((lb) => [lb.key, lb.provider])).toEqual([
      ['c1/Gateway/shop/web', params.spec.provider],
      ['c1/Ingress/shop/api', params.spec.provider],
    ]);
    const adapter = await PURE[params.spec.provider]!();
    for (const lb of result.loadBalancers) {
      const rendered = adapter.render(lb);
      expect(
        rendered.notices.filter((n) => n.severity === 'error'),
        lb.key,
      ).toEqual([]);
      expect(rendered.resources.length, lb.key).toBeGreaterThan(0);
    }
  });
});
