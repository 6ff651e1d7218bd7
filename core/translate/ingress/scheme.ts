import type { LoadBalancer } from '#core/ir/load-balancer.js';
import type { Ingress } from '#core/model/ingress.js';
import type { LoadBalancerParameters } from '#core/model/parameters.js';
import type { TranslateContext } from '../context.js';
import { annotationField, INGRESS_ANNOTATIONS } from './annotations.js';
import { ingressKey, ingressSource } from './ingress-object.js';

export type Scheme = LoadBalancer['scheme'];

export type SchemeAnnotation =
  | { ok: true; scheme: Scheme | undefined }
  | { ok: false; field: string; message: string };

/**
 * `portico.dev/scheme`. An unreadable value stops the Ingress rather than defaulting to
 * internet-facing: a typo in `internal` must not publish a private application.
 */
export function readScheme(ingress: Ingress): SchemeAnnotation {
  const raw = ingress.metadata.annotations?.[INGRESS_ANNOTATIONS.scheme];
  if (raw === undefined) return { ok: true, scheme: undefined };
  const v = raw.trim();
  if (v === 'internet-facing' || v === 'internal') return { ok: true, scheme: v };
  return {
    ok: false,
    field: annotationField(INGRESS_ANNOTATIONS.scheme),
    message: `${INGRESS_ANNOTATIONS.scheme}: ${JSON.stringify(raw.slice(0, 64))} is not "internet-facing" or "internal"; the Ingress is not programmed until it is fixed`,
  };
}

/**
 * One scheme per load balancer. The class parameters (the platform team's choice) win; otherwise the
 * oldest member that asks for a scheme decides, so that an explicit `internal` is never overridden by
 * a newer member's silence. Members asking for something else are told.
 */
export function decideScheme(
  ctx: TranslateContext,
  members: readonly { ingress: Ingress; scheme: Scheme | undefined }[],
  parameters: LoadBalancerParameters | undefined,
): Scheme {
  const fromParameters = parameters?.spec.scheme;
  const decider = members.find((m) => m.scheme !== undefined);
  const scheme = fromParameters ?? decider?.scheme ?? 'internet-facing';
  for (const m of members) {
    if (m.scheme === undefined || m.scheme === scheme) continue;
    ctx.notice({
      severity: 'warning',
      code: fromParameters ? 'AnnotationOverridden' : 'IngressConflict',
      source: ingressSource(m.ingress),
      field: annotationField(INGRESS_ANNOTATIONS.scheme),
      message: fromParameters
        ? `${INGRESS_ANNOTATIONS.scheme} asks for ${m.scheme}, but LoadBalancerParameters ${parameters!.metadata.namespace}/${parameters!.metadata.name} sets scheme ${fromParameters}, which wins`
        : `${INGRESS_ANNOTATIONS.scheme} asks for ${m.scheme}, but the load balancer is shared with Ingress ${ingressKey(decider!.ingress)}, the oldest member that sets a scheme, which asks for ${scheme}; ${scheme} is used`,
    });
  }
  return scheme;
}
