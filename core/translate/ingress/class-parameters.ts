import type { IngressClass } from '#core/model/ingress.js';
import { type LoadBalancerParameters, PORTICO_GROUP } from '#core/model/parameters.js';
import type { TranslateContext } from '../context.js';
import { resolveParameters } from '../parameters.js';

export type ClassParameters =
  | { ok: true; parameters: LoadBalancerParameters | undefined }
  | { ok: false; message: string };

/**
 * The LoadBalancerParameters named by an IngressClass `spec.parameters`. LoadBalancerParameters are
 * namespaced, so only `scope: Namespace` can name one. `scope: Cluster` (also the API's default) is
 * refused rather than guessed: reading it from the Ingress's namespace would let each tenant redefine
 * the platform's class, and the controller's own namespace is deployment knowledge the core has not.
 */
export function resolveClassParameters(
  ctx: TranslateContext,
  ingressClass: IngressClass | undefined,
): ClassParameters {
  const ref = ingressClass?.spec.parameters;
  if (!ref) return { ok: true, parameters: undefined };
  if (ref.apiGroup !== PORTICO_GROUP || ref.kind !== 'LoadBalancerParameters') {
    return {
      ok: false,
      message: `spec.parameters must name a ${PORTICO_GROUP} LoadBalancerParameters, not ${ref.apiGroup ?? '(core)'}/${ref.kind}`,
    };
  }
  // The API server defaults scope to Cluster and then refuses a namespace; a namespace without a
  // scope can only come from a hand-made bundle, and it says what it means.
  const scope = ref.scope ?? (ref.namespace ? 'Namespace' : 'Cluster');
  if (scope === 'Cluster') {
    return {
      ok: false,
      message: `spec.parameters: LoadBalancerParameters are namespaced; use scope: Namespace and a namespace instead of scope: Cluster`,
    };
  }
  if (!ref.namespace) return { ok: false, message: 'spec.parameters: scope Namespace needs a namespace' };
  const resolved = resolveParameters(ctx, {
    group: ref.apiGroup,
    kind: ref.kind,
    name: ref.name,
    namespace: ref.namespace,
  });
  return resolved.ok ? resolved : { ok: false, message: `spec.parameters: ${resolved.message}` };
}
