// IR pool → one target group and its registered targets. The target group's protocol follows the
// load balancer type (ALB: HTTP/HTTPS, gRPC as protocol version; NLB: TCP/UDP/TLS), so the same pool
// behind a UDP and a TCP listener gets two target groups. A target group holds one address family:
// see targetFamily for which one a pool gets.

import type * as ir from '#core/ir/load-balancer.js';
import { ownershipTags } from '#core/naming/index.js';
import { registersEndpoint } from '#core/readiness/awaiting-load-balancer.js';
import type { AdapterNotice } from '../../types.js';
import { ELBV2_LIMITS } from '../capabilities.js';
import {
  CROSS_ZONE_ATTRIBUTE,
  type HealthCheckValue,
  type LoadBalancerIpAddressType,
  TARGET_GROUP_ATTRIBUTE_DEFAULTS,
  type Tags,
  type Target,
  type TargetGroupValue,
  type TargetsValue,
} from '../model.js';
import { targetGroupName } from '../naming.js';
import type { AwsElbv2Parameters } from '../parameters.js';

export interface TargetGroupPlan {
  value: TargetGroupValue;
  targets: TargetsValue;
  notices: AdapterNotice[];
}

type Protocols = Pick<TargetGroupValue, 'protocol' | 'protocolVersion'>;

/** The target group protocol for a pool behind a listener, or a reason it has none. */
export function targetGroupProtocols(
  pool: ir.BackendPool,
  listener: ir.Listener,
): Protocols | { unsupported: string } {
  switch (listener.protocol) {
    case 'UDP':
      return { protocol: 'UDP' };
    case 'TCP':
      return { protocol: 'TCP' };
    case 'TLS':
      // Re-encrypt only when the listener terminates and the pods speak TLS themselves.
      return listener.tls?.mode === 'Terminate' && (pool.protocol === 'TLS' || pool.protocol === 'HTTPS')
        ? { protocol: 'TLS' }
        : { protocol: 'TCP' };
    default:
      if (pool.protocol === 'HTTP') return { protocol: 'HTTP', protocolVersion: 'HTTP1' };
      if (pool.protocol === 'HTTPS') return { protocol: 'HTTPS', protocolVersion: 'HTTP1' };
      if (pool.protocol === 'GRPC')
        return listener.protocol === 'HTTPS'
          ? { protocol: 'HTTP', protocolVersion: 'GRPC' }
          : { unsupported: 'ALB speaks gRPC to targets only behind HTTPS listeners' };
      return { unsupported: `ALB target groups cannot speak ${pool.protocol}` };
  }
}

/**
 * The family of a pool's target group. A dual-stack Service's pods appear once per family (one
 * EndpointSlice each), so one family already reaches every pod: IPv4, unless the pool has IPv6
 * endpoints only and the load balancer is dualstack (ipv6 target groups need one).
 */
export function targetFamily(
  pool: Pick<ir.BackendPool, 'endpoints'>,
  lbIpAddressType: LoadBalancerIpAddressType,
): 'ipv4' | 'ipv6' {
  const v6Only = pool.endpoints.length > 0 && pool.endpoints.every((e) => e.family === 'IPv6');
  return v6Only && lbIpAddressType !== 'ipv4' ? 'ipv6' : 'ipv4';
}

