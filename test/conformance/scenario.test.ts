import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EchoBackends } from './echo-backends.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';
import { listScenarioFiles, loadScenario, PORTICO_CONTROLLER_NAME, scenarioObjects } from './scenario.js';

/** The shipped scenarios: upstream data kept in shared/, beside the repository (CI has it too). */
const SHIPPED =
  process.env.PORTICO_CONFORMANCE_DIR ?? join(import.meta.dirname, '../../../shared/conformance/gateway-api');
const shipped = existsSync(SHIPPED) ? listScenarioFiles(SHIPPED) : [];

describe(`loading every shipped scenario (${SHIPPED})`, () => {
  const backends = new EchoBackends();
  afterAll(() => backends.close());

  it('finds the shipped scenarios', () => {
    expect(shipped.map((f) => basename(f, '.expect.json'))).toContain('HTTPRouteExactPathMatching');
  });

  it.each(shipped.map((f) => [basename(f, '.expect.json'), f]))('%s', async (_name, file) => {
    const loaded = loadScenario(file, { gatewayClassName: 'portico-conformance' });
    const objects = await scenarioObjects(loaded, backends);
    const of = (kind: string) => objects.filter((o) => o.kind === kind);

    // GatewayClass with Portico's controller; the placeholder is gone everywhere.
    expect(of('GatewayClass')).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'portico-conformance' }),
        spec: { controllerName: PORTICO_CONTROLLER_NAME },
      }),
    ]);
    expect(JSON.stringify(objects)).not.toContain('{GATEWAY_CLASS_NAME}');
    for (const gw of of('Gateway')) expect(asRecord(gw.spec)?.gatewayClassName).toBe('portico-conformance');
    // The test manifest's routes are there, on top of the base manifests; every object has a generation.
    expect(of('HTTPRoute').length).toBeGreaterThan(0);
    expect(of('Gateway').map((g) => g.metadata?.name)).toContain('same-namespace-with-https-listener');
    for (const o of objects) expect(o.metadata?.generation).toBe(1);

    // One echo server per Deployment; one EndpointSlice per selector Service pointing at it.
    const deployments = of('Deployment');
    expect(loaded.deployments).toHaveLength(deployments.length);
    const slices = of('EndpointSlice');
    for (const svc of of('Service')) {
      const name = svc.metadata?.name ?? '';
      const ns = svc.metadata?.namespace ?? '';
      const mine = slices.filter(
        (s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === name,
      );
      expect(mine, `${ns}/${name}`).toHaveLength(1);
      const slice = mine[0] as KubeObject;
      expect(slice.apiVersion).toBe('discovery.k8s.io/v1');
      expect(slice.addressType).toBe('IPv4');
      const selector = asRecord(asRecord(svc.spec)?.selector) ?? {};
      const servers = backends
        .all()
        .filter((s) => s.namespace === ns && Object.entries(selector).every(([k, v]) => s.labels[k] === v));
      expect(servers, `echo server for ${ns}/${name}`).toHaveLength(1);
      const server = servers[0];
      expect(server?.podName.startsWith(`${server?.deployment}-`)).toBe(true);
      expect(slice.endpoints).toEqual([
        {
          addresses: ['127.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace: ns, name: server?.podName },
        },
      ]);
      // Port names mirror the Service's; every targetPort lands on the echo server's port.
      const svcPorts = asArray(asRecord(svc.spec)?.ports).map((p) => asRecord(p) ?? {});
      expect(slice.ports).toEqual(
        svcPorts.map((p) =>
          expect.objectContaining({ name: p.name ?? '', port: server?.port, protocol: p.protocol ?? 'TCP' }),
        ),
      );
    }
    const v1 = slices.find((s) => s.metadata?.name === 'infra-backend-v1-conformance');
    expect(asArray(v1?.ports).map((p) => asRecord(p)?.name)).toEqual([
      'first-port',
      'second-port',
      'third-port',
    ]);

    // The programmatic TLS Secret, self-signed for the hostnames upstream gives it.
    const secret = objects.find(
      (o) => o.kind === 'Secret' && o.metadata?.name === 'tls-validity-checks-certificate',
    ) as KubeObject;
    expect(secret).toMatchObject({
      type: 'kubernetes.io/tls',
      metadata: { namespace: 'gateway-conformance-infra' },
    });
    const data = asRecord(secret.data) ?? {};
    const cert = new X509Certificate(Buffer.from(String(data['tls.crt']), 'base64'));
    expect(cert.subjectAltName).toBe('DNS:*, DNS:*.org, DNS:*.wildcard.org');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(Buffer.from(String(data['tls.key']), 'base64').toString()).toContain('PRIVATE KEY');
  });
});

describe('scenario loading details', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the Secrets listed in requiresProgrammaticResources and rejects malformed files clearly', () => {
    writeFileSync(
      join(dir, 'base.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n---\n' +
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: ns1}\n' +
        'spec: {gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [{name: http, port: 80, protocol: HTTP}]}\n',
    );
    writeFileSync(join(dir, 'T.yaml'), '---\n');
    writeFileSync(
      join(dir, 'T.expect.json'),
      JSON.stringify({
        test: 'T',
        features: ['Gateway'],
        manifests: ['base.yaml', 'T.yaml'],
        requiresProgrammaticResources: [
          { kind: 'Secret', namespace: 'ns1', name: 'custom', hosts: ['abc.example.com'] },
        ],
      }),
    );
    const loaded = loadScenario(join(dir, 'T.expect.json'));
    const custom = loaded.programmatic.find((o) => o.metadata?.name === 'custom');
    const cert = new X509Certificate(Buffer.from(String(asRecord(custom?.data)?.['tls.crt']), 'base64'));
    expect(cert.subjectAltName).toBe('DNS:abc.example.com');
    expect(loaded.gatewayClassName).toBe('portico');
    expect(loaded.baseKeys).toEqual(new Set(['Namespace//ns1', 'Gateway/ns1/gw']));

    writeFileSync(join(dir, 'Bad.expect.json'), JSON.stringify({ test: 'Bad', features: [] }));
    expect(() => loadScenario(join(dir, 'Bad.expect.json'))).toThrow(
      /Bad.expect.json: "manifests" must be an array/,
    );
  });

  it('accepts scenarios outside the shipped set (any directory in the same format)', () => {
    if (!existsSync(join(SHIPPED, 'base-manifests.yaml'))) return;
    copyFileSync(join(SHIPPED, 'base-manifests.yaml'), join(dir, 'base-manifests.yaml'));
    writeFileSync(
      join(dir, 'Other.expect.json'),
      JSON.stringify({ test: 'Other', features: ['Gateway'], manifests: ['base-manifests.yaml'] }),
    );
    const loaded = loadScenario(join(dir, 'Other.expect.json'));
    expect(loaded.deployments.map((d) => d.name)).toContain('infra-backend-v3');
  });
});
