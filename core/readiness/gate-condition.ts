import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { stableHash } from '#core/naming/hash.js';

/** The prefix of every readiness gate Portico answers; nothing else of a Pod's conditions is its own. */
export const READINESS_GATE_PREFIX = 'portico.dev/lb-';

/**
 * The Pod condition type of one load balancer's readiness gate: `portico.dev/lb-<hash>`, 16 base32
 * characters of the key without its cluster (80 bits; 31 characters in all, far within the 316 a
 * condition type may have). The cluster is left out so that the functions and `portico dev`, which
 * may name the same cluster differently, gate a pod on the same condition.
 */
export function readinessGateType(key: LbKey): string {
  const parsed = parseLbKey(key);
  if (!parsed) throw new RangeError(`${JSON.stringify(key)} is not a load-balancer key`);
  return `${READINESS_GATE_PREFIX}${stableHash([parsed.kind, parsed.namespace ?? '', parsed.name], 16)}`;
}

/** Whether a condition type is one of Portico's readiness gates (as readinessGateType writes them). */
export function isReadinessGateType(type: string): boolean {
  return /^portico\.dev\/lb-[a-z2-7]{16}$/.test(type);
}
