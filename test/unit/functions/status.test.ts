import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { signRequest } from '#events/signature.js';
import {
  type StatusQuery,
  statusPage,
  statusQueryString,
  statusRequestPayload,
} from '#events/status-pull.js';
import type { HttpEvent, HttpResult } from '#functions/shared/http-context.js';
import { createStatusHandler, handler as deployed } from '#functions/status/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { captureLogger } from '#test/support/capture-logger.js';
import { lambdaContext } from './pipeline-support.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON replies, inspected by the assertions
type Json = any;

const NOW = 1_795_683_602;
const SECRET_A = 'a'.repeat(40);
const SECRET_B = 'b'.repeat(40);
const KEYS = [
  { cluster: 'prod-a', secret: SECRET_A },
  { cluster: 'prod-b', secret: SECRET_B },
];

/** An API Gateway v2 GET /status request; `query` as the forwarder sends it, `sign` the secret and clock. */
function request(
  query: Record<string, string>,
  opts: { secret?: string; at?: number; signed?: StatusQuery; method?: string; header?: string } = {},
): HttpEvent {
  const base = loadFixture<HttpEvent>('apigw-v2-request');
  const canonical = opts.signed ?? {
    ...(query.cursor ? { cursor: query.cursor } : {}),
    limit: Number(query.limit ?? 200),
  };
  const signature =
    opts.header ??
    (opts.secret === undefined
      ? undefined
      : signRequest(opts.secret, opts.at ?? NOW, statusRequestPayload(canonical)));
  const method = opts.method ?? 'GET';
  return {
    ...base,
    routeKey: `${method} /status`,
    rawPath: '/status',
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    headers: {
      host: base.headers.host,
      'user-agent': 'portico-forwarder/0.1.0',
      ...(signature !== undefined ? { 'X-Portico-Signature': signature } : {}),
    },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method, path: '/status' },
    },
    body: undefined,
  } as HttpEvent;
}

async function setup() {
  const store = new MemorySnapshotStore();
  const gw = lbKey('prod-a', 'Gateway', 'infra', 'web');
  for (let i = 0; i < 5; i++) {
    await store.putStatus('prod-a', { kind: 'Gateway', namespace: 'infra', name: `g${i}` }, { n: i }, gw);
  }
  await store.putStatus('prod-a', { kind: 'Service', namespace: 'infra', name: 'svc' }, { svc: true });
  await store.putStatus('prod-b', { kind: 'Gateway', namespace: 'infra', name: 'secret-of-b' }, { b: true });
  const logger = captureLogger();
  const handler = createStatusHandler({ store, signingKeys: KEYS, now: () => NOW, logger });
  const call = async (
    event: HttpEvent,
  ): Promise<{ status: number; body: Json; headers: HttpResult['headers'] }> => {
    const r = (await handler(event, lambdaContext() as Context)) as HttpResult;
    return { status: r.statusCode!, body: JSON.parse(r.body as string), headers: r.headers };
  };
  return { store, gw, call, logger };
}

