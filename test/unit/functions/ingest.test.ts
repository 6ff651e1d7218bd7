import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { signRequest } from '#events/signature.js';
import { createIngestHandler, type IngestDependencies } from '#functions/ingest/handler.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import type { HttpContext, HttpEvent } from '#functions/shared/http-context.js';
import { MemoryReplayCache } from '#functions/shared/replay-cache.js';
import { createJsonLogger } from '#logging/logger.js';

const SECRET = 'prod-eu-1-signing-secret-0123456789abcdef';
const TOKEN = 'knative-lab-token-0123456789abcdef-xyz';
const NOW = 1_795_683_602;
const BATCH = 'application/cloudevents-batch+json';
const STRUCTURED = 'application/cloudevents+json';

const context = (): HttpContext => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'portico-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:portico-ingest',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/portico-ingest',
  logStreamName: '2026/11/20/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

/** A real HTTP API (payload v2) event from the fixture, with this body and these headers. */
function request(
  body: string,
  headers: Record<string, string>,
  overrides: Partial<HttpEvent> = {},
): HttpEvent {
  const event = loadFixture<HttpEvent>('apigw-v2-request');
  event.headers = { ...event.headers, 'content-length': String(Buffer.byteLength(body)), ...headers };
  event.body = body;
  return { ...event, ...overrides };
}
const signed = (body: string, contentType = BATCH, at = NOW): Record<string, string> => ({
  'content-type': contentType,
  'x-portico-signature': signRequest(SECRET, at, body),
});

let queue: MemoryQueue;
let logs: string[];
let handler: ReturnType<typeof createIngestHandler>;
const deps = (extra: Partial<IngestDependencies> = {}): IngestDependencies => ({
  queue,
  signingKeys: [{ cluster: 'prod-eu-1', secret: SECRET }],
  bearerTokens: [{ cluster: 'lab', token: TOKEN }],
  replayCache: new MemoryReplayCache({ now: () => NOW }),
  now: () => NOW,
  logger: createJsonLogger({ service: 'ingest', write: (line) => logs.push(line) }),
  ...extra,
});

async function invoke(event: HttpEvent) {
  const res = await handler(event, context());
  return { status: res.statusCode ?? 0, body: JSON.parse(res.body ?? 'null') };
}

beforeEach(() => {
  queue = new MemoryQueue();
  logs = [];
  handler = createIngestHandler(deps());
});

const batch = JSON.stringify(loadFixture('portico-batch'));

describe('ingest: accepted', () => {
  it('enqueues a signed Portico batch, one message per event, and answers 202 with counts', async () => {
    const res = await invoke(request(batch, signed(batch)));
    expect(res).toEqual({ status: 202, body: { accepted: 4, resourceEvents: 2, snapshotMarkers: 2 } });
    expect(queue.messages.map((m) => m.groupId)).toEqual([
      'prod-eu-1/Gateway/~snapshot',
      'prod-eu-1/Gateway/default/web',
      'prod-eu-1/Gateway/default/internal',
      'prod-eu-1/Gateway/~snapshot',
    ]);
    expect(new Set(queue.messages.map((m) => m.dedupId)).size).toBe(4);
    const first = JSON.parse(queue.messages[1]!.body);
    expect(first).toMatchObject({
      specversion: '1.0',
      cluster: 'prod-eu-1',
      kind: 'Gateway',
      resourceversion: '18213',
    });
  });

  it('verifies the signature over the decoded bytes of a base64 body', async () => {
    const res = await invoke(
      request(Buffer.from(batch).toString('base64'), signed(batch), { isBase64Encoded: true }),
    );
    expect(res.status).toBe(202);
    expect(queue.messages).toHaveLength(4);
  });

  it('accepts Knative ApiServerSource binary-mode events with the bearer token, for the token’s cluster', async () => {
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-gatewayclass',
    );
    const json = JSON.stringify(body);
    const res = await invoke(request(json, { ...headers, authorization: `Bearer ${TOKEN}` }));
    expect(res).toEqual({ status: 202, body: { accepted: 1, resourceEvents: 1, snapshotMarkers: 0 } });
    expect(queue.messages[0]).toMatchObject({ groupId: 'lab/GatewayClass/portico-haproxy' });
    expect(JSON.parse(queue.messages[0]!.body).cluster).toBe('lab');
  });

  it('accepts a Knative structured event with the bearer token', async () => {
    const body = JSON.stringify(loadFixture('knative-update-httproute'));
    const res = await invoke(request(body, { 'content-type': STRUCTURED, authorization: `Bearer ${TOKEN}` }));
    expect(res.status).toBe(202);
  });

  it('enqueues the same change once when it is sent twice (dedup id)', async () => {
    await invoke(request(batch, signed(batch, BATCH, NOW)));
    const res = await invoke(request(batch, signed(batch, BATCH, NOW - 1)));
    expect(res.status).toBe(202);
    expect(queue.messages).toHaveLength(4);
  });

  it('logs structured JSON without secrets or bodies', async () => {
    await invoke(request(batch, signed(batch)));
    await invoke(
      request('{}', { 'content-type': STRUCTURED, authorization: 'Bearer wrong-token-wrong-token-wrong' }),
    );
    const lines = logs.map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'accepted',
      service: 'ingest',
      cluster: 'prod-eu-1',
      auth: 'hmac',
      mode: 'batch',
    });
    expect(lines[1]).toMatchObject({ level: 'warn', status: 401, reason: 'InvalidToken' });
    const all = logs.join('\n');
    for (const secret of [SECRET, TOKEN, 'wrong-token', '18213', 'shop.example.com'])
      expect(all).not.toContain(secret);
  });
});

