// examples/gcp-compute planned against an empty project, as `portico plan --provider gcp-compute
// --manifests examples/gcp-compute` does (loadManifests → translate → the adapter's pure half →
// planChanges → renderPlan), through the gcp-compute pure half directly.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcpComputePureHalf } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds, NegEndpointsValue, UrlMapValue } from '#adapters/gcp-compute/model.js';
import type { DesiredResource } from '#adapters/types.js';
import { loadManifests } from '#cli/manifests.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { translate } from '#core/translate/translate.js';

const dir = join(import.meta.dirname, '../../../examples/gcp-compute');

async function planned() {
  const { objects, problems } = await loadManifests(dir);
  expect(problems).toEqual([]);
  const result = translate(objects, { cluster: 'local' });
  expect(result.notices.filter((n) => n.severity === 'error')).toEqual([]);
  expect(result.held).toEqual([]);
  const adapter = gcpComputePureHalf();
  return result.loadBalancers.map((lb) => {
    const rendered = adapter.render(lb);
    const plan = planChanges(rendered.resources, [], adapter.diffSpec, { lbKey: lb.key });
    return { lb, rendered, text: renderPlan(plan, { values: true }) };
  });
}

const ofKind = <T>(resources: DesiredResource<GcpKinds>[], kind: string) =>
  resources.filter((r) => r.kind === kind).map((r) => r.value as T);

describe('examples/gcp-compute', () => {
  it('plans a Gateway and an Ingress on gcp-compute, with no error', async () => {
    const plans = await planned();
    expect(plans.map((p) => [p.lb.key, p.lb.provider])).toEqual([
      ['local/Gateway/shop/shop', 'gcp-compute'],
      ['local/Ingress/shop/api', 'gcp-compute'],
    ]);
    for (const p of plans) {
      expect(p.rendered.notices.filter((n) => n.severity === 'error')).toEqual([]);
      const added = p.rendered.resources.length;
      expect(p.text).toContain(`Plan: ${added} to add, 0 to change, 0 to replace, 0 to destroy.`);
    }
  });

  it('gives the Gateway a forwarding rule, proxy and URL map per listener port, the HTTPS one with the Secret as an SslCertificate', async () => {
    const [gateway] = await planned();
    const resources = gateway!.rendered.resources;
    const count = (kind: string) => resources.filter((r) => r.kind === kind).length;
    expect(
      ofKind<{ portRange: string }>(resources, 'forwarding-rule')
        .map((f) => f.portRange)
        .sort(),
    ).toEqual(['443-443', '80-80']);
    expect([count('target-http-proxy'), count('target-https-proxy'), count('url-map')]).toEqual([1, 1, 2]);
    const [https] = ofKind<{ sslCertificates?: string[] }>(resources, 'target-https-proxy');
    const [cert] = ofKind<{ name: string; secret: string }>(resources, 'ssl-certificate');
    expect(cert!.secret).toBe('shop/shop-tls');
    expect(https!.sslCertificates).toEqual([`global/sslCertificates/${cert!.name}`]);
    // the key is sent to GCP, never printed
    expect(gateway!.text).toContain('(sensitive value)');
    expect(gateway!.text).not.toContain('PRIVATE KEY');

    // port 80 redirects to HTTPS; port 443 splits /cart 90/10 and routes the v2 API header
    const maps = ofKind<UrlMapValue>(resources, 'url-map');
    const rules = (m: UrlMapValue) => m.pathMatchers.flatMap((pm) => pm.routeRules);
    const redirects = maps.flatMap(rules).filter((r) => r.urlRedirect?.httpsRedirect);
    expect(redirects.length).toBeGreaterThan(0);
    const weighted = maps.flatMap(rules).flatMap((r) => r.routeAction?.weightedBackendServices ?? []);
    const [small, large] = weighted.map((w) => w.weight).sort((a, b) => a - b);
    expect([weighted.length, large! / small!]).toEqual([2, 9]);
    const headers = maps.flatMap(rules).flatMap((r) => r.matchRules.flatMap((m) => m.headerMatches ?? []));
    expect(headers).toContainEqual({ headerName: 'x-api-version', exactMatch: 'v2' });
  });

  it('puts every endpoint in the NEG of its zone, its node as the instance', async () => {
    const [gateway, ingress] = await planned();
    const endpoints = (resources: DesiredResource<GcpKinds>[]) =>
      Object.fromEntries(
        ofKind<NegEndpointsValue>(resources, 'neg-endpoints')
          .filter((n) => n.endpoints.length > 0)
          .map((n) => [`${n.networkEndpointGroup.split('/').pop()}@${n.zone}`, n.endpoints]),
      );
    const gw = endpoints(gateway!.rendered.resources);
    const store = Object.entries(gw).filter(([k]) => k.startsWith('k8s-store-80-'));
    expect(store.map(([k, v]) => [k.split('@')[1], v])).toEqual([
      ['europe-west1-b', [{ ipAddress: '10.8.0.11', port: 8080, instance: 'gke-shop-pool-1-b-0001' }]],
      ['europe-west1-c', [{ ipAddress: '10.8.1.12', port: 8080, instance: 'gke-shop-pool-1-c-0001' }]],
    ]);
    // the Ingress has its own frontend, and NEGs for api in both zones
    const ing = ingress!.rendered.resources;
    expect(ofKind<{ portRange: string }>(ing, 'forwarding-rule').map((f) => f.portRange)).toEqual(['80-80']);
    expect(
      ofKind<{ zone: string }>(ing, 'network-endpoint-group')
        .map((n) => n.zone)
        .sort(),
    ).toEqual(['europe-west1-b', 'europe-west1-c']);
    expect(
      Object.values(endpoints(ing))
        .flat()
        .map((e) => e.ipAddress)
        .sort(),
    ).toEqual(['10.8.0.31', '10.8.1.32']);
  });
});
