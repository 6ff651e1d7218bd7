// The stateful part of the ELBv2 emulator: per-region load balancers, listeners, rules, target groups,
// targets, tags and attributes, with AWS's validation rules, error codes and quotas. Every public action
// takes the parsed query tree and returns the `<Action>Result` body as a plain object (see protocol.ts).

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { CheckFailures, checkedState } from '../health-checks.js';
import { DEFAULT_LIMITS, type Elbv2Limits } from './limits.js';
import {
  ElbError,
  list,
  obj,
  type QueryObject,
  type QueryValue,
  str,
  strList,
  validation,
} from './protocol.js';
import {
  type MutualAuthentication,
  mutualAuthenticationFrom,
  type ObjectSource,
  readBundle,
  selectTrustStores,
  type TrustStore,
  trustStoreId,
  trustStoreOut,
} from './trust-stores.js';

export interface ServiceOptions {
  accountId?: string;
  vpcId?: string;
  limits?: Partial<Elbv2Limits>;
  /** Time a new load balancer stays `provisioning` before it reads `active` (default 0). */
  provisioningMs?: number;
  /**
   * `instant` (default): a registered target reads `initial` for `initialHealthMs`, then `healthy`;
   * a deregistered one `draining` for `drainingMs`. `simulated`: target health follows the target
   * group's health check as ELB runs it (health-checks.ts): `initial` (Elb.InitialHealthChecking)
   * until HealthyThresholdCount probes at HealthCheckIntervalSeconds pass, `unhealthy` after
   * UnhealthyThresholdCount fail (`failHealthChecks`), `draining` for the target group's
   * `deregistration_delay.timeout_seconds`, `unused` while no load balancer forwards to the group.
   * Drive it with `now`.
   */
  healthChecks?: 'instant' | 'simulated';
  /** `instant` health: time a registered target stays `initial` before it reads `healthy` (default 0). */
  initialHealthMs?: number;
  /** `instant` health: time a deregistered target stays `draining` before it disappears (default 0). */
  drainingMs?: number;
  /** Subnet id to availability zone; unknown subnets get zones a, b, c… of the region in order of first use. */
  subnetZones?: Record<string, string>;
  now?: () => number;
  /** Where trust stores read their CA bundles (test/emulators/s3 `store`); without it, none is found. */
  objects?: ObjectSource;
}

type Tags = Map<string, string>;

interface LoadBalancer {
  arn: string;
  name: string;
  type: 'application' | 'network';
  scheme: 'internet-facing' | 'internal';
  ipAddressType: string;
  subnets: string[];
  securityGroups: string[];
  dnsName: string;
  hostedZoneId: string;
  createdAt: number;
  attributes: Map<string, string>;
  tags: Tags;
}

interface Listener {
  arn: string;
  lbArn: string;
  port: number;
  protocol: string;
  sslPolicy: string | undefined;
  certificates: { CertificateArn: string; IsDefault: boolean }[];
  alpnPolicy: string[] | undefined;
  /** ALB HTTPS only; undefined = off. */
  mutualAuthentication: MutualAuthentication | undefined;
  defaultActions: Action[];
  defaultRuleArn: string;
  tags: Tags;
}

interface Rule {
  arn: string;
  listenerArn: string;
  /** undefined for the default rule. */
  priority: number | undefined;
  conditions: Condition[];
  actions: Action[];
  transforms: QueryObject[];
  tags: Tags;
}

type Action = Record<string, unknown> & { Type: string; Order?: number };
type Condition = Record<string, unknown> & { Field: string };

interface Target {
  id: string;
  port: number;
  az: string | undefined;
  registeredAt: number;
  deregisteredAt: number | undefined;
  forcedState: { State: string; Reason?: string; Description?: string } | undefined;
}

interface TargetGroup {
  arn: string;
  name: string;
  protocol: string | undefined;
  protocolVersion: string | undefined;
  port: number | undefined;
  vpcId: string | undefined;
  targetType: string;
  ipAddressType: string | undefined;
  hc: {
    enabled: boolean;
    protocol: string | undefined;
    port: string | undefined;
    path: string | undefined;
    interval: number;
    timeout: number;
    healthy: number;
    unhealthy: number;
    matcher: { HttpCode?: string; GrpcCode?: string } | undefined;
  };
  targets: Map<string, Target>;
  attributes: Map<string, string>;
  tags: Tags;
  /** `simulated` health: since when a load balancer forwards to the group (probes start then). */
  inUseSince: number | undefined;
}

class Region {
  lbs = new Map<string, LoadBalancer>();
  listeners = new Map<string, Listener>();
  rules = new Map<string, Rule>();
  tgs = new Map<string, TargetGroup>();
  trustStores = new Map<string, TrustStore>();
  subnetZones = new Map<string, string>();
  constructor(readonly name: string) {}
}

const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
const ALB_PROTOCOLS = ['HTTP', 'HTTPS'];
const NLB_PROTOCOLS = ['TCP', 'TLS', 'UDP', 'TCP_UDP'];
const TG_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const TERMINAL_ACTIONS = ['forward', 'redirect', 'fixed-response'];
const AUTH_ACTIONS = ['authenticate-oidc', 'authenticate-cognito', 'jwt-validation'];
const CONDITION_FIELDS = [
  'host-header',
  'path-pattern',
  'http-header',
  'query-string',
  'http-request-method',
  'source-ip',
];
const SINGLE_CONDITIONS = ['host-header', 'path-pattern', 'http-request-method', 'source-ip'];
const FIXED_CONTENT_TYPES = [
  'text/plain',
  'text/css',
  'text/html',
  'application/javascript',
  'application/json',
];
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

const ALB_ATTRIBUTES: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
  'client_keep_alive.seconds': '3600',
  'connection_logs.s3.enabled': 'false',
  'connection_logs.s3.bucket': '',
  'connection_logs.s3.prefix': '',
};
const NLB_ATTRIBUTES: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'load_balancing.cross_zone.enabled': 'false',
  'dns_record.client_routing_policy': 'any_availability_zone',
};
const TG_ATTRIBUTES: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'slow_start.duration_seconds': '0',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
  'preserve_client_ip.enabled': 'false',
  'proxy_protocol_v2.enabled': 'false',
  'connection_termination.enabled': 'false',
  'deregistration_delay.connection_termination.enabled': 'false',
};

/** What ELB says of each unhealthy reason (DescribeTargetHealth's Description). */
const UNHEALTHY_DESCRIPTIONS: Record<string, string> = {
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [503]',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Elb.InternalError': 'Health checks failed due to an internal error',
};

const hex = (n: number): string =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);

function int(v: QueryValue | undefined, what: string): number | undefined {
  const s = str(v);
  if (s === undefined || s === '') return undefined;
  if (!/^-?\d+$/.test(s)) throw validation(`${what} must be an integer, got '${s}'`);
  return Number(s);
}

function bool(v: QueryValue | undefined): boolean | undefined {
  const s = str(v);
  return s === undefined ? undefined : s === 'true';
}