describe('ingest: refused, nothing enqueued', () => {
  const expectRefused = async (event: HttpEvent, status: number, reason: string) => {
    const res = await invoke(event);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ status, reason });
    expect(typeof res.body.error.message).toBe('string');
    expect(queue.messages).toEqual([]);
    return res.body.error;
  };

  it('401 MissingCredentials without signature or token', async () => {
    await expectRefused(request(batch, { 'content-type': BATCH }), 401, 'MissingCredentials');
  });

  it('401 InvalidSignature for a tampered body', async () => {
    const tampered = batch.replace('"count":2', '"count":3');
    await expectRefused(request(tampered, signed(batch)), 401, 'InvalidSignature');
  });

  it('401 InvalidSignature for a signature by an unknown secret', async () => {
    const headers = { 'content-type': BATCH, 'x-portico-signature': signRequest('x'.repeat(40), NOW, batch) };
    await expectRefused(request(batch, headers), 401, 'InvalidSignature');
  });

  it('401 StaleTimestamp outside the 300 s window', async () => {
    await expectRefused(request(batch, signed(batch, BATCH, NOW - 301)), 401, 'StaleTimestamp');
  });

  it('403 ReplayedRequest when a signed request is sent again', async () => {
    const headers = signed(batch);
    expect((await invoke(request(batch, headers))).status).toBe(202);
    const res = await invoke(request(batch, headers));
    expect(res.body.error).toMatchObject({ status: 403, reason: 'ReplayedRequest' });
    expect(queue.messages).toHaveLength(4);
  });

  it('403 ClusterMismatch when a cluster’s key signs events of another cluster', async () => {
    const events = (loadFixture('portico-batch') as Record<string, unknown>[]).map((e) => ({
      ...e,
      cluster: 'prod-us-1',
    }));
    const body = JSON.stringify(events);
    await expectRefused(request(body, signed(body)), 403, 'ClusterMismatch');
  });

  it('401 InvalidToken for a wrong bearer token; bearer refused when not configured', async () => {
    const body = JSON.stringify(loadFixture('knative-update-httproute'));
    await expectRefused(
      request(body, { 'content-type': STRUCTURED, authorization: `Bearer ${'z'.repeat(40)}` }),
      401,
      'InvalidToken',
    );
    handler = createIngestHandler(deps({ bearerTokens: [] }));
    await expectRefused(
      request(body, { 'content-type': STRUCTURED, authorization: `Bearer ${TOKEN}` }),
      401,
      'MissingCredentials',
    );
  });

  it('413 PayloadTooLarge before any signature work', async () => {
    handler = createIngestHandler(deps({ limits: { maxBodyBytes: 1000 } }));
    await expectRefused(request(batch, signed(batch)), 413, 'PayloadTooLarge');
    await expectRefused(
      request(Buffer.from(batch).toString('base64'), signed(batch), { isBase64Encoded: true }),
      413,
      'PayloadTooLarge',
    );
  });

  it('413 BatchTooLarge', async () => {
    handler = createIngestHandler(deps({ limits: { maxBatchEvents: 3 } }));
    await expectRefused(request(batch, signed(batch)), 413, 'BatchTooLarge');
  });

  it('415 UnsupportedMediaType', async () => {
    await expectRefused(request(batch, signed(batch, 'application/json')), 415, 'UnsupportedMediaType');
  });

  it('415 for binary mode when signed: the signature does not cover ce-* headers', async () => {
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-gatewayclass',
    );
    const json = JSON.stringify(body);
    const sig = signRequest(SECRET, NOW, json);
    const error = await expectRefused(
      request(json, { ...headers, 'ce-cluster': 'prod-eu-1', 'x-portico-signature': sig }),
      415,
      'UnsupportedMediaType',
    );
    expect(error.message).toContain('binary mode');
  });

  it('400 MalformedJson and 400 InvalidBase64', async () => {
    const body = '[{"specversion":"1.0",';
    await expectRefused(request(body, signed(body)), 400, 'MalformedJson');
    await expectRefused(request('%%%%', signed(batch), { isBase64Encoded: true }), 400, 'InvalidBase64');
  });

  it('422 for one bad event: the whole batch is refused, with the index', async () => {
    const events = loadFixture('portico-batch') as Record<string, unknown>[];
    events[2] = {
      ...events[2]!,
      data: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'p', namespace: 'd', uid: 'u', resourceVersion: '1' },
      },
    };
    const body = JSON.stringify(events);
    const error = await expectRefused(request(body, signed(body)), 422, 'UnsupportedKind');
    expect(error.index).toBe(2);
  });

  it('405 MethodNotAllowed for GET', async () => {
    const event = request(batch, signed(batch));
    event.requestContext.http.method = 'GET';
    await expectRefused(event, 405, 'MethodNotAllowed');
  });
});

