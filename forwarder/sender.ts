import { setTimeout as sleep } from 'node:timers/promises';
import { BATCH_MEDIA_TYPE } from '#events/media-types.js';
import { SIGNATURE_HEADER, signRequest } from '#events/signature.js';
import { type Logger, silentLogger } from '#logging/logger.js';
import type { WireEvent } from './cloud-events.js';
import type { ForwarderMetrics } from './metrics.js';

export interface SenderOptions {
  /** The functions' HTTP API; batches are POSTed to `<endpoint>/events`. */
  endpoint: string;
  signingSecret: string;
  /** Retry delays: exponential from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  requestTimeoutMs?: number;
  metrics?: ForwarderMetrics;
  logger?: Logger;
  /** Unix seconds (signatures). */
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface SendReport {
  sent: number;
  /** Events refused by ingest (named by `index`) and dropped. */
  rejected: number;
  attempts: number;
}

/** Why a batch request failed. */
interface Failure {
  retry: boolean;
  reason: string;
  message: string;
  index?: number;
  status?: number;
}

const encoder = new TextEncoder();
export const byteLength = (s: string): number => encoder.encode(s).byteLength;

/**
 * Delivers batches to ingest: `application/cloudevents-batch+json`, HMAC-signed with the current
 * time on every attempt. Network errors, 429 and 5xx are retried with exponential backoff and
 * jitter for as long as it takes (or until `signal` aborts); a 4xx naming one event by `index`
 * drops that event (logged and counted) and sends the rest; a body too large is split. A batch is
 * never dropped silently: other refusals are logged and retried, so /healthz shows the sender stuck.
 */
export class Sender {
  readonly #options: SenderOptions;
  readonly #url: string;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  /** Unix ms since when every attempt failed; undefined while sending works. */
  failingSince: number | undefined;

  constructor(options: SenderOptions) {
    this.#options = options;
    this.#url = `${options.endpoint.replace(/\/+$/, '')}/events`;
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends `events` (which must fit one batch) until ingest accepted them; rejects only when `signal` aborts. */
  async send(events: readonly WireEvent[], signal?: AbortSignal): Promise<SendReport> {
    const report: SendReport = { sent: 0, rejected: 0, attempts: 0 };
    await this.#deliver([...events], report, signal);
    return report;
  }

  async #deliver(events: WireEvent[], report: SendReport, signal?: AbortSignal): Promise<void> {
    let failures = 0;
    while (events.length > 0) {
      signal?.throwIfAborted();
      if (failures > 0) this.#options.metrics?.batchesRetried.inc();
      report.attempts++;
      const failure = await this.#post(events, signal);
      if (!failure) {
        report.sent += events.length;
        this.failingSince = undefined;
        this.#options.metrics?.eventsSent.inc({}, events.length);
        this.#options.metrics?.batchesSent.inc();
        this.#options.metrics?.lastSuccessfulSend.set(Math.floor(Date.now() / 1000));
        return;
      }
      signal?.throwIfAborted();
      this.#options.metrics?.batchesFailed.inc({ reason: failure.reason });
      this.failingSince ??= Date.now();
      const { index } = failure;
      if (!failure.retry && index !== undefined && index >= 0 && index < events.length) {
        const [bad] = events.splice(index, 1);
        report.rejected++;
        this.#options.metrics?.eventsDropped.inc({ reason: 'rejected' });
        this.#logger.error('ingest refused an event; dropped it and sending the rest', {
          reason: failure.reason,
          message: failure.message,
          id: bad?.id,
          type: bad?.type,
          kind: bad?.kind,
          subject: bad?.subject,
        });
        continue;
      }
      if (failure.status === 413 && index === undefined && events.length > 1) {
        const half = Math.ceil(events.length / 2);
        this.#logger.warn('batch too large for ingest; splitting it', { events: events.length });
        await this.#deliver(events.slice(0, half), report, signal);
        await this.#deliver(events.slice(half), report, signal);
        return;
      }
      failures++;
      const delay = this.#delay(failures);
      this.#logger[failure.retry ? 'warn' : 'error']('batch not accepted; retrying', {
        reason: failure.reason,
        message: failure.message,
        status: failure.status,
        events: events.length,
        attempt: failures,
        retryInMs: delay,
      });
      await sleep(delay, undefined, signal ? { signal } : {}).catch((err: unknown) => {
        throw signal?.aborted ? signal.reason : err;
      });
    }
  }

  /** One attempt: undefined when accepted. */
  async #post(events: readonly WireEvent[], signal?: AbortSignal): Promise<Failure | undefined> {
    const body = JSON.stringify(events);
    const now = this.#options.now?.() ?? Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': BATCH_MEDIA_TYPE,
          [SIGNATURE_HEADER]: signRequest(this.#options.signingSecret, now, body),
          'user-agent': 'portico-forwarder',
        },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return {
        retry: true,
        reason: 'network',
        message: `${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return undefined;
    // ingest answers `{ error: { status, reason, message, index? } }`
    let reply: { reason?: unknown; message?: unknown; index?: unknown } = {};
    try {
      const parsed = JSON.parse(text) as { error?: typeof reply } & typeof reply;
      reply = typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : parsed;
    } catch {}
    const reason = typeof reply.reason === 'string' ? reply.reason : `http_${res.status}`;
    // The same bytes signed at the same second were accepted already (their reply was lost).
    if (res.status === 403 && reason === 'ReplayedRequest') return undefined;
    const failure: Failure = {
      retry: res.status === 429 || res.status >= 500,
      reason,
      message: typeof reply.message === 'string' ? reply.message : text.slice(0, 200),
      status: res.status,
    };
    if (typeof reply.index === 'number' && Number.isInteger(reply.index)) failure.index = reply.index;
    return failure;
  }

  #delay(failures: number): number {
    const initial = this.#options.backoff?.initialMs ?? 500;
    const max = this.#options.backoff?.maxMs ?? 30_000;
    const cap = Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
    const random = this.#options.random ?? Math.random;
    return Math.round(cap / 2 + (random() * cap) / 2);
  }
}
