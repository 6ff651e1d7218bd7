import type { Ingress } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { compareAge, ingressKey, ingressSource } from './ingress-object.js';

/** Something an Ingress asks for that only one Ingress of a load balancer can have. */
export interface Claim {
  ingress: Ingress;
  /** What is claimed (a host and path match, a TLS host, the default backend). */
  key: string;
  /** What it resolves to; claims with equal identities agree, so the later one is merely redundant. */
  identity: string;
  field: string;
  /** The claimed thing, for messages: `host a.example.com path Prefix /api`. */
  describe: string;
}

/**
 * First claim wins, the Ingress way: the oldest Ingress, then `namespace/name`, then the order inside
 * the Ingress (claims must come in that order per Ingress). A loser with a different identity gets an
 * `IngressConflict` warning naming the winner; the rest of the loser is still programmed.
 */
export function keepFirstClaims<C extends Claim>(
  ctx: TranslateContext,
  claims: readonly C[],
  what: string,
): C[] {
  const winners = new Map<string, C>();
  const kept: C[] = [];
  // Array.prototype.sort is stable, so the order inside each Ingress is kept.
  for (const claim of [...claims].sort((a, b) => compareAge(a.ingress, b.ingress))) {
    const winner = winners.get(claim.key);
    if (!winner) {
      winners.set(claim.key, claim);
      kept.push(claim);
      continue;
    }
    if (winner.identity === claim.identity) continue;
    const by =
      winner.ingress === claim.ingress
        ? `${winner.field} of the same Ingress`
        : `Ingress ${ingressKey(winner.ingress)} (${winner.field}), which ${
            winner.ingress.metadata.creationTimestamp === claim.ingress.metadata.creationTimestamp
              ? 'was created at the same time and comes first by namespace/name'
              : 'is older'
          },`;
    ctx.notice({
      severity: 'warning',
      code: 'IngressConflict',
      source: ingressSource(claim.ingress),
      field: claim.field,
      message: `${claim.describe} is already claimed by ${by} with a different ${what}; this one is ignored`,
    });
  }
  return kept;
}
