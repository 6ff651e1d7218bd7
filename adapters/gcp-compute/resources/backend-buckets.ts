// Backend buckets: a Cloud Storage bucket as a URL map's backend (global only). Replaced whole with
// `update` (PUT; backend buckets have no fingerprint).

import { pick, toApi } from '../internal/api-values.js';
import type { ApplyContext, UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import type { BackendBucketValue } from '../model.js';

export function backendBucketFromApi(api: Json): BackendBucketValue {
  const v = pick(api, ['name', 'description', 'bucketName', 'enableCdn', 'fingerprint']);
  const cacheMode = (pick(api, ['cdnPolicy']).cdnPolicy as { cacheMode?: string } | undefined)?.cacheMode;
  return {
    ...(v as unknown as BackendBucketValue),
    enableCdn: v.enableCdn === true,
    ...(v.enableCdn === true && cacheMode
      ? { cdnPolicy: { cacheMode: cacheMode as NonNullable<BackendBucketValue['cdnPolicy']>['cacheMode'] } }
      : {}),
  };
}

export async function updateBackendBucket(ac: ApplyContext, c: UpdateOf<'backend-bucket'>): Promise<void> {
  await mutateResource(ac.calls, 'backend-bucket', c.after.name, {}, 'update', {
    backendBucketResource: toApi(c.after),
  });
}
