// The desired ELBv2 resources, shaped so that apply maps each one 1:1 onto API calls
// (CreateLoadBalancer, CreateListener, CreateTargetGroup, RegisterTargets, CreateRule). Other resources
// are referred to by name (load balancer, target group) and listener port; apply resolves ARNs.

import { formatAddress } from '#core/plan/address.js';
import type { Kinds } from '#core/plan/types.js';

export const AWS_ELBV2_ADAPTER = 'aws-elbv2';

export type Tags = Record<string, string>;

// The API's enumerations, as far as Portico writes them; observe reads the SDK's strings into these.
export type LoadBalancerType = 'application' | 'network';
export type LoadBalancerScheme = 'internet-facing' | 'internal';
export type LoadBalancerIpAddressType = 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';
export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'UDP' | 'TLS';
export type TargetGroupProtocol = ListenerProtocol;
export type HealthCheckProtocol = 'HTTP' | 'HTTPS' | 'TCP';

export interface LoadBalancerValue {
  name: string;
  type: LoadBalancerType;
  scheme: LoadBalancerScheme;
  ipAddressType: LoadBalancerIpAddressType;
  subnets: string[];
  securityGroups: string[];
  /** ModifyLoadBalancerAttributes, keys sorted. */
  attributes: Record<string, string>;
  tags: Tags;
  /** Observed only, never compared: what apply reports in LbStatus when it leaves the load balancer as it is. */
  status?: { dnsName: string; state: string };
}

export interface ListenerValue {
  loadBalancer: string;
  port: number;
  protocol: ListenerProtocol;
  /** HTTPS and TLS only. */
  sslPolicy?: string;
  /** HTTPS and TLS only: the first is the default certificate, the rest go to AddListenerCertificates. */
  certificateArns?: string[];
  /** ALB HTTPS only: client certificates checked against a trust store. Absent = off. */
  mutualAuthentication?: MutualAuthenticationValue;
  defaultAction: RuleAction;
  tags: Tags;
}

/**
 * A listener's MutualAuthentication. Render writes `verify` only; `passthrough` (the chain forwarded
 * unchecked) is observed when someone else set it, so that the diff turns it back.
 */
export interface MutualAuthenticationValue {
  mode: 'verify' | 'passthrough';
  /** `verify`: the trust store's name (its ARN is resolved by name). */
  trustStore?: string;
  ignoreClientCertificateExpiry?: boolean;
}

/** A trust store made from a CA bundle that apply uploads to S3 (CreateTrustStore reads it there). */
export interface TrustStoreValue {
  name: string;
  /** SHA-256 of the PEM bundle: what is compared. Observed from the trust store's CA_BUNDLE_TAG. */
  caBundleSha256: string;
  /** Desired only, never compared: the bundle and the S3 object apply writes it to (content-addressed key). */
  bundle?: { bucket: string; key: string; pem: string };
  tags: Tags;
}

export interface HealthCheckValue {
  protocol: HealthCheckProtocol;
  /** `traffic-port` or a number as a string, as the API takes it. */
  port: string;
  path?: string;
  /** ALB/NLB HttpCode (`200-399`) or, for gRPC target groups, GrpcCode. */
  matcher?: { httpCode: string } | { grpcCode: string };
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
}

export interface TargetGroupValue {
  name: string;
  protocol: TargetGroupProtocol;
  /** ALB only: HTTP1, HTTP2 or GRPC. */
  protocolVersion?: 'HTTP1' | 'HTTP2' | 'GRPC';
  port: number;
  targetType: 'ip';
  /** One family per target group; ipv6 ones attach only to dualstack load balancers. */
  ipAddressType: 'ipv4' | 'ipv6';
  vpcId: string;
  healthCheck: HealthCheckValue;
  /**
   * ModifyTargetGroupAttributes: only the keys Portico manages (TARGET_GROUP_ATTRIBUTE_DEFAULTS), so
   * the diff never compares the rest.
   */
  attributes: Record<string, string>;
  /** The IR pool it stands for. Not an AWS field: for status and notices, ignored by the diff spec. */
  pool: string;
  tags: Tags;
}

/** Cross-zone load balancing per target group: `false` keeps each zone's traffic in that zone. */
export const CROSS_ZONE_ATTRIBUTE = 'load_balancing.cross_zone.enabled';

/** The target-group attributes Portico manages, with AWS's defaults for a new target group. */
export const TARGET_GROUP_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  [CROSS_ZONE_ATTRIBUTE]: 'use_load_balancer_configuration',
};

export interface Target {
  id: string;
  port: number;
}

/** The registered set of a target group: anything registered and not listed here is deregistered. */
export interface TargetsValue {
  targetGroup: string;
  targets: Target[];
}

export type RuleCondition =
  | { field: 'host-header'; values: string[] }
  | { field: 'path-pattern'; values: string[] }
  | { field: 'path-pattern'; regexValues: string[] }
  | { field: 'http-header'; httpHeaderName: string; values: string[] }
  | { field: 'http-header'; httpHeaderName: string; regexValues: string[] }
  | { field: 'query-string'; values: { key: string; value: string }[] }
  | { field: 'http-request-method'; values: string[] };

export type RuleAction =
  | { type: 'forward'; targetGroups: { name: string; weight: number }[] }
  | {
      type: 'redirect';
      protocol: string;
      host: string;
      port: string;
      path: string;
      query: string;
      statusCode: 'HTTP_301' | 'HTTP_302';
    }
  | { type: 'fixed-response'; statusCode: string; contentType: 'text/plain'; messageBody: string };

/** One rule transform: a regex over the Host (or the URL: path and query) and its replacement. */
export interface RuleTransform {
  type: 'host-header-rewrite' | 'url-rewrite';
  regex: string;
  replace: string;
}

export interface RuleValue {
  loadBalancer: string;
  listenerPort: number;
  /** 1..N in IR order per listener; the planner may keep other numbers as long as the order holds. */
  priority: number;
  conditions: RuleCondition[];
  actions: RuleAction[];
  /** Rewrites of the Host and the URL once the rule matched (URLRewrite); absent = none. */
  transforms?: RuleTransform[];
  /** Hash of conditions + actions (+ transforms): the rule's identity for matching and SetRulePriorities. */
  contentId: string;
  /** IR routes this rule stands for (empty for a host's catch-all 404). Not an AWS field. */
  routes: string[];
  tags: Tags;
}

/** Each ELBv2 resource kind and the type of its value. */
export type Elbv2Values = {
  'load-balancer': LoadBalancerValue;
  listener: ListenerValue;
  'target-group': TargetGroupValue;
  targets: TargetsValue;
  rule: RuleValue;
  'trust-store': TrustStoreValue;
};

export type Elbv2Kind = keyof Elbv2Values;

export type Elbv2Value = Elbv2Values[Elbv2Kind];

/** The kind/value pairs the adapter's resources, changes and conflicts are typed by. */
export type Elbv2Kinds = Kinds<Elbv2Values>;

/** `aws-elbv2/<kind>/<name>[/<sub>...]`, in core/plan's address format. */
export function elbv2Address(kind: Elbv2Kind, name: string, ...sub: (string | number)[]): string {
  return formatAddress({
    adapter: AWS_ELBV2_ADAPTER,
    kind,
    name,
    ...(sub.length > 0 ? { sub: sub.join('/') } : {}),
  });
}
