// The provider-neutral load-balancer model. Every input API (Gateway API, Ingress, Service) is
// translated into it, and every adapter renders it. It is plain data: JSON-serialisable, sorted
// canonically (see sort.ts), and each node records the object it came from so that a failure found
// later (by validate() or an adapter) lands on the right object's status.

import type { ProviderName } from '#core/model/parameters.js';

/** The Kubernetes object (and the part of it) an IR node came from. */
export interface SourceRef {
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  /** Listener name, Service port name, Ingress rule... */
  section?: string;
  /** Rule index within a route or Ingress. */
  rule?: number;
  /** Match index within the rule. */
  match?: number;
  /** The rule's `name`, when the route names it (Gateway API named rules, a stable handle for policies). */
  ruleName?: string;
}

/**
 * Identifies one load balancer across clusters: `<cluster>/<kind>/<namespace>/<name>`, for example
 * `prod-eu/Gateway/shop/web`, `prod-eu/Ingress/shop/api`, `prod-eu/IngressGroup/-/team-a` (a group of
 * Ingresses sharing one load balancer; `-` stands for "no namespace"), `prod-eu/Service/db/postgres`.
 */
export type LbKey = string;

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';

export interface LoadBalancer {
  key: LbKey;
  cluster: string;
  /** The object that owns this load balancer (Gateway, Ingress, Ingress group, Service). */
  source: SourceRef;
  /** Adapter that programs it, from the class parameters. */
  provider: ProviderName;
  scheme: 'internet-facing' | 'internal';
  /** Addresses the user asked for (Gateway spec.addresses, Service loadBalancerIP); empty = any. */
  requestedAddresses: RequestedAddress[];
  /** Client CIDRs allowed in; empty = everyone. */
  sourceRanges: string[];
  /**
   * The address families the listeners serve: `[IPv6]` or both (dual-stack; the first is the
   * primary). Absent = IPv4 only. From a Service's `spec.ipFamilies`, else LoadBalancerParameters.
   */
  ipFamilies?: IpFamily[];
  listeners: Listener[];
  /** Backend pools referenced by id from routes and mirrors. */
  pools: BackendPool[];
  /** Cloud Storage buckets referenced by id from route backends (`bucket`). Absent = none. */
  buckets?: BackendBucket[];
  /** The chosen provider's section of the LoadBalancerParameters, untouched (each adapter validates its own). */
  providerParameters: Record<string, unknown>;
  /**
   * The certificate the load balancer presents to backends it speaks TLS to (pools with `tls`), from
   * the Gateway's `spec.tls.backend.clientCertificateRef`. Absent = none.
   */
  backendClientCertificate?: Certificate;
}

export type IpFamily = 'IPv4' | 'IPv6';

export interface RequestedAddress {
  type: 'IPAddress' | 'Hostname' | 'NamedAddress';
  value: string;
}

export interface Listener {
  /** Unique within the load balancer: `<protocol>-<port>` (listeners sharing a port are merged). */
  id: string;
  /** Every Gateway listener / Ingress / Service port merged into this one. */
  sources: SourceRef[];
  port: number;
  protocol: ListenerProtocol;
  /** TLS settings for HTTPS and TLS listeners. */
  tls?: ListenerTls;
  /**
   * Ordered by precedence: the first route that matches a request wins. For HTTP/HTTPS the order is
   * the Gateway API / Ingress one, decided in core/translate/precedence.ts; adapters never re-sort.
   * For TLS passthrough, routes match on SNI only; for TCP/UDP there is at most one route.
   */
  routes: Route[];
}

export interface ListenerTls {
  /** For TLS listeners whose routes carry `tlsMode`, the mode of routes without one. */
  mode: 'Terminate' | 'Passthrough';
  /** Certificates to serve, chosen by SNI; the first is the default. Empty for passthrough. */
  certificates: Certificate[];
  /** Client certificates are asked for and checked (Gateway `spec.tls.frontend`, per port). Absent = not asked. */
  clientValidation?: ClientValidation;
  /**
   * HTTPS listeners merged from several Gateway listeners with different hostnames: those hostnames
   * (`*.` wildcards included; `*` stands for a listener without hostname). A connection belongs to the
   * most specific one covering its SNI; a request whose Host is covered more specifically by another
   * one must get 421 Misdirected Request (HTTP/2 connection reuse across listeners). Absent = no check.
   */
  listenerHostnames?: string[];
}

export interface ClientValidation {
  /** `AllowValidOnly`: no valid client certificate, no connection. `AllowInsecureFallback`: ask, but admit anyone. */
  mode: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** PEM bundle of the CAs that may sign client certificates. */
  caCertificatesPem: string;
  /** The ConfigMaps (`namespace/name`) the bundle came from, for messages. */
  sources: string[];
}

