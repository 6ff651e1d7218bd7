import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '#events/signature.js';
import { resourceEvent, type WireEvent } from '#forwarder/cloud-events.js';
import { ForwarderMetrics } from '#forwarder/metrics.js';
import { Sender } from '#forwarder/sender.js';
import { captureLogger } from '#test/support/capture-logger.js';

const SECRET = 'sender-test-signing-secret-0123456789abcdef';

interface Seen {
  body: WireEvent[];
  verified: boolean;
  timestamp: number | undefined;
  contentType: string | undefined;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A local HTTP server answering POST /events with `replies` in turn (then 202). */
async function receiver(replies: ({ status: number; body?: unknown } | 'hangup')[]) {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['x-portico-signature'] as string | undefined;
      const v = verifySignature({
        header,
        body: text,
        keys: [{ cluster: 'c', secret: SECRET }],
        now: Math.floor(Date.now() / 1000),
      });
      seen.push({
        body: JSON.parse(text) as WireEvent[],
        verified: v.ok,
        timestamp: v.ok ? v.timestamp : undefined,
        contentType: req.headers['content-type'],
      });
      const reply = replies.shift() ?? { status: 202, body: {} };
      if (reply === 'hangup') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const events = (n: number): WireEvent[] =>
  Array.from({ length: n }, (_, i) =>
    resourceEvent(
      'c',
      'add',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s${i}`, namespace: 'a', uid: `u${i}`, resourceVersion: String(i + 1) },
      },
      undefined,
      '2026-11-20T09:00:00Z',
    ),
  );

const rejection = (status: number, reason: string, index?: number) => ({
  status,
  body: { error: { status, reason, message: `test ${reason}`, ...(index !== undefined ? { index } : {}) } },
});

function sender(url: string, extra: Partial<ConstructorParameters<typeof Sender>[0]> = {}) {
  const metrics = new ForwarderMetrics();
  const logger = captureLogger();
  const s = new Sender({
    endpoint: url,
    signingSecret: SECRET,
    backoff: { initialMs: 10, maxMs: 40 },
    metrics,
    logger,
    ...extra,
  });
  return { s, metrics, logs: logger.lines };
}

describe('Sender', () => {
  it('posts a signed batch-mode body to <endpoint>/events', async () => {
    const r = await receiver([]);
    const { s, metrics } = sender(`${r.url}/`);
    const report = await s.send(events(3));
    expect(report).toEqual({ sent: 3, rejected: 0, attempts: 1 });
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]?.verified).toBe(true);
    expect(r.seen[0]?.contentType).toBe('application/cloudevents-batch+json');
    expect(r.seen[0]?.body.map((e) => e.id)).toEqual(events(3).map((e) => e.id));
    expect(metrics.registry.value('portico_forwarder_events_sent_total')).toBe(3);
    expect(metrics.registry.value('portico_forwarder_batches_sent_total')).toBe(1);
  });

  it('retries network errors, 429 and 5xx with growing delays, signing every attempt with the current time', async () => {
    const r = await receiver([
      'hangup',
      { status: 429 },
      rejection(503, 'QueueUnavailable'),
      { status: 500 },
    ]);
    const t0 = Math.floor(Date.now() / 1000) - 60;
    let clock = t0;
    const { s, metrics, logs } = sender(r.url, {
      now: () => clock++,
      random: () => 1,
      backoff: { initialMs: 5, maxMs: 20 },
    });
    const report = await s.send(events(2));
    expect(report).toEqual({ sent: 2, rejected: 0, attempts: 5 });
    expect(r.seen).toHaveLength(5);
    // same events each time, a new signature timestamp each time
    expect(new Set(r.seen.map((x) => JSON.stringify(x.body))).size).toBe(1);
    expect(r.seen.every((x) => x.verified)).toBe(true);
    expect(r.seen.map((x) => x.timestamp)).toEqual([t0, t0 + 1, t0 + 2, t0 + 3, t0 + 4]);
    expect(metrics.registry.value('portico_forwarder_batches_failed_total', { reason: 'network' })).toBe(1);
    expect(metrics.registry.value('portico_forwarder_batches_failed_total', { reason: 'http_429' })).toBe(1);
    expect(
      metrics.registry.value('portico_forwarder_batches_failed_total', { reason: 'QueueUnavailable' }),
    ).toBe(1);
    expect(metrics.registry.value('portico_forwarder_batches_retried_total')).toBe(4);
    // 5, 10, 20, 20 ms of backoff with random() = 1
    expect(logs.map((l) => l.fields?.retryInMs)).toEqual([5, 10, 20, 20]);
    expect(s.failingSince).toBeUndefined();
  });

  it('drops the event a 4xx names by index, logs it, and sends the rest', async () => {
    const r = await receiver([rejection(422, 'InvalidObject', 1)]);
    const { s, metrics, logs } = sender(r.url);
    const batch = events(3);
    const report = await s.send(batch);
    expect(report).toEqual({ sent: 2, rejected: 1, attempts: 2 });
    expect(r.seen[1]?.body.map((e) => e.id)).toEqual([batch[0]!.id, batch[2]!.id]);
    expect(metrics.registry.value('portico_forwarder_events_dropped_total', { reason: 'rejected' })).toBe(1);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ reason: 'InvalidObject', id: batch[1]!.id }),
      }),
    );
  });

  it('splits a batch ingest finds too large', async () => {
    const r = await receiver([rejection(413, 'PayloadTooLarge')]);
    const { s } = sender(r.url);
    const report = await s.send(events(5));
    expect(report.sent).toBe(5);
    expect(r.seen.map((x) => x.body.length)).toEqual([5, 3, 2]);
  });

  it('treats ReplayedRequest (the same signed bytes were accepted already) as delivered', async () => {
    const r = await receiver([rejection(403, 'ReplayedRequest')]);
    const { s } = sender(r.url);
    expect(await s.send(events(1))).toEqual({ sent: 1, rejected: 0, attempts: 1 });
  });

  it('never drops a batch on a refusal without an index: it keeps retrying until aborted', async () => {
    const r = await receiver(Array.from({ length: 100 }, () => rejection(401, 'InvalidSignature')));
    const { s, logs } = sender(r.url, { backoff: { initialMs: 5, maxMs: 5 } });
    const abort = new AbortController();
    const sending = s.send(events(2), abort.signal);
    await expect.poll(() => r.seen.length).toBeGreaterThanOrEqual(3);
    expect(s.failingSince).toBeTypeOf('number');
    abort.abort(new Error('stop'));
    await expect(sending).rejects.toThrow('stop');
    expect(logs.some((l) => l.level === 'error' && l.fields?.reason === 'InvalidSignature')).toBe(true);
  });
});
