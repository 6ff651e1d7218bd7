// What the managed (Envoy-based) Application Load Balancers can express through a URL map's route
// rules (docs/gcp-compute.md has the mapping). Declared narrowly: what the API reference does not
// clearly give is unsupported. render.ts adds the checks that depend on the parameters (regex
// matches on the global external scheme) or on values (redirect ports, retry codes, mirror percent).

import { EVERY_CAPABILITY } from '../capabilities.js';
import type { Capabilities } from '../types.js';

/** GCP's documented limits ("Cloud Load Balancing quotas and limits"); the emulator's DEFAULT_LIMITS match. */
export const GCP_LIMITS = {
  /** Host rules and path matchers per URL map: external, internal. */
  hostRulesPerUrlMap: 1000,
  internalHostRulesPerUrlMap: 2000,
  /** Route rules per path matcher. */
  rulesPerPathMatcher: 1000,
  /** Per route rule: one path predicate per match rule plus its header and query matches. */
  predicatesPerPathMatcher: 1000,
  /** Regular expressions per path matcher (path, header and query regexes). */
  regexesPerPathMatcher: 5,
  /** Distinct backend services per URL map. */
  servicesPerUrlMap: 2500,
  sslCertificatesPerTargetProxy: 15,
  /** NEG backends per backend service: bounds `negZones`. */
  backendsPerBackendService: 50,
  endpointsPerNeg: 10_000,
  /** `weightedBackendServices[].weight` is 0..1000. */
  maxWeight: 1000,
  /** retryPolicy.numRetries is 1..25. */
  maxRetries: 25,
} as const;

export type GcpLimits = { -readonly [K in keyof typeof GCP_LIMITS]: number };

export const GCP_CAPABILITIES: Capabilities = {
  ...EVERY_CAPABILITY,
  // TCP/UDP: a regional passthrough Network LB (forwarding rule → regional backend service → GCE_VM_IP
  // NEGs). TLS: a passthrough NLB forwards packets without reading them, so it cannot route by SNI and
  // has one backend service per forwarding rule; TLS listeners (passthrough or terminated) are refused.
  listenerProtocols: ['HTTP', 'HTTPS', 'TCP', 'UDP'],
  tlsPassthrough: false,
  // A pod held back only by Portico's readiness gates is attached to its NEGs, so GCP's checks can
  // open them (passthrough NLBs check nodes: their pods' gates open unenforced, target-health.ts).
  checksNotReadyEndpoints: true,
  // Self-managed SslCertificates are uploaded from the TLS Secrets (or existing ones referenced).
  certificateSource: 'secret',
  maxCertificatesPerListener: GCP_LIMITS.sslCertificatesPerTargetProxy,
  // Host rules match `*.example.com` as a suffix (Envoy domains), so deeper names match too.
  wildcardHostnames: ['any-depth'],
  // Regex paths: fullPathMatch-free `regexMatch`, not on the global external scheme (render checks).
  pathMatch: ['Exact', 'Prefix', 'RegularExpression'],
  headerMatch: ['Exact', 'RegularExpression'],
  queryParamMatch: ['Exact', 'RegularExpression'],
  // matchRules have no method field: a `:method` header match (the documented way) stands for it.
  methodMatch: true,
  // CORS: routeAction.corsPolicy. Mirrors: one requestMirrorPolicy per route action (mirrorPercent).
  filters: ['RequestHeaderModifier', 'ResponseHeaderModifier', 'URLRewrite', 'RequestMirror', 'CORS'],
  maxMirrorsPerRoute: 1,
  // `https://*.example.com` needs corsPolicy.allowOriginRegexes: INTERNAL_SELF_MANAGED only.
  corsOriginWildcards: false,
  // pathPrefixRewrite; a full path rewrite needs pathTemplateMatch (pathTemplateRewrite).
  urlRewrite: { hostname: true, path: ['ReplacePrefixMatch'] },
  // weightedBackendServices[].headerAction: header modifiers per backend; render refuses other filters.
  backendFilters: true,
  // urlRedirect: no port field; 301/302/303/307/308 all have a code.
  redirect: {
    supported: true,
    path: ['ReplaceFullPath', 'ReplacePrefixMatch'],
    statusCodes: [301, 302, 303, 307, 308],
  },
  // A URL map has no fixed response: unmatched requests go to an empty backend service (an error, not 404).
  fixedResponse: false,
  weightedBackends: true,
  // routeAction.timeout is the whole request; retryPolicy.perTryTimeout each attempt (without
  // retries the one attempt is bounded by the smaller of the two in routeAction.timeout).
  timeouts: { request: true, backendRequest: true },
  poolProtocols: ['HTTP', 'HTTPS', 'TCP', 'UDP'],
  // Cloud Armor policies are the way, and Portico does not write them.
  sourceRanges: false,
  requestedAddressTypes: ['IPAddress'],
  retries: true,
  // BackendTLSPolicy: the backend service's tlsSettings (sni, subjectAltNames) and a Network Security
  // BackendAuthenticationConfig (a Certificate Manager trust config of the CA bundle, or the public
  // roots for System); internal/tls-plan.ts. The Gateway's client certificate to backends would be a
  // Certificate Manager certificate (CLIENT_AUTH scope) in that config: not managed yet.
  backendTls: { supported: true, systemTrust: true, subjectAltNames: true, clientCertificate: false },
  // Client certificates: a ServerTlsPolicy with a Certificate Manager trust config on the target
  // HTTPS proxy. REJECT_INVALID is AllowValidOnly; ALLOW_INVALID_OR_MISSING_CLIENT_CERT asks for a
  // certificate and admits the client without a valid one, which is AllowInsecureFallback.
  // Global load balancers only (render.ts refuses the listener on a regional one).
  frontendClientValidation: ['AllowValidOnly', 'AllowInsecureFallback'],
  tlsMixedModes: false,
  misdirectedRequests: false,
  // Backend buckets: a route rule's `service` (never weighted or mirrored to; global load balancers only).
  backendBuckets: true,
  // IPv6 forwarding rules on the global external Application LB (render.ts ipFamilyPlan); other
  // schemes and passthrough listeners report IPv6. NEG endpoints carry both addresses of a
  // dual-stack pod, and IPv6-only pods by ipv6Address (internal/neg-endpoints.ts).
  ipFamilies: 'dual-stack',
  // PreferClose: zonal NEGs plus a serviceLbPolicy (Network Services, loadBalancingAlgorithm
  // WATERFALL_BY_ZONE) on the backend service, on global load balancers; render reports regional
  // and passthrough pools, which take no policy.
  topology: true,
};
