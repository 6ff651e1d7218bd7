// examples/gcp-compute planned against an empty project through the CLI's own path: `portico plan
// --provider gcp-compute --manifests examples/gcp-compute` (runPlan: loadManifests → translate → the
// registered provider's pure half → planChanges → renderPlan). What the plan prints is checked; the
// URL maps' route rules, which the plan prints cut short, through the same registered pure half.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UrlMapValue } from '#adapters/gcp-compute/model.js';
import { PROVIDERS } from '#adapters/registry.js';
import { runPlan } from '#cli/commands/plan.js';
import { loadManifests } from '#cli/manifests.js';
import { translate } from '#core/translate/translate.js';

const dir = join(import.meta.dirname, '../../../examples/gcp-compute');

/** One load balancer's plan as printed: its creates, by address, with their printed fields. */
interface PrintedPlan {
  key: string;
  summary: string;
  creates: Map<string, Map<string, string>>;
}

async function printedPlans(): Promise<{ code: number; text: string; plans: PrintedPlan[] }> {
  const lines: string[] = [];
  const code = await runPlan({ provider: 'gcp-compute', manifests: dir, log: (l) => lines.push(l) });
  const plans: PrintedPlan[] = [];
  let fields: Map<string, string> | undefined;
  for (const line of lines.flatMap((l) => l.split('\n'))) {
    const head = /^Plan for (\S+):$/.exec(line);
    const create = /^ {2}\+ create {3}(\S+)$/.exec(line);
    const field = /^ {6}(\w+): (.*)$/.exec(line);
    if (head) plans.push({ key: head[1]!, summary: '', creates: new Map() });
    else if (create) {
      fields = new Map();
      plans.at(-1)!.creates.set(create[1]!, fields);
    } else if (field && fields) fields.set(field[1]!, field[2]!);
    else if (line.startsWith('Plan: ')) plans.at(-1)!.summary = line;
  }
  return { code, text: lines.join('\n'), plans };
}

const ofKind = (plan: PrintedPlan, kind: string) =>
  [...plan.creates].filter(([address]) => address.split('/')[1] === kind).map(([, fields]) => fields);
/** A printed field's value (JSON, printed in full: the test fails on a value cut short). */
const printed = (fields: Map<string, string>, name: string): unknown => {
  const raw = fields.get(name);
  expect(raw, name).toBeDefined();
  expect(raw!.endsWith('…'), `${name} printed in full`).toBe(false);
  return JSON.parse(raw!);
};

describe('examples/gcp-compute through portico plan', () => {
  it('plans a Gateway and an Ingress on gcp-compute, with no error and exit code 0', async () => {
    const { code, text, plans } = await printedPlans();
    expect(code).toBe(0);
    expect(text).not.toMatch(/^error/m);
    expect(plans.map((p) => [p.key, p.creates.size])).toEqual([
      ['local/Gateway/shop/shop', 26],
      ['local/Ingress/shop/api', 10],
    ]);
    for (const p of plans)
      expect(p.summary).toBe(`Plan: ${p.creates.size} to add, 0 to change, 0 to replace, 0 to destroy.`);
    for (const address of plans.flatMap((p) => [...p.creates.keys()]))
      expect(address).toMatch(/^gcp-compute\/[a-z-]+\/k8s-[a-z0-9-]+(?:\/europe-west1-[bc])?$/);
  });

  it('gives the Gateway a forwarding rule, proxy and URL map per listener port, the HTTPS one with the Secret as an SslCertificate', async () => {
    const { text, plans } = await printedPlans();
    const gateway = plans[0]!;
    expect(
      ofKind(gateway, 'forwarding-rule')
        .map((f) => printed(f, 'portRange'))
        .sort(),
    ).toEqual(['443-443', '80-80']);
    const count = (kind: string) => ofKind(gateway, kind).length;
    expect([count('target-http-proxy'), count('target-https-proxy'), count('url-map')]).toEqual([1, 1, 2]);
    const [https] = ofKind(gateway, 'target-https-proxy');
    const [cert] = ofKind(gateway, 'ssl-certificate');
    expect(printed(cert!, 'secret')).toBe('shop/shop-tls');
    expect(printed(https!, 'sslCertificates')).toEqual([`global/sslCertificates/${printed(cert!, 'name')}`]);
    // the key is sent to GCP, never printed
    expect(cert!.get('privateKey')).toBe('"(sensitive value)"');
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('puts every endpoint in the NEG of its zone, its node as the instance', async () => {
    const [gateway, ingress] = (await printedPlans()).plans;
    const endpoints = (plan: PrintedPlan, service: string) =>
      ofKind(plan, 'neg-endpoints')
        .filter((f) => String(printed(f, 'networkEndpointGroup')).startsWith(`k8s-${service}-80-`))
        .map((f) => [printed(f, 'zone'), printed(f, 'endpoints')])
        .sort();
    expect(endpoints(gateway!, 'store')).toEqual([
      ['europe-west1-b', [{ instance: 'gke-shop-pool-1-b-0001', ipAddress: '10.8.0.11', port: 8080 }]],
      ['europe-west1-c', [{ instance: 'gke-shop-pool-1-c-0001', ipAddress: '10.8.1.12', port: 8080 }]],
    ]);
    // the Ingress has its own frontend, and NEGs for api in both zones
    expect(ofKind(ingress!, 'forwarding-rule').map((f) => printed(f, 'portRange'))).toEqual(['80-80']);
    expect(ofKind(ingress!, 'network-endpoint-group').map((f) => printed(f, 'zone'))).toEqual([
      'europe-west1-b',
      'europe-west1-c',
    ]);
    expect(
      endpoints(ingress!, 'api').flatMap(([, e]) => (e as { ipAddress: string }[]).map((x) => x.ipAddress)),
    ).toEqual(['10.8.0.31', '10.8.1.32']);
  });

  it('redirects port 80 to HTTPS, splits /cart 90/10 and routes the v2 API header (URL maps, printed cut short)', async () => {
    const { objects } = await loadManifests(dir);
    const [gateway] = translate(objects, { cluster: 'local' }).loadBalancers;
    const rendered = (await PROVIDERS['gcp-compute'].pure()).render(gateway!);
    const maps = rendered.resources.filter((r) => r.kind === 'url-map').map((r) => r.value as UrlMapValue);
    const rules = maps.flatMap((m) => m.pathMatchers.flatMap((pm) => pm.routeRules));
    expect(rules.filter((r) => r.urlRedirect?.httpsRedirect).length).toBeGreaterThan(0);
    const weighted = rules.flatMap((r) => r.routeAction?.weightedBackendServices ?? []);
    const [small, large] = weighted.map((w) => w.weight).sort((a, b) => a - b);
    expect([weighted.length, large! / small!]).toEqual([2, 9]);
    const headers = rules.flatMap((r) => r.matchRules.flatMap((m) => m.headerMatches ?? []));
    expect(headers).toContainEqual({ headerName: 'x-api-version', exactMatch: 'v2' });
  });
});
