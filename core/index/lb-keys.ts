import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { DNS_LABEL, K8S_NAME } from '#core/model/meta.js';
import { isRecord, type ObjectRef } from './object-ref.js';
import { INGRESS_GROUP_ANNOTATION } from './references.js';

/**
 * The load-balancer keys an Ingress version may belong to: its group's when it carries a
 * `portico.dev/group` annotation that is a DNS label, else its own. A group name that is no DNS label
 * is invalid (the translator reports it and may fall back to the Ingress's own key), so both keys
 * are returned, the group's only when it can be a key part at all (a DNS subdomain).
 */
export function ingressKeys(cluster: string, ref: ObjectRef, obj: unknown): LbKey[] {
  const own = lbKey(cluster, 'Ingress', ref.namespace, ref.name);
  const group = ingressGroupOf(obj);
  if (group === undefined) return [own];
  if (group.length <= 63 && DNS_LABEL.test(group)) return [lbKey(cluster, 'IngressGroup', undefined, group)];
  return group.length <= 253 && K8S_NAME.test(group)
    ? [own, lbKey(cluster, 'IngressGroup', undefined, group)]
    : [own];
}

/** The trimmed `portico.dev/group` annotation, when there is a non-empty one. */
export function ingressGroupOf(obj: unknown): string | undefined {
  if (!isRecord(obj) || !isRecord(obj.metadata) || !isRecord(obj.metadata.annotations)) return undefined;
  const group = obj.metadata.annotations[INGRESS_GROUP_ANNOTATION];
  return typeof group === 'string' && group.trim() !== '' ? group.trim() : undefined;
}

/** Whether a Service version asks for a load balancer (whatever its class: over-approximation). */
export function isLoadBalancerService(obj: unknown): boolean {
  return isRecord(obj) && isRecord(obj.spec) && obj.spec.type === 'LoadBalancer';
}

/** Whether an IngressClass version is marked as the cluster default. */
export function isDefaultIngressClass(obj: unknown): boolean {
  if (!isRecord(obj) || !isRecord(obj.metadata) || !isRecord(obj.metadata.annotations)) return false;
  const v = obj.metadata.annotations['ingressclass.kubernetes.io/is-default-class'];
  // Kubernetes compares with "true"; accept any casing (and a stray boolean) to stay on the safe side.
  return v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
}
