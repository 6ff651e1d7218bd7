// Limits and quotas the Compute emulator enforces. The values are GCP's documented ones ("Cloud Load
// Balancing quotas and limits", load-balancing/docs/quotas, read 2026-12): URL maps, target proxies and
// backends sections; the NEG endpoint limit from the same page ("Endpoints per GCE_VM_IP_PORT zonal NEG:
// 10,000"); the list page size from the `maxResults` doc of every list method ("0 to 500, default 500").
// Tests lower them to reach a limit cheaply.

export interface ComputeLimits {
  /** "Host rules, path matchers per URL map": 1000 for external, 2000 for internal Application LBs. */
  hostRulesPerUrlMap: number;
  internalHostRulesPerUrlMap: number;
  /** "Path rules or route rules per path matcher": 1000. */
  rulesPerPathMatcher: number;
  /** "Hosts per host rule": 1000. */
  hostsPerHostRule: number;
  /**
   * "Predicates per path matcher": 1000. Paths across path rules, or per route rule 1 path predicate
   * plus its header and query parameter matches.
   */
  predicatesPerPathMatcher: number;
  /** "Number of distinct backend services or backend buckets that can be referenced by a URL map": 2500. */
  servicesPerUrlMap: number;
  /** "Size of URL maps": 64 KB external, 128 KB internal (the JSON body is measured). */
  urlMapBytes: number;
  internalUrlMapBytes: number;
  /** "Compute Engine SSL certificates per target proxy": 15. */
  sslCertificatesPerTargetProxy: number;
  /** "Maximum number of ... GCE_VM_IP_PORT NEG backends ... per backend service": 50. */
  backendsPerBackendService: number;
  /** "Endpoints per GCE_VM_IP_PORT zonal NEG": 10,000. */
  endpointsPerNeg: number;
  /**
   * Endpoints per attach/detach call: ingress-gce batches by 500 (MAX_NETWORK_ENDPOINTS_PER_BATCH,
   * research/gcp.md §6), the API's per-request maximum.
   */
  endpointsPerAttachCall: number;
  /** "Maximum number of configured custom request (and response) headers for each backend service": 16. */
  customHeadersPerBackendService: number;
  /** `maxResults` upper bound of list methods: 500. */
  maxResults: number;
}

export const DEFAULT_LIMITS: ComputeLimits = {
  hostRulesPerUrlMap: 1000,
  internalHostRulesPerUrlMap: 2000,
  rulesPerPathMatcher: 1000,
  hostsPerHostRule: 1000,
  predicatesPerPathMatcher: 1000,
  servicesPerUrlMap: 2500,
  urlMapBytes: 64 * 1024,
  internalUrlMapBytes: 128 * 1024,
  sslCertificatesPerTargetProxy: 15,
  backendsPerBackendService: 50,
  endpointsPerNeg: 10_000,
  endpointsPerAttachCall: 500,
  customHeadersPerBackendService: 16,
  maxResults: 500,
};

/**
 * Project quotas, per resource collection and scope (a global count, or a count per region or zone).
 * GCP's defaults differ per project and are raised on request, so the emulator's are generous; tests
 * set a low one to see `quotaExceeded`.
 */
export type ComputeQuotas = Partial<Record<string, number>>;

/** GCP's quota metric names, as they appear in `Quota 'URL_MAPS' exceeded` errors. */
export const QUOTA_METRICS: Record<string, string> = {
  urlMaps: 'URL_MAPS',
  backendServices: 'BACKEND_SERVICES',
  backendBuckets: 'BACKEND_BUCKETS',
  healthChecks: 'HEALTH_CHECKS',
  forwardingRules: 'FORWARDING_RULES',
  targetHttpProxies: 'TARGET_HTTP_PROXIES',
  targetHttpsProxies: 'TARGET_HTTPS_PROXIES',
  sslCertificates: 'SSL_CERTIFICATES',
  networkEndpointGroups: 'NETWORK_ENDPOINT_GROUPS',
  addresses: 'STATIC_ADDRESSES',
};

export const DEFAULT_QUOTA = 1000;
