import type { KindName } from '#core/model/bundle.js';

/**
 * The kinds Portico reads (core/model/bundle.ts `KINDS`), with only what the contract needs. Kept
 * here, free of the core's zod schemas, so the ingest bundle stays small; `satisfies` makes the
 * compiler reject a kind missing or extra, and a unit test compares groups and scopes with `KINDS`.
 */
export const READ_KINDS = {
  GatewayClass: { group: 'gateway.networking.k8s.io', namespaced: false },
  Gateway: { group: 'gateway.networking.k8s.io', namespaced: true },
  ListenerSet: { group: 'gateway.networking.k8s.io', namespaced: true },
  HTTPRoute: { group: 'gateway.networking.k8s.io', namespaced: true },
  GRPCRoute: { group: 'gateway.networking.k8s.io', namespaced: true },
  TLSRoute: { group: 'gateway.networking.k8s.io', namespaced: true },
  TCPRoute: { group: 'gateway.networking.k8s.io', namespaced: true },
  UDPRoute: { group: 'gateway.networking.k8s.io', namespaced: true },
  ReferenceGrant: { group: 'gateway.networking.k8s.io', namespaced: true },
  Ingress: { group: 'networking.k8s.io', namespaced: true },
  IngressClass: { group: 'networking.k8s.io', namespaced: false },
  Service: { group: '', namespaced: true },
  EndpointSlice: { group: 'discovery.k8s.io', namespaced: true },
  Secret: { group: '', namespaced: true },
  ConfigMap: { group: '', namespaced: true },
  Namespace: { group: '', namespaced: false },
  LoadBalancerParameters: { group: 'portico.dev', namespaced: true },
  HealthCheckPolicy: { group: 'portico.dev', namespaced: true },
  StorageBucket: { group: 'portico.dev', namespaced: true },
  BackendTLSPolicy: { group: 'gateway.networking.k8s.io', namespaced: true },
  ServiceImport: { group: 'multicluster.x-k8s.io', namespaced: true },
  Pod: { group: '', namespaced: true },
} as const satisfies Record<KindName, { group: string; namespaced: boolean }>;

export const READ_KIND_NAMES = Object.keys(READ_KINDS) as [KindName, ...KindName[]];

export function isReadKind(kind: unknown): kind is KindName {
  return typeof kind === 'string' && Object.hasOwn(READ_KINDS, kind);
}

/** Kubernetes object names: RFC 1123 subdomains (as core/model/meta.ts). */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Namespaces: RFC 1123 labels. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
