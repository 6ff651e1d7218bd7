// A local stand-in for the functions' HTTP API: POST /events runs the REAL ingest handler (API
// Gateway v2 events built from the node request, MemoryQueue behind it); GET /status serves status
// records after verifying the request's signature over statusRequestPayload, as the status function must.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { PorticoEvent } from '#events/portico-event.js';
import { SIGNATURE_HEADER, verifySignature } from '#events/signature.js';
import {
  parseStatusQuery,
  type StatusPageWire,
  type StatusRecordWire,
  statusRequestPayload,
} from '#events/status-pull.js';
import { MemoryQueue } from '#functions/adapters/memory-queue.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import type { IngestEvent } from '#functions/ingest/ingest-context.js';
import { createJsonLogger } from '#functions/ingest/logger.js';

export const CLUSTER = 'test-cluster';
export const SECRET = 'forwarder-test-signing-secret-0123456789abcdef';

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'portico-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:portico-ingest',
  memoryLimitInMB: '256',
  awsRequestId: 'req',
  logGroupName: '/aws/lambda/portico-ingest',
  logStreamName: 's',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} satisfies Context;

export interface IngestReply {
  status: number;
  body: unknown;
}

export class Receiver {
  readonly queue = new MemoryQueue({ dedupWindowMs: 0 });
  /** Events of every request ingest accepted (202), in order. */
  readonly accepted: PorticoEvent[] = [];
  /** Every reply of POST /events, in order. */
  readonly replies: IngestReply[] = [];
  /** Status records served by GET /status (cursor = position, 1-based). */
  readonly statusRecords: Omit<StatusRecordWire, 'cursor'>[] = [];
  /** GET /status requests: whether the signature verified. */
  readonly statusRequests: { verified: boolean; cursor?: string }[] = [];
  /** The next n POST /events fail with 503 QueueUnavailable (the queue refuses). */
  failNext = 0;
  /** Every POST /events fails with 503 while set. */
  failing = false;
  readonly #server: Server;
  readonly #ingest = createIngestHandler({
    queue: this.queue,
    signingKeys: [{ cluster: CLUSTER, secret: SECRET }],
    logger: createJsonLogger({ write: () => {} }),
  });

  private constructor() {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(
        (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(r.body);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Accepted resource events of one object, by `kind ns/name`. */
  eventsOf(kind: string, namespace: string | undefined, name: string): PorticoEvent[] {
    return this.accepted.filter(
      (e) =>
        e.kind === kind &&
        'metadata' in e.data &&
        e.data.metadata.name === name &&
        e.data.metadata.namespace === namespace,
    );
  }

  markersOf(kind: string): PorticoEvent[] {
    return this.accepted.filter((e) => e.kind === kind && e.type.startsWith('dev.portico.snapshot.'));
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/status' && req.method === 'GET') return this.#status(req, url);
    if (url.pathname !== '/events') return { status: 404, body: '{}' };

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const event = {
      version: '2.0',
      routeKey: 'POST /events',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: '123456789012',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: req.method ?? 'POST',
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: `r${this.replies.length}`,
        routeKey: 'POST /events',
        stage: '$default',
        time: '',
        timeEpoch: Date.now(),
      },
      body,
      isBase64Encoded: false,
    } satisfies IngestEvent;
    const fail = this.failing || this.failNext > 0;
    if (this.failNext > 0) this.failNext--;
    this.queue.failWith(fail ? new Error('queue down (test)') : undefined);
    const before = this.queue.messages.length;
    const res = await this.#ingest(event, context);
    const status = res.statusCode ?? 500;
    const replyBody = res.body ?? '';
    this.replies.push({ status, body: JSON.parse(replyBody || 'null') });
    if (status === 202) {
      for (const m of this.queue.messages.slice(before))
        this.accepted.push(JSON.parse(m.body) as PorticoEvent);
    }
    return { status, body: replyBody };
  }

  #status(req: IncomingMessage, url: URL): { status: number; body: string } {
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    const query = parseStatusQuery(params);
    if (typeof query === 'string') return { status: 400, body: JSON.stringify({ message: query }) };
    const header = req.headers[SIGNATURE_HEADER];
    const verified = verifySignature({
      header: typeof header === 'string' ? header : undefined,
      body: statusRequestPayload(query),
      keys: [{ cluster: CLUSTER, secret: SECRET }],
      now: Math.floor(Date.now() / 1000),
    });
    this.statusRequests.push({ verified: verified.ok, ...(query.cursor ? { cursor: query.cursor } : {}) });
    if (!verified.ok) return { status: 401, body: JSON.stringify(verified.rejection) };
    const from = query.cursor === undefined ? 0 : Number(query.cursor.slice(1));
    const items = this.statusRecords
      .slice(from, from + query.limit)
      .map((r, i) => ({ ...r, cursor: `c${from + i + 1}` }));
    const page: StatusPageWire = {
      cluster: verified.key.cluster,
      items,
      ...(items.length ? { next: items.at(-1)!.cursor } : query.cursor ? { next: query.cursor } : {}),
      more: from + items.length < this.statusRecords.length,
    };
    return { status: 200, body: JSON.stringify(page) };
  }
}