export interface Certificate {
  /** `namespace/name` of the TLS Secret. */
  secret: string;
  /** Hostnames this certificate is meant for (from the listener/Ingress TLS hosts); empty = any. */
  hostnames: string[];
  /** PEM certificate chain. */
  certificatePem: string;
  /** PEM private key; absent when the forwarder did not ship keys (providers using certificate ARNs/names). */
  privateKeyPem?: string;
}

export interface Route {
  /** Unique within the listener: `<kind>/<namespace>/<name>/rule/<i>/match/<j>[/host/<hostname>]`. */
  id: string;
  source: SourceRef;
  /**
   * The host this route answers for: an exact name, or `*.suffix` (see `wildcard`); absent = any host.
   * A source rule with several hostnames becomes one route per hostname, so that the precedence
   * "more specific host first" can be kept in a single ordered list.
   */
  hostname?: string;
  /** `single-label` (Ingress v1: `*.a.com` matches `b.a.com` only) or `any-depth` (Gateway API: also `c.b.a.com`). */
  wildcard: 'single-label' | 'any-depth';
  match: Match;
  /** Applied in order before the action. */
  filters: Filter[];
  action: Action;
  timeouts?: Timeouts;
  /** Retry backend requests that fail (HTTPRoute `retry`); absent = never retry. */
  retry?: Retry;
  /**
   * TLS listeners only, set on every route when the listener mixes modes: whether this route's SNI
   * hostnames are terminated (with the listener's certificates) or passed through. Absent = `tls.mode`.
   */
  tlsMode?: 'Terminate' | 'Passthrough';
}

export interface Match {
  path?: PathMatch;
  headers: HeaderMatch[];
  queryParams: QueryParamMatch[];
  method?: string;
  /** gRPC service/method, for GRPCRoute (also expressed as an equivalent `path` match). */
  grpc?: { service?: string; method?: string; type: 'Exact' | 'RegularExpression' };
}

/**
 * `Prefix` is element-wise (Kubernetes and Gateway API): `/foo` matches `/foo`, `/foo/` and `/foo/bar`,
 * never `/foobar`. A trailing `/` in the value is ignored.
 */
export interface PathMatch {
  type: 'Exact' | 'Prefix' | 'RegularExpression';
  value: string;
}

