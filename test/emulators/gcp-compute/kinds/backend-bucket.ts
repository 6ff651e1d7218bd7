// Backend buckets (global): a Cloud Storage bucket name in GCS's format, optional CDN.

import { invalid, tooLarge } from '../errors.js';
import { list, obj, requiredStr } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

export function prepareBackendBucket(body: Json, ctx: KindContext): Json {
  const bb = structuredClone(body);
  const bucket = requiredStr('resource.bucketName', bb.bucketName, { max: 222 });
  if (!BUCKET.test(bucket))
    throw invalid('resource.bucketName', `'${bucket}' is not a Cloud Storage bucket name`);
  obj('resource.cdnPolicy', bb.cdnPolicy);
  if (
    list('resource.customResponseHeaders', bb.customResponseHeaders).length >
    ctx.limits.customHeadersPerBackendService
  )
    throw tooLarge(
      'resource.customResponseHeaders',
      `at most ${ctx.limits.customHeadersPerBackendService} custom headers`,
    );
  return { ...bb, enableCdn: bb.enableCdn === true };
}
