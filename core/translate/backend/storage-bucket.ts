import type { BackendBucket } from '#core/ir/load-balancer.js';
import { PORTICO_GROUP } from '#core/model/parameters.js';
import { STORAGE_BUCKET_KIND } from '#core/model/storage-bucket.js';
import type { TranslateContext } from '../context.js';

export type BucketResult =
  | { ok: true; bucket: BackendBucket }
  | { ok: false; reason: 'BackendNotFound'; message: string };

/** Whether a reference (group, kind) names Portico's StorageBucket kind. */
export function isStorageBucketRef(group: string | undefined, kind: string | undefined): boolean {
  return group === PORTICO_GROUP && kind === STORAGE_BUCKET_KIND;
}

/**
 * A StorageBucket as an IR bucket backend. A missing bucket and one that failed its schema (its
 * field and message are kept) both leave the reference unresolved: `BackendNotFound`.
 */
export function resolveStorageBucket(
  ctx: TranslateContext,
  ref: { namespace: string; name: string },
): BucketResult {
  const id = `${ref.namespace}/${ref.name}`;
  const invalid = ctx.invalidStorageBuckets.get(id);
  if (invalid !== undefined)
    return { ok: false, reason: 'BackendNotFound', message: `StorageBucket ${id} is invalid (${invalid})` };
  const bucket = ctx.storageBuckets.get(id);
  if (!bucket) return { ok: false, reason: 'BackendNotFound', message: `StorageBucket ${id} not found` };
  const cdn = bucket.spec.cdn;
  return {
    ok: true,
    bucket: {
      id,
      source: { kind: STORAGE_BUCKET_KIND, namespace: ref.namespace, name: ref.name },
      bucketName: bucket.spec.bucketName,
      ...(cdn?.enabled ? { cdn: { cacheMode: cdn.cacheMode ?? 'CACHE_ALL_STATIC' } } : {}),
    },
  };
}
