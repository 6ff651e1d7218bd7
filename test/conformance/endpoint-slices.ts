// What the Deployment and EndpointSlice controllers would produce for a scenario: the echo Deployments as
// the harness runs them (replicas, env, mounted certificates, container ports), and one EndpointSlice per
// Service with a selector, pointing at the matching echo pods (each on its own loopback IP, listening on the
// container ports, so a Service's targetPort is the slice port as in a cluster).

import type { EchoPod } from './echo-pod.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';

/** A backend Deployment as the harness runs it. */
export interface DeploymentInfo {
  namespace: string;
  name: string;
  /** `spec.template.metadata.labels`: what Service selectors match. */
  podLabels: Record<string, string>;
  replicas: number;
  /** Literal env values of the first container. */
  env: Record<string, string>;
  /** TCP container ports (name → number). */
  containerPorts: { name?: string; port: number }[];
  /** TLS_SERVER_CERT / TLS_SERVER_PRIVKEY (or _PRIV_KEY) read from the mounted Secret. */
  serverCertificate?: { cert: string; key: string };
  /** TLS_CLIENT_CACERTS read from the mounted ConfigMap / Secret. */
  clientCa?: string;
}

/** The Deployments of a set of objects; mounted files are read from the Secrets / ConfigMaps of the set. */
export function findDeployments(objects: readonly KubeObject[]): DeploymentInfo[] {
  return objects
    .filter((o) => o.kind === 'Deployment' && o.metadata?.name)
    .map((o) => {
      const namespace = o.metadata?.namespace ?? 'default';
      const spec = asRecord(o.spec) ?? {};
      const template = asRecord(spec.template);
      const podSpec = asRecord(template?.spec) ?? {};
      const container = asRecord(asArray(podSpec.containers)[0]) ?? {};
      const labels = asRecord(asRecord(template?.metadata)?.labels) ?? {};
      const env: Record<string, string> = {};
      for (const e of asArray(container.env).map((x) => asRecord(x) ?? {}))
        if (typeof e.name === 'string' && e.value !== undefined) env[e.name] = String(e.value);
      const file = (path: string | undefined) =>
        path === undefined ? undefined : mountedFile(objects, namespace, podSpec, container, path);
      const cert = file(env.TLS_SERVER_CERT);
      const key = file(env.TLS_SERVER_PRIVKEY ?? env.TLS_SERVER_PRIV_KEY);
      const clientCa = file(env.TLS_CLIENT_CACERTS);
      const replicas = spec.replicas;
      return {
        namespace,
        name: o.metadata?.name ?? '',
        podLabels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
        replicas: typeof replicas === 'number' && replicas >= 0 ? replicas : 1,
        env,
        containerPorts: asArray(container.ports)
          .map((p) => asRecord(p) ?? {})
          .filter((p) => typeof p.containerPort === 'number' && (p.protocol ?? 'TCP') === 'TCP')
          .map((p) => ({
            ...(typeof p.name === 'string' ? { name: p.name } : {}),
            port: p.containerPort as number,
          })),
        ...(cert && key ? { serverCertificate: { cert, key } } : {}),
        ...(clientCa ? { clientCa } : {}),
      };
    });
}

/** The content a container sees at `path`, from a Secret or ConfigMap volume of the pod. */
function mountedFile(
  objects: readonly KubeObject[],
  namespace: string,
  podSpec: Record<string, unknown>,
  container: Record<string, unknown>,
  path: string,
): string | undefined {
  for (const m of asArray(container.volumeMounts).map((x) => asRecord(x) ?? {})) {
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath.replace(/\/$/, '') : undefined;
    if (!mountPath || !path.startsWith(`${mountPath}/`)) continue;
    const relative = path.slice(mountPath.length + 1);
    const volume = asArray(podSpec.volumes)
      .map((v) => asRecord(v) ?? {})
      .find((v) => v.name === m.name);
    const secret = asRecord(volume?.secret);
    const configMap = asRecord(volume?.configMap);
    const source = secret ?? configMap;
    if (!source) continue;
    const sourceName = secret ? secret.secretName : configMap?.name;
    const items = asArray(source.items).map((i) => asRecord(i) ?? {});
    const key = items.length > 0 ? items.find((i) => i.path === relative)?.key : relative;
    const obj = objects.find(
      (o) =>
        o.kind === (secret ? 'Secret' : 'ConfigMap') &&
        o.metadata?.namespace === namespace &&
        o.metadata?.name === sourceName,
    );
    if (typeof key !== 'string' || !obj) continue;
    const data = asRecord(obj.data)?.[key];
    if (typeof data === 'string') return secret ? Buffer.from(data, 'base64').toString('utf8') : data;
    const stringData = asRecord(obj.stringData)?.[key];
    if (typeof stringData === 'string') return stringData;
  }
  return undefined;
}

export function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
}

/**
 * One `discovery.k8s.io/v1` EndpointSlice per Service that has a selector: an endpoint per matching echo pod
 * (its IP), one slice port per Service port (same name, protocol and appProtocol; port = the targetPort, a
 * named targetPort resolved through the Deployment's container ports). A Service whose selector matches
 * nothing gets a slice without endpoints, as in a cluster.
 */
export function synthesizeEndpointSlices(
  objects: readonly KubeObject[],
  pods: readonly EchoPod[],
  deployments: readonly DeploymentInfo[] = findDeployments(objects),
): KubeObject[] {
  const slices: KubeObject[] = [];
  for (const svc of objects) {
    if (svc.kind !== 'Service' || !svc.metadata?.name) continue;
    const namespace = svc.metadata.namespace ?? 'default';
    const spec = asRecord(svc.spec) ?? {};
    const selector = asRecord(spec.selector);
    if (!selector || Object.keys(selector).length === 0) continue;
    const matching = pods.filter((p) => p.namespace === namespace && selectorMatches(selector, p.labels));
    const namedPorts = deployments
      .filter((d) => d.namespace === namespace && selectorMatches(selector, d.podLabels))
      .flatMap((d) => d.containerPorts);
    const svcPorts = asArray(spec.ports).map((p) => asRecord(p) ?? {});
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.metadata.name}-conformance`,
        namespace,
        generation: 1,
        labels: {
          'kubernetes.io/service-name': svc.metadata.name,
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, controller: true }],
      },
      addressType: 'IPv4',
      ports: svcPorts.map((p) => {
        const target = p.targetPort ?? p.port;
        const port =
          typeof target === 'number'
            ? target
            : (namedPorts.find((c) => c.name === target)?.port ?? undefined);
        return {
          name: typeof p.name === 'string' ? p.name : '',
          protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
          ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
          ...(matching.length > 0 && port !== undefined ? { port } : {}),
        };
      }),
      endpoints: matching.map((p) => ({
        addresses: [p.host],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'conformance-node',
        targetRef: { kind: 'Pod', namespace, name: p.podName },
      })),
    });
  }
  return slices;
}
