import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readForwarderConfig } from '#forwarder/config.js';
import { MUTATE_PODS_PATH } from '#forwarder/pod-admission.js';

// The pod admission webhook's manifests in infra/forwarder/: the MutatingWebhookConfiguration,
// the Service it calls, the cert-manager Certificate, and the forwarder Deployment serving it. The
// pieces must point at each other: a wrong name or port is a webhook that is silently never called.

const DIR = fileURLToPath(new URL('../../../infra/forwarder/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests, inspected by the assertions
type Manifest = any;

const manifests: Manifest[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(DIR + f, 'utf8')).map((d) => d.toJS()));
const named = (kind: string, name: string) => {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
};
const webhookConfig = manifests.find((m) => m.kind === 'MutatingWebhookConfiguration');
const [webhook] = webhookConfig.webhooks;
const deployment = named('Deployment', 'portico-forwarder');
const [container] = deployment.spec.template.spec.containers;
const env: Record<string, string> = Object.fromEntries(
  container.env.filter((e: Manifest) => 'value' in e).map((e: Manifest) => [e.name, e.value]),
);

describe('infra/forwarder: the pod readiness gate webhook', () => {
  it('is opt-in per namespace, for pod CREATE only, and never blocks a pod', () => {
    expect(webhookConfig.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(webhookConfig.webhooks).toHaveLength(1);
    expect(webhook.namespaceSelector).toEqual({
      matchLabels: { 'portico.dev/readiness-gate-injection': 'enabled' },
    });
    expect(webhook.objectSelector).toBeUndefined();
    expect(webhook.rules).toEqual([
      {
        operations: ['CREATE'],
        apiGroups: [''],
        apiVersions: ['v1'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ]);
    expect(webhook).toMatchObject({
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      failurePolicy: 'Ignore',
      timeoutSeconds: 5,
    });
  });

  it('calls the forwarder: Service → the Deployment’s webhook port, on the path it serves', () => {
    const { service } = webhook.clientConfig;
    expect(service.path).toBe(MUTATE_PODS_PATH);
    const svc = named('Service', service.name);
    expect(svc.metadata.namespace).toBe(service.namespace);
    const port = svc.spec.ports.find((p: Manifest) => p.port === service.port);
    expect(port, 'the Service port the webhook calls').toBeDefined();
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
    const containerPort = container.ports.find((p: Manifest) => p.name === port.targetPort);
    expect(containerPort, 'the container port the Service targets').toBeDefined();
    // the forwarder, configured from the Deployment's environment, listens on it
    const config = readForwarderConfig({
      ...env,
      PORTICO_CLUSTER_ID: 'c', // a placeholder in the manifest
      PORTICO_SIGNING_SECRET: 'x'.repeat(32),
    });
    expect(config.webhook?.port).toBe(containerPort.containerPort);
  });

  it('serves the cert-manager certificate the API server is told to trust', () => {
    const [namespace, name] = webhookConfig.metadata.annotations['cert-manager.io/inject-ca-from'].split('/');
    const certificate = named('Certificate', name);
    expect(certificate.apiVersion).toBe('cert-manager.io/v1');
    expect(certificate.metadata.namespace).toBe(namespace);
    const { service } = webhook.clientConfig;
    expect(certificate.spec.dnsNames).toContain(`${service.name}.${service.namespace}.svc`);
    const issuer = named(certificate.spec.issuerRef.kind, certificate.spec.issuerRef.name);
    expect(issuer.metadata.namespace).toBe(namespace);

    const volume = deployment.spec.template.spec.volumes.find(
      (v: Manifest) => v.secret?.secretName === certificate.spec.secretName,
    );
    expect(volume, 'a volume of the Certificate’s Secret').toBeDefined();
    const mount = container.volumeMounts.find((m: Manifest) => m.name === volume.name);
    expect(mount.readOnly).toBe(true);
    expect(env.PORTICO_WEBHOOK_CERT_FILE).toBe(`${mount.mountPath}/tls.crt`);
    expect(env.PORTICO_WEBHOOK_KEY_FILE).toBe(`${mount.mountPath}/tls.key`);
  });
});
