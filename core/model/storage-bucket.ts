import { z } from 'zod';
import { objectMeta } from './meta.js';
import { PORTICO_GROUP } from './parameters.js';

export const STORAGE_BUCKET_KIND = 'StorageBucket';

/** Cloud Storage's bucket naming rules, each with its own message (bucket names are untrusted). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 222) return 'must be 3 to 222 characters';
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name))
    return 'must be lower-case letters, digits, dashes, underscores and dots, starting and ending with a letter or digit';
  if (!name.includes('.') && name.length > 63) return 'a name without dots is at most 63 characters';
  if (name.split('.').some((part) => part.length === 0 || part.length > 63))
    return 'each dot-separated part is 1 to 63 characters';
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('goog')) return 'must not start with "goog"';
  if (/g(?:oo|00|o0|0o)gle/.test(name)) return 'must not contain "google" or a look-alike';
  return undefined;
}

/** A Cloud Storage bucket name, checked before any provider sees it. */
export const bucketName = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a Cloud Storage bucket name: ${problem}` });
});

/**
 * `StorageBucket` (portico.dev/v1alpha1): a Cloud Storage bucket that routes may use as a backend
 * (HTTPRoute backendRefs `{group: portico.dev, kind: StorageBucket}`, Ingress `resource` backends).
 * Providers that cannot serve from a bucket refuse the route on its status; GCP renders a backend
 * bucket. The bucket itself is not Portico's: it is referenced, never created or changed. Unknown
 * spec fields are errors, so a typo never goes unnoticed.
 */
export const storageBucket = z.looseObject({
  apiVersion: z
    .string()
    .refine((v) => v.startsWith(`${PORTICO_GROUP}/`), `must be ${PORTICO_GROUP}/<version>`),
  kind: z.literal(STORAGE_BUCKET_KIND),
  metadata: objectMeta,
  spec: z.strictObject({
    bucketName,
    /** Cloud CDN in front of the bucket (external load balancers only). */
    cdn: z
      .strictObject({
        enabled: z.boolean(),
        cacheMode: z.enum(['CACHE_ALL_STATIC', 'USE_ORIGIN_HEADERS', 'FORCE_CACHE_ALL']).optional(),
      })
      .optional(),
  }),
});
export type StorageBucket = z.infer<typeof storageBucket>;
