// The desired Compute resources, shaped like the Compute API's JSON (field names as the API spells
// them) so that apply maps each one onto one insert/patch call. References to other resources are
// relative resource paths (`global/urlMaps/<name>`, `zones/<zone>/networkEndpointGroups/<name>`): the
// API accepts them as they are, and the diff spec compares observed self links in that form.

import { formatAddress } from '#core/plan/address.js';
import type { Kinds } from '#core/plan/types.js';

export const GCP_COMPUTE_ADAPTER = 'gcp-compute';

/** The managed (Envoy) Application LB schemes, and the passthrough Network LB ones (EXTERNAL, INTERNAL). */
export type LoadBalancingScheme = 'EXTERNAL_MANAGED' | 'INTERNAL_MANAGED' | 'EXTERNAL' | 'INTERNAL';

/** Every Compute load-balancing resource: a name, Portico's ownership marker, and a scope. */
export interface ComputeResource {
  name: string;
  /** The ownership marker (core/naming ownershipDescription): the only place these resources take one. */
  description: string;
  /** The region of a regional resource; absent = global. */
  region?: string;
  /** Observed only: the optimistic-lock value apply sends back with an update. Never compared. */
  fingerprint?: string;
}

/**
 * Application LBs: TCP to a target HTTP(S) proxy (`target`). Passthrough Network LBs (regional): TCP
 * or UDP straight to a regional backend service (`backendService`), EXTERNAL with a `portRange`,
 * INTERNAL with `ports`. Exactly one of target and backendService is set.
 */
export interface ForwardingRuleValue extends ComputeResource {
  loadBalancingScheme: LoadBalancingScheme;
  IPProtocol: 'TCP' | 'UDP';
  /** `80-80`, as the API stores a single port (every scheme but INTERNAL). */
  portRange?: string;
  /** Internal passthrough forwarding rules list their ports (`["53"]`) instead of a range. */
  ports?: string[];
  /** A requested IP (Gateway spec.addresses); absent = an ephemeral one. */
  IPAddress?: string;
  /** `IPV6` for the IPv6 rule of a dual-stack or IPv6-only load balancer; absent = IPv4. */
  ipVersion?: 'IPV6';
  /** The target HTTP(S) proxy (Application LBs). */
  target?: string;
  /** The regional backend service (passthrough Network LBs). */
  backendService?: string;
  network?: string;
  subnetwork?: string;
  /** Forwarding rules are the only load-balancing resources with labels: ownership plus parameters.labels. */
  labels: Record<string, string>;
  /** Observed only: sent back with setLabels. Never compared. */
  labelFingerprint?: string;
}

export interface TargetHttpProxyValue extends ComputeResource {
  urlMap: string;
}

export interface TargetHttpsProxyValue extends ComputeResource {
  urlMap: string;
  /** Compute SslCertificates (the first is the default), or else a Certificate Manager map. */
  sslCertificates?: string[];
  certificateMap?: string;
  /** Client certificate validation: `projects/<p>/locations/global/serverTlsPolicies/<name>`. */
  serverTlsPolicy?: string;
}

export interface HeaderToAdd {
  headerName: string;
  headerValue: string;
  /** true: replaces the header (Gateway API `set`); false: appends (`add`). */
  replace: boolean;
}

