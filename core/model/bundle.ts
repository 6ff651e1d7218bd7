import type { z } from 'zod';
import { type BackendTLSPolicy, backendTlsPolicy } from './backend-tls-policy.js';
import { type ConfigMap, configMap } from './config-map.js';
import { type EndpointSlice, endpointSlice } from './endpoint-slice.js';
import {
  type Gateway,
  type GatewayClass,
  type GRPCRoute,
  gateway,
  gatewayClass,
  grpcRoute,
  type HTTPRoute,
  httpRoute,
  type ListenerSet,
  listenerSet,
  type ReferenceGrant,
  referenceGrant,
  type TCPRoute,
  type TLSRoute,
  tcpRoute,
  tlsRoute,
  type UDPRoute,
  udpRoute,
} from './gateway-api.js';
import { type HealthCheckPolicy, healthCheckPolicy } from './health-check-policy.js';
import { type Ingress, type IngressClass, ingress, ingressClass } from './ingress.js';
import { type Namespace, namespace } from './namespace.js';
import { type LoadBalancerParameters, loadBalancerParameters } from './parameters.js';
import { type Pod, pod } from './pod.js';
import { type Secret, secret } from './secret.js';
import { type Service, service } from './service.js';
import { MCS_GROUP, type ServiceImport, serviceImport } from './service-import.js';
import { type StorageBucket, storageBucket } from './storage-bucket.js';

/** Everything the translator reads about one cluster (or the part of it that one load balancer needs). */
export interface Bundle {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  listenerSets: ListenerSet[];
  httpRoutes: HTTPRoute[];
  grpcRoutes: GRPCRoute[];
  tlsRoutes: TLSRoute[];
  tcpRoutes: TCPRoute[];
  udpRoutes: UDPRoute[];
  referenceGrants: ReferenceGrant[];
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  secrets: Secret[];
  configMaps: ConfigMap[];
  namespaces: Namespace[];
  parameters: LoadBalancerParameters[];
  healthCheckPolicies: HealthCheckPolicy[];
  storageBuckets: StorageBucket[];
  backendTlsPolicies: BackendTLSPolicy[];
  serviceImports: ServiceImport[];
  /** Only for readiness-probe health checks (core/translate/backend/readiness-probe.ts). */
  pods: Pod[];
}

/** The kinds the core reads, with the schema each is checked against and the bundle field it lands in. */
export const KINDS = {
  GatewayClass: {
    schema: gatewayClass,
    field: 'gatewayClasses',
    group: 'gateway.networking.k8s.io',
    namespaced: false,
  },
  Gateway: { schema: gateway, field: 'gateways', group: 'gateway.networking.k8s.io', namespaced: true },
  ListenerSet: {
    schema: listenerSet,
    field: 'listenerSets',
    group: 'gateway.networking.k8s.io',
    namespaced: true,
  },
  HTTPRoute: { schema: httpRoute, field: 'httpRoutes', group: 'gateway.networking.k8s.io', namespaced: true },
  GRPCRoute: { schema: grpcRoute, field: 'grpcRoutes', group: 'gateway.networking.k8s.io', namespaced: true },
  TLSRoute: { schema: tlsRoute, field: 'tlsRoutes', group: 'gateway.networking.k8s.io', namespaced: true },
  TCPRoute: { schema: tcpRoute, field: 'tcpRoutes', group: 'gateway.networking.k8s.io', namespaced: true },
  UDPRoute: { schema: udpRoute, field: 'udpRoutes', group: 'gateway.networking.k8s.io', namespaced: true },
  ReferenceGrant: {
    schema: referenceGrant,
    field: 'referenceGrants',
    group: 'gateway.networking.k8s.io',
    namespaced: true,
  },
  Ingress: { schema: ingress, field: 'ingresses', group: 'networking.k8s.io', namespaced: true },
  IngressClass: {
    schema: ingressClass,
    field: 'ingressClasses',
    group: 'networking.k8s.io',
    namespaced: false,
  },
  Service: { schema: service, field: 'services', group: '', namespaced: true },
  EndpointSlice: {
    schema: endpointSlice,
    field: 'endpointSlices',
    group: 'discovery.k8s.io',
    namespaced: true,
  },
  Secret: { schema: secret, field: 'secrets', group: '', namespaced: true },
  ConfigMap: { schema: configMap, field: 'configMaps', group: '', namespaced: true },
  Namespace: { schema: namespace, field: 'namespaces', group: '', namespaced: false },
  LoadBalancerParameters: {
    schema: loadBalancerParameters,
    field: 'parameters',
    group: 'portico.dev',
    namespaced: true,
  },
  HealthCheckPolicy: {
    schema: healthCheckPolicy,
    field: 'healthCheckPolicies',
    group: 'portico.dev',
    namespaced: true,
  },
  StorageBucket: {
    schema: storageBucket,
    field: 'storageBuckets',
    group: 'portico.dev',
    namespaced: true,
  },
  BackendTLSPolicy: {
    schema: backendTlsPolicy,
    field: 'backendTlsPolicies',
    group: 'gateway.networking.k8s.io',
    namespaced: true,
  },
  ServiceImport: { schema: serviceImport, field: 'serviceImports', group: MCS_GROUP, namespaced: true },
  Pod: { schema: pod, field: 'pods', group: '', namespaced: true },
} as const satisfies Record<
  string,
  { schema: z.ZodType; field: keyof Bundle; group: string; namespaced: boolean }
>;

export type KindName = keyof typeof KINDS;

export function isKnownKind(kind: unknown): kind is KindName {
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind);
}

export function emptyBundle(): Bundle {
  return Object.fromEntries(Object.values(KINDS).map((k) => [k.field, []])) as unknown as Bundle;
}
