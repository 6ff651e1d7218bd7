// The CA bundle store over S3: one PutObject per bundle. Imported dynamically (ca-bundle-store.ts).

import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { throwIfAborted } from '../types.js';
import type { CaBundleStore } from './ca-bundle-store.js';
import { mapError } from './internal/sdk.js';

export function s3CaBundleStore(client: S3Client): CaBundleStore {
  return {
    async put(bucket, key, pem, signal) {
      throwIfAborted(signal);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: pem,
            ContentType: 'application/x-pem-file',
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        throw mapError(err, signal, `s3://${bucket}/${key}`);
      }
    },
  };
}
