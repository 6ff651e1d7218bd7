import type { IpFamily, LoadBalancer } from '#core/ir/load-balancer.js';
import { type LoadBalancerParameters, PORTICO_GROUP, type ProviderName } from '#core/model/parameters.js';
import type { TranslateContext } from './context.js';

export interface ParametersRef {
  group?: string | undefined;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export type ParametersResult =
  | { ok: true; parameters: LoadBalancerParameters | undefined }
  | { ok: false; message: string };

/** Resolves a reference to a LoadBalancerParameters; no reference at all is fine (defaults apply). */
export function resolveParameters(ctx: TranslateContext, ref: ParametersRef | undefined): ParametersResult {
  if (!ref) return { ok: true, parameters: undefined };
  if ((ref.group ?? '') !== PORTICO_GROUP || ref.kind !== 'LoadBalancerParameters') {
    return {
      ok: false,
      message: `parameters must be a ${PORTICO_GROUP} LoadBalancerParameters, not ${ref.group ?? ''}/${ref.kind}`,
    };
  }
  if (!ref.namespace)
    return {
      ok: false,
      message: `LoadBalancerParameters ${ref.name} is namespaced: the reference needs a namespace`,
    };
  const parameters = ctx.parameters.get(`${ref.namespace}/${ref.name}`);
  const invalid = ctx.invalidParameters.get(`${ref.namespace}/${ref.name}`);
  if (!parameters && invalid !== undefined)
    return {
      ok: false,
      message: `LoadBalancerParameters ${ref.namespace}/${ref.name} is invalid: ${invalid}`,
    };
  if (!parameters)
    return { ok: false, message: `LoadBalancerParameters ${ref.namespace}/${ref.name} not found` };
  return { ok: true, parameters };
}

const SECTION: Record<ProviderName, 'haproxy' | 'awsElbv2' | 'gcpCompute'> = {
  haproxy: 'haproxy',
  'aws-elbv2': 'awsElbv2',
  'gcp-compute': 'gcpCompute',
};

/** The load-balancer-wide settings that come from parameters (the more specific parameters win). */
export function settingsFromParameters(
  ctx: TranslateContext,
  ...layers: (LoadBalancerParameters | undefined)[]
): Pick<LoadBalancer, 'provider' | 'scheme' | 'sourceRanges' | 'providerParameters'> {
  const specs = layers.filter((p): p is LoadBalancerParameters => p !== undefined).map((p) => p.spec);
  const provider = specs.reduce<ProviderName>((acc, s) => s.provider ?? acc, ctx.options.defaultProvider);
  const scheme = specs.reduce<'internet-facing' | 'internal'>((acc, s) => s.scheme ?? acc, 'internet-facing');
  const sourceRanges = specs.reduce<string[]>((acc, s) => s.sourceRanges ?? acc, []);
  const providerParameters: Record<string, unknown> = {};
  for (const s of specs) Object.assign(providerParameters, s[SECTION[provider]] ?? {});
  return { provider, scheme, sourceRanges, providerParameters };
}

/** The IP families the parameters choose (the more specific win); undefined = no choice. */
export function ipFamiliesFromParameters(
  ...layers: (LoadBalancerParameters | undefined)[]
): IpFamily[] | undefined {
  return layers.reduce<IpFamily[] | undefined>((acc, p) => p?.spec.ipFamilies ?? acc, undefined);
}

/** Only a choice other than the default (IPv4 only) is written into the IR. */
export function ipFamiliesField(families: readonly IpFamily[] | undefined): { ipFamilies?: IpFamily[] } {
  return families && !(families.length === 1 && families[0] === 'IPv4') ? { ipFamilies: [...families] } : {};
}
