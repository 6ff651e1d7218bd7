import { lazyCaBundleStore } from '#adapters/aws-elbv2/ca-bundle-store.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import { type Env, regionOf } from './env.js';

/**
 * The providers the deployed functions can program, by provider name: aws-elbv2 in the Lambda's own
 * account and region; gcp-compute when `PORTICO_GCP_CONFIG_PARAMETER` names its SSM config
 * (gcp-adapter.ts). Loaded when called, so that a function's entry module stays small. Each
 * descriptor is imported from its own folder, not through adapters/registry.ts: the registry lists
 * gcp-compute, whose adapter loads google-gax, and the GCP wiring's import below must stay the one
 * way in to GCP code (test/integration/serverless/package.test.ts walks the bundles to check it).
 */
export async function cloudAdapters(env: Env): Promise<Record<string, AnyLoadBalancerAdapter>> {
  const region = regionOf(env);
  const [{ ElasticLoadBalancingV2Client }, { awsElbv2: elbv2 }] = await Promise.all([
    import('./elbv2-client.js'),
    import('#adapters/aws-elbv2/index.js'),
  ]);
  const adapters: Record<string, AnyLoadBalancerAdapter> = {
    [elbv2.name]: await elbv2.create({
      client: new ElasticLoadBalancingV2Client({ region }),
      region,
      // ALB mutual TLS: the S3 SDK is loaded on the first CA bundle upload, not with the function.
      caBundles: lazyCaBundleStore(async () => {
        const [{ S3Client }, { s3CaBundleStore }] = await Promise.all([
          import('./s3-client.js'),
          import('#adapters/aws-elbv2/s3-ca-bundle-store.js'),
        ]);
        return s3CaBundleStore(new S3Client({ region }));
      }),
    }),
  };
  const gcpParameter = env.PORTICO_GCP_CONFIG_PARAMETER;
  if (gcpParameter) {
    const { gcpAdapterFromSsm } = await import('./gcp-adapter.js');
    const gcp = await gcpAdapterFromSsm(env, gcpParameter);
    adapters[gcp.name] = gcp;
  }
  return adapters;
}