describe('ingest: configuration', () => {
  it.each([
    [{ signingKeys: [], bearerTokens: [] }, /signingKeys or bearerTokens/],
    [{ signingKeys: [{ cluster: 'a', secret: 'short' }] }, /signing secrets/],
    [{ bearerTokens: [{ cluster: 'a', token: 'short' }] }, /bearer tokens/],
    [{ toleranceSeconds: 0 }, /toleranceSeconds/],
  ])('refuses weak options %j at construction', (extra, message) => {
    expect(() => createIngestHandler(deps(extra))).toThrow(message);
  });
});

describe('ingest: queue failures', () => {
  it('503 QueueUnavailable, and the sender’s retry of the same signed request is accepted', async () => {
    const headers = signed(batch);
    queue.failWith(new Error('ServiceUnavailable'));
    const res = await invoke(request(batch, headers));
    expect(res.body.error).toMatchObject({ status: 503, reason: 'QueueUnavailable' });
    queue.failWith(undefined);
    expect((await invoke(request(batch, headers))).status).toBe(202);
    expect(queue.messages).toHaveLength(4);
  });

  it('500 InternalError without details for unexpected errors', async () => {
    handler = createIngestHandler(
      deps({ replayCache: { remember: () => Promise.reject(new Error('boom')), forget: async () => {} } }),
    );
    const res = await invoke(request(batch, signed(batch)));
    expect(res).toEqual({
      status: 500,
      body: { error: { status: 500, reason: 'InternalError', message: 'unexpected error; retry later' } },
    });
  });
});

describe('ingest: arbitrary signed bodies', () => {
  it('never answer 5xx; enqueue only with 202', async () => {
    const contentType = fc.constantFrom(STRUCTURED, BATCH, 'application/json', 'text/plain');
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constant(batch),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(contentType, body, async (ct, b) => {
        queue = new MemoryQueue();
        handler = createIngestHandler(deps());
        const res = await invoke(request(b, signed(b, ct, NOW - (n++ % 10))));
        expect(res.status === 202 || (res.status >= 400 && res.status < 500)).toBe(true);
        if (res.status !== 202) expect(queue.messages).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ingest: Secrets from a sender that sends whole objects (Knative)', () => {
  const PRIVATE_KEY = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTg==';
  const everything = () => `${JSON.stringify(queue.messages)}\n${logs.join('\n')}`;

  it('enqueues a TLS Secret sent in binary mode with tls.crt only: no tls.key, managedFields or last-applied copy', async () => {
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-tls-secret',
    );
    const json = JSON.stringify(body);
    expect(json).toContain(PRIVATE_KEY);
    const res = await invoke(request(json, { ...headers, authorization: `Bearer ${TOKEN}` }));
    expect(res.status).toBe(202);
    const data = JSON.parse(queue.messages[0]!.body).data;
    expect(data).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'shop-tls',
        namespace: 'default',
        uid: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
        resourceVersion: '18300',
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': (body as { data: Record<string, string> }).data['tls.crt'] },
    });
    expect(everything()).not.toContain(PRIVATE_KEY);
  });

  it('enqueues an Opaque Secret sent in structured mode with its metadata only: no data, no stringData', async () => {
    const body = JSON.stringify(loadFixture('knative-update-opaque-secret'));
    const res = await invoke(request(body, { 'content-type': STRUCTURED, authorization: `Bearer ${TOKEN}` }));
    expect(res.status).toBe(202);
    const data = JSON.parse(queue.messages[0]!.body).data;
    expect(Object.keys(data).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'type']);
    expect(data.metadata.labels).toEqual({ app: 'shop' });
    expect(everything()).not.toMatch(/aHVudGVyMi1kYi1wYXNzd29yZA|plain-api-token/);
  });

  it('keeps tls.key only when told to (a provider that terminates TLS from Secrets)', async () => {
    handler = createIngestHandler(deps({ secrets: { keepPrivateKeys: true } }));
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-tls-secret',
    );
    await invoke(request(JSON.stringify(body), { ...headers, authorization: `Bearer ${TOKEN}` }));
    expect(JSON.parse(queue.messages[0]!.body).data.data['tls.key']).toBe(PRIVATE_KEY);
  });
});
