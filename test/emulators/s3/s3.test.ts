// The S3 emulator through the real SDK: objects round-trip, a missing bucket or key is S3's error.

import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Emulator, startS3Emulator } from './index.js';

let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Emulator({ buckets: ['bundles'] });
  client = createS3Client(s3, { region: 'eu-west-1' });
});

afterAll(async () => {
  client.destroy();
  await s3.close();
});

describe('S3 emulator', () => {
  it('puts, reads, heads and deletes an object under a nested key', async () => {
    const Key = 'portico/ca/abc.pem';
    await client.send(new PutObjectCommand({ Bucket: 'bundles', Key, Body: 'hello\n' }));
    expect(s3.store.get('bundles', Key)?.toString()).toBe('hello\n');
    const got = await client.send(new GetObjectCommand({ Bucket: 'bundles', Key }));
    expect(await got.Body?.transformToString()).toBe('hello\n');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'bundles', Key }));
    expect(head.ContentLength).toBe(6);
    await client.send(new DeleteObjectCommand({ Bucket: 'bundles', Key }));
    await expect(client.send(new GetObjectCommand({ Bucket: 'bundles', Key }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    expect(s3.stats().byAction).toMatchObject({ PutObject: 1, GetObject: 2, HeadObject: 1, DeleteObject: 1 });
  });

  it('refuses a bucket that does not exist', async () => {
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'nope', Key: 'a', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    expect(s3.store.hasBucket('nope')).toBe(false);
  });
});
