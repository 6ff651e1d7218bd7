import type { SourceRef } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import type { Ingress } from '#core/model/ingress.js';

// Small facts about one Ingress that every step needs.

/** readObjects() defaults the namespace, so it is always there; the fallback only satisfies the type. */
export function namespaceOf(ingress: Ingress): string {
  return ingress.metadata.namespace ?? 'default';
}

/** `namespace/name`. */
export function ingressKey(ingress: Ingress): string {
  return `${namespaceOf(ingress)}/${ingress.metadata.name}`;
}

export function ingressSource(ingress: Ingress): SourceRef {
  return { kind: 'Ingress', namespace: namespaceOf(ingress), name: ingress.metadata.name };
}

/**
 * Oldest first, then `namespace/name`: who leads a group and who wins a conflict. An absent
 * creationTimestamp counts as the newest, as in precedence.ts; RFC 3339 UTC strings order lexically.
 */
export function compareAge(a: Ingress, b: Ingress): number {
  const ca = a.metadata.creationTimestamp;
  const cb = b.metadata.creationTimestamp;
  if (ca !== cb) {
    if (ca === undefined) return 1;
    if (cb === undefined) return -1;
    const byTime = compareStrings(ca, cb);
    if (byTime !== 0) return byTime;
  }
  return compareStrings(ingressKey(a), ingressKey(b));
}
