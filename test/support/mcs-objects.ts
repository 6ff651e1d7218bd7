// Raw objects of the Multi-Cluster Services API (KEP-1645) as a Gateway in a clusterset sees them:
// the ServiceImport in the importing cluster, the EndpointSlices each member cluster exports, and
// an HTTPRoute whose backendRef names the ServiceImport (GEP-1748). Valid against core/model.

export const MCS_API_VERSION = 'multicluster.x-k8s.io/v1alpha1';

export function serviceImport(
  namespace: string,
  name: string,
  ports: { port: number; name?: string; protocol?: string }[] = [{ port: 80 }],
) {
  return {
    apiVersion: MCS_API_VERSION,
    kind: 'ServiceImport',
    metadata: { name, namespace, uid: `uid-si-${namespace}-${name}`, resourceVersion: '1' },
    spec: { type: 'ClusterSetIP', ports },
  };
}

export interface ExportedEndpoint {
  address: string;
  ready?: boolean;
}

/**
 * An EndpointSlice of the multi-cluster service `service`, labelled with its source cluster (as an
 * MCS controller labels them); `labels` adds or overrides labels.
 */
export function exportedSlice(
  namespace: string,
  name: string,
  o: {
    service: string;
    sourceCluster: string;
    port: number;
    endpoints: readonly ExportedEndpoint[];
    resourceVersion?: string;
    labels?: Record<string, string>;
  },
) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace,
      uid: `uid-eps-${namespace}-${name}`,
      resourceVersion: o.resourceVersion ?? '1',
      labels: {
        'multicluster.kubernetes.io/service-name': o.service,
        'multicluster.kubernetes.io/source-cluster': o.sourceCluster,
        ...o.labels,
      },
    },
    addressType: 'IPv4',
    ports: [{ port: o.port, protocol: 'TCP' }],
    endpoints: o.endpoints.map((e) => ({ addresses: [e.address], conditions: { ready: e.ready ?? true } })),
  };
}

/** An HTTPRoute attached to Gateway `gateway` (same namespace unless given) sending to a ServiceImport. */
export function routeToImport(
  namespace: string,
  name: string,
  o: {
    gateway: string;
    gatewayNamespace?: string;
    service: string;
    serviceNamespace?: string;
    port?: number;
  },
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, uid: `uid-route-${namespace}-${name}`, resourceVersion: '1' },
    spec: {
      parentRefs: [{ name: o.gateway, ...(o.gatewayNamespace ? { namespace: o.gatewayNamespace } : {}) }],
      rules: [
        {
          backendRefs: [
            {
              group: 'multicluster.x-k8s.io',
              kind: 'ServiceImport',
              name: o.service,
              ...(o.serviceNamespace ? { namespace: o.serviceNamespace } : {}),
              port: o.port ?? 80,
            },
          ],
        },
      ],
    },
  };
}
