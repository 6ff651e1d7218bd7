// What the EndpointSlice controller would publish for each Service of a scenario, with the local echo
// servers (one per backend Deployment) standing in for the Deployments' pods.

import type { EchoServer } from './echo-server.js';
import { asArray, asRecord, type KubeObject } from './kube-object.js';

/** A backend Deployment as the harness sees it. */
export interface DeploymentInfo {
  namespace: string;
  name: string;
  /** `spec.template.metadata.labels`: what Service selectors match. */
  podLabels: Record<string, string>;
}

export function findDeployments(objects: readonly KubeObject[]): DeploymentInfo[] {
  return objects
    .filter((o) => o.kind === 'Deployment' && o.metadata?.name)
    .map((o) => {
      const template = asRecord(asRecord(o.spec)?.template);
      const labels = asRecord(asRecord(template?.metadata)?.labels) ?? {};
      return {
        namespace: o.metadata?.namespace ?? 'default',
        name: o.metadata?.name ?? '',
        podLabels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      };
    });
}

export function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
}

/**
 * One `discovery.k8s.io/v1` EndpointSlice per Service that has a selector: an endpoint (127.0.0.1) per echo
 * server whose pod labels match, and one slice port per Service port (same name, protocol and appProtocol;
 * port = the echo server's port, which is where every targetPort of the "pod" lands).
 * A Service whose selector matches nothing gets a slice without endpoints, as in a cluster.
 */
export function synthesizeEndpointSlices(
  objects: readonly KubeObject[],
  servers: readonly EchoServer[],
): KubeObject[] {
  const slices: KubeObject[] = [];
  for (const svc of objects) {
    if (svc.kind !== 'Service' || !svc.metadata?.name) continue;
    const namespace = svc.metadata.namespace ?? 'default';
    const spec = asRecord(svc.spec) ?? {};
    const selector = asRecord(spec.selector);
    if (!selector || Object.keys(selector).length === 0) continue;
    const matching = servers.filter((s) => s.namespace === namespace && selectorMatches(selector, s.labels));
    const svcPorts = asArray(spec.ports).map((p) => asRecord(p) ?? {});
    // Every matching pod is one echo server listening on one port: each Service port's targetPort (3000,
    // 3001, 8443 or a name) maps to it. A slice carries one port list, so pods are grouped per port.
    const byPort = new Map<number, EchoServer[]>();
    for (const s of matching) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
    const groups = byPort.size > 0 ? [...byPort.entries()] : [[0, []] as [number, EchoServer[]]];
    groups.forEach(([port, group], i) => {
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${svc.metadata?.name}-conformance${groups.length > 1 ? `-${i}` : ''}`,
          namespace,
          generation: 1,
          labels: {
            'kubernetes.io/service-name': svc.metadata?.name ?? '',
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          },
          ownerReferences: [
            { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name, controller: true },
          ],
        },
        addressType: 'IPv4',
        ports: svcPorts.map((p) => ({
          ...(typeof p.name === 'string' && p.name !== '' ? { name: p.name } : { name: '' }),
          protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
          ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
          ...(group.length > 0 ? { port } : {}),
        })),
        endpoints: group.map((s) => ({
          addresses: [s.host],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace, name: s.podName },
        })),
      });
    });
  }
  return slices;
}
