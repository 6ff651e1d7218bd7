import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcpDiffSpec } from '#adapters/gcp-compute/diff-spec.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type { AnyKinds } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { executionSteps } from '#core/plan/execution-steps.js';
import { planChanges } from '#core/plan/plan-changes.js';
import { renderPlan } from '#core/plan/render-plan.js';
import type { ObservedResource, Plan } from '#core/plan/types.js';
import { checkGolden } from '#test/support/golden.js';
import { forwardRoute, loadBalancer, pool } from '#test/unit/adapters/ir-fixture.js';

// A TLS Secret rotated in place: the SslCertificate name hashes the certificate and key, so the new
// one is a new resource. The plan creates it, switches the HTTPS proxy to it, and deletes the old one
// last, so the proxy never points at nothing: no downtime. `plan-gcp/certificate-rotation.plan.txt`.

const cert = (pem: string): ir.Certificate => ({
  secret: 'shop/tls',
  hostnames: [],
  certificatePem: `-----BEGIN CERTIFICATE-----\n${pem}\n-----END CERTIFICATE-----\n`,
  privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pem}-key\n-----END PRIVATE KEY-----\n`,
});

function https(pem: string): ir.LoadBalancer {
  const site = pool('shop/site/80');
  site.endpoints = site.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' }));
  return loadBalancer({
    providerParameters: { project: 'my-project', negZones: ['us-central1-a'] },
    pools: [site],
    listeners: [
      {
        id: 'HTTPS-443',
        sources: [{ kind: 'Gateway', namespace: 'shop', name: 'web', section: 'https' }],
        port: 443,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificates: [cert(pem)] },
        routes: [forwardRoute('site', site.id)],
      },
    ],
  });
}

describe('gcp-compute: a rotated TLS Secret', () => {
  const before = renderGcpCompute(https('OLD'));
  const after = renderGcpCompute(https('NEW'));
  const observed: ObservedResource<GcpKinds>[] = before.resources.map((r, i) => ({
    ...r,
    owned: true,
    id: `id-${i + 1}`,
  }));
  const plan = planChanges(after.resources, observed, gcpDiffSpec, { lbKey: 'prod/Gateway/shop/web' });
  const certName = (o: typeof before) => o.resources.find((r) => r.kind === 'ssl-certificate')!.value.name;

  it('creates the new certificate, updates the proxy, then deletes the old certificate', () => {
    expect(certName(after)).not.toBe(certName(before));
    const steps = executionSteps(plan).map((s) => `${s.op} ${s.change.address}`);
    expect(steps).toEqual([
      `create gcp-compute/ssl-certificate/${certName(after)}`,
      expect.stringMatching(/^update gcp-compute\/target-https-proxy\//),
      `delete gcp-compute/ssl-certificate/${certName(before)}`,
    ]);
    const proxy = plan.changes.find((c) => c.kind === 'target-https-proxy')!;
    expect(proxy.action === 'update' && proxy.changedPaths).toEqual(['sslCertificates[0]']);
  });

  it('reads as a plan', () => {
    const text = checkGolden(
      join(import.meta.dirname, 'plan-gcp', 'certificate-rotation.plan.txt'),
      renderPlan(plan as unknown as Plan<AnyKinds>, { values: true }),
    );
    expect(text.actual).toBe(text.expected);
  });
});