describe('functions: status', () => {
  it('pages the cluster whose secret signed the request, by cursor', async () => {
    const { call, gw } = await setup();
    const first = await call(request({ limit: '2' }, { secret: SECRET_A }));
    expect(first.status).toBe(200);
    expect(first.headers?.['cache-control']).toBe('no-store');
    expect(statusPage.safeParse(first.body).success).toBe(true);
    expect(first.body).toMatchObject({ cluster: 'prod-a', more: true });
    expect(first.body.items.map((i: { ref: { name: string } }) => i.ref.name)).toEqual(['g0', 'g1']);
    expect(first.body.items[0]).toEqual({
      cursor: expect.any(String),
      key: gw,
      ref: { kind: 'Gateway', namespace: 'infra', name: 'g0' },
      status: { n: 0 },
    });
    expect(first.body.next).toBe(first.body.items[1].cursor);

    const names: string[] = [];
    let cursor = first.body.next as string;
    for (;;) {
      const page = await call(request({ cursor, limit: '2' }, { secret: SECRET_A }));
      expect(page.status).toBe(200);
      names.push(...page.body.items.map((i: { ref: { name: string } }) => i.ref.name));
      cursor = page.body.next;
      if (!page.body.more) break;
    }
    expect(names).toEqual(['g2', 'g3', 'g4', 'svc']);
    // The last item has no key (written without one): `key` is left out, not null.
    const end = await call(request({ cursor, limit: '5' }, { secret: SECRET_A }));
    expect(end.body).toEqual({ cluster: 'prod-a', items: [], next: cursor, more: false });
  });

  it('sends a release, not a status, for an object a load balancer no longer programs', async () => {
    const { store, call, gw } = await setup();
    await store.put('prod-a', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'moved', namespace: 'infra', uid: 'u-moved', resourceVersion: '4' },
      spec: { gatewayClassName: 'other', listeners: [] },
    });
    const moved = {
      kind: 'Gateway' as const,
      namespace: 'infra',
      name: 'moved',
      generation: 2,
      loadBalancers: [gw],
      status: { conditions: [], listeners: [] },
    };
    await store.putStatusesOfKey('prod-a', gw, [moved]);
    await store.putStatusesOfKey('prod-a', gw, []);
    const page = await call(request({ limit: '50' }, { secret: SECRET_A }));
    expect(statusPage.safeParse(page.body).success).toBe(true);
    expect(page.body.items.at(-1)).toEqual({
      cursor: expect.any(String),
      key: gw,
      ref: { kind: 'Gateway', namespace: 'infra', name: 'moved' },
      release: { kind: 'Gateway', namespace: 'infra', name: 'moved', generation: 2 },
    });
  });

  it("another cluster's secret reads that cluster only, never this one", async () => {
    const { call } = await setup();
    const b = await call(request({}, { secret: SECRET_B }));
    expect(b.status).toBe(200);
    expect(b.body.cluster).toBe('prod-b');
    expect(b.body.items.map((i: { ref: { name: string } }) => i.ref.name)).toEqual(['secret-of-b']);
    // Naming a cluster is not part of the protocol.
    const named = await call(request({ cluster: 'prod-a' }, { secret: SECRET_B }));
    expect(named.status).toBe(400);
    expect(named.body.error).toMatchObject({
      reason: 'InvalidQuery',
      message: expect.stringContaining('cluster'),
    });
  });

  it('refuses missing, malformed, wrong and stale signatures with 401 and a reason', async () => {
    const { call } = await setup();
    const reasons = async (event: HttpEvent) => {
      const r = await call(event);
      expect(r.status).toBe(401);
      return r.body.error.reason;
    };
    expect(await reasons(request({}))).toBe('MissingCredentials');
    expect(await reasons(request({}, { header: 'v1=abc' }))).toBe('MalformedSignature');
    expect(await reasons(request({}, { secret: 'c'.repeat(40) }))).toBe('InvalidSignature');
    // Signed for another query than the one sent: a replay with a changed cursor.
    expect(await reasons(request({ limit: '10' }, { secret: SECRET_A, signed: { limit: 200 } }))).toBe(
      'InvalidSignature',
    );
    expect(await reasons(request({}, { secret: SECRET_A, at: NOW - 301 }))).toBe('StaleTimestamp');
    expect((await call(request({}, { secret: SECRET_A, at: NOW - 299 }))).status).toBe(200);
  });

  it('refuses a bad query with 400 and other methods with 405', async () => {
    const { call } = await setup();
    for (const [query, message] of [
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ cursor: 'a b' }, 'cursor'],
      [{ cursor: 'x', extra: '1' }, 'extra'],
    ] as const) {
      const r = await call(request(query, { secret: SECRET_A, signed: { limit: 200 } }));
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.error).toMatchObject({ status: 400, reason: 'InvalidQuery' });
      expect(r.body.error.message).toContain(message);
    }
    const post = await call(request({}, { secret: SECRET_A, method: 'POST' }));
    expect(post.status).toBe(405);
    expect(post.body.error.reason).toBe('MethodNotAllowed');
  });

  it('checks its configuration up front', () => {
    const store = new MemorySnapshotStore();
    expect(() => createStatusHandler({ store, signingKeys: [] })).toThrow(/signingKeys/);
    expect(() => createStatusHandler({ store, signingKeys: [{ cluster: 'c', secret: 'short' }] })).toThrow(
      /at least/,
    );
  });

  it('keeps the canonical query in a fixed order', () => {
    expect(statusQueryString({ limit: 5, cursor: 'c1' })).toBe('cursor=c1&limit=5');
  });

  it('the deployed handler is wired on first use and names what the environment lacks', async () => {
    const saved = process.env.PORTICO_TABLE_NAME;
    delete process.env.PORTICO_TABLE_NAME;
    try {
      await expect(deployed(request({}, { secret: SECRET_A }), lambdaContext())).rejects.toThrow(
        'PORTICO_TABLE_NAME',
      );
    } finally {
      if (saved !== undefined) process.env.PORTICO_TABLE_NAME = saved;
    }
  });
});