function required<T>(v: T | undefined, name: string): T {
  if (v === undefined || v === '') {
    throw validation(
      `1 validation error detected: Value null at '${lcFirst(name)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

const lcFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function range(v: number | undefined, min: number, max: number, name: string): void {
  if (v !== undefined && (v < min || v > max)) {
    throw validation(`${name} must be between ${min} and ${max}, got ${v}`);
  }
}

function wildcards(s: string): number {
  return (s.match(/[*?]/g) ?? []).length;
}

export class Elbv2Service {
  readonly limits: Elbv2Limits;
  readonly accountId: string;
  readonly vpcId: string;
  private readonly regions = new Map<string, Region>();
  private readonly now: () => number;
  /** `simulated` health: what each backend answers probes with (failHealthChecks, passHealthChecks). */
  private readonly checks = new CheckFailures();

  constructor(private readonly opts: ServiceOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.accountId = opts.accountId ?? '123456789012';
    this.vpcId = opts.vpcId ?? 'vpc-0e1b2c3d4e5f60718';
    this.now = opts.now ?? Date.now;
  }

  /** Drops all state in every region. */
  reset(): void {
    this.regions.clear();
    this.checks.clear();
  }

  /**
   * Test hook (`simulated` health): from now on, probes of `targetId` (on `port`, or any port) fail, in
   * every target group, as a pod failing its readiness would. `reason`: the unhealthy reason code
   * (default by protocol: Target.ResponseCodeMismatch for HTTP(S), Target.FailedHealthChecks else).
   */
  failHealthChecks(targetId: string, opts: { port?: number; reason?: string } = {}): void {
    this.checks.fail(targetId, this.now(), opts);
  }

  /** Test hook (`simulated` health): from now on, probes of `targetId` pass again. */
  passHealthChecks(targetId: string, port?: number): void {
    this.checks.pass(targetId, this.now(), port);
  }

  private region(name: string): Region {
    let r = this.regions.get(name);
    if (!r) {
      r = new Region(name);
      this.regions.set(name, r);
    }
    return r;
  }

  /** Test hook: pins a target's health (undefined clears the override). */
  setTargetHealth(
    region: string,
    tgArn: string,
    targetId: string,
    health: { State: string; Reason?: string; Description?: string } | undefined,
    port?: number,
  ): void {
    const tg = this.tg(this.region(region), tgArn);
    for (const t of tg.targets.values()) {
      if (t.id === targetId && (port === undefined || t.port === port)) t.forcedState = health;
    }
  }

  /** Counts of resources in a region (for assertions). */
  counts(region: string): { loadBalancers: number; listeners: number; rules: number; targetGroups: number } {
    const r = this.region(region);
    let rules = 0;
    for (const rule of r.rules.values()) if (rule.priority !== undefined) rules++;
    return { loadBalancers: r.lbs.size, listeners: r.listeners.size, rules, targetGroups: r.tgs.size };
  }

  dispatch(regionName: string, action: string, p: QueryObject): unknown {
    const r = this.region(regionName);
    const result = this.act(r, action, p);
    if (this.opts.healthChecks === 'simulated' && !action.startsWith('Describe')) this.markUse(r);
    return result;
  }

  /** `simulated` health: probes of a group's targets start when a load balancer starts forwarding to it. */
  private markUse(r: Region): void {
    for (const tg of r.tgs.values()) {
      const used = this.lbsOfTg(r, tg.arn).length > 0;
      if (!used) tg.inUseSince = undefined;
      else tg.inUseSince ??= this.now();
    }
  }

  private act(r: Region, action: string, p: QueryObject): unknown {
    switch (action) {
      case 'CreateLoadBalancer':
        return this.createLoadBalancer(r, p);
      case 'DeleteLoadBalancer':
        return this.deleteLoadBalancer(r, p);
      case 'DescribeLoadBalancers':
        return this.describeLoadBalancers(r, p);
      case 'DescribeLoadBalancerAttributes':
        return {
          Attributes: attrs(this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn')).attributes),
        };
      case 'ModifyLoadBalancerAttributes':
        return this.modifyLoadBalancerAttributes(r, p);
      case 'SetSecurityGroups':
        return this.setSecurityGroups(r, p);
      case 'SetSubnets':
        return this.setSubnets(r, p);
      case 'SetIpAddressType':
        return this.setIpAddressType(r, p);
      case 'CreateListener':
        return this.createListener(r, p);
      case 'ModifyListener':
        return this.modifyListener(r, p);
      case 'DeleteListener':
        return this.deleteListener(r, p);
      case 'DescribeListeners':
        return this.describeListeners(r, p);
      case 'AddListenerCertificates':
        return this.addListenerCertificates(r, p);
      case 'RemoveListenerCertificates':
        return this.removeListenerCertificates(r, p);
      case 'DescribeListenerCertificates':
        return this.describeListenerCertificates(r, p);
      case 'CreateRule':
        return this.createRule(r, p);
      case 'ModifyRule':
        return this.modifyRule(r, p);
      case 'DeleteRule':
        return this.deleteRule(r, p);
      case 'DescribeRules':
        return this.describeRules(r, p);
      case 'SetRulePriorities':
        return this.setRulePriorities(r, p);
      case 'CreateTargetGroup':
        return this.createTargetGroup(r, p);
      case 'ModifyTargetGroup':
        return this.modifyTargetGroup(r, p);
      case 'DeleteTargetGroup':
        return this.deleteTargetGroup(r, p);
      case 'DescribeTargetGroups':
        return this.describeTargetGroups(r, p);
      case 'DescribeTargetGroupAttributes':
        return {
          Attributes: attrs(this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn')).attributes),
        };
      case 'ModifyTargetGroupAttributes':
        return this.modifyTargetGroupAttributes(r, p);
      case 'RegisterTargets':
        return this.registerTargets(r, p);
      case 'DeregisterTargets':
        return this.deregisterTargets(r, p);
      case 'DescribeTargetHealth':
        return this.describeTargetHealth(r, p);
      case 'AddTags':
        return this.addTags(r, p);
      case 'RemoveTags':
        return this.removeTags(r, p);
      case 'DescribeTags':
        return this.describeTags(r, p);
      case 'DescribeAccountLimits':
        return this.describeAccountLimits();
      case 'CreateTrustStore':
        return this.createTrustStore(r, p);
      case 'DescribeTrustStores': {
        const page = this.paginate(selectTrustStores(r.trustStores, p), p);
        return { TrustStores: page.items.map(trustStoreOut), NextMarker: page.next };
      }
      case 'ModifyTrustStore':
        return this.modifyTrustStore(r, p);
      case 'DeleteTrustStore':
        return this.deleteTrustStore(r, p);
      default:
        throw new ElbError('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  // --- lookups ----------------------------------------------------------------------------------------

  private lb(r: Region, arn: string): LoadBalancer {
    checkArn(arn, 'loadbalancer', 'load balancer');
    const lb = r.lbs.get(arn);
    if (!lb) throw new ElbError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
    return lb;
  }

  private tg(r: Region, arn: string): TargetGroup {
    checkArn(arn, 'targetgroup', 'target group');
    const tg = r.tgs.get(arn);
    if (!tg) throw new ElbError('TargetGroupNotFound', `Target group '${arn}' not found`);
    return tg;
  }

  private listener(r: Region, arn: string): Listener {
    checkArn(arn, 'listener', 'listener');
    const l = r.listeners.get(arn);
    if (!l) throw new ElbError('ListenerNotFound', `Listener '${arn}' not found`);
    return l;
  }

  private rule(r: Region, arn: string): Rule {
    checkArn(arn, 'listener-rule', 'rule');
    const rule = r.rules.get(arn);
    if (!rule) throw new ElbError('RuleNotFound', `One or more rules not found`);
    return rule;
  }

  private trustStore(r: Region, arn: string): TrustStore {
    checkArn(arn, 'truststore', 'trust store');
    const t = r.trustStores.get(arn);
    if (!t) throw new ElbError('TrustStoreNotFound', `Trust store '${arn}' not found`);
    return t;
  }

  private arn(r: Region, resource: string): string {
    return `arn:aws:elasticloadbalancing:${r.name}:${this.accountId}:${resource}`;
  }

  private listenersOf(r: Region, lbArn: string): Listener[] {
    return [...r.listeners.values()].filter((l) => l.lbArn === lbArn);
  }

  private rulesOf(r: Region, listenerArn: string): Rule[] {
    return [...r.rules.values()].filter((x) => x.listenerArn === listenerArn);
  }

  /** Target group ARNs referenced by the actions of a load balancer's listeners and rules. */
  private tgsOfLb(r: Region, lbArn: string, skipRule?: string): Set<string> {
    const out = new Set<string>();
    for (const l of this.listenersOf(r, lbArn)) {
      for (const rule of this.rulesOf(r, l.arn)) {
        if (rule.arn === skipRule) continue;
        for (const a of rule.actions) for (const t of actionTgs(a)) out.add(t);
      }
    }
    return out;
  }

  /** Load balancers whose listeners or rules reference a target group. */
  private lbsOfTg(r: Region, tgArn: string): string[] {
    const out = new Set<string>();
    for (const rule of r.rules.values()) {
      if (rule.actions.some((a) => actionTgs(a).includes(tgArn))) {
        const l = r.listeners.get(rule.listenerArn);
        if (l) out.add(l.lbArn);
      }
    }
    return [...out];
  }

  private zoneOf(r: Region, subnet: string): string {
    const mapped = this.opts.subnetZones?.[subnet];
    if (mapped) return mapped;
    let z = r.subnetZones.get(subnet);
    if (!z) {
      z = r.name + 'abcdef'.charAt(r.subnetZones.size % 6);
      r.subnetZones.set(subnet, z);
    }
    return z;
  }

  private subnetsFrom(r: Region, p: QueryObject, type: LoadBalancer['type']): string[] {
    let subnets = strList(p.Subnets) ?? [];
    const mappings = list(p.SubnetMappings) ?? [];
    if (subnets.length > 0 && mappings.length > 0) {
      throw validation('You can specify subnets or subnet mappings, not both');
    }
    if (mappings.length > 0) subnets = mappings.map((m) => str(obj(m)?.SubnetId) ?? '');
    for (const s of subnets) {
      if (!/^subnet-[0-9a-z]+$/.test(s))
        throw new ElbError('SubnetNotFound', `The subnet ID '${s}' is not valid`);
    }
    if (new Set(subnets).size !== subnets.length) throw validation('Duplicate subnets are not allowed');
    const zones = subnets.map((s) => this.zoneOf(r, s));
    if (new Set(zones).size !== zones.length) {
      throw new ElbError(
        'InvalidConfigurationRequest',
        'You can specify only one subnet per Availability Zone',
      );
    }
    if (type === 'application' && subnets.length < 2) {
      throw new ElbError(
        'InvalidConfigurationRequest',
        'At least two subnets in two different Availability Zones must be specified',
      );
    }
    if (subnets.length === 0) throw validation('At least one subnet must be specified');
    return subnets;
  }

  // --- load balancers ---------------------------------------------------------------------------------

  private createLoadBalancer(r: Region, p: QueryObject): unknown {
    const name = required(str(p.Name), 'Name');
    validateName(name, 'Load balancer');
    if (name.toLowerCase().startsWith('internal-')) {
      throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
    }
    const type = (str(p.Type) ?? 'application') as LoadBalancer['type'];
    if (type !== 'application' && type !== 'network') {
      throw validation(`Load balancer type '${type}' is not supported by the emulator`);
    }
    const scheme = (str(p.Scheme) ?? 'internet-facing') as LoadBalancer['scheme'];
    if (scheme !== 'internet-facing' && scheme !== 'internal') throw validation(`Invalid scheme '${scheme}'`);
    const ipAddressType = str(p.IpAddressType) ?? 'ipv4';
    if (!['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(ipAddressType)) {
      throw validation(`Invalid IP address type '${ipAddressType}'`);
    }
    checkIpAddressType(type, scheme, ipAddressType);
    const subnets = this.subnetsFrom(r, p, type);
    const sgs = strList(p.SecurityGroups) ?? [];
    for (const sg of sgs) {
      if (!/^sg-[0-9a-z]+$/.test(sg))
        throw new ElbError('InvalidSecurityGroup', `Security group '${sg}' does not exist`);
    }
    const tags = this.tagsFrom(p.Tags);
    const existing = [...r.lbs.values()].find((lb) => lb.name === name);
    if (existing) {
      // CreateLoadBalancer is idempotent when everything matches (AWS returns the existing one).
      if (existing.type === type && existing.scheme === scheme && sameSet(existing.subnets, subnets)) {
        return { LoadBalancers: [this.lbOut(r, existing)] };
      }
      throw new ElbError(
        'DuplicateLoadBalancerName',
        `A load balancer with the name '${name}' already exists`,
      );
    }
    if (r.lbs.size >= this.limits.loadBalancersPerRegion) {
      throw new ElbError(
        'TooManyLoadBalancers',
        'You have reached the limit on the number of load balancers',
      );
    }
    const id = hex(16);
    const short = type === 'application' ? 'app' : 'net';
    const arn = this.arn(r, `loadbalancer/${short}/${name}/${id}`);
    const lb: LoadBalancer = {
      arn,
      name,
      type,
      scheme,
      ipAddressType,
      subnets,
      securityGroups: type === 'application' && sgs.length === 0 ? ['sg-0default0emulator0'] : sgs,
      dnsName:
        `${scheme === 'internal' ? 'internal-' : ''}${name}-${type === 'application' ? Number.parseInt(hex(8), 16) : hex(16)}.${type === 'network' ? 'elb.' : ''}${r.name}.elb.amazonaws.com`.toLowerCase(),
      hostedZoneId: type === 'application' ? 'Z35SXDOTRQ7X7K' : 'Z26RNL4JYFTOTI',
      createdAt: this.now(),
      attributes: new Map(Object.entries(type === 'application' ? ALB_ATTRIBUTES : NLB_ATTRIBUTES)),
      tags,
    };
    r.lbs.set(arn, lb);
    return { LoadBalancers: [this.lbOut(r, lb, true)] };
  }

  private lbOut(r: Region, lb: LoadBalancer, creating = false): unknown {
    const active = !creating && this.now() >= lb.createdAt + (this.opts.provisioningMs ?? 0);
    return {
      LoadBalancerArn: lb.arn,
      DNSName: lb.dnsName,
      CanonicalHostedZoneId: lb.hostedZoneId,
      CreatedTime: new Date(lb.createdAt),
      LoadBalancerName: lb.name,
      Scheme: lb.scheme,
      VpcId: this.vpcId,
      State: { Code: active ? 'active' : 'provisioning' },
      Type: lb.type,
      AvailabilityZones: lb.subnets.map((s) => ({ ZoneName: this.zoneOf(r, s), SubnetId: s })),
      SecurityGroups: lb.securityGroups.length > 0 ? lb.securityGroups : undefined,
      IpAddressType: lb.ipAddressType,
    };
  }

  private deleteLoadBalancer(r: Region, p: QueryObject): unknown {
    const arn = required(str(p.LoadBalancerArn), 'LoadBalancerArn');
    checkArn(arn, 'loadbalancer', 'load balancer');
    const lb = r.lbs.get(arn);
    if (!lb) {
      return {}; // deleting a load balancer that does not exist succeeds
    }
    if (lb.attributes.get('deletion_protection.enabled') === 'true') {
      throw new ElbError(
        'OperationNotPermitted',
        `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
      );
    }
    for (const l of this.listenersOf(r, arn)) this.dropListener(r, l);
    r.lbs.delete(arn);
    return {};
  }

  private describeLoadBalancers(r: Region, p: QueryObject): unknown {
    const arns = strList(p.LoadBalancerArns);
    const names = strList(p.Names);
    if (arns?.length && names?.length)
      throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
    if (arns && arns.length > 20) throw validation('A maximum of 20 load balancer ARNs can be specified');
    if (names && names.length > 20) throw validation('A maximum of 20 load balancer names can be specified');
    let lbs = [...r.lbs.values()];
    if (arns?.length) lbs = arns.map((a) => this.lb(r, a));
    else if (names?.length) {
      lbs = names.map((n) => {
        const lb = lbs.find((x) => x.name === n);
        if (!lb) throw new ElbError('LoadBalancerNotFound', `Load balancers '[${n}]' not found`);
        return lb;
      });
    }
    const page = this.paginate(lbs, p);
    return { LoadBalancers: page.items.map((lb) => this.lbOut(r, lb)), NextMarker: page.next };
  }

  private modifyLoadBalancerAttributes(r: Region, p: QueryObject): unknown {
    const lb = this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn'));
    applyAttributes(lb.attributes, list(p.Attributes) ?? [], 'load balancer');
    return { Attributes: attrs(lb.attributes) };
  }

  private setSecurityGroups(r: Region, p: QueryObject): unknown {
    const lb = this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn'));
    const sgs = required(strList(p.SecurityGroups), 'SecurityGroups');
    for (const sg of sgs) {
      if (!/^sg-[0-9a-z]+$/.test(sg))
        throw new ElbError('InvalidSecurityGroup', `Security group '${sg}' does not exist`);
    }
    if (lb.type === 'network' && lb.securityGroups.length === 0) {
      throw new ElbError(
        'InvalidConfigurationRequest',
        'You cannot set security groups on a Network Load Balancer which was created without any security groups',
      );
    }
    if (lb.type === 'application' && sgs.length === 0)
      throw validation('At least one security group must be specified');
    lb.securityGroups = [...sgs];
    return { SecurityGroupIds: lb.securityGroups };
  }

  private setSubnets(r: Region, p: QueryObject): unknown {
    const lb = this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn'));
    const subnets = this.subnetsFrom(r, p, lb.type);
    if (lb.type === 'network' && subnets.length < lb.subnets.length) {
      throw new ElbError(
        'InvalidConfigurationRequest',
        'You cannot remove subnets from a Network Load Balancer',
      );
    }
    lb.subnets = subnets;
    return {
      AvailabilityZones: subnets.map((s) => ({ ZoneName: this.zoneOf(r, s), SubnetId: s })),
      IpAddressType: lb.ipAddressType,
    };
  }

  private setIpAddressType(r: Region, p: QueryObject): unknown {
    const lb = this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn'));
    const t = required(str(p.IpAddressType), 'IpAddressType');
    if (!['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(t))
      throw validation(`Invalid IP address type '${t}'`);
    checkIpAddressType(lb.type, lb.scheme, t);
    if (t === 'ipv4' && [...this.tgsOfLb(r, lb.arn)].some((a) => this.tg(r, a).ipAddressType === 'ipv6'))
      throw new ElbError(
        'InvalidConfigurationRequest',
        'An ipv6 target group is attached to this load balancer: it must stay dualstack',
      );
    lb.ipAddressType = t;
    return { IpAddressType: t };
  }

  // --- listeners --------------------------------------------------------------------------------------

  private createListener(r: Region, p: QueryObject): unknown {
    const lb = this.lb(r, required(str(p.LoadBalancerArn), 'LoadBalancerArn'));
    const protocol = str(p.Protocol) ?? (lb.type === 'application' ? 'HTTP' : 'TCP');
    const port = int(p.Port, 'Port') ?? (protocol === 'HTTPS' || protocol === 'TLS' ? 443 : 80);
    range(port, 1, 65535, 'Port');
    checkListenerProtocol(lb, protocol);
    const certificates = this.certificatesFrom(p.Certificates);
    if (certificates.length > 1) {
      throw new ElbError(
        'TooManyCertificates',
        'You can specify only one default certificate when creating a listener',
      );
    }
    if ((protocol === 'HTTPS' || protocol === 'TLS') && certificates.length === 0) {
      throw validation(`A certificate must be specified for ${protocol} listeners`);
    }
    const dup = this.listenersOf(r, lb.arn).find((l) => l.port === port);
    if (dup) {
      if (dup.protocol === protocol) return { Listeners: [this.listenerOut(dup)] };
      throw new ElbError(
        'DuplicateListener',
        `A listener already exists on this port for this load balancer '${lb.arn}'`,
      );
    }
    if (this.listenersOf(r, lb.arn).length >= this.limits.listenersPerLoadBalancer) {
      throw new ElbError(
        'TooManyListeners',
        `You've reached the limit on the number of listeners per load balancer`,
      );
    }
    const actions = this.actionsFrom(
      r,
      lb,
      protocol,
      required(list(p.DefaultActions), 'DefaultActions'),
      undefined,
    );
    const mtls = obj(p.MutualAuthentication);
    const mutualAuthentication = mtls
      ? mutualAuthenticationFrom(mtls, lb.type, protocol, (a) => this.trustStore(r, a))
      : undefined;
    const tags = this.tagsFrom(p.Tags);
    const lbId = lb.arn.split('/').slice(-3).join('/');
    const arn = this.arn(r, `listener/${lbId}/${hex(16)}`);
    const ruleArn = arn.replace(':listener/', ':listener-rule/') + `/${hex(16)}`;
    const listener: Listener = {
      arn,
      lbArn: lb.arn,
      port,
      protocol,
      sslPolicy:
        protocol === 'HTTPS' || protocol === 'TLS' ? (str(p.SslPolicy) ?? DEFAULT_SSL_POLICY) : undefined,
      certificates: certificates.map((c) => ({ CertificateArn: c, IsDefault: true })),
      alpnPolicy: strList(p.AlpnPolicy),
      mutualAuthentication: mutualAuthentication?.Mode === 'off' ? undefined : mutualAuthentication,
      defaultActions: actions,
      defaultRuleArn: ruleArn,
      tags,
    };
    r.listeners.set(arn, listener);
    r.rules.set(ruleArn, {
      arn: ruleArn,
      listenerArn: arn,
      priority: undefined,
      conditions: [],
      actions,
      transforms: [],
      tags: new Map(),
    });
    return { Listeners: [this.listenerOut(listener)] };
  }

  private certificatesFrom(v: QueryValue | undefined): string[] {
    return (list(v) ?? []).map((c) => {
      const arn = str(obj(c)?.CertificateArn);
      if (!arn) throw validation('A certificate ARN must be specified');
      if (!arn.startsWith('arn:aws:acm:') && !arn.startsWith('arn:aws:iam:')) {
        throw new ElbError('CertificateNotFound', `Certificate '${arn}' not found`);
      }
      return arn;
    });
  }

  private listenerOut(l: Listener): unknown {
    return {
      ListenerArn: l.arn,
      LoadBalancerArn: l.lbArn,
      Port: l.port,
      Protocol: l.protocol,
      Certificates:
        l.certificates.length > 0
          ? l.certificates.map((c) => ({ CertificateArn: c.CertificateArn }))
          : undefined,
      SslPolicy: l.sslPolicy,
      DefaultActions: l.defaultActions.map(actionOut),
      AlpnPolicy: l.alpnPolicy,
      // HTTPS listeners (ALB only) always report a mode.
      MutualAuthentication: l.protocol === 'HTTPS' ? (l.mutualAuthentication ?? { Mode: 'off' }) : undefined,
    };
  }

  private modifyListener(r: Region, p: QueryObject): unknown {
    const l = this.listener(r, required(str(p.ListenerArn), 'ListenerArn'));
    const lb = this.lb(r, l.lbArn);
    const protocol = str(p.Protocol) ?? l.protocol;
    checkListenerProtocol(lb, protocol);
    const port = int(p.Port, 'Port') ?? l.port;
    range(port, 1, 65535, 'Port');
    if (port !== l.port && this.listenersOf(r, lb.arn).some((x) => x.port === port && x.arn !== l.arn)) {
      throw new ElbError(
        'DuplicateListener',
        `A listener already exists on this port for this load balancer '${lb.arn}'`,
      );
    }
    const certs = list(p.Certificates) ? this.certificatesFrom(p.Certificates) : undefined;
    if (certs && certs.length > 1)
      throw new ElbError('TooManyCertificates', 'You can specify only one default certificate');
    const secure = protocol === 'HTTPS' || protocol === 'TLS';
    if (secure && !certs?.length && !l.certificates.length) {
      throw validation(`A certificate must be specified for ${protocol} listeners`);
    }
    let actions = l.defaultActions;
    if (list(p.DefaultActions)) {
      actions = this.actionsFrom(r, lb, protocol, list(p.DefaultActions)!, l.defaultRuleArn);
    } else if (protocol !== l.protocol) {
      this.actionsFrom(r, lb, protocol, [], l.defaultRuleArn, l.defaultActions);
    }
    const mtls = obj(p.MutualAuthentication);
    const mutualAuthentication = mtls
      ? mutualAuthenticationFrom(mtls, lb.type, protocol, (a) => this.trustStore(r, a))
      : l.mutualAuthentication;
    if (mutualAuthentication && mutualAuthentication.Mode !== 'off' && protocol !== 'HTTPS')
      throw validation('Mutual authentication is supported only on HTTPS listeners');
    l.mutualAuthentication = mutualAuthentication?.Mode === 'off' ? undefined : mutualAuthentication;
    l.protocol = protocol;
    l.port = port;
    if (certs?.length) {
      l.certificates = [
        { CertificateArn: certs[0]!, IsDefault: true },
        ...l.certificates.filter((c) => !c.IsDefault),
      ];
    }
    l.sslPolicy = secure ? (str(p.SslPolicy) ?? l.sslPolicy ?? DEFAULT_SSL_POLICY) : undefined;
    if (!secure) l.certificates = [];
    if (strList(p.AlpnPolicy)) l.alpnPolicy = strList(p.AlpnPolicy);
    l.defaultActions = actions;
    const def = r.rules.get(l.defaultRuleArn);
    if (def) def.actions = actions;
    return { Listeners: [this.listenerOut(l)] };
  }

  private dropListener(r: Region, l: Listener): void {
    for (const rule of this.rulesOf(r, l.arn)) r.rules.delete(rule.arn);
    r.listeners.delete(l.arn);
  }

  private deleteListener(r: Region, p: QueryObject): unknown {
    this.dropListener(r, this.listener(r, required(str(p.ListenerArn), 'ListenerArn')));
    return {};
  }

  private describeListeners(r: Region, p: QueryObject): unknown {
    const lbArn = str(p.LoadBalancerArn);
    const arns = strList(p.ListenerArns);
    if (!lbArn && !arns?.length)
      throw validation('You must specify either listener ARNs or a load balancer ARN');
    if (lbArn && arns?.length)
      throw validation('Listener ARNs and a load balancer ARN cannot be specified at the same time');
    if (lbArn) this.lb(r, lbArn);
    const items = lbArn ? this.listenersOf(r, lbArn) : arns!.map((a) => this.listener(r, a));
    const page = this.paginate(items, p);
    return { Listeners: page.items.map((l) => this.listenerOut(l)), NextMarker: page.next };
  }

  private addListenerCertificates(r: Region, p: QueryObject): unknown {
    const l = this.listener(r, required(str(p.ListenerArn), 'ListenerArn'));
    const certs = this.certificatesFrom(required(list(p.Certificates), 'Certificates'));
    const extra = new Set(l.certificates.filter((c) => !c.IsDefault).map((c) => c.CertificateArn));
    for (const c of certs) extra.add(c);
    if (extra.size > this.limits.certificatesPerListener) {
      throw new ElbError(
        'TooManyCertificates',
        `You've reached the limit on the number of certificates per load balancer`,
      );
    }
    l.certificates = [
      ...l.certificates.filter((c) => c.IsDefault),
      ...[...extra].map((c) => ({ CertificateArn: c, IsDefault: false })),
    ];
    return { Certificates: certs.map((c) => ({ CertificateArn: c, IsDefault: false })) };
  }

  private removeListenerCertificates(r: Region, p: QueryObject): unknown {
    const l = this.listener(r, required(str(p.ListenerArn), 'ListenerArn'));
    const certs = new Set(this.certificatesFrom(required(list(p.Certificates), 'Certificates')));
    if (l.certificates.some((c) => c.IsDefault && certs.has(c.CertificateArn))) {
      throw new ElbError('OperationNotPermitted', 'The default certificate cannot be removed');
    }
    l.certificates = l.certificates.filter((c) => !certs.has(c.CertificateArn));
    return {};
  }

  private describeListenerCertificates(r: Region, p: QueryObject): unknown {
    const l = this.listener(r, required(str(p.ListenerArn), 'ListenerArn'));
    const page = this.paginate(l.certificates, p);
    return { Certificates: page.items, NextMarker: page.next };
  }

  // --- actions and conditions -------------------------------------------------------------------------

  /**
   * Validates and normalizes a list of actions for a rule (or default rule) of `lb`'s listener with
   * `protocol`. `ruleArn` is the rule being replaced (its target groups do not count twice).
   */
  private actionsFrom(
    r: Region,
    lb: LoadBalancer,
    protocol: string,
    raw: QueryValue[],
    ruleArn: string | undefined,
    existing?: Action[],
  ): Action[] {
    const actions: Action[] = existing ?? raw.map((a) => this.actionFrom(r, a));
    if (actions.length === 0) throw validation('At least one action must be specified');
    if (actions.length > this.limits.actionsPerRule) {
      throw new ElbError('TooManyActions', `You've reached the limit on the number of actions per rule`);
    }
    const hasOrder = actions.some((a) => a.Order !== undefined);
    if (hasOrder && actions.some((a) => a.Order === undefined)) {
      throw validation('Either all actions must have an order, or none of them');
    }
    const sorted = hasOrder ? [...actions].sort((a, b) => a.Order! - b.Order!) : actions;
    if (hasOrder && new Set(actions.map((a) => a.Order)).size !== actions.length) {
      throw validation('Action orders must be unique');
    }
    const terminal = sorted.filter((a) => TERMINAL_ACTIONS.includes(a.Type));
    if (terminal.length !== 1 || !TERMINAL_ACTIONS.includes(sorted[sorted.length - 1]!.Type)) {
      throw new ElbError(
        'InvalidLoadBalancerAction',
        'A rule must have exactly one terminal action (forward, redirect or fixed-response), and it must be last',
      );
    }
    for (const a of actions) {
      if (lb.type === 'network' && a.Type !== 'forward') {
        throw new ElbError(
          'InvalidLoadBalancerAction',
          `Action type '${a.Type}' is not supported for Network Load Balancers`,
        );
      }
      if (AUTH_ACTIONS.includes(a.Type) && protocol !== 'HTTPS') {
        throw new ElbError('InvalidLoadBalancerAction', `Action type '${a.Type}' requires an HTTPS listener`);
      }
      if (a.Type === 'forward') {
        for (const tgArn of actionTgs(a)) {
          const tg = this.tg(r, tgArn);
          const tgAlb = tg.targetType === 'lambda' || ALB_PROTOCOLS.includes(tg.protocol ?? '');
          if (
            lb.type === 'application'
              ? !tgAlb
              : !NLB_PROTOCOLS.includes(tg.protocol ?? '') && tg.targetType !== 'alb'
          ) {
            throw new ElbError(
              'InvalidConfigurationRequest',
              `The target group '${tgArn}' has protocol ${tg.protocol ?? 'none'}, which is not compatible with a ${lb.type === 'application' ? 'Application' : 'Network'} Load Balancer`,
            );
          }
          if (
            lb.type === 'network' &&
            tg.protocol !== protocol &&
            !(protocol === 'TLS' && tg.protocol === 'TCP') &&
            !(tg.protocol === 'TCP_UDP')
          ) {
            throw new ElbError(
              'IncompatibleProtocols',
              `The listener protocol ${protocol} is not compatible with target group protocol ${tg.protocol}`,
            );
          }
          if (tg.ipAddressType === 'ipv6' && lb.ipAddressType === 'ipv4') {
            throw new ElbError(
              'InvalidConfigurationRequest',
              `The target group '${tgArn}' has IP address type ipv6, which requires a dualstack load balancer`,
            );
          }
          if (tg.vpcId && tg.vpcId !== this.vpcId) {
            throw new ElbError(
              'InvalidConfigurationRequest',
              `The target group '${tgArn}' is in another VPC than the load balancer`,
            );
          }
          const others = this.lbsOfTg(r, tgArn).filter((x) => x !== lb.arn);
          if (others.length > 0) {
            throw new ElbError(
              'TargetGroupAssociationLimit',
              `The following target groups cannot be associated with more than one load balancer: ${tgArn}`,
            );
          }
        }
      }
    }
    const unique = this.tgsOfLb(r, lb.arn, ruleArn);
    for (const a of actions) for (const t of actionTgs(a)) unique.add(t);
    if (unique.size > this.limits.targetGroupsPerLoadBalancer) {
      throw new ElbError(
        'TooManyUniqueTargetGroupsPerLoadBalancer',
        `You've reached the limit on the number of unique target groups per load balancer across all listeners`,
      );
    }
    return actions;
  }

  private actionFrom(r: Region, raw: QueryValue): Action {
    const a = obj(raw) ?? {};
    const type = required(str(a.Type), 'Type');
    const order = int(a.Order, 'Order');
    range(order, 1, 50000, 'Order');
    const out: Action = { Type: type };
    if (order !== undefined) out.Order = order;
    switch (type) {
      case 'forward': {
        const single = str(a.TargetGroupArn);
        const fc = obj(a.ForwardConfig);
        const tgsRaw = list(fc?.TargetGroups);
        if (single && tgsRaw?.length) {
          const only = tgsRaw.length === 1 && str(obj(tgsRaw[0])?.TargetGroupArn) === single;
          if (!only)
            throw validation(
              'You cannot specify both a target group ARN and a forward config with different target groups',
            );
        }
        const tgs = tgsRaw?.length
          ? tgsRaw.map((t) => {
              const o = obj(t) ?? {};
              const w = int(o.Weight, 'Weight');
              range(w, 0, 999, 'Weight');
              return { TargetGroupArn: required(str(o.TargetGroupArn), 'TargetGroupArn'), Weight: w ?? 1 };
            })
          : single
            ? [{ TargetGroupArn: single, Weight: 1 }]
            : [];
        if (tgs.length === 0) throw validation('A forward action must specify a target group');
        if (tgs.length > this.limits.targetGroupsPerForwardAction) {
          throw validation(
            `A forward action can have at most ${this.limits.targetGroupsPerForwardAction} target groups`,
          );
        }
        if (new Set(tgs.map((t) => t.TargetGroupArn)).size !== tgs.length) {
          throw validation('A target group can appear only once in a forward action');
        }
        for (const t of tgs) this.tg(r, t.TargetGroupArn);
        const st = obj(fc?.TargetGroupStickinessConfig);
        const dur = int(st?.DurationSeconds, 'DurationSeconds');
        range(dur, 1, 604800, 'DurationSeconds');
        if (tgs.length === 1) out.TargetGroupArn = tgs[0]!.TargetGroupArn;
        out.ForwardConfig = {
          TargetGroups: tgs,
          TargetGroupStickinessConfig: { Enabled: bool(st?.Enabled) ?? false, DurationSeconds: dur },
        };
        return out;
      }
      case 'redirect': {
        const c = obj(a.RedirectConfig);
        if (!c) throw validation('A redirect action must have a redirect config');
        const status = required(str(c.StatusCode), 'StatusCode');
        if (status !== 'HTTP_301' && status !== 'HTTP_302')
          throw validation(`Invalid redirect status code '${status}'`);
        const proto = str(c.Protocol) ?? '#{protocol}';
        if (!['HTTP', 'HTTPS', '#{protocol}'].includes(proto))
          throw validation(`Invalid redirect protocol '${proto}'`);
        const path = str(c.Path) ?? '/#{path}';
        if (!path.startsWith('/')) throw validation('The redirect path must start with /');
        const host = str(c.Host) ?? '#{host}';
        const port = str(c.Port) ?? '#{port}';
        const query = str(c.Query) ?? '#{query}';
        if (
          proto === '#{protocol}' &&
          host === '#{host}' &&
          port === '#{port}' &&
          path === '/#{path}' &&
          query === '#{query}'
        ) {
          throw new ElbError(
            'InvalidLoadBalancerAction',
            'The redirect must change at least one of protocol, host, port, path or query',
          );
        }
        out.RedirectConfig = {
          Protocol: proto,
          Port: port,
          Host: host,
          Path: path,
          Query: query,
          StatusCode: status,
        };
        return out;
      }
      case 'fixed-response': {
        const c = obj(a.FixedResponseConfig);
        if (!c) throw validation('A fixed-response action must have a fixed-response config');
        const status = required(str(c.StatusCode), 'StatusCode');
        if (!/^[245]\d\d$/.test(status)) throw validation(`Invalid fixed-response status code '${status}'`);
        const body = str(c.MessageBody);
        if (body !== undefined && body.length > 1024)
          throw validation('The fixed-response message body is limited to 1024 characters');
        const ct = str(c.ContentType);
        if (ct !== undefined && !FIXED_CONTENT_TYPES.includes(ct))
          throw validation(`Invalid content type '${ct}'`);
        out.FixedResponseConfig = { MessageBody: body, StatusCode: status, ContentType: ct };
        return out;
      }
      case 'authenticate-oidc':
      case 'authenticate-cognito':
      case 'jwt-validation': {
        // Stored as given; the emulator does not validate identity-provider settings.
        const key =
          type === 'authenticate-oidc'
            ? 'AuthenticateOidcConfig'
            : type === 'authenticate-cognito'
              ? 'AuthenticateCognitoConfig'
              : 'JwtValidationConfig';
        const c = obj(a[key]);
        if (!c) throw validation(`An ${type} action must have a config`);
        out[key] = c;
        return out;
      }
      default:
        throw validation(`Invalid action type '${type}'`);
    }
  }

  private conditionsFrom(raw: QueryValue[]): Condition[] {
    const out: Condition[] = [];
    let values = 0;
    let wild = 0;
    const seen = new Set<string>();
    for (const c0 of raw) {
      const c = obj(c0) ?? {};
      const field = required(str(c.Field), 'Field');
      if (!CONDITION_FIELDS.includes(field)) throw validation(`Condition field '${field}' is not valid`);
      if (SINGLE_CONDITIONS.includes(field)) {
        if (seen.has(field)) throw validation(`A rule can only have one '${field}' condition`);
        seen.add(field);
      }
      const legacy = strList(c.Values);
      const cond: Condition = { Field: field };
      const pick = (key: string): string[] => {
        const cfg = obj(c[key]);
        const vals = strList(cfg?.Values);
        if (legacy?.length && vals?.length) throw validation(`You cannot specify both Values and ${key}`);
        const v = vals ?? legacy ?? [];
        if (v.length === 0) throw validation(`A '${field}' condition must have at least one value`);
        return v;
      };
      let n = 0;
      switch (field) {
        case 'host-header': {
          const v = pick('HostHeaderConfig');
          for (const h of v) {
            if (h.length > 128) throw validation(`Host header value '${h}' is longer than 128 characters`);
            if (!/^[A-Za-z0-9.*?-]+$/.test(h))
              throw validation(`Host header value '${h}' contains invalid characters`);
            wild += wildcards(h);
          }
          cond.Values = v;
          cond.HostHeaderConfig = { Values: v };
          n = v.length;
          break;
        }
        case 'path-pattern': {
          const v = pick('PathPatternConfig');
          for (const x of v) {
            if (x.length > 128) throw validation(`Path pattern '${x}' is longer than 128 characters`);
            wild += wildcards(x);
          }
          cond.Values = v;
          cond.PathPatternConfig = { Values: v };
          n = v.length;
          break;
        }
        case 'http-header': {
          const cfg = obj(c.HttpHeaderConfig);
          const name = required(str(cfg?.HttpHeaderName), 'HttpHeaderName');
          if (name.length > 40 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
            throw validation(`Invalid HTTP header name '${name}'`);
          if (name.toLowerCase() === 'host')
            throw validation('Use a host-header condition to match the Host header');
          const v = strList(cfg?.Values) ?? [];
          if (v.length === 0) throw validation('An http-header condition must have at least one value');
          for (const x of v) {
            if (x.length > 128) throw validation(`HTTP header value '${x}' is longer than 128 characters`);
            wild += wildcards(x);
          }
          cond.HttpHeaderConfig = { HttpHeaderName: name, Values: v };
          n = v.length;
          break;
        }
        case 'query-string': {
          const cfg = obj(c.QueryStringConfig);
          const v = (list(cfg?.Values) ?? []).map((kv) => {
            const o = obj(kv) ?? {};
            const value = required(str(o.Value), 'Value');
            const key = str(o.Key);
            if (value.length > 128 || (key?.length ?? 0) > 128)
              throw validation('Query string keys and values are limited to 128 characters');
            wild += wildcards(value) + wildcards(key ?? '');
            return key === undefined ? { Value: value } : { Key: key, Value: value };
          });
          if (v.length === 0)
            throw validation('A query-string condition must have at least one key/value pair');
          cond.QueryStringConfig = { Values: v };
          n = v.length;
          break;
        }
        case 'http-request-method': {
          const v = strList(obj(c.HttpRequestMethodConfig)?.Values) ?? [];
          if (v.length === 0)
            throw validation('An http-request-method condition must have at least one value');
          for (const m of v)
            if (!/^[A-Z_-]{1,40}$/.test(m)) throw validation(`Invalid HTTP request method '${m}'`);
          cond.HttpRequestMethodConfig = { Values: v };
          n = v.length;
          break;
        }
        case 'source-ip': {
          const v = strList(obj(c.SourceIpConfig)?.Values) ?? [];
          if (v.length === 0) throw validation('A source-ip condition must have at least one value');
          for (const cidr of v) if (!isCidr(cidr)) throw validation(`Invalid CIDR '${cidr}'`);
          cond.SourceIpConfig = { Values: v };
          n = v.length;
          break;
        }
      }
      if (n > this.limits.valuesPerCondition) {
        throw validation(`A '${field}' condition can have at most ${this.limits.valuesPerCondition} values`);
      }
      values += n;
      out.push(cond);
    }
    if (values > this.limits.conditionValuesPerRule) {
      throw validation(`A rule can have at most ${this.limits.conditionValuesPerRule} condition values`);
    }
    if (wild > this.limits.wildcardsPerRule) {
      throw validation(`A rule can have at most ${this.limits.wildcardsPerRule} wildcards`);
    }
    return out;
  }

  // --- rules ------------------------------------------------------------------------------------------

  private createRule(r: Region, p: QueryObject): unknown {
    const l = this.listener(r, required(str(p.ListenerArn), 'ListenerArn'));
    const lb = this.lb(r, l.lbArn);
    if (lb.type === 'network') {
      throw new ElbError(
        'InvalidConfigurationRequest',
        'Rules are not supported for Network Load Balancer listeners',
      );
    }
    const priority = required(int(p.Priority, 'Priority'), 'Priority');
    range(priority, 1, 50000, 'Priority');
    const conditions = this.conditionsFrom(required(list(p.Conditions), 'Conditions'));
    if (conditions.length === 0) throw validation('A rule must have at least one condition');
    const actions = this.actionsFrom(r, lb, l.protocol, required(list(p.Actions), 'Actions'), undefined);
    const transforms = transformsFrom(list(p.Transforms) ?? []);
    const tags = this.tagsFrom(p.Tags);
    if (this.rulesOf(r, l.arn).some((x) => x.priority === priority)) {
      throw new ElbError('PriorityInUse', `Priority '${priority}' is currently in use`);
    }
    let count = 0;
    for (const x of this.listenersOf(r, lb.arn))
      for (const y of this.rulesOf(r, x.arn)) if (y.priority !== undefined) count++;
    if (count >= this.limits.rulesPerLoadBalancer) {
      throw new ElbError('TooManyRules', `You've reached the limit on the number of rules per load balancer`);
    }
    const arn = l.arn.replace(':listener/', ':listener-rule/') + `/${hex(16)}`;
    const rule: Rule = { arn, listenerArn: l.arn, priority, conditions, actions, transforms, tags };
    r.rules.set(arn, rule);
    return { Rules: [ruleOut(rule)] };
  }

  private modifyRule(r: Region, p: QueryObject): unknown {
    const rule = this.rule(r, required(str(p.RuleArn), 'RuleArn'));
    const l = this.listener(r, rule.listenerArn);
    const lb = this.lb(r, l.lbArn);
    const rawConds = list(p.Conditions);
    const rawActions = list(p.Actions);
    if (rule.priority === undefined && rawConds?.length) {
      throw new ElbError('OperationNotPermitted', 'You cannot change the conditions of a default rule');
    }
    const conditions = rawConds?.length ? this.conditionsFrom(rawConds) : rule.conditions;
    const actions = rawActions?.length
      ? this.actionsFrom(r, lb, l.protocol, rawActions, rule.arn)
      : rule.actions;
    rule.conditions = conditions;
    rule.actions = actions;
    if (bool(p.ResetTransforms)) rule.transforms = [];
    else if (list(p.Transforms)) rule.transforms = transformsFrom(list(p.Transforms)!);
    if (rule.priority === undefined) l.defaultActions = actions;
    return { Rules: [ruleOut(rule)] };
  }

  private deleteRule(r: Region, p: QueryObject): unknown {
    const rule = this.rule(r, required(str(p.RuleArn), 'RuleArn'));
    if (rule.priority === undefined)
      throw new ElbError('OperationNotPermitted', 'You cannot delete a default rule');
    r.rules.delete(rule.arn);
    return {};
  }

  private describeRules(r: Region, p: QueryObject): unknown {
    const lArn = str(p.ListenerArn);
    const arns = strList(p.RuleArns);
    if (!lArn && !arns?.length) throw validation('You must specify either listener ARN or rule ARNs');
    if (lArn && arns?.length)
      throw validation('Listener ARN and rule ARNs cannot be specified at the same time');
    let rules: Rule[];
    if (lArn) {
      this.listener(r, lArn);
      rules = this.rulesOf(r, lArn).sort(
        (a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER),
      );
    } else rules = arns!.map((a) => this.rule(r, a));
    const page = this.paginate(rules, p);
    return { Rules: page.items.map(ruleOut), NextMarker: page.next };
  }

  private setRulePriorities(r: Region, p: QueryObject): unknown {
    const pairs = required(list(p.RulePriorities), 'RulePriorities').map((x) => {
      const o = obj(x) ?? {};
      const priority = required(int(o.Priority, 'Priority'), 'Priority');
      range(priority, 1, 50000, 'Priority');
      return { rule: this.rule(r, required(str(o.RuleArn), 'RuleArn')), priority };
    });
    if (new Set(pairs.map((x) => x.rule.arn)).size !== pairs.length)
      throw validation('A rule can only be specified once');
    for (const { rule } of pairs) {
      if (rule.priority === undefined)
        throw new ElbError('OperationNotPermitted', 'You cannot change the priority of a default rule');
    }
    // Resulting priorities per listener must be unique; nothing changes unless all of them are.
    const next = new Map<string, number | undefined>();
    for (const { rule, priority } of pairs) next.set(rule.arn, priority);
    const listeners = new Set(pairs.map((x) => x.rule.listenerArn));
    for (const lArn of listeners) {
      const used = new Map<number, string>();
      for (const rule of this.rulesOf(r, lArn)) {
        const prio = next.has(rule.arn) ? next.get(rule.arn) : rule.priority;
        if (prio === undefined) continue;
        if (used.has(prio)) throw new ElbError('PriorityInUse', `Priority '${prio}' is currently in use`);
        used.set(prio, rule.arn);
      }
    }
    for (const { rule, priority } of pairs) rule.priority = priority;
    return { Rules: pairs.map((x) => ruleOut(x.rule)) };
  }

  // --- target groups ----------------------------------------------------------------------------------

  private createTargetGroup(r: Region, p: QueryObject): unknown {
    const name = required(str(p.Name), 'Name');
    validateName(name, 'Target group');
    const targetType = str(p.TargetType) ?? 'instance';
    if (!['instance', 'ip', 'lambda', 'alb'].includes(targetType))
      throw validation(`Invalid target type '${targetType}'`);
    const protocol = str(p.Protocol);
    const port = int(p.Port, 'Port');
    const vpcId = str(p.VpcId);
    if (targetType === 'lambda') {
      if (protocol || port !== undefined || vpcId)
        throw validation('Protocol, port and VPC ID cannot be specified for lambda target groups');
    } else {
      required(protocol, 'Protocol');
      required(port, 'Port');
      required(vpcId, 'VpcId');
      if (!TG_PROTOCOLS.includes(protocol!)) throw validation(`Invalid protocol '${protocol}'`);
      range(port, 1, 65535, 'Port');
      if (targetType === 'alb' && protocol !== 'TCP')
        throw validation('Target groups of type alb must use TCP');
      if (!/^vpc-[0-9a-z]+$/.test(vpcId!)) throw validation(`Invalid VPC ID '${vpcId}'`);
    }
    const http = protocol === 'HTTP' || protocol === 'HTTPS' || targetType === 'lambda';
    let protocolVersion = str(p.ProtocolVersion);
    if (protocolVersion !== undefined) {
      if (!http || targetType === 'lambda')
        throw validation('A protocol version can only be set for HTTP and HTTPS target groups');
      if (!['HTTP1', 'HTTP2', 'GRPC'].includes(protocolVersion))
        throw validation(`Invalid protocol version '${protocolVersion}'`);
    } else if (http && targetType !== 'lambda') protocolVersion = 'HTTP1';
    const ipAddressType = str(p.IpAddressType) ?? 'ipv4';
    if (!['ipv4', 'ipv6'].includes(ipAddressType))
      throw validation(`Invalid IP address type '${ipAddressType}' for a target group`);
    if (ipAddressType === 'ipv6' && targetType !== 'ip' && targetType !== 'instance')
      throw validation(`Target groups of type ${targetType} cannot be ipv6`);
    const hcProtocol =
      str(p.HealthCheckProtocol) ??
      (targetType === 'lambda'
        ? undefined
        : http
          ? (protocol ?? 'HTTP')
          : protocol === 'UDP' || protocol === 'TCP_UDP'
            ? 'TCP'
            : protocol === 'TLS'
              ? 'TCP'
              : protocol);
    const hcHttp = hcProtocol === 'HTTP' || hcProtocol === 'HTTPS' || targetType === 'lambda';
    const tg: TargetGroup = {
      arn: '',
      name,
      protocol,
      protocolVersion,
      port,
      vpcId,
      targetType,
      ipAddressType: targetType === 'lambda' ? undefined : ipAddressType,
      hc: {
        enabled: bool(p.HealthCheckEnabled) ?? targetType !== 'lambda',
        protocol: hcProtocol,
        port: targetType === 'lambda' ? undefined : 'traffic-port',
        path: hcHttp ? '/' : undefined,
        interval: targetType === 'lambda' ? 35 : 30,
        timeout:
          targetType === 'lambda' ? 30 : hcHttp ? (protocol === 'HTTP' || protocol === 'HTTPS' ? 5 : 6) : 10,
        healthy: 5,
        unhealthy: hcHttp ? 2 : 2,
        matcher: hcHttp ? (protocolVersion === 'GRPC' ? { GrpcCode: '12' } : { HttpCode: '200' }) : undefined,
      },
      targets: new Map(),
      attributes: new Map(Object.entries(TG_ATTRIBUTES)),
      tags: new Map(),
      inUseSince: undefined,
    };
    this.applyHealthCheck(tg, p);
    tg.tags = this.tagsFrom(p.Tags);
    const existing = [...r.tgs.values()].find((x) => x.name === name);
    if (existing) {
      if (
        existing.protocol === protocol &&
        existing.port === port &&
        existing.vpcId === vpcId &&
        existing.targetType === targetType
      ) {
        return { TargetGroups: [this.tgOut(r, existing)] };
      }
      throw new ElbError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    }
    if (r.tgs.size >= this.limits.targetGroupsPerRegion) {
      throw new ElbError(
        'TooManyTargetGroups',
        `You've reached the limit on the number of target groups for your AWS account`,
      );
    }
    tg.arn = this.arn(r, `targetgroup/${name}/${hex(16)}`);
    r.tgs.set(tg.arn, tg);
    return { TargetGroups: [this.tgOut(r, tg)] };
  }

  private applyHealthCheck(tg: TargetGroup, p: QueryObject): void {
    const hc = { ...tg.hc };
    const enabled = bool(p.HealthCheckEnabled);
    if (enabled !== undefined) hc.enabled = enabled;
    const proto = str(p.HealthCheckProtocol);
    if (proto !== undefined) {
      if (!['HTTP', 'HTTPS', 'TCP'].includes(proto))
        throw validation(`Invalid health check protocol '${proto}'`);
      if ((tg.protocol === 'HTTP' || tg.protocol === 'HTTPS') && proto === 'TCP') {
        throw validation('Health check protocol TCP is not supported for HTTP or HTTPS target groups');
      }
      hc.protocol = proto;
      if (proto === 'TCP') {
        hc.path = undefined;
        hc.matcher = undefined;
      } else {
        hc.path ??= '/';
        hc.matcher ??= { HttpCode: '200' };
      }
    }
    const port = str(p.HealthCheckPort);
    if (port !== undefined) {
      if (port !== 'traffic-port' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
        throw validation(`Invalid health check port '${port}'`);
      }
      hc.port = port;
    }
    const path = str(p.HealthCheckPath);
    if (path !== undefined) {
      if (hc.protocol === 'TCP')
        throw validation('A health check path cannot be set with the TCP health check protocol');
      if (!path.startsWith('/') || path.length > 1024)
        throw validation(`Invalid health check path '${path}'`);
      hc.path = path;
    }
    const interval = int(p.HealthCheckIntervalSeconds, 'HealthCheckIntervalSeconds');
    range(interval, 5, 300, 'HealthCheckIntervalSeconds');
    if (interval !== undefined) hc.interval = interval;
    const timeout = int(p.HealthCheckTimeoutSeconds, 'HealthCheckTimeoutSeconds');
    range(timeout, 2, 120, 'HealthCheckTimeoutSeconds');
    if (timeout !== undefined) hc.timeout = timeout;
    const healthy = int(p.HealthyThresholdCount, 'HealthyThresholdCount');
    range(healthy, 2, 10, 'HealthyThresholdCount');
    if (healthy !== undefined) hc.healthy = healthy;
    const unhealthy = int(p.UnhealthyThresholdCount, 'UnhealthyThresholdCount');
    range(unhealthy, 2, 10, 'UnhealthyThresholdCount');
    if (unhealthy !== undefined) hc.unhealthy = unhealthy;
    const m = obj(p.Matcher);
    if (m) {
      if (hc.protocol === 'TCP')
        throw validation('A matcher cannot be set with the TCP health check protocol');
      const code = str(m.HttpCode);
      const grpc = str(m.GrpcCode);
      if (code !== undefined && !/^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$/.test(code))
        throw validation(`Invalid matcher '${code}'`);
      hc.matcher = grpc !== undefined ? { GrpcCode: grpc } : { HttpCode: code ?? '200' };
    }
    if (hc.timeout >= hc.interval) {
      throw validation('Health check timeout must be smaller than the interval');
    }
    tg.hc = hc;
  }

  private tgOut(r: Region, tg: TargetGroup): unknown {
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      Protocol: tg.protocol,
      Port: tg.port,
      VpcId: tg.vpcId,
      HealthCheckProtocol: tg.hc.protocol,
      HealthCheckPort: tg.hc.port,
      HealthCheckEnabled: tg.hc.enabled,
      HealthCheckIntervalSeconds: tg.hc.interval,
      HealthCheckTimeoutSeconds: tg.hc.timeout,
      HealthyThresholdCount: tg.hc.healthy,
      UnhealthyThresholdCount: tg.hc.unhealthy,
      HealthCheckPath: tg.hc.path,
      Matcher: tg.hc.matcher,
      LoadBalancerArns: this.lbsOfTg(r, tg.arn),
      TargetType: tg.targetType,
      ProtocolVersion: tg.protocolVersion,
      IpAddressType: tg.ipAddressType,
    };
  }

  private modifyTargetGroup(r: Region, p: QueryObject): unknown {
    const tg = this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn'));
    this.applyHealthCheck(tg, p);
    return { TargetGroups: [this.tgOut(r, tg)] };
  }

  private deleteTargetGroup(r: Region, p: QueryObject): unknown {
    const arn = required(str(p.TargetGroupArn), 'TargetGroupArn');
    checkArn(arn, 'targetgroup', 'target group');
    if (!r.tgs.has(arn)) return {};
    for (const rule of r.rules.values()) {
      if (rule.actions.some((a) => actionTgs(a).includes(arn))) {
        throw new ElbError(
          'ResourceInUse',
          `Target group '${arn}' is currently in use by a listener or a rule`,
        );
      }
    }
    r.tgs.delete(arn);
    return {};
  }

  private describeTargetGroups(r: Region, p: QueryObject): unknown {
    const lbArn = str(p.LoadBalancerArn);
    const arns = strList(p.TargetGroupArns);
    const names = strList(p.Names);
    if ([lbArn, arns?.length, names?.length].filter(Boolean).length > 1) {
      throw validation('Only one of load balancer ARN, target group ARNs and names can be specified');
    }
    let tgs = [...r.tgs.values()];
    if (lbArn) {
      this.lb(r, lbArn);
      const used = this.tgsOfLb(r, lbArn);
      tgs = tgs.filter((t) => used.has(t.arn));
    } else if (arns?.length) tgs = arns.map((a) => this.tg(r, a));
    else if (names?.length) {
      tgs = names.map((n) => {
        const t = tgs.find((x) => x.name === n);
        if (!t) throw new ElbError('TargetGroupNotFound', `One or more target groups not found`);
        return t;
      });
    }
    const page = this.paginate(tgs, p);
    return { TargetGroups: page.items.map((t) => this.tgOut(r, t)), NextMarker: page.next };
  }

  private modifyTargetGroupAttributes(r: Region, p: QueryObject): unknown {
    const tg = this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn'));
    const raw = required(list(p.Attributes), 'Attributes');
    for (const a0 of raw) {
      const a = obj(a0) ?? {};
      if (str(a.Key) !== 'load_balancing.cross_zone.enabled') continue;
      const v = str(a.Value) ?? '';
      if (!['true', 'false', 'use_load_balancer_configuration'].includes(v))
        throw validation(
          `'${v}' is not a valid value for load_balancing.cross_zone.enabled (true, false or use_load_balancer_configuration)`,
        );
      if (v === 'false' && tg.targetType === 'lambda')
        throw validation('Cross-zone load balancing cannot be turned off for lambda target groups');
    }
    applyAttributes(tg.attributes, raw, 'target group');
    return { Attributes: attrs(tg.attributes) };
  }

  // --- targets ----------------------------------------------------------------------------------------

  private targetsFrom(
    tg: TargetGroup,
    raw: QueryValue[],
  ): { id: string; port: number; az: string | undefined }[] {
    if (raw.length === 0) throw validation('At least one target must be specified');
    return raw.map((t0) => {
      const t = obj(t0) ?? {};
      const id = required(str(t.Id), 'Id');
      const port = int(t.Port, 'Port') ?? tg.port ?? 0;
      range(port, tg.targetType === 'lambda' ? 0 : 1, 65535, 'Port');
      if (tg.targetType === 'instance' && !/^i-[0-9a-f]{8,17}$/.test(id)) {
        throw new ElbError('InvalidTarget', `The following targets are not valid instances: '${id}'`);
      }
      if (tg.targetType === 'ip') {
        const fam = isIP(id);
        if (fam === 0 || (fam === 6) !== (tg.ipAddressType === 'ipv6')) {
          throw new ElbError(
            'InvalidTarget',
            `The IP address '${id}' is not a valid target for this target group`,
          );
        }
      }
      return { id, port, az: str(t.AvailabilityZone) };
    });
  }

  private registerTargets(r: Region, p: QueryObject): unknown {
    const tg = this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn'));
    const targets = this.targetsFrom(tg, required(list(p.Targets), 'Targets'));
    this.sweep(tg);
    const now = this.now();
    const fresh = targets.filter((t) => {
      const cur = tg.targets.get(`${t.id}:${t.port}`);
      return !cur || cur.deregisteredAt !== undefined;
    });
    if (tg.targetType === 'lambda' && tg.targets.size + fresh.length > 1) {
      throw new ElbError('TooManyTargets', 'A lambda target group can have only one target');
    }
    if (
      tg.targets.size + new Set(fresh.map((t) => `${t.id}:${t.port}`)).size >
      this.limits.targetsPerTargetGroup
    ) {
      throw new ElbError(
        'TooManyTargets',
        `You've reached the limit on the number of targets per target group`,
      );
    }
    for (const t of targets) {
      const key = `${t.id}:${t.port}`;
      const cur = tg.targets.get(key);
      if (cur && cur.deregisteredAt === undefined) continue;
      tg.targets.set(key, { ...t, registeredAt: now, deregisteredAt: undefined, forcedState: undefined });
    }
    return {};
  }

  private deregisterTargets(r: Region, p: QueryObject): unknown {
    const tg = this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn'));
    const targets = this.targetsFrom(tg, required(list(p.Targets), 'Targets'));
    const now = this.now();
    for (const t of targets) {
      const cur = tg.targets.get(`${t.id}:${t.port}`);
      if (!cur) {
        throw new ElbError(
          'InvalidTarget',
          `The following targets are not registered in target group: '${t.id}'`,
        );
      }
      cur.deregisteredAt ??= now;
    }
    this.sweep(tg);
    return {};
  }

  /** Removes targets whose draining time is over. */
  private sweep(tg: TargetGroup): void {
    const now = this.now();
    for (const [k, t] of tg.targets) {
      if (t.deregisteredAt !== undefined && now >= t.deregisteredAt + this.drainingMs(tg))
        tg.targets.delete(k);
    }
  }

  /** How long a deregistered target drains: the group's deregistration delay, when simulated. */
  private drainingMs(tg: TargetGroup): number {
    if (this.opts.healthChecks !== 'simulated') return this.opts.drainingMs ?? 0;
    return Number(tg.attributes.get('deregistration_delay.timeout_seconds') ?? '300') * 1000;
  }

  private health(
    r: Region,
    tg: TargetGroup,
    t: Target,
  ): { State: string; Reason?: string; Description?: string } {
    if (t.deregisteredAt !== undefined) {
      return {
        State: 'draining',
        Reason: 'Target.DeregistrationInProgress',
        Description: 'Target deregistration is in progress',
      };
    }
    if (t.forcedState) return t.forcedState;
    if (this.lbsOfTg(r, tg.arn).length === 0) {
      return {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      };
    }
    if (!tg.hc.enabled) {
      return {
        State: 'unavailable',
        Reason: 'Target.HealthCheckDisabled',
        Description: 'Health checks disabled',
      };
    }
    if (this.opts.healthChecks === 'simulated') return this.probed(tg, t);
    if (this.now() < t.registeredAt + (this.opts.initialHealthMs ?? 0)) {
      return {
        State: 'initial',
        Reason: 'Elb.RegistrationInProgress',
        Description: 'Target registration is in progress',
      };
    }
    return { State: 'healthy' };
  }

  /** `simulated` health of a target of a group in use: what its probes since then say. */
  private probed(tg: TargetGroup, t: Target): { State: string; Reason?: string; Description?: string } {
    const port = tg.hc.port === 'traffic-port' || tg.hc.port === undefined ? t.port : Number(tg.hc.port);
    const { state, failure } = checkedState(
      {
        since: Math.max(t.registeredAt, tg.inUseSince ?? t.registeredAt),
        now: this.now(),
        intervalMs: tg.hc.interval * 1000,
        healthyThreshold: tg.hc.healthy,
        unhealthyThreshold: tg.hc.unhealthy,
      },
      (at) => this.checks.failureAt(t.id, port, at),
    );
    if (state === 'healthy') return { State: 'healthy' };
    if (state === 'initial')
      return {
        State: 'initial',
        Reason: 'Elb.InitialHealthChecking',
        Description: 'Initial health checks in progress',
      };
    const http = tg.hc.protocol === 'HTTP' || tg.hc.protocol === 'HTTPS';
    const reason = failure?.reason ?? (http ? 'Target.ResponseCodeMismatch' : 'Target.FailedHealthChecks');
    return {
      State: 'unhealthy',
      Reason: reason,
      Description: UNHEALTHY_DESCRIPTIONS[reason] ?? 'Health checks failed',
    };
  }

  private describeTargetHealth(r: Region, p: QueryObject): unknown {
    const tg = this.tg(r, required(str(p.TargetGroupArn), 'TargetGroupArn'));
    this.sweep(tg);
    const asked = list(p.Targets);
    const hcPort = (t: { port: number }): string | undefined =>
      tg.targetType === 'lambda' ? undefined : tg.hc.port === 'traffic-port' ? String(t.port) : tg.hc.port;
    const out: unknown[] = [];
    if (asked?.length) {
      for (const a of this.targetsFrom(tg, asked)) {
        const t = tg.targets.get(`${a.id}:${a.port}`);
        out.push({
          Target: { Id: a.id, Port: a.port, AvailabilityZone: t?.az },
          HealthCheckPort: hcPort(a),
          TargetHealth: t
            ? this.health(r, tg, t)
            : {
                State: 'unused',
                Reason: 'Target.NotRegistered',
                Description: 'Target is not registered to the target group',
              },
        });
      }
    } else {
      for (const t of tg.targets.values()) {
        out.push({
          Target: { Id: t.id, Port: t.port, AvailabilityZone: t.az },
          HealthCheckPort: hcPort(t),
          TargetHealth: this.health(r, tg, t),
        });
      }
    }
    return { TargetHealthDescriptions: out };
  }

  // --- tags -------------------------------------------------------------------------------------------

  private tagsFrom(v: QueryValue | undefined): Tags {
    const tags: Tags = new Map();
    for (const t0 of list(v) ?? []) {
      const t = obj(t0) ?? {};
      const key = required(str(t.Key), 'Key');
      const value = str(t.Value) ?? '';
      validateTag(key, value);
      if (tags.has(key))
        throw new ElbError('DuplicateTagKeys', `Tag key '${key}' is specified more than once`);
      tags.set(key, value);
    }
    if (tags.size > this.limits.tagsPerResource) {
      throw new ElbError('TooManyTags', `You've reached the limit on the number of tags per load balancer`);
    }
    return tags;
  }

  // --- trust stores -----------------------------------------------------------------------------------

  private createTrustStore(r: Region, p: QueryObject): unknown {
    const name = required(str(p.Name), 'Name');
    validateName(name, 'Trust store');
    if ([...r.trustStores.values()].some((t) => t.name === name))
      throw new ElbError('DuplicateTrustStoreName', `A trust store with the name '${name}' already exists`);
    if (r.trustStores.size >= this.limits.trustStoresPerRegion)
      throw new ElbError('TooManyTrustStores', `You've reached the limit on the number of trust stores`);
    const bundle = readBundle(this.opts.objects, p, this.limits.caCertificatesPerTrustStore);
    const tags = this.tagsFrom(p.Tags);
    const arn = this.arn(r, `truststore/${name}/${trustStoreId()}`);
    const store: TrustStore = {
      arn,
      name,
      caCertificates: bundle.count,
      bundle: { bucket: bundle.bucket, key: bundle.key },
      tags,
    };
    r.trustStores.set(arn, store);
    return { TrustStores: [trustStoreOut(store)] };
  }

  private modifyTrustStore(r: Region, p: QueryObject): unknown {
    const store = this.trustStore(r, required(str(p.TrustStoreArn), 'TrustStoreArn'));
    const bundle = readBundle(this.opts.objects, p, this.limits.caCertificatesPerTrustStore);
    store.caCertificates = bundle.count;
    store.bundle = { bucket: bundle.bucket, key: bundle.key };
    return { TrustStores: [trustStoreOut(store)] };
  }

  private deleteTrustStore(r: Region, p: QueryObject): unknown {
    const store = this.trustStore(r, required(str(p.TrustStoreArn), 'TrustStoreArn'));
    const user = [...r.listeners.values()].find((l) => l.mutualAuthentication?.TrustStoreArn === store.arn);
    if (user)
      throw new ElbError('TrustStoreInUse', `Trust store '${store.arn}' is in use by listener '${user.arn}'`);
    r.trustStores.delete(store.arn);
    return {};
  }

  /** Test hook: a trust store as the service holds it (its bundle location, its CA count). */
  trustStoreNamed(region: string, name: string): Readonly<TrustStore> | undefined {
    return [...this.region(region).trustStores.values()].find((t) => t.name === name);
  }

  private taggable(r: Region, arn: string): Tags {
    if (arn.includes(':loadbalancer/')) return this.lb(r, arn).tags;
    if (arn.includes(':targetgroup/')) return this.tg(r, arn).tags;
    if (arn.includes(':listener/')) return this.listener(r, arn).tags;
    if (arn.includes(':listener-rule/')) return this.rule(r, arn).tags;
    if (arn.includes(':truststore/')) return this.trustStore(r, arn).tags;
    throw validation(`'${arn}' is not a valid resource ARN`);
  }

  private addTags(r: Region, p: QueryObject): unknown {
    const arns = required(strList(p.ResourceArns), 'ResourceArns');
    if (arns.length > this.limits.tagResourceArns)
      throw validation(`You can specify up to ${this.limits.tagResourceArns} resource ARNs`);
    const tags = this.tagsFrom(required(list(p.Tags), 'Tags'));
    const targets = arns.map((a) => this.taggable(r, a));
    for (const existing of targets) {
      const keys = new Set([...existing.keys(), ...tags.keys()]);
      if (keys.size > this.limits.tagsPerResource) {
        throw new ElbError('TooManyTags', `You've reached the limit on the number of tags per load balancer`);
      }
    }
    for (const existing of targets) for (const [k, v] of tags) existing.set(k, v);
    return {};
  }

  private removeTags(r: Region, p: QueryObject): unknown {
    const arns = required(strList(p.ResourceArns), 'ResourceArns');
    if (arns.length > this.limits.tagResourceArns)
      throw validation(`You can specify up to ${this.limits.tagResourceArns} resource ARNs`);
    const keys = required(strList(p.TagKeys), 'TagKeys');
    const targets = arns.map((a) => this.taggable(r, a));
    for (const t of targets) for (const k of keys) t.delete(k);
    return {};
  }

  private describeTags(r: Region, p: QueryObject): unknown {
    const arns = required(strList(p.ResourceArns), 'ResourceArns');
    if (arns.length === 0) throw validation('At least one resource ARN must be specified');
    if (arns.length > this.limits.describeTagsArns) {
      throw validation(
        `1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to ${this.limits.describeTagsArns}`,
      );
    }
    return {
      TagDescriptions: arns.map((a) => ({
        ResourceArn: a,
        Tags: [...this.taggable(r, a)].map(([Key, Value]) => ({ Key, Value })),
      })),
    };
  }

  private describeAccountLimits(): unknown {
    const l = this.limits;
    return {
      Limits: [
        { Name: 'application-load-balancers', Max: String(l.loadBalancersPerRegion) },
        { Name: 'network-load-balancers', Max: String(l.loadBalancersPerRegion) },
        { Name: 'target-groups', Max: String(l.targetGroupsPerRegion) },
        { Name: 'listeners-per-application-load-balancer', Max: String(l.listenersPerLoadBalancer) },
        { Name: 'rules-per-application-load-balancer', Max: String(l.rulesPerLoadBalancer) },
        { Name: 'targets-per-application-load-balancer', Max: String(l.targetsPerTargetGroup) },
        { Name: 'certificates-per-application-load-balancer', Max: String(l.certificatesPerListener) },
      ],
    };
  }

  // --- pagination -------------------------------------------------------------------------------------

  private paginate<T>(items: T[], p: QueryObject): { items: T[]; next: string | undefined } {
    const size = int(p.PageSize, 'PageSize') ?? this.limits.maxPageSize;
    range(size, 1, this.limits.maxPageSize, 'PageSize');
    const marker = str(p.Marker);
    let start = 0;
    if (marker) {
      const decoded = Buffer.from(marker, 'base64').toString('utf8');
      const m = /^offset:(\d+)$/.exec(decoded);
      if (!m) throw validation(`Invalid marker '${marker}'`);
      start = Number(m[1]);
    }
    const end = start + size;
    return {
      items: items.slice(start, end),
      next: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : undefined,
    };
  }
}

// --- helpers ------------------------------------------------------------------------------------------

function validateName(name: string, what: string): void {
  if (name.length > 32) throw validation(`${what} name '${name}' cannot be longer than '32' characters`);
  if (name.startsWith('-') || name.endsWith('-'))
    throw validation(`${what} name '${name}' cannot begin or end with '-'`);
  if (!NAME_RE.test(name)) {
    throw validation(
      `${what} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
}

function validateTag(key: string, value: string): void {
  if (key.length === 0 || key.length > 128)
    throw validation(`Tag key '${key}' must be between 1 and 128 characters`);
  if (value.length > 256) throw validation(`Tag value for key '${key}' cannot be longer than 256 characters`);
  if (key.toLowerCase().startsWith('aws:')) throw validation(`Tag keys starting with 'aws:' are reserved`);
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value)) {
    throw validation(`Tag '${key}' contains invalid characters`);
  }
}

/** Rule transforms: at most one host-header-rewrite and one url-rewrite, each with one regex rewrite. */
function transformsFrom(raw: QueryValue[]): QueryObject[] {
  const seen = new Set<string>();
  return raw.map((t0) => {
    const t = obj(t0) ?? {};
    const type = required(str(t.Type), 'Type');
    const key =
      type === 'host-header-rewrite'
        ? 'HostHeaderRewriteConfig'
        : type === 'url-rewrite'
          ? 'UrlRewriteConfig'
          : '';
    if (!key) throw validation(`Invalid transform type '${type}'`);
    if (seen.has(type)) throw validation(`A rule can have only one '${type}' transform`);
    seen.add(type);
    const rewrites = list(obj(t[key])?.Rewrites) ?? [];
    if (rewrites.length !== 1) throw validation(`A '${type}' transform must have exactly one rewrite`);
    const rw = obj(rewrites[0]) ?? {};
    const regex = required(str(rw.Regex), 'Regex');
    const replace = required(str(rw.Replace), 'Replace');
    if (regex.length > 1024 || replace.length > 1024)
      throw validation('A rewrite regex and its replacement are at most 1024 characters');
    try {
      new RegExp(regex);
    } catch {
      throw validation(`Invalid regex '${regex}'`);
    }
    return { Type: type, [key]: { Rewrites: [{ Regex: regex, Replace: replace }] } };
  });
}

/** A malformed ARN is a ValidationError on AWS, a well-formed unknown one is a *NotFound. */
function checkArn(arn: string, resource: string, what: string): void {
  const re = new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:${resource}/`);
  if (!re.test(arn)) throw validation(`'${arn}' is not a valid ${what} ARN`);
}

function checkListenerProtocol(lb: LoadBalancer, protocol: string): void {
  const allowed = lb.type === 'application' ? ALB_PROTOCOLS : NLB_PROTOCOLS;
  if (!allowed.includes(protocol)) {
    throw new ElbError(
      'InvalidConfigurationRequest',
      `Protocol '${protocol}' is not supported for ${lb.type === 'application' ? 'Application' : 'Network'} Load Balancers`,
    );
  }
}

function actionTgs(a: Action): string[] {
  if (a.Type !== 'forward') return [];
  const fc = a.ForwardConfig as { TargetGroups: { TargetGroupArn: string }[] } | undefined;
  return (
    fc?.TargetGroups.map((t) => t.TargetGroupArn) ?? (a.TargetGroupArn ? [a.TargetGroupArn as string] : [])
  );
}

function actionOut(a: Action): unknown {
  const { Type, Order, ...rest } = a;
  return { Type, ...rest, Order };
}

function ruleOut(rule: Rule): unknown {
  return {
    RuleArn: rule.arn,
    Priority: rule.priority === undefined ? 'default' : String(rule.priority),
    Conditions: rule.conditions,
    Actions: rule.actions.map(actionOut),
    IsDefault: rule.priority === undefined,
    Transforms: rule.transforms.length > 0 ? rule.transforms : undefined,
  };
}

function attrs(m: Map<string, string>): { Key: string; Value: string }[] {
  return [...m].map(([Key, Value]) => ({ Key, Value }));
}

function applyAttributes(m: Map<string, string>, raw: QueryValue[], what: string): void {
  if (raw.length === 0) throw validation('At least one attribute must be specified');
  const next = new Map(m);
  for (const a0 of raw) {
    const a = obj(a0) ?? {};
    const key = required(str(a.Key), 'Key');
    if (!m.has(key))
      throw new ElbError('InvalidConfigurationRequest', `Key '${key}' not valid for this ${what}`);
    next.set(key, str(a.Value) ?? '');
  }
  for (const [k, v] of next) m.set(k, v);
}

/** dualstack-without-public-ipv4 exists for internet-facing ALBs only. */
function checkIpAddressType(type: string, scheme: string, t: string): void {
  if (t === 'dualstack-without-public-ipv4' && (type !== 'application' || scheme !== 'internet-facing'))
    throw validation(
      'dualstack-without-public-ipv4 is only supported for internet-facing Application Load Balancers',
    );
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function isCidr(s: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const fam = isIP(m[1]!);
  const bits = Number(m[2]);
  return (fam === 4 && bits <= 32) || (fam === 6 && bits <= 128);
}
