// A local stand-in for the functions' HTTP API (test/support/http-api.ts): POST /events runs the
// REAL ingest handler (MemoryQueue behind it); GET /status serves status records after verifying the
// request's signature over statusRequestPayload, as the status function must.

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { PorticoEvent } from '#events/portico-event.js';
import { SIGNATURE_HEADER, verifySignature } from '#events/signature.js';
import {
  parseStatusQuery,
  type StatusPageWire,
  type StatusRecordWire,
  statusRequestPayload,
} from '#events/status-pull.js';
import { createIngestHandler } from '#functions/ingest/handler.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { silentLogger } from '#logging/logger.js';
import { type HttpApi, startHttpApi } from '#test/support/http-api.js';

export const CLUSTER = 'test-cluster';
export const SECRET = 'forwarder-test-signing-secret-0123456789abcdef';

export interface IngestReply {
  status: number;
  body: unknown;
}

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
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
  #api: HttpApi | undefined;
  readonly #ingest = createIngestHandler({
    queue: this.queue,
    signingKeys: [{ cluster: CLUSTER, secret: SECRET }],
    logger: silentLogger,
  });

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    r.#api = await startHttpApi({
      'POST /events': (event, context) => r.#events(event, context),
      'GET /status': async (event) => r.#status(event),
    });
    return r;
  }

  get url(): string {
    return this.#api!.url;
  }

  async close(): Promise<void> {
    await this.#api?.close();
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

  async #events(event: APIGatewayProxyEventV2, context: Context): Promise<Reply> {
    const fail = this.failing || this.failNext > 0;
    if (this.failNext > 0) this.failNext--;
    this.queue.failWith(fail ? new Error('queue down (test)') : undefined);
    const before = this.queue.messages.length;
    const res = await this.#ingest(event, context);
    const status = res.statusCode ?? 500;
    const body = res.body ?? '';
    this.replies.push({ status, body: JSON.parse(body || 'null') });
    if (status === 202) {
      for (const m of this.queue.messages.slice(before))
        this.accepted.push(JSON.parse(m.body) as PorticoEvent);
    }
    return { statusCode: status, headers: { 'content-type': 'application/json' }, body };
  }

  #status(event: APIGatewayProxyEventV2): Reply {
    const reply = (statusCode: number, body: unknown): Reply => ({
      statusCode,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const query = parseStatusQuery(event.queryStringParameters ?? {});
    if (typeof query === 'string') return reply(400, { message: query });
    const verified = verifySignature({
      header: event.headers[SIGNATURE_HEADER],
      body: statusRequestPayload(query),
      keys: [{ cluster: CLUSTER, secret: SECRET }],
      now: Math.floor(Date.now() / 1000),
    });
    this.statusRequests.push({ verified: verified.ok, ...(query.cursor ? { cursor: query.cursor } : {}) });
    if (!verified.ok) return reply(401, verified.rejection);
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
    return reply(200, page);
  }
}