export interface HeaderAction {
  requestHeadersToAdd?: HeaderToAdd[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderToAdd[];
  responseHeadersToRemove?: string[];
}

export type HeaderMatch = { headerName: string } & (
  | { exactMatch: string }
  | { regexMatch: string }
  | { prefixMatch: string }
  | { presentMatch: true }
);

export type QueryParameterMatch = { name: string } & (
  | { exactMatch: string }
  | { regexMatch: string }
  | { presentMatch: true }
);

export type MatchRule = ({ prefixMatch: string } | { fullPathMatch: string } | { regexMatch: string }) & {
  headerMatches?: HeaderMatch[];
  queryParameterMatches?: QueryParameterMatch[];
};

export type RedirectResponseCode =
  | 'MOVED_PERMANENTLY_DEFAULT'
  | 'FOUND'
  | 'SEE_OTHER'
  | 'TEMPORARY_REDIRECT'
  | 'PERMANENT_REDIRECT';

export interface UrlRedirect {
  redirectResponseCode: RedirectResponseCode;
  httpsRedirect?: boolean;
  hostRedirect?: string;
  pathRedirect?: string;
  prefixRedirect?: string;
  stripQuery: boolean;
}

export interface Duration {
  seconds: string;
  nanos?: number;
}

export interface WeightedBackendService {
  backendService: string;
  weight: number;
  /** Applied only when this backend service is picked (HTTPBackendRef header filters). */
  headerAction?: HeaderAction;
}

export interface CorsPolicy {
  /** Exact origins, or `*`; allowOriginRegexes is for the INTERNAL_SELF_MANAGED scheme only. */
  allowOrigins: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge: number;
  allowCredentials: boolean;
  disabled: false;
}

export interface RouteAction {
  weightedBackendServices?: WeightedBackendService[];
  urlRewrite?: { hostRewrite?: string; pathPrefixRewrite?: string };
  /** mirrorPercent absent = every request. */
  requestMirrorPolicy?: { backendService: string; mirrorPercent?: number };
  /** The whole request, retries included. */
  timeout?: Duration;
  /** perTryTimeout: each attempt (Gateway API `backendRequest`). */
  retryPolicy?: { retryConditions: string[]; numRetries: number; perTryTimeout?: Duration };
  corsPolicy?: CorsPolicy;
}

export interface RouteRule {
  /** Unique per path matcher; lower wins. Follows the IR's route order (gaps are allowed). */
  priority: number;
  matchRules: MatchRule[];
  /** Exactly one of service, routeAction.weightedBackendServices or urlRedirect says where traffic goes. */
  service?: string;
  routeAction?: RouteAction;
  urlRedirect?: UrlRedirect;
  headerAction?: HeaderAction;
  /** The IR routes it stands for. Not a Compute field: for notices and plan reasons, never compared. */
  routes?: string[];
}

export interface PathMatcher {
  name: string;
  defaultService: string;
  routeRules: RouteRule[];
}

export interface HostRule {
  hosts: string[];
  pathMatcher: string;
}

export interface UrlMapValue extends ComputeResource {
  /** Requests no host rule claims: the empty default backend service (see render.ts). */
  defaultService: string;
  hostRules: HostRule[];
  pathMatchers: PathMatcher[];
}

/** A NEG behind a backend service: RATE for Application LBs, CONNECTION for passthrough ones. */
export interface Backend {
  group: string;
  balancingMode: 'RATE' | 'CONNECTION';
  /** RATE only. */
  maxRatePerEndpoint?: number;
  capacityScaler: number;
}

export interface BackendServiceValue extends ComputeResource {
  loadBalancingScheme: LoadBalancingScheme;
  /** HTTP(S) behind a URL map; TCP or UDP behind a passthrough forwarding rule. */
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'UDP';
  timeoutSec: number;
  healthChecks: string[];
  backends: Backend[];
  enableCDN: boolean;
  cdnPolicy?: { cacheMode: 'CACHE_ALL_STATIC' | 'USE_ORIGIN_HEADERS' | 'FORCE_CACHE_ALL' };
  /** Attached with setSecurityPolicy (output only on the resource itself in v1). */
  securityPolicy?: string;
  /** HTTPS to verified backends (BackendTLSPolicy). Absent = the backend's certificate is not checked. */
  tlsSettings?: BackendServiceTlsSettings;
  /**
   * Which address of a NEG endpoint the proxies connect to: absent = IPv4 (GCP's IPV4_ONLY default);
   * IPV6_ONLY for pools of IPv6-only pods, PREFER_IPV6 for dual-stack pods on an IPv6-first load
   * balancer (internal/neg-endpoints.ts).
   */
  ipAddressSelectionPolicy?: 'PREFER_IPV6' | 'IPV6_ONLY';
  /**
   * A Network Services ServiceLbPolicy (`//networkservices.googleapis.com/projects/<p>/locations/global/
   * serviceLbPolicies/<name>`): WATERFALL_BY_ZONE for pools that prefer close endpoints.
   */
  serviceLbPolicy?: string;
  /** The IR pool it stands for; absent for the empty default service. Not a Compute field. */
  pool?: string;
}

export type SubjectAltName = { dnsName: string } | { uniformResourceIdentifier: string };

export interface BackendServiceTlsSettings {
  /** Sent as SNI; the backend's certificate must carry it unless subjectAltNames are given. */
  sni: string;
  /** When present, the backend's certificate must carry one of these instead of `sni`. */
  subjectAltNames?: SubjectAltName[];
  /** `projects/<p>/locations/global/backendAuthenticationConfigs/<name>`: what the certificate must chain to. */
  authenticationConfig: string;
}

/**
 * A Network Services service load balancing policy (networkservices v1, not Compute): how a backend
 * service spreads traffic over its NEGs. Global only (global external and cross-region internal
 * Application LBs). Ownership is the marker in `description`, as for Compute resources.
 */
export interface ServiceLbPolicyValue {
  name: string;
  description: string;
  /** `global`: the only location backend services take policies from. */
  location: 'global';
  loadBalancingAlgorithm: 'WATERFALL_BY_ZONE';
}

export type HealthCheckType = 'HTTP' | 'HTTPS' | 'TCP' | 'GRPC';

export interface HealthCheckProbe {
  portSpecification: 'USE_FIXED_PORT' | 'USE_SERVING_PORT';
  port?: number;
  requestPath?: string;
}

export interface HealthCheckValue extends ComputeResource {
  type: HealthCheckType;
  httpHealthCheck?: HealthCheckProbe;
  httpsHealthCheck?: HealthCheckProbe;
  tcpHealthCheck?: HealthCheckProbe;
  grpcHealthCheck?: HealthCheckProbe;
  checkIntervalSec: number;
  timeoutSec: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/**
 * A zonal NEG: GCE_VM_IP_PORT (pod IP and port) behind Application LBs; GCE_VM_IP (a node, no port)
 * behind passthrough Network LBs, which take only those.
 */
export interface NetworkEndpointGroupValue extends ComputeResource {
  zone: string;
  networkEndpointType: 'GCE_VM_IP_PORT' | 'GCE_VM_IP';
  network: string;
  subnetwork?: string;
}

/**
 * GCE_VM_IP_PORT: a pod's address(es) and port (instance when known): ipAddress (IPv4), ipv6Address, or
 * both for a dual-stack pod. GCE_VM_IP: the instance only (no port).
 */
export interface NetworkEndpoint {
  /** The VM (Kubernetes node) that holds the endpoint, when the EndpointSlice names it. */
  instance?: string;
  /**
   * Absent for GCE_VM_IP endpoints and IPv6-only pods: GCP then fills in the VM's primary IP when the
   * instance is named (observe drops it again: resources/network-endpoint-groups.ts).
   */
  ipAddress?: string;
  ipv6Address?: string;
  port?: number;
}

/** The attached endpoints of one NEG: anything attached and not listed here is detached. */
export interface NegEndpointsValue {
  networkEndpointGroup: string;
  zone: string;
  endpoints: NetworkEndpoint[];
}

export interface SslCertificateValue extends ComputeResource {
  type: 'SELF_MANAGED';
  /** PEM chain, from the TLS Secret. */
  certificate: string;
  /** PEM key, from the TLS Secret: apply sends it, the API never returns it (never compared). */
  privateKey: string;
  /** The Secret (`namespace/name`). Not a Compute field. */
  secret: string;
}

/** A Cloud Storage bucket as a backend (global; a URL map refers to it like a backend service). */
export interface BackendBucketValue extends ComputeResource {
  bucketName: string;
  enableCdn: boolean;
  cdnPolicy?: { cacheMode: 'CACHE_ALL_STATIC' | 'USE_ORIGIN_HEADERS' | 'FORCE_CACHE_ALL' };
}

/**
 * Certificate Manager and Network Security resources (REST, internal/google-rest.ts): named within a
 * location (`global`), with labels and a description (Portico's marker, as on Compute resources).
 */
export interface LocationResource {
  name: string;
  description: string;
  location: 'global';
  labels: Record<string, string>;
}

/** A Certificate Manager trust config: one trust store of PEM trust anchors (the CA certificates). */
export interface TrustConfigValue extends LocationResource {
  trustStores: { trustAnchors: { pemCertificate: string }[] }[];
}

export type ClientValidationMode = 'REJECT_INVALID' | 'ALLOW_INVALID_OR_MISSING_CLIENT_CERT';

/** A Network Security ServerTlsPolicy as Application LBs take it: client certificates checked against a trust config. */
export interface ServerTlsPolicyValue extends LocationResource {
  mtlsPolicy: { clientValidationMode: ClientValidationMode; clientValidationTrustConfig: string };
}

/** A Network Security BackendAuthenticationConfig: the CAs backend certificates must chain to. */
export interface BackendAuthenticationConfigValue extends LocationResource {
  /** `projects/<p>/locations/global/trustConfigs/<name>`; absent = public roots only. */
  trustConfig?: string;
  wellKnownRoots: 'NONE' | 'PUBLIC_ROOTS';
}

/** Each Compute resource kind and the type of its value. */
export type GcpValues = {
  'forwarding-rule': ForwardingRuleValue;
  'target-http-proxy': TargetHttpProxyValue;
  'target-https-proxy': TargetHttpsProxyValue;
  'url-map': UrlMapValue;
  'backend-service': BackendServiceValue;
  'health-check': HealthCheckValue;
  'network-endpoint-group': NetworkEndpointGroupValue;
  'neg-endpoints': NegEndpointsValue;
  'ssl-certificate': SslCertificateValue;
  'backend-bucket': BackendBucketValue;
  'trust-config': TrustConfigValue;
  'server-tls-policy': ServerTlsPolicyValue;
  'backend-authentication-config': BackendAuthenticationConfigValue;
  'service-lb-policy': ServiceLbPolicyValue;
};

export type GcpKind = keyof GcpValues;

export type GcpValue = GcpValues[GcpKind];

/** The kind/value pairs the adapter's resources, changes and conflicts are typed by. */
export type GcpKinds = Kinds<GcpValues>;

/** `gcp-compute/<kind>/<name>[/<sub>...]`, in core/plan's address format (NEGs: `/<zone>`). */
export function gcpAddress(kind: GcpKind, name: string, ...sub: string[]): string {
  return formatAddress({
    adapter: GCP_COMPUTE_ADAPTER,
    kind,
    name,
    ...(sub.length > 0 ? { sub: sub.join('/') } : {}),
  });
}

/** The API collection of each kind that has one. */
export const COLLECTIONS = {
  'forwarding-rule': 'forwardingRules',
  'target-http-proxy': 'targetHttpProxies',
  'target-https-proxy': 'targetHttpsProxies',
  'url-map': 'urlMaps',
  'backend-service': 'backendServices',
  'health-check': 'healthChecks',
  'network-endpoint-group': 'networkEndpointGroups',
  'ssl-certificate': 'sslCertificates',
  'backend-bucket': 'backendBuckets',
} as const satisfies Partial<Record<GcpKind, string>>;

export type ReferencedKind = keyof typeof COLLECTIONS;

/** A relative resource path: `global/<collection>/<name>`, `regions/<r>/…` or `zones/<z>/…`. */
export function resourcePath(
  kind: ReferencedKind,
  name: string,
  scope: { region?: string; zone?: string },
): string {
  const where =
    scope.zone !== undefined
      ? `zones/${scope.zone}`
      : scope.region !== undefined
        ? `regions/${scope.region}`
        : 'global';
  return `${where}/${COLLECTIONS[kind]}/${name}`;
}

/**
 * The kind, name and zone a resource path or self link points at; undefined for anything else
 * (networks, other collections). Self links carry `…/compute/v1/projects/<p>/` in front.
 */
export function parseResourcePath(
  link: string,
): { kind: ReferencedKind; name: string; zone?: string } | undefined {
  const m = /(?:^|\/)(global|regions\/[a-z0-9-]+|zones\/[a-z0-9-]+)\/([a-zA-Z]+)\/([a-z0-9-]+)$/.exec(link);
  if (!m) return undefined;
  const kind = (Object.keys(COLLECTIONS) as ReferencedKind[]).find((k) => COLLECTIONS[k] === m[2]);
  if (!kind) return undefined;
  const zone = m[1]!.startsWith('zones/') ? m[1]!.slice('zones/'.length) : undefined;
  return { kind, name: m[3]!, ...(zone !== undefined ? { zone } : {}) };
}

/**
 * The kinds of Certificate Manager, Network Security and Network Services, and their collections
 * (`projects/p/locations/l/<collection>`).
 */
export const LOCATION_COLLECTIONS = {
  'trust-config': 'trustConfigs',
  'server-tls-policy': 'serverTlsPolicies',
  'backend-authentication-config': 'backendAuthenticationConfigs',
  'service-lb-policy': 'serviceLbPolicies',
} as const satisfies Partial<Record<GcpKind, string>>;

export type LocationKind = keyof typeof LOCATION_COLLECTIONS;

export const isLocationKind = (kind: GcpKind): kind is LocationKind => kind in LOCATION_COLLECTIONS;

/** `projects/<p>/locations/<l>/<collection>/<name>`: how resources refer to these. */
export function locationPath(kind: LocationKind, project: string, location: string, name: string): string {
  return `projects/${project}/locations/${location}/${LOCATION_COLLECTIONS[kind]}/${name}`;
}

/** The kind, location and name of a location resource path (a `//<api>.googleapis.com/` prefix allowed). */
export function parseLocationPath(
  link: string,
): { kind: LocationKind; project: string; location: string; name: string } | undefined {
  const m =
    /^(?:\/\/[a-z]+\.googleapis\.com\/)?projects\/([^/]+)\/locations\/([a-z0-9-]+)\/([a-zA-Z]+)\/([a-zA-Z0-9_-]+)$/.exec(
      link,
    );
  if (!m) return undefined;
  const kind = (Object.keys(LOCATION_COLLECTIONS) as LocationKind[]).find(
    (k) => LOCATION_COLLECTIONS[k] === m[3],
  );
  return kind ? { kind, project: m[1]!, location: m[2]!, name: m[4]! } : undefined;
}

/** A self link or partial URL in its relative form (`global/urlMaps/x`), for comparing. */
export function relativePath(link: string): string {
  const m = /(?:^|\/)((?:global|regions\/[a-z0-9-]+|zones\/[a-z0-9-]+)\/[a-zA-Z]+\/[a-z0-9-]+)$/.exec(link);
  return m ? m[1]! : link;
}
