import type { Route, SourceRef } from '#core/ir/load-balancer.js';
import type { Ingress, IngressBackend } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import type { RankedRoute } from '../precedence.js';
import { type TranslatedBackend, translateBackend } from './backend.js';
import type { Claim } from './conflicts.js';
import { ingressKey, ingressSource, namespaceOf } from './ingress-object.js';
import { toPathMatch } from './path-match.js';

/** A route one Ingress asks for, before conflicts inside its load balancer are resolved. */
export interface RouteCandidate extends Claim {
  ranked: RankedRoute;
  backend: TranslatedBackend;
}

/** Every rule path, then the default backend, in the Ingress's own order. Invalid paths are reported and skipped. */
export function routeCandidates(ctx: TranslateContext, ingress: Ingress): RouteCandidate[] {
  const ns = namespaceOf(ingress);
  const name = ingress.metadata.name;
  const source = ingressSource(ingress);
  const createdAt = ingress.metadata.creationTimestamp;
  const candidates: RouteCandidate[] = [];

  (ingress.spec.rules ?? []).forEach((rule, i) => {
    // A rule without `http` routes nothing: its host's requests go where the other routes say.
    (rule.http?.paths ?? []).forEach((p, j) => {
      const field = `spec.rules[${i}].http.paths[${j}]`;
      const path = toPathMatch(p);
      if (!path.ok) {
        ctx.notice({
          severity: 'error',
          code: 'InvalidPath',
          source,
          field: `${field}.path`,
          message: `${path.message}; this path is skipped`,
        });
        return;
      }
      if (path.warning) {
        ctx.notice({
          severity: 'warning',
          code: 'ImplementationSpecificPath',
          source,
          field: `${field}.path`,
          message: path.warning,
        });
      }
      const route = makeRoute(
        `ingress/${ns}/${name}/rule/${i}/path/${j}`,
        { ...source, rule: i, match: j },
        rule.host,
        { path: path.path, headers: [], queryParams: [] },
      );
      candidates.push(
        candidate(ctx, ingress, route, p.backend, field, {
          key: `host ${rule.host ?? '*'} path ${path.path.type} ${path.path.value}`,
          describe: `${rule.host ? `host ${rule.host}` : 'any host'}, path ${path.path.type} ${path.path.value}`,
          ranked: { ...(createdAt ? { createdAt } : {}), objectKey: ingressKey(ingress), rule: i, match: j },
        }),
      );
    });
  });

  if (ingress.spec.defaultBackend) {
    const route = makeRoute(`ingress/${ns}/${name}/default-backend`, source, undefined, {
      path: { type: 'Prefix', value: '/' },
      headers: [],
      queryParams: [],
    });
    candidates.push(
      candidate(ctx, ingress, route, ingress.spec.defaultBackend, 'spec.defaultBackend', {
        key: 'default backend',
        describe: 'the default backend',
        // Requests reach the default backend only when no rule matches.
        ranked: { objectKey: ingressKey(ingress), rule: 0, match: 0, fallback: true },
      }),
    );
  }
  return candidates;
}

function makeRoute(
  id: string,
  source: SourceRef,
  host: string | undefined,
  match: Route['match'],
): Omit<Route, 'action'> {
  // Ingress wildcards cover exactly one label (`*.a.com` matches `b.a.com`, not `c.b.a.com`).
  return {
    id,
    source,
    ...(host !== undefined ? { hostname: host } : {}),
    wildcard: 'single-label',
    match,
    filters: [],
  };
}

function candidate(
  ctx: TranslateContext,
  ingress: Ingress,
  route: Omit<Route, 'action'>,
  spec: IngressBackend,
  field: string,
  claim: { key: string; describe: string; ranked: Omit<RankedRoute, 'route'> },
): RouteCandidate {
  const backend = translateBackend(
    ctx,
    ingress,
    spec,
    `${field}${field === 'spec.defaultBackend' ? '' : '.backend'}`,
  );
  const full: Route = { ...route, action: backend.action };
  return {
    ingress,
    key: claim.key,
    identity: backend.identity,
    field,
    describe: claim.describe,
    ranked: { route: full, ...claim.ranked },
    backend,
  };
}
