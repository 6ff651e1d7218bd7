import type { AnyLoadBalancerAdapter } from '#adapters/types.js';

/**
 * The providers the deployed functions can program, by provider name: aws-elbv2 in the Lambda's own
 * account and region. Loaded when called, so that a function's entry module stays small.
 */
export async function cloudAdapters(region: string): Promise<Record<string, AnyLoadBalancerAdapter>> {
  const [{ ElasticLoadBalancingV2Client }, { createElbv2Adapter }] = await Promise.all([
    import('./elbv2-client.js'),
    import('#adapters/aws-elbv2/adapter.js'),
  ]);
  const elbv2 = createElbv2Adapter({ client: new ElasticLoadBalancingV2Client({ region }), region });
  return { 'aws-elbv2': elbv2 };
}
