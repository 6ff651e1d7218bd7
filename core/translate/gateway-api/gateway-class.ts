import type { GatewayClass } from '#core/model/gateway-api.js';
import type { LoadBalancerParameters } from '#core/model/parameters.js';
import { condition } from '#core/status/conditions.js';
import type { TranslateContext } from '../context.js';
import { resolveParameters, settingsFromParameters } from '../parameters.js';

export interface ClassState {
  gatewayClass: GatewayClass;
  accepted: boolean;
  parameters: LoadBalancerParameters | undefined;
  message: string;
}

/**
 * Portico's GatewayClasses (by controllerName), each with its `Accepted` status. A class whose
 * parameters cannot be resolved is not accepted, and neither are its Gateways.
 */
export function translateGatewayClasses(ctx: TranslateContext): Map<string, ClassState> {
  const classes = new Map<string, ClassState>();
  for (const gc of ctx.bundle.gatewayClasses) {
    if (gc.spec.controllerName !== ctx.options.controllerName) continue;
    const params = resolveParameters(ctx, gc.spec.parametersRef);
    const state: ClassState = params.ok
      ? { gatewayClass: gc, accepted: true, parameters: params.parameters, message: 'Accepted by Portico' }
      : { gatewayClass: gc, accepted: false, parameters: undefined, message: params.message };
    classes.set(gc.metadata.name, state);
    const generation = gc.metadata.generation;
    const provider = settingsFromParameters(ctx, state.parameters).provider;
    const features = state.accepted ? ctx.options.supportedFeatures?.[provider] : undefined;
    ctx.statuses.push({
      kind: 'GatewayClass',
      name: gc.metadata.name,
      ...(generation !== undefined ? { generation } : {}),
      loadBalancers: [],
      status: {
        conditions: [
          state.accepted
            ? condition('Accepted', true, 'Accepted', state.message, generation)
            : condition('Accepted', false, 'InvalidParameters', state.message, generation),
        ],
        ...(features ? { supportedFeatures: [...new Set(features)].sort().map((name) => ({ name })) } : {}),
      },
    });
  }
  return classes;
}
