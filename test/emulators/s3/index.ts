// A small stateful S3 emulator for tests: PutObject, GetObject, HeadObject and DeleteObject over real
// HTTP with path-style addressing (`/<bucket>/<key>`), used through the real `@aws-sdk/client-s3`:
//
//   const s3 = await startS3Emulator({ buckets: ['ca-bundles'] });
//   const client = createS3Client(s3, { region: 'eu-west-1' });
//   ... s3.store.get('ca-bundles', 'a.pem'), s3.stats().byAction.PutObject ...
//   client.destroy(); await s3.close();
//
// A bucket must exist (`createBucket` or the `buckets` option): S3 answers NoSuchBucket otherwise.
// The ELBv2 emulator reads trust store CA bundles from `store` (its `objects` option).

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { escapeXml } from '../elbv2/protocol.js';
import { type LocalServer, listenLocal } from '../local-server.js';

/** The objects of every bucket; what other emulators read (CreateTrustStore's CA bundle). */
export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, Buffer>>();

  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  /** The object's bytes; undefined when the bucket or the key does not exist. */
  get(bucket: string, key: string): Buffer | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  put(bucket: string, key: string, body: Buffer): void {
    const b = this.buckets.get(bucket);
    if (!b) throw new Error(`no bucket ${bucket}`);
    b.set(key, body);
  }

  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }

  /** The keys of a bucket, sorted (for assertions). */
  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].sort();
  }
}

export interface S3EmulatorOptions {
  /** Buckets that exist from the start. */
  buckets?: string[];
}

export interface S3Stats {
  byAction: Record<string, number>;
}

export interface S3Emulator {
  readonly endpoint: string;
  readonly store: ObjectStore;
  stats(): S3Stats;
  resetStats(): void;
  close(): Promise<void>;
}

const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

function errorXml(code: string, message: string, resource: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>emulator</RequestId></Error>`
  );
}

/** `aws-chunked` bodies (streaming uploads with trailing checksums): the payload without the framing. */
function unchunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export async function startS3Emulator(opts: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const store = new ObjectStore();
  for (const b of opts.buckets ?? []) store.createBucket(b);
  let byAction: Record<string, number> = {};
  const count = (action: string) => {
    byAction[action] = (byAction[action] ?? 0) + 1;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const resource = `/${bucket}/${key}`;
    const reply = (status: number, headers: Record<string, string>, body?: Buffer | string) => {
      res.writeHead(status, { 'x-amz-request-id': 'emulator', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const fail = (status: number, code: string, message: string) =>
      reply(status, { 'content-type': 'application/xml' }, errorXml(code, message, resource));
    if (!(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
      return fail(403, 'AccessDenied', 'Access Denied');
    const action =
      { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[req.method ?? ''] ??
      'Unknown';
    count(action);
    if (action === 'Unknown' || key === '')
      return fail(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (!store.hasBucket(bucket)) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (action === 'PutObject') {
      const streaming = String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
      const body = streaming || req.headers['content-encoding'] === 'aws-chunked' ? unchunk(raw) : raw;
      store.put(bucket, key, body);
      return reply(200, { etag: etag(body) });
    }
    if (action === 'DeleteObject') {
      store.delete(bucket, key);
      return reply(204, {});
    }
    const body = store.get(bucket, key);
    if (!body) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
    return reply(
      200,
      { 'content-type': 'application/octet-stream', 'content-length': String(body.length), etag: etag(body) },
      body,
    );
  };

  const server: LocalServer = await listenLocal((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(errorXml('InternalError', String(err), req.url ?? ''));
    });
  });
  return {
    endpoint: server.endpoint,
    store,
    stats: () => ({ byAction: { ...byAction } }),
    resetStats: () => {
      byAction = {};
    },
    close: () => server.close(),
  };
}

/** The real S3 client pointed at the emulator (path-style, dummy credentials). */
export function createS3Client(target: S3Emulator, opts: { region?: string } = {}): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: opts.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' },
    maxAttempts: 1,
  });
}
