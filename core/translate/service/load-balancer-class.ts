import { PROVIDERS, type ProviderName } from '#core/model/parameters.js';
import type { Service } from '#core/model/service.js';
import type { TranslateOptions } from '../options.js';
import type { Problem } from './problem.js';

export type Ownership =
  | { ours: false }
  | { ours: true; provider: ProviderName }
  /** Ours (the class carries our prefix) but unusable. */
  | { ours: true; problem: Problem };

/**
 * Whether a Service is Portico's to program, and with which provider. `spec.loadBalancerClass` is
 * `<prefix><provider>`, e.g. `portico.dev/aws-elbv2`; a Service with no class is ours only when the
 * operator chose a default provider (otherwise it belongs to the cluster's cloud provider). Any other
 * class belongs to another controller and is left alone.
 */
export function serviceOwnership(service: Service, options: TranslateOptions): Ownership {
  if (service.spec.type !== 'LoadBalancer') return { ours: false };
  const cls = service.spec.loadBalancerClass;
  if (cls === undefined || cls === '') {
    return options.defaultServiceProvider
      ? { ours: true, provider: options.defaultServiceProvider }
      : { ours: false };
  }
  if (!cls.startsWith(options.loadBalancerClassPrefix)) return { ours: false };
  const provider = cls.slice(options.loadBalancerClassPrefix.length);
  if (isProvider(provider)) return { ours: true, provider };
  return {
    ours: true,
    problem: {
      severity: 'error',
      code: 'UnsupportedProvider',
      field: 'spec.loadBalancerClass',
      message: `spec.loadBalancerClass: "${cls}" names no Portico provider; use ${PROVIDERS.map((p) => `"${options.loadBalancerClassPrefix}${p}"`).join(', ')}`,
    },
  };
}

function isProvider(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}
