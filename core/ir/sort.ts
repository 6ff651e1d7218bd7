import type { LoadBalancer } from './load-balancer.js';

/**
 * Puts a load balancer in canonical order so that equal intent gives byte-equal output, whatever the
 * order of the inputs. Routes are NOT re-sorted: their order is their precedence.
 */
export function sortLoadBalancer(lb: LoadBalancer): LoadBalancer {
  return {
    ...lb,
    listeners: [...lb.listeners]
      .map((l) => ({
        ...l,
        sources: [...l.sources].sort((a, b) => compareStrings(sourceKey(a), sourceKey(b))),
      }))
      .sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol)),
    pools: [...lb.pools].sort((a, b) => compareStrings(a.id, b.id)),
    ...(lb.buckets && lb.buckets.length > 0
      ? { buckets: [...lb.buckets].sort((a, b) => compareStrings(a.id, b.id)) }
      : {}),
  };
}

export function sortLoadBalancers(lbs: readonly LoadBalancer[]): LoadBalancer[] {
  return lbs.map(sortLoadBalancer).sort((a, b) => compareStrings(a.key, b.key));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sourceKey(s: { kind: string; namespace?: string; name: string; section?: string }): string {
  return `${s.kind}/${s.namespace ?? ''}/${s.name}/${s.section ?? ''}`;
}
