import type { LoadBalancer } from '#core/ir/load-balancer.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import type { TranslateContext } from '../context.js';

export function translateGatewayApi(
  _ctx: TranslateContext,
  _rejected: readonly RejectedObject[],
): LoadBalancer[] {
  return [];
}
