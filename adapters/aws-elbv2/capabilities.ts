// What ELBv2 can express. One load balancer is either an ALB (HTTP/HTTPS, host/path/header/query/method
// rules) or an NLB (TCP/UDP/TLS, one target group per listener, no content routing), so render picks
// ALB_CAPABILITIES or NLB_CAPABILITIES by load balancer type; ELBV2_CAPABILITIES is their union.

import { EVERY_CAPABILITY } from '../capabilities.js';
import type { Capabilities } from '../types.js';

/** AWS defaults (research/aws-lbc.md §4); the emulator's DEFAULT_LIMITS use the same numbers. */
export const ELBV2_LIMITS = {
  rulesPerLoadBalancer: 100,
  listenersPerLoadBalancer: 50,
  targetGroupsPerLoadBalancer: 100,
  targetGroupsPerForwardAction: 5,
  conditionValuesPerRule: 5,
  valuesPerCondition: 3,
  wildcardsPerRule: 5,
  targetsPerTargetGroup: 1000,
  certificatesPerListener: 25,
  maxPriority: 50_000,
  conditionValueLength: 128,
  nameLength: 32,
} as const;

const common: Capabilities = {
  ...EVERY_CAPABILITY,
  // Certificates are ACM/IAM ARNs from the parameters, never uploaded from Secrets.
  certificateSource: 'reference',
  // A pod held back only by Portico's readiness gates is registered, so ELB's checks can open them.
  checksNotReadyEndpoints: true,
  // Headers and mirroring: ALB has no header modifiers nor mirroring. URL rewrites are ALB rule
  // transforms (ALB_CAPABILITIES); a rule has no per-backend transform.
  filters: [],
  urlRewrite: { hostname: false, path: [] },
  backendFilters: false,
  // Per-route timeouts do not exist: ALB has one idle timeout per load balancer.
  timeouts: { request: false, backendRequest: false },
  // Source ranges live in security groups, which Portico does not manage (yet).
  sourceRanges: false,
  requestedAddressTypes: [],
  // ALB and NLB retry nothing on a target's behalf.
  retries: false,
  // HTTPS/TLS target groups encrypt but never verify the target's certificate, and present no client
  // certificate: a BackendTLSPolicy (which requires verification) cannot be honoured.
  backendTls: { supported: false, systemTrust: false, subjectAltNames: false, clientCertificate: false },
  // Client certificate validation is an ALB HTTPS listener's (ALB_CAPABILITIES); Portico programs no
  // NLB mutual TLS.
  frontendClientValidation: [],
  // An NLB TLS listener terminates every connection, or (TCP) none: never by SNI.
  tlsMixedModes: false,
  misdirectedRequests: false,
  // CORS: ALB has no response-header actions nor preflight answers, so the CORS filter is not in `filters`.
  // Target groups hold instances, IPs or Lambdas; a Cloud Storage bucket is GCP's.
  backendBuckets: false,
  // IPv6 in the load balancer's families makes it dualstack (render.ts); an ELBv2 load balancer
  // always has IPv4 addresses too. A pool of IPv6 endpoints only gets an ipv6 target group.
  ipFamilies: 'dual-stack',
  // PreferClose: the target group's cross-zone load balancing is turned off (target-group-plan.ts).
  topology: true,
  maxListeners: ELBV2_LIMITS.listenersPerLoadBalancer,
  maxCertificatesPerListener: ELBV2_LIMITS.certificatesPerListener + 1,
};

export const ALB_CAPABILITIES: Capabilities = {
  ...common,
  listenerProtocols: ['HTTP', 'HTTPS'],
  tlsPassthrough: false,
  // ALB's `*` matches any number of labels, like Gateway API; Ingress's single-label wildcard has no form.
  wildcardHostnames: ['any-depth'],
  pathMatch: ['Exact', 'Prefix', 'RegularExpression'],
  headerMatch: ['Exact', 'RegularExpression'],
  queryParamMatch: ['Exact'],
  methodMatch: true,
  // host-header-rewrite and url-rewrite transforms (internal/transforms.ts).
  filters: ['URLRewrite'],
  urlRewrite: { hostname: true, path: ['ReplaceFullPath', 'ReplacePrefixMatch'] },
  // A redirect action is HTTP_301 or HTTP_302: 303/307/308 have no form.
  redirect: { supported: true, path: ['ReplaceFullPath'], statusCodes: [301, 302] },
  fixedResponse: true,
  weightedBackends: true,
  maxBackendsPerRoute: ELBV2_LIMITS.targetGroupsPerForwardAction,
  poolProtocols: ['HTTP', 'HTTPS', 'GRPC'],
  // AllowValidOnly: MutualAuthentication `verify` against a trust store made from the CA bundle
  // (render.ts, needs awsElbv2.trustStoreBucket). AllowInsecureFallback has no form: `verify` refuses
  // every client without a certificate that chains to the trust store, and `passthrough` checks nothing
  // against the bundle (it forwards whatever chain the client sent), so neither admits everyone while
  // validating the certificates that are presented.
  frontendClientValidation: ['AllowValidOnly'],
};

export const NLB_CAPABILITIES: Capabilities = {
  ...common,
  listenerProtocols: ['TCP', 'UDP', 'TLS'],
  tlsPassthrough: true,
  wildcardHostnames: ['any-depth'],
  pathMatch: [],
  headerMatch: [],
  queryParamMatch: [],
  methodMatch: false,
  redirect: { supported: false, path: [], statusCodes: [] },
  fixedResponse: false,
  // An NLB listener forwards to exactly one target group.
  weightedBackends: false,
  maxBackendsPerRoute: 1,
  poolProtocols: ['TCP', 'UDP', 'TLS', 'HTTP', 'HTTPS', 'GRPC', 'H2C'],
};

/** What the adapter declares up front: the union (render narrows per load balancer type). */
export const ELBV2_CAPABILITIES: Capabilities = {
  ...ALB_CAPABILITIES,
  listenerProtocols: ['HTTP', 'HTTPS', 'TCP', 'UDP', 'TLS'],
  tlsPassthrough: true,
  poolProtocols: NLB_CAPABILITIES.poolProtocols,
};
