import type { AnyLoadBalancerAdapter } from '#adapters/types.js';

/**
 * The providers the deployed functions can program, by provider name (from adapters/registry.ts):
 * aws-elbv2 in the Lambda's own account and region. Loaded when called, so that a function's entry
 * module stays small; the registry loads only the adapters asked for.
 */
export async function cloudAdapters(region: string): Promise<Record<string, AnyLoadBalancerAdapter>> {
  const [{ ElasticLoadBalancingV2Client }, { PROVIDERS }] = await Promise.all([
    import('./elbv2-client.js'),
    import('#adapters/registry.js'),
  ]);
  const elbv2 = PROVIDERS['aws-elbv2'];
  return {
    [elbv2.name]: await elbv2.create({ client: new ElasticLoadBalancingV2Client({ region }), region }),
  };
}
