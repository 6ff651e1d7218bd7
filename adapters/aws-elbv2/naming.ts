// Deterministic ELBv2 names. Every field whose change forces a replacement is hashed into the name,
// so the replacement gets a new name and can be created before the old one is deleted (names are
// unique per account and region).

import type * as ir from '#core/ir/load-balancer.js';
import { elbv2Name, stableHash } from '#core/naming/index.js';
import type { LoadBalancerValue, TargetGroupValue } from './model.js';

export function loadBalancerName(lb: ir.LoadBalancer, type: LoadBalancerValue['type']): string {
  return elbv2Name([lb.source.namespace ?? '', lb.source.name], {
    hidden: [lb.cluster, lb.key, type, lb.scheme],
  });
}

export function targetGroupName(
  lb: ir.LoadBalancer,
  pool: ir.BackendPool,
  tg: Pick<
    TargetGroupValue,
    'protocol' | 'protocolVersion' | 'port' | 'targetType' | 'vpcId' | 'ipAddressType'
  >,
): string {
  return elbv2Name([pool.source.name, String(pool.servicePort)], {
    hidden: [
      lb.cluster,
      lb.key,
      pool.id,
      tg.protocol,
      tg.protocolVersion ?? '',
      String(tg.port),
      tg.targetType,
      tg.vpcId,
      tg.ipAddressType,
    ],
  });
}

/**
 * One trust store per listener with client validation: its CA bundle may change (ModifyTrustStore) but
 * its name does not, so the listener keeps pointing at it.
 */
export function trustStoreName(lb: ir.LoadBalancer, port: number): string {
  return elbv2Name([lb.source.namespace ?? '', lb.source.name, String(port)], {
    hidden: [lb.cluster, lb.key, 'trust-store', String(port)],
  });
}

/** A rule's identity: its conditions and actions, whatever its priority. */
export function ruleContentId(
  conditions: unknown,
  actions: unknown,
  transforms: readonly unknown[] = [],
): string {
  // Without transforms the hash is the one rules had before transforms existed.
  return stableHash({ conditions, actions, ...(transforms.length > 0 ? { transforms } : {}) }, 16);
}
