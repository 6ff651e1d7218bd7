import { K8S_NAME } from '#core/model/meta.js';
import type { LoadBalancerParameters, ProviderName } from '#core/model/parameters.js';
import type { Service } from '#core/model/service.js';
import type { TranslateContext } from '../context.js';
import { annotationField, SERVICE_ANNOTATIONS } from './annotations.js';
import type { Problem } from './problem.js';

export type ServiceParametersResult =
  | { ok: true; parameters: LoadBalancerParameters | undefined }
  | { ok: false; problem: Problem };

/**
 * The LoadBalancerParameters a Service names in `portico.dev/parameters`, from its own namespace (a
 * Service may not borrow another team's settings). A dangling or contradictory reference stops the
 * Service (its load balancer is held as it was): building it with defaults instead could expose what
 * the parameters meant to keep internal.
 */
export function resolveServiceParameters(
  ctx: TranslateContext,
  service: Service,
  provider: ProviderName,
): ServiceParametersResult {
  const name = service.metadata.annotations?.[SERVICE_ANNOTATIONS.parameters];
  if (name === undefined) return { ok: true, parameters: undefined };
  const field = annotationField(SERVICE_ANNOTATIONS.parameters);
  const fail = (code: string, message: string): ServiceParametersResult => ({
    ok: false,
    problem: { severity: 'error', code, field, message: `${SERVICE_ANNOTATIONS.parameters}: ${message}` },
  });
  if (name.length > 253 || !K8S_NAME.test(name)) {
    return fail('InvalidParametersRef', `${JSON.stringify(name.slice(0, 64))} is not an object name`);
  }
  const namespace = service.metadata.namespace;
  const parameters = ctx.parameters.get(`${namespace}/${name}`);
  if (!parameters) return fail('ParametersNotFound', `LoadBalancerParameters ${namespace}/${name} not found`);
  if (parameters.spec.provider !== provider) {
    return fail(
      'ParametersProviderMismatch',
      `LoadBalancerParameters ${namespace}/${name} is for provider ${parameters.spec.provider}, but the Service's load balancer class selects ${provider}`,
    );
  }
  return { ok: true, parameters };
}
