// ELBv2 quotas and validation limits the emulator enforces. Defaults are AWS's defaults
// (research/aws-lbc.md §4, AWS "Quotas for your Application/Network Load Balancers"); tests lower them to
// reach a quota cheaply.

export interface Elbv2Limits {
  /** Load balancers per region (ALB and NLB counted together here). */
  loadBalancersPerRegion: number;
  /** Target groups per region, shared by ALB and NLB. */
  targetGroupsPerRegion: number;
  /** Listeners per load balancer. */
  listenersPerLoadBalancer: number;
  /** Rules per ALB, default rules excluded. */
  rulesPerLoadBalancer: number;
  /** Unique target groups referenced by one load balancer's listeners and rules (not adjustable on AWS). */
  targetGroupsPerLoadBalancer: number;
  /** Target groups in one forward action. */
  targetGroupsPerForwardAction: number;
  /** Actions per rule (authenticate actions plus one terminal action). */
  actionsPerRule: number;
  /** Condition values per rule (query-string key/value pairs count one each). */
  conditionValuesPerRule: number;
  /** Match evaluations (values) per condition: "up to three match evaluations per condition". */
  valuesPerCondition: number;
  /** Wildcards (`*`, `?`) per rule across host-header, path-pattern, http-header and query-string values. */
  wildcardsPerRule: number;
  /** Targets per target group. */
  targetsPerTargetGroup: number;
  /** Tags per resource. */
  tagsPerResource: number;
  /** Certificates per listener excluding the default one (AddListenerCertificates). */
  certificatesPerListener: number;
  /** ARNs per DescribeTags call. */
  describeTagsArns: number;
  /** ARNs per AddTags / RemoveTags call. */
  tagResourceArns: number;
  /** Largest PageSize accepted by Describe* calls. */
  maxPageSize: number;
  /** Trust stores per region (mutual TLS). */
  trustStoresPerRegion: number;
  /** CA certificates per trust store. */
  caCertificatesPerTrustStore: number;
}

export const DEFAULT_LIMITS: Elbv2Limits = {
  loadBalancersPerRegion: 50,
  targetGroupsPerRegion: 3000,
  listenersPerLoadBalancer: 50,
  rulesPerLoadBalancer: 100,
  targetGroupsPerLoadBalancer: 100,
  targetGroupsPerForwardAction: 5,
  actionsPerRule: 5,
  conditionValuesPerRule: 5,
  valuesPerCondition: 3,
  wildcardsPerRule: 5,
  targetsPerTargetGroup: 1000,
  tagsPerResource: 50,
  certificatesPerListener: 25,
  describeTagsArns: 20,
  tagResourceArns: 20,
  maxPageSize: 400,
  trustStoresPerRegion: 100,
  caCertificatesPerTrustStore: 25,
};
