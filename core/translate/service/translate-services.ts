import type { LoadBalancer } from '#core/ir/load-balancer.js';
import type { TranslateContext } from '../context.js';

export function translateServices(_ctx: TranslateContext): LoadBalancer[] {
  return [];
}