export function planTargetGroup(
  lb: ir.LoadBalancer,
  pool: ir.BackendPool,
  protocols: Protocols,
  params: AwsElbv2Parameters,
  extraTags: Tags,
  lbIpAddressType: LoadBalancerIpAddressType,
): TargetGroupPlan {
  const notices: AdapterNotice[] = [];
  const warn = (
    feature: string,
    field: string,
    message: string,
    code: AdapterNotice['code'] = 'UnsupportedValue',
  ) =>
    notices.push({ severity: 'warning', code, feature, source: pool.source, pool: pool.id, field, message });
  const shape = {
    ...protocols,
    port: pool.servicePort,
    targetType: params.targetType,
    vpcId: params.vpcId,
    ipAddressType: targetFamily(pool, lbIpAddressType),
  };
  const name = targetGroupName(lb, pool, shape);
  const value: TargetGroupValue = {
    name,
    ...shape,
    healthCheck: healthCheck(pool, protocols, warn),
    // PreferClose: each load balancer node sends to the targets in its own zone (AWS fails a zone
    // with no healthy target over to the others through DNS).
    attributes: {
      ...TARGET_GROUP_ATTRIBUTE_DEFAULTS,
      ...(pool.topology === 'PreferClose' ? { [CROSS_ZONE_ATTRIBUTE]: 'false' } : {}),
    },
    pool: pool.id,
    tags: { ...extraTags, ...ownershipTags({ cluster: lb.cluster, lbKey: lb.key, role: 'target-group' }) },
  };

  // Ready and not terminating, or held back only by Portico's readiness gates (registered so the
  // health check can open them) → registered; everything else is deregistered (drained by AWS).
  const family = shape.ipAddressType === 'ipv6' ? 'IPv6' : 'IPv4';
  // Pods already registered by their address of the target group's family.
  const podKey = (p: ir.PodRef) => `${p.namespace}/${p.name}`;
  const reached = new Set(
    pool.endpoints.flatMap((e) => (e.family === family && e.pod ? [podKey(e.pod)] : [])),
  );
  let targets: Target[] = [];
  let skipped = 0;
  for (const e of pool.endpoints) {
    if (!registersEndpoint(e)) continue;
    if (e.family !== family) {
      if (!e.pod || !reached.has(podKey(e.pod))) skipped++;
      continue;
    }
    targets.push({ id: e.address, port: e.port });
  }
  targets = dedupe(targets.sort(compareTargets));
  if (skipped > 0)
    warn(
      'pool/endpoints/IPv6',
      'endpoints',
      lbIpAddressType === 'ipv4'
        ? `${skipped} IPv6 endpoints left out: IPv6 targets need a dualstack load balancer`
        : `${skipped} IPv6 endpoints of pods without an IPv4 endpoint left out: a target group holds one family, ` +
            'and this pool has IPv4 endpoints',
    );
  if (targets.length > ELBV2_LIMITS.targetsPerTargetGroup) {
    warn(
      'target-group/targets',
      'endpoints',
      `${targets.length} targets; a target group holds ${ELBV2_LIMITS.targetsPerTargetGroup}, the rest are left out`,
      'LimitExceeded',
    );
    targets = targets.slice(0, ELBV2_LIMITS.targetsPerTargetGroup);
  }
  return { value, targets: { targetGroup: name, targets }, notices };
}

/** Targets by address, then port: the order render and observe both list them in. */
export function compareTargets(a: Target, b: Target): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : a.port - b.port;
}

function dedupe(targets: Target[]): Target[] {
  return targets.filter((t, i) => i === 0 || compareTargets(t, targets[i - 1]!) !== 0);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function healthCheck(
  pool: ir.BackendPool,
  tg: Protocols,
  warn: (feature: string, field: string, message: string) => void,
): HealthCheckValue {
  const hc = pool.healthCheck;
  const alb = tg.protocol === 'HTTP' || tg.protocol === 'HTTPS';
  let protocol: HealthCheckValue['protocol'];
  if (hc.protocol === 'HTTP' || hc.protocol === 'HTTPS') protocol = hc.protocol;
  else if (!alb) protocol = 'TCP';
  else if (tg.protocolVersion === 'GRPC') protocol = tg.protocol as 'HTTP' | 'HTTPS';
  else {
    // ALB has no TCP health check: the nearest is "answers HTTP at all".
    warn(
      'health-check/protocol/TCP',
      'healthCheck.protocol',
      'ALB cannot check TCP; checking HTTP / for 200-499',
    );
    protocol = tg.protocol as 'HTTP' | 'HTTPS';
  }
  const interval = clamp(hc.intervalSeconds, 5, 300);
  // ALB needs the timeout below the interval.
  const timeout = clamp(hc.timeoutSeconds, 2, Math.min(120, alb ? interval - 1 : 120));
  const healthy = clamp(hc.healthyThreshold, 2, 10);
  const unhealthy = clamp(hc.unhealthyThreshold, 2, 10);
  if (
    interval !== hc.intervalSeconds ||
    timeout !== hc.timeoutSeconds ||
    healthy !== hc.healthyThreshold ||
    unhealthy !== hc.unhealthyThreshold
  )
    warn('health-check/range', 'healthCheck', 'health check timing outside ELBv2 ranges; clamped');
  const out: HealthCheckValue = {
    protocol,
    port: hc.port !== undefined ? String(hc.port) : 'traffic-port',
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    healthyThresholdCount: healthy,
    unhealthyThresholdCount: unhealthy,
  };
  if (protocol === 'TCP') return out;
  if (tg.protocolVersion === 'GRPC')
    return {
      ...out,
      path: hc.path ?? '/AWS.ALB/healthcheck',
      matcher: { grpcCode: hc.expectedStatuses ?? '12' },
    };
  const tcpFallback = hc.protocol !== 'HTTP' && hc.protocol !== 'HTTPS';
  return {
    ...out,
    path: tcpFallback ? '/' : (hc.path ?? '/'),
    matcher: { httpCode: tcpFallback ? '200-499' : (hc.expectedStatuses ?? '200-399') },
  };
}
