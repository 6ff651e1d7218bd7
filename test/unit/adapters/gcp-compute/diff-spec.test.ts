import { describe, expect, it } from 'vitest';
import { gcpDiffSpec, gcpReferences } from '#adapters/gcp-compute/diff-spec.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type { ComparePair, Resource } from '#core/plan/types.js';
import { loadBalancer } from '../ir-fixture.js';

const SELF = 'https://compute.googleapis.com/compute/v1/projects/my-project/';
const rendered = renderGcpCompute(
  loadBalancer({ providerParameters: { project: 'my-project', negZones: ['us-central1-a'] } }),
).resources;
const one = <K extends GcpKinds['kind']>(kind: K) =>
  rendered.find((r) => r.kind === kind) as Extract<Resource<GcpKinds>, { kind: K }>;

describe('gcp-compute diff spec', () => {
  it('compares references by their relative path and ignores output-only fields', () => {
    const fr = one('forwarding-rule');
    const observed = {
      ...fr.value,
      target: `${SELF}${fr.value.target}`,
      id: '123',
      selfLink: `${SELF}global/forwardingRules/${fr.value.name}`,
      creationTimestamp: '2026-12-05T00:00:00Z',
      labelFingerprint: 'abc',
    };
    const pair = {
      kind: 'forwarding-rule',
      address: fr.address,
      desired: fr.value,
      observed,
    } as ComparePair<GcpKinds>;
    expect(gcpDiffSpec.compare(pair)).toEqual({ equal: true });
  });

  it('replaces a forwarding rule whose port changed, updates a URL map in place', () => {
    const fr = one('forwarding-rule');
    const moved = gcpDiffSpec.compare({
      kind: 'forwarding-rule',
      address: fr.address,
      desired: fr.value,
      observed: { ...fr.value, portRange: '8080-8080' },
    } as ComparePair<GcpKinds>);
    expect(moved).toMatchObject({ equal: false, replace: true, replacePaths: ['portRange'] });
    const um = one('url-map');
    const edited = gcpDiffSpec.compare({
      kind: 'url-map',
      address: um.address,
      desired: um.value,
      observed: { ...um.value, hostRules: [] },
    } as ComparePair<GcpKinds>);
    expect(edited).toMatchObject({ equal: false, replace: false });
  });

  it('compares a GCE_VM_IP endpoint by its instance (the API fills in the VM IP), a GCE_VM_IP_PORT one by IP and port', () => {
    const compare = (desired: object[], observed: object[]) =>
      gcpDiffSpec.compare({
        kind: 'neg-endpoints',
        address: 'gcp-compute/neg-endpoints/neg/us-central1-a',
        desired: { networkEndpointGroup: 'neg', zone: 'us-central1-a', endpoints: desired },
        observed: { networkEndpointGroup: 'neg', zone: 'us-central1-a', endpoints: observed },
      } as ComparePair<GcpKinds>).equal;
    expect(compare([{ instance: 'node-1' }], [{ instance: 'node-1', ipAddress: '10.128.0.7' }])).toBe(true);
    expect(compare([{ instance: 'node-1' }], [{ instance: 'node-2', ipAddress: '10.128.0.7' }])).toBe(false);
    expect(
      compare(
        [{ instance: 'node-1', ipAddress: '10.0.0.1', port: 80 }],
        [{ instance: 'node-1', ipAddress: '10.0.0.2', port: 80 }],
      ),
    ).toBe(false);
  });

  it('never compares the private key of a certificate', () => {
    const cert = {
      name: 'k8s-c',
      description: '{}',
      type: 'SELF_MANAGED' as const,
      certificate: 'PEM',
      privateKey: 'KEY',
      secret: 'shop/tls',
    };
    const observed = { ...cert, privateKey: '' };
    expect(
      gcpDiffSpec.compare({
        kind: 'ssl-certificate',
        address: 'a',
        desired: cert,
        observed,
      } as ComparePair<GcpKinds>),
    ).toEqual({ equal: true });
  });

  it('orders each resource after what it refers to', () => {
    const fr = one('forwarding-rule');
    expect(gcpReferences(fr)).toEqual([`gcp-compute/target-http-proxy/${fr.value.target!.split('/').pop()}`]);
    const bs = rendered.find((r) => r.kind === 'backend-service' && r.value.pool === 'shop/api/80')!;
    const refs = gcpReferences(bs);
    expect(refs.some((a) => a.startsWith('gcp-compute/health-check/'))).toBe(true);
    expect(
      refs.some((a) => /^gcp-compute\/network-endpoint-group\/k8s-[a-z0-9-]+\/us-central1-a$/.test(a)),
    ).toBe(true);
    const addresses = new Set(rendered.map((r) => r.address));
    // Every reference of every resource is itself rendered.
    for (const r of rendered) for (const ref of gcpReferences(r)) expect(addresses).toContain(ref);
  });
});
