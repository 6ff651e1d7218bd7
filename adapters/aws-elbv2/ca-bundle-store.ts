// Where apply puts a trust store's CA bundle before CreateTrustStore/ModifyTrustStore read it: an S3
// object (s3-ca-bundle-store.ts). An interface, so that the adapter does not load the S3 SDK: only
// load balancers with client validation need it, and the reconcile bundle's cold start should not.

export interface CaBundleStore {
  /** Writes `pem` to s3://bucket/key (idempotent: keys are content-addressed). */
  put(bucket: string, key: string, pem: string, signal: AbortSignal): Promise<void>;
}

/** A store whose implementation is loaded on first use (a dynamic import), once. */
export function lazyCaBundleStore(load: () => Promise<CaBundleStore>): CaBundleStore {
  let loaded: Promise<CaBundleStore> | undefined;
  return {
    async put(bucket, key, pem, signal) {
      loaded ??= load().catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
      await (await loaded).put(bucket, key, pem, signal);
    },
  };
}
