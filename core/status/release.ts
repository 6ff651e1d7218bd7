import { isRouteKind } from '#core/index/references.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { ObjectStatus, StatusRelease } from './types.js';

/**
 * What to withdraw once Portico no longer writes `withdrawn` (the status it last wrote for the
 * object), or undefined when nothing of it is Portico's to withdraw.
 *
 * With `key` (the reconcile of one load balancer stopped writing the object): a route loses
 * Portico's parent entries for the key's Gateway; a Gateway, Ingress or Service loses Portico's
 * status only if it is programmed by that key. A status every load balancer writes (GatewayClass,
 * objects attached to none) is not withdrawn by one of them: another may still write it.
 * Without `key` (a whole translation no longer covers the object): everything Portico wrote.
 */
export function releaseOf(withdrawn: ObjectStatus, key?: LbKey): StatusRelease | undefined {
  const id = {
    kind: withdrawn.kind,
    ...(withdrawn.namespace !== undefined ? { namespace: withdrawn.namespace } : {}),
    name: withdrawn.name,
  };
  if (isRouteKind(withdrawn.kind)) {
    const gateway = key === undefined ? undefined : parseLbKey(key);
    if (gateway?.kind !== 'Gateway' || gateway.namespace === undefined) return undefined;
    return { ...id, parent: { namespace: gateway.namespace, name: gateway.name } };
  }
  if (withdrawn.kind === 'BackendTLSPolicy') {
    // One load balancer releases its Gateway's ancestor entry; a whole translation releases them all.
    if (key === undefined) return id;
    const gateway = parseLbKey(key);
    if (gateway?.kind !== 'Gateway' || gateway.namespace === undefined) return undefined;
    return { ...id, parent: { namespace: gateway.namespace, name: gateway.name } };
  }
  if (key !== undefined && !withdrawn.loadBalancers.includes(key)) return undefined;
  switch (withdrawn.kind) {
    case 'GatewayClass':
    case 'Gateway':
      return { ...id, ...(withdrawn.generation !== undefined ? { generation: withdrawn.generation } : {}) };
    case 'Ingress':
    case 'Service': {
      const ingress = (withdrawn.status.loadBalancer.ingress ?? []).map((i) => ({
        ...(i.ip !== undefined ? { ip: i.ip } : {}),
        ...(i.hostname !== undefined ? { hostname: i.hostname } : {}),
      }));
      return ingress.length > 0 ? { ...id, ingress } : undefined;
    }
    default:
      return undefined;
  }
}
