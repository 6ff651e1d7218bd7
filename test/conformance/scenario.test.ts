import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EchoBackends } from './echo-backends.js';
import { findDeployments } from './endpoint-slices.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';
import { suiteResources } from './programmatic-resources.js';
import {
  listScenarioFiles,
  loadScenario,
  PORTICO_CONTROLLER_NAME,
  PORTICO_INGRESS_CONTROLLER,
  scenarioObjects,
} from './scenario.js';

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

  it.each(shipped.map((f) => [basename(f, '.expect.json'), f]))(
    '%s',
    { timeout: 60_000 },
    async (_name, file) => {
      const loaded = loadScenario(file, { gatewayClassName: 'portico-conformance' });
      const objects = await scenarioObjects(loaded, backends);
      const of = (kind: string) => objects.filter((o) => o.kind === kind);

      // The suite GatewayClass with Portico's controller; the placeholders are gone everywhere.
      expect(of('GatewayClass')).toContainEqual(
        expect.objectContaining({
          metadata: expect.objectContaining({ name: 'portico-conformance' }),
          spec: { controllerName: PORTICO_CONTROLLER_NAME },
        }),
      );
      expect(JSON.stringify(objects)).not.toContain('{GATEWAY_CLASS_NAME}');
      expect(JSON.stringify(objects)).not.toContain('{GATEWAY_CONTROLLER_NAME}');
      for (const gw of of('Gateway')) expect(asRecord(gw.spec)?.gatewayClassName).toBe('portico-conformance');
      expect(of('Gateway').map((g) => g.metadata?.name)).toContain('same-namespace-with-https-listener');
      for (const o of objects) expect(o.metadata?.generation).toBe(1);
      // Every object of the suite's setup table is there (created before anything waits).
      for (const name of [
        'tls-validity-checks-certificate',
        'tls-checks-certificate',
        'tls-passthrough-checks-certificate',
      ])
        expect(of('Secret').map((o) => o.metadata?.name)).toContain(name);

      // `replicas` echo pods per Deployment, each on its own IP; one EndpointSlice per selector Service.
      const deployments = findDeployments(of('Deployment').concat(of('Secret'), of('ConfigMap')));
      for (const d of deployments)
        expect(backends.ofDeployment(d.namespace, d.name)).toHaveLength(d.replicas);
      const slices = of('EndpointSlice');
      for (const svc of of('Service')) {
        const name = svc.metadata?.name ?? '';
        const ns = svc.metadata?.namespace ?? '';
        const mine = slices.filter(
          (s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === name,
        );
        expect(mine, `${ns}/${name}`).toHaveLength(1);
        const slice = mine[0] as KubeObject;
        expect(slice.addressType).toBe('IPv4');
        const selector = asRecord(asRecord(svc.spec)?.selector) ?? {};
        const pods = backends
          .all()
          .filter((s) => s.namespace === ns && Object.entries(selector).every(([k, v]) => s.labels[k] === v));
        expect(
          asArray(slice.endpoints)
            .map((e) => asArray(asRecord(e)?.addresses)[0])
            .sort(),
        ).toEqual(pods.map((p) => p.host).sort());
        // Port names mirror the Service's; the slice port is the targetPort the pods listen on.
        const svcPorts = asArray(asRecord(svc.spec)?.ports).map((p) => asRecord(p) ?? {});
        expect(slice.ports).toEqual(
          svcPorts.map((p) =>
            expect.objectContaining({
              name: p.name ?? '',
              protocol: p.protocol ?? 'TCP',
              ...(pods.length > 0 ? { port: p.targetPort } : {}),
            }),
          ),
        );
      }
    },
  );
});

describe('the suite setup objects', () => {
  it('builds every programmatic object of the table, CA-signed where upstream signs them', () => {
    const objects = suiteResources();
    const get = (kind: string, ns: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name);
    const cert = (ns: string, name: string) =>
      new X509Certificate(
        Buffer.from(String(asRecord(get('Secret', ns, name)?.data)?.['tls.crt']), 'base64'),
      );
    const ca = (ns: string, name: string) =>
      new X509Certificate(String(asRecord(get('ConfigMap', ns, name)?.data)?.['ca.crt']));
    expect(objects).toHaveLength(14);
    const infra = 'gateway-conformance-infra';
    const selfSigned = cert(infra, 'tls-validity-checks-certificate');
    expect(selfSigned.subjectAltName).toBe('DNS:*, DNS:*.org, DNS:*.wildcard.org');
    expect(selfSigned.verify(selfSigned.publicKey)).toBe(true);
    const serving = cert(infra, 'tls-checks-certificate');
    expect(serving.subjectAltName).toBe(
      'DNS:abc.example.com, DNS:other.example.com, URI:spiffe://abc.example.com/test-identity',
    );
    expect(serving.verify(ca(infra, 'tls-checks-ca-certificate').publicKey)).toBe(true);
    expect(serving.verify(ca(infra, 'mismatch-ca-certificate').publicKey)).toBe(false);
    expect(ca(infra, 'tls-checks-ca-certificate').ca).toBe(true);
    const client = cert(infra, 'tls-validity-checks-client-certificate');
    expect(client.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    expect(client.subjectAltName).toBeUndefined();
    expect(client.verify(ca(infra, 'tls-validity-checks-ca-certificate').publicKey)).toBe(true);
    expect(client.verify(ca(infra, 'tls-validity-checks-per-port-ca-certificate').publicKey)).toBe(false);
    expect(cert('gateway-conformance-app-backend', 'tls-passthrough-checks-certificate').subjectAltName).toBe(
      'DNS:abc.example.com',
    );
    expect(cert(infra, 'tls-terminate-checks-certificate').subject).toContain('CN=default');
  });
});

describe('loading the shipped Ingress scenarios', () => {
  const dir = join(SHIPPED, '../ingress');
  const files = existsSync(dir) ? listScenarioFiles(dir) : [];
  it.each(files.map((f) => [basename(f, '.expect.json'), f]))('%s', (_name, file) => {
    const loaded = loadScenario(file);
    expect(loaded.ingress).toBe(true);
    // No Gateway suite objects: the IngressClass the suite expects, owned by Portico, not default.
    expect(loaded.classObject).toMatchObject({
      kind: 'IngressClass',
      metadata: { name: 'conformance' },
      spec: { controller: PORTICO_INGRESS_CONTROLLER },
    });
    expect(loaded.classObject.metadata?.annotations).toBeUndefined();
    expect(loaded.programmatic.map((o) => o.metadata?.namespace)).not.toContain('gateway-conformance-infra');
    for (const ing of loaded.manifestObjects.filter((o) => o.kind === 'Ingress'))
      expect(asRecord(ing.spec)?.ingressClassName).toBe('conformance');
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

    // A listed object that is neither in the suite table nor buildable is a clear error.
    writeFileSync(
      join(dir, 'U.expect.json'),
      JSON.stringify({
        test: 'U',
        features: ['Gateway'],
        manifests: ['base.yaml'],
        requiresProgrammaticResources: [{ kind: 'ConfigMap', namespace: 'ns1', name: 'unknown-ca' }],
      }),
    );
    expect(() => loadScenario(join(dir, 'U.expect.json'))).toThrow(
      /requiresProgrammaticResources\[0\]: ConfigMap ns1\/unknown-ca is not one of the suite's objects/,
    );

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
    expect(findDeployments(loaded.manifestObjects).map((d) => d.name)).toContain('infra-backend-v3');
  });
});