export interface HeaderMatch {
  /** Lower-cased (header names are case-insensitive). */
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

export interface QueryParamMatch {
  /** Case-sensitive, as the Gateway API spec says. */
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

export type Filter =
  | { type: 'RequestHeaderModifier'; set: Header[]; add: Header[]; remove: string[] }
  | { type: 'ResponseHeaderModifier'; set: Header[]; add: Header[]; remove: string[] }
  | { type: 'URLRewrite'; hostname?: string; path?: PathModifier }
  | { type: 'RequestMirror'; pool: string; percent: number }
  | CorsFilter;

/**
 * Answers CORS preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) itself and adds
 * the `Access-Control-*` response headers to actual requests whose `Origin` is allowed.
 */
export interface CorsFilter {
  type: 'CORS';
  /**
   * `*`, or `scheme://host[:port]` where host may start with `*.` (any-depth suffix match). Matching
   * is exact on scheme and port. With `allowCredentials`, a matching origin is echoed, never `*`.
   */
  allowOrigins: string[];
  allowCredentials: boolean;
  /** Upper-case methods, or the single value `*`. */
  allowMethods: string[];
  /** Header names, or the single value `*`. */
  allowHeaders: string[];
  exposeHeaders: string[];
  /** `Access-Control-Max-Age`. */
  maxAgeSeconds: number;
}

export interface Header {
  name: string;
  value: string;
}

export type PathModifier =
  | { type: 'ReplaceFullPath'; value: string }
  | { type: 'ReplacePrefixMatch'; value: string };

export type Action = ForwardAction | RedirectAction | FixedResponseAction;

export interface ForwardAction {
  type: 'forward';
  /**
   * Weighted split. A backend whose `pool` is null could not be resolved: its share of requests is
   * answered with 500, as the Gateway API requires. Weights are relative; all zero = 500 for everything.
   */
  backends: WeightedBackend[];
}

export interface WeightedBackend {
  /** Null for a bucket backend (see `bucket`) and for a backend that could not be resolved. */
  pool: string | null;
  /**
   * A Cloud Storage bucket (an id in `LoadBalancer.buckets`) instead of a pool; `pool` is then null.
   * Adapters without the `backendBuckets` capability refuse the route whole.
   */
  bucket?: string;
  weight: number;
  /** Filters that apply only when this backend is chosen (HTTPBackendRef.filters). */
  filters: Filter[];
}

export interface RedirectAction {
  type: 'redirect';
  /** Absent fields keep the request's value. */
  scheme?: 'http' | 'https';
  hostname?: string;
  port?: number;
  path?: PathModifier;
  statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface FixedResponseAction {
  type: 'fixed-response';
  statusCode: number;
  /** Short reason used as the body, never user-supplied text. */
  reason: string;
}

export interface Timeouts {
  /** Whole request, client to response, in milliseconds. */
  requestMs?: number;
  /** One attempt to the backend, in milliseconds. */
  backendRequestMs?: number;
}

export interface Retry {
  /** How many times a failed backend request is retried (not counting the first attempt). */
  attempts: number;
  /** Response statuses that count as failures; connection errors always do. Empty = connection errors only. */
  codes: number[];
  /** Least time between two attempts; absent = the provider's default. */
  backoffMs?: number;
}

export type PoolProtocol = 'HTTP' | 'HTTPS' | 'H2C' | 'GRPC' | 'TCP' | 'UDP' | 'TLS';

export interface BackendPool {
  /** `<namespace>/<service>/<port>`, the Service port number. Unique within the load balancer. */
  id: string;
  source: SourceRef;
  /** Protocol spoken to the endpoints (from appProtocol, else from the listener). */
  protocol: PoolProtocol;
  /** The Service port this pool stands for. */
  servicePort: number;
  /** The Service's NodePort for this port, for providers that target nodes instead of pods. */
  nodePort?: number;
  /** `Local`: only nodes with a local endpoint should receive traffic (externalTrafficPolicy). */
  trafficPolicy: 'Cluster' | 'Local';
  endpoints: Endpoint[];
  /**
   * `PreferClose`: send traffic to endpoints in the load balancer's own zone while any is up (Service
   * `trafficDistribution`, or topology hints on every ready endpoint); see core/ir/topology.ts.
   * Absent = every endpoint alike.
   */
  topology?: 'PreferClose';
  healthCheck: HealthCheck;
  /** Speak TLS to the endpoints and verify them (BackendTLSPolicy). Absent = as `protocol` says. */
  tls?: BackendTls;
}

/** A Cloud Storage bucket that serves a route's requests (a `StorageBucket` object). */
export interface BackendBucket {
  /** `<namespace>/<name>` of the StorageBucket. Unique within the load balancer. */
  id: string;
  source: SourceRef;
  /** The Cloud Storage bucket's name (checked against Cloud Storage's naming rules). */
  bucketName: string;
  /** Cloud CDN in front of the bucket; absent = off. */
  cdn?: { cacheMode: 'CACHE_ALL_STATIC' | 'USE_ORIGIN_HEADERS' | 'FORCE_CACHE_ALL' };
}

export interface BackendTls {
  /** SNI sent to the backend; also the name its certificate must carry when `subjectAltNames` is empty. */
  serverName: string;
  /** Trust anchors: a PEM bundle, or the system's well-known CAs. */
  trust: { type: 'Bundle'; caCertificatesPem: string } | { type: 'System' };
  /** When not empty, the backend certificate must carry one of these (DNS or URI SANs) instead of `serverName`. */
  subjectAltNames: { type: 'Hostname' | 'URI'; value: string }[];
  /** `namespace/name` of the BackendTLSPolicy, for messages. */
  policy: string;
}

export interface Endpoint {
  address: string;
  family: IpFamily;
  port: number;
  /** Receives new connections. */
  ready: boolean;
  /** Able to serve; true while terminating means "drain, but keep serving open connections". */
  serving: boolean;
  terminating: boolean;
  zone?: string;
  /** Zones this endpoint should serve (EndpointSlice `hints.forZones`), sorted. Absent = no hint. */
  zoneHints?: string[];
  nodeName?: string;
  /** The cluster the endpoint comes from: set on the endpoints of a multi-cluster ServiceImport. */
  cluster?: string;
  /** The Pod behind the address (the EndpointSlice's `targetRef`), for pod readiness gates. */
  pod?: PodRef;
  /**
   * Not ready only because Portico's readiness gates hold its pod back (its containers are ready):
   * a provider that checks not-ready endpoints registers it so that its health check can open them
   * (core/readiness/awaiting-load-balancer.ts). Absent on every other endpoint.
   */
  awaitingLoadBalancer?: true;
}

/** A Pod in the load balancer's cluster. */
export interface PodRef {
  namespace: string;
  name: string;
}

export interface HealthCheck {
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'GRPC';
  /** Absent = the traffic port of each endpoint. */
  port?: number;
  /** For HTTP/HTTPS. */
  path?: string;
  /** Status codes counted healthy, e.g. `200-399`. For HTTP/HTTPS/GRPC. */
  expectedStatuses?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Where the settings came from, for status messages and plan reasons. */
  origin: 'default' | 'annotation' | 'policy' | 'traffic-policy-local' | 'readiness-probe';
}
