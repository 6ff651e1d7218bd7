import type {
  BackendBucket,
  BackendPool,
  LbKey,
  Listener,
  LoadBalancer,
  SourceRef,
} from '#core/ir/load-balancer.js';
import type { Ingress, IngressClass } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { orderRoutes, type RankedRoute } from '../precedence.js';
import { keepFirstClaims } from './conflicts.js';
import { ingressSource } from './ingress-object.js';
import { routeCandidates } from './routes.js';
import type { Scheme } from './scheme.js';
import { ingressCertificates } from './tls.js';

/** The Ingresses that share one load balancer: one Ingress, or the members of a `portico.dev/group`. */
export interface IngressUnit {
  key: LbKey;
  source: SourceRef;
  /** The class of the oldest member; every member has it. */
  className: string;
  ingressClass: IngressClass | undefined;
  /** Oldest first. */
  members: { ingress: Ingress; scheme: Scheme | undefined }[];
}

/**
 * HTTP on 80, and HTTPS on 443 when some TLS entry resolves to a certificate; both carry the same
 * routes, in the one precedence order. Conflicting claims between members are settled first, so that
 * only the routes kept report their backend problems and contribute pools.
 */
export function buildIngressLoadBalancer(
  ctx: TranslateContext,
  unit: IngressUnit,
  settings: Pick<LoadBalancer, 'provider' | 'scheme' | 'sourceRanges' | 'providerParameters' | 'ipFamilies'>,
): LoadBalancer {
  const ingresses = unit.members.map((m) => m.ingress);
  const candidates = ingresses.flatMap((ingress) => routeCandidates(ctx, ingress));
  const kept = keepFirstClaims(ctx, candidates, 'backend');
  const pools = new Map<string, BackendPool>();
  const buckets = new Map<string, BackendBucket>();
  for (const c of kept) {
    for (const n of c.backend.notices) ctx.notice(n);
    if (c.backend.pool) pools.set(c.backend.pool.id, c.backend.pool);
    if (c.backend.bucket) buckets.set(c.backend.bucket.id, c.backend.bucket);
  }
  const routes = orderRoutes([
    ...kept.map((c) => c.ranked),
    ...defaultBackendPerHost(kept.map((c) => c.ranked)),
  ]);
  const sources = ingresses.map(ingressSource);
  const listeners: Listener[] = [{ id: 'http-80', sources, port: 80, protocol: 'HTTP', routes }];
  const certificates = ingressCertificates(ctx, ingresses);
  if (certificates.length > 0) {
    listeners.push({
      id: 'https-443',
      sources: [...sources],
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificates },
      routes: [...routes],
    });
  }
  return {
    key: unit.key,
    cluster: ctx.options.cluster,
    source: unit.source,
    ...settings,
    requestedAddresses: [],
    listeners,
    pools: [...pools.values()],
    ...(buckets.size > 0 ? { buckets: [...buckets.values()] } : {}),
  };
}

/**
 * Routing picks the request's host first and never falls through to another host's routes, so the
 * default backend, which answers whatever no rule matches, is repeated for each host that has rules.
 */
function defaultBackendPerHost(ranked: readonly RankedRoute[]): RankedRoute[] {
  const fallback = ranked.find((r) => r.fallback && r.route.hostname === undefined);
  if (!fallback) return [];
  const hosts = [
    ...new Set(ranked.flatMap((r) => (r.route.hostname !== undefined ? [r.route.hostname] : []))),
  ];
  return hosts.map((hostname) => ({
    ...fallback,
    route: { ...fallback.route, id: `${fallback.route.id}/host/${hostname}`, hostname },
  }));
}
