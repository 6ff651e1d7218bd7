import type { LbKey } from '#core/ir/load-balancer.js';
import type { Ingress } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { namespaceOf } from './ingress-object.js';

/**
 * Every Ingress of Portico's gets a status. Its addresses come from the load balancers listed, once
 * the adapter has programmed them; an Ingress left out of every load balancer lists none, which clears
 * addresses it no longer answers on.
 */
export function pushIngressStatus(ctx: TranslateContext, ingress: Ingress, loadBalancers: LbKey[]): void {
  const generation = ingress.metadata.generation;
  ctx.statuses.push({
    kind: 'Ingress',
    namespace: namespaceOf(ingress),
    name: ingress.metadata.name,
    ...(generation !== undefined ? { generation } : {}),
    loadBalancers,
    status: { loadBalancer: {} },
  });
}
