import { describe, expect, it } from 'vitest';
import { readObjects } from '#core/model/read-objects.js';
import { bucketNameProblem } from '#core/model/storage-bucket.js';

const bucket = (spec: unknown) => ({
  apiVersion: 'portico.dev/v1alpha1',
  kind: 'StorageBucket',
  metadata: { name: 'assets', namespace: 'shop' },
  spec,
});

describe('StorageBucket', () => {
  it('accepts Cloud Storage bucket names, dotted ones included', () => {
    for (const name of [
      'abc',
      'shop-static_assets',
      'a'.repeat(63),
      'media.example.com',
      `${'a'.repeat(63)}.b`,
    ])
      expect(bucketNameProblem(name), name).toBeUndefined();
  });

  it.each([
    ['ab', 'must be 3 to 222 characters'],
    ['a'.repeat(64), 'a name without dots is at most 63 characters'],
    [`${'a'.repeat(64)}.com`, 'each dot-separated part is 1 to 63 characters'],
    ['a..b', 'each dot-separated part is 1 to 63 characters'],
    ['Upper', 'must be lower-case letters'],
    ['-abc', 'must be lower-case letters'],
    ['abc-', 'must be lower-case letters'],
    ['a b c', 'must be lower-case letters'],
    ['192.168.5.4', 'must not look like an IP address'],
    ['goog-assets', 'must not start with "goog"'],
    ['my-g00gle-files', 'must not contain "google"'],
  ])('refuses %j: %s', (name, problem) => {
    expect(bucketNameProblem(name)).toContain(problem);
  });

  it('reads a valid object; rejects unknown spec fields and bad names with the field at fault', () => {
    const ok = readObjects([
      bucket({ bucketName: 'shop-assets', cdn: { enabled: true, cacheMode: 'FORCE_CACHE_ALL' } }),
    ]);
    expect(ok.rejected).toEqual([]);
    expect(ok.bundle.storageBuckets.map((b) => b.spec.bucketName)).toEqual(['shop-assets']);

    const r = readObjects([
      bucket({ bucketName: 'shop-assets', cdnn: { enabled: true } }),
      bucket({ bucketName: 'Shop' }),
      bucket({ bucketName: 'shop-assets', cdn: { enabled: true, cacheMode: 'SOMETIMES' } }),
      bucket({}),
    ]);
    expect(r.rejected.map((x) => `${x.field}: ${x.message}`)).toEqual([
      'spec: Unrecognized key: "cdnn"',
      'spec.bucketName: not a Cloud Storage bucket name: must be lower-case letters, digits, dashes, underscores and dots, starting and ending with a letter or digit',
      expect.stringMatching(/^spec\.cdn\.cacheMode: /),
      expect.stringMatching(/^spec\.bucketName: /),
    ]);
  });
});
