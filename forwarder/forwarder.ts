import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KindName } from '#core/model/bundle.js';
import { DEFAULT_OPTIONS } from '#core/translate/options.js';
import { DEFAULT_LIMITS, type EventLimits } from '#events/limits.js';
import { sanitizeObject } from '#events/sanitize-object.js';
import type { ClusterObject } from '#kube/cluster-object.js';
import { type ClusterEventType, type ClusterList, ClusterSource } from '#kube/cluster-source.js';
import type { KindResource } from '#kube/discover-kinds.js';
import { KubeHttp } from '#kube/kube-http.js';
import { ReadinessGateWriter } from '#kube/readiness-gate-writer.js';
import { StatusWriter } from '#kube/status-writer.js';
import { type Logger, silentLogger } from '#logging/logger.js';
import { markerEvent, resourceEvent, type WireEvent } from './cloud-events.js';
import { type HttpServerHandle, startHttpServer } from './http-server.js';
import { LoadBalancerTargets } from './load-balancer-targets.js';
import { ForwarderMetrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { type ObjectChange, Outbox, type OutboxItem } from './outbox.js';
import { MAX_ADMISSION_BODY_BYTES, MUTATE_PODS_PATH, reviewPodAdmission } from './pod-admission.js';
import { byteLength, Sender } from './sender.js';
import { StatusPuller } from './status-pull.js';
import { startWebhookServer, type WebhookServerHandle } from './webhook-server.js';

export interface ForwarderOptions {
  /** The functions' HTTP API: batches to `<endpoint>/events`, status from `<endpoint>/status`. */
  endpoint: string;
  cluster: string;
  signingSecret: string;
  kubeConfig: KubeConfig;
  /** Kinds to watch (every kind Portico reads by default; kinds the server lacks are skipped). */
  kinds?: readonly KindName[];
  /** Forward `tls.key` of TLS Secrets. */
  forwardPrivateKeys?: boolean;
  /** Objects (and markers) waiting to be sent, at most; default 50,000. */
  maxPending?: number;
  /** Status pull interval; 0 turns it off. Default 5,000 ms. */
  statusPollMs?: number;
  statusPageSize?: number;
  /** Route parent entries with this controllerName are Portico's. */
  controllerName?: string;
  /** /healthz; no server when undefined (0: a free port, see {@link Forwarder.httpPort}). */
  httpPort?: number;
  /** /metrics; no server when undefined. May equal httpPort. */
  metricsPort?: number;
  /**
   * The pod admission webhook (HTTPS, POST /mutate-pods): readiness gates for pods behind Portico
   * load balancers. Off when absent; it learns the load balancers from the status pull.
   */
  webhook?: { port: number; certFile: string; keyFile: string; reloadMs?: number };
  /** Address the servers listen on; default 0.0.0.0. */
  host?: string;
  /**
   * How long the first event of a batch waits for more (and for coalescing) during a burst; default
   * 50 ms. An event that finds the sender idle (nothing sent within the last `lingerMs`) goes at once.
   */
  lingerMs?: number;
  /** Batch retry delays. */
  sendBackoff?: { initialMs?: number; maxMs?: number };
  /** Informer restart delays. */
  informerBackoff?: { initialMs?: number; maxMs?: number };
  /** /healthz fails when every send failed for this long; default 120,000 ms. */
  stuckAfterMs?: number;
  limits?: Partial<EventLimits>;
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface StopOptions {
  /** How long pending events may take to be sent; default 10,000 ms. */
  deadlineMs?: number;
}

export interface StopReport {
  /** Everything observed was accepted by ingest. */
  flushed: boolean;
  /** Events (objects and markers) not sent. */
  unsent: number;
}

export interface Health {
  ok: boolean;
  reason: string;
}

/**
 * The in-cluster forwarder: informers (list + watch) → sanitised CloudEvents in a bounded,
 * coalescing outbox → signed batches to ingest; every (re)list of a kind is sent between
 * `dev.portico.snapshot.start` and `.end` markers. It pulls the status stream back and patches it
 * into the cluster, and serves /healthz and /metrics.
 */
export class Forwarder {
  readonly metrics = new ForwarderMetrics();
  readonly #options: ForwarderOptions;
  readonly #logger: Logger;
  readonly #limits: EventLimits;
  readonly #source: ClusterSource;
  readonly #outbox: Outbox;
  readonly #sender: Sender;
  readonly #puller: StatusPuller | undefined;
  readonly #servers: HttpServerHandle[] = [];
  /** Which load balancers target which Services (from the status pull), for the webhook. */
  readonly #targets = new LoadBalancerTargets();
  #webhook: WebhookServerHandle | undefined;
  #httpPort: number | undefined;
  #metricsPort: number | undefined;
  #listed = false;
  #stopping = false;
  /** Aborted once stop() starts flushing: the pump then sends without lingering, and returns when empty. */
  readonly #flush = new AbortController();
  readonly #sendAbort = new AbortController();
  #pump: Promise<void> | undefined;
  #inFlight = 0;
  /** performance.now() when the last batch's send ended: within the linger window, a burst is on. */
  #lastSentAt = Number.NEGATIVE_INFINITY;
  /** Events of the batch abandoned at the stop deadline. */
  #abandoned = 0;

  constructor(options: ForwarderOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    const http = new KubeHttp(options.kubeConfig);
    this.#source = new ClusterSource({
      kubeConfig: options.kubeConfig,
      http,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      ...(options.informerBackoff ? { backoff: options.informerBackoff } : {}),
      log: (line) => this.#logger.info(line),
      onList: (resource, list) => this.#onList(resource, list),
      onEvent: (type, object, resource) => this.#onEvent(type, object, resource),
    });
    this.#outbox = new Outbox({
      maxPending: options.maxPending ?? 50_000,
      onDrop: () => this.metrics.eventsDropped.inc({ reason: 'outbox_full' }),
      onRelist: (kind) => {
        this.metrics.relists.inc({ kind });
        this.#logger.warn('outbox has room again; listing the kind that lost events', { kind });
        this.#source.relist(kind);
      },
    });
    this.#sender = new Sender({
      endpoint: options.endpoint,
      signingSecret: options.signingSecret,
      metrics: this.metrics,
      logger: this.#logger,
      ...(options.sendBackoff ? { backoff: options.sendBackoff } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    if ((options.statusPollMs ?? 5_000) > 0) {
      this.#puller = new StatusPuller({
        endpoint: options.endpoint,
        cluster: options.cluster,
        signingSecret: options.signingSecret,
        writer: new StatusWriter({
          http,
          objects: this.#source,
          controllerName: options.controllerName ?? DEFAULT_OPTIONS.controllerName,
          now: () => new Date().toISOString(),
          fieldManager: 'portico-forwarder',
          prune: false,
        }),
        gates: new ReadinessGateWriter({ http, now: () => new Date().toISOString() }),
        ...(options.statusPageSize ? { pageSize: options.statusPageSize } : {}),
        observe: (record, valid) => this.#targets.observe(record, valid),
        metrics: this.metrics,
        logger: this.#logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    }
    this.metrics.collect({
      queueDepth: () => this.pending,
      informerRestarts: () => this.#source.stats.restarts,
      lists: () => this.#source.stats.lists,
    });
  }

  /** The port /healthz is served on (once started). */
  get httpPort(): number | undefined {
    return this.#httpPort;
  }

  get metricsPort(): number | undefined {
    return this.#metricsPort;
  }

  /** The port the pod admission webhook is served on (once started, when configured). */
  get webhookPort(): number | undefined {
    return this.#webhook?.port;
  }

  /** Objects and markers waiting to be sent, and those in the batch being sent. */
  get pending(): number {
    return this.#outbox.size + this.#inFlight;
  }

  /** The status pull, when on (tests call `pullOnce` to pull now). */
  get statusPuller(): StatusPuller | undefined {
    return this.#puller;
  }

  /**
   * Starts the servers, the sender, and the informers; resolves once every kind has been listed
   * (its events queued), then starts the status pull.
   */
  async start(): Promise<void> {
    await this.#startServers();
    this.#pump = this.#runPump();
    await this.#source.start();
    this.#listed = true;
    this.#logger.info('every kind listed; watching', {
      kinds: this.#source.resources.map((r) => r.kind),
      skipped: this.#source.skipped.map((s) => s.kind),
    });
    this.#puller?.start(this.#options.statusPollMs ?? 5_000);
  }

  /**
   * Graceful stop: informers and status pull stop, pending events are sent until `deadlineMs`,
   * then the servers close.
   */
  async stop(options: StopOptions = {}): Promise<StopReport> {
    this.#stopping = true;
    await this.#source.stop();
    await this.#puller?.stop();
    this.#flush.abort();
    const deadline = setTimeout(
      () => this.#sendAbort.abort(new Error('stop deadline')),
      options.deadlineMs ?? 10_000,
    );
    await this.#pump;
    clearTimeout(deadline);
    const queued = this.#outbox.size;
    const unsent = queued + this.#abandoned;
    if (unsent > 0) {
      this.metrics.eventsDropped.inc({ reason: 'shutdown' }, queued);
      this.#logger.error('stopped before every event was sent', { unsent });
    }
    await Promise.all([...this.#servers, ...(this.#webhook ? [this.#webhook] : [])].map((s) => s.close()));
    this.#servers.length = 0;
    this.#webhook = undefined;
    return { flushed: unsent === 0 && !this.#sendAbort.signal.aborted, unsent };
  }

  health(): Health {
    if (this.#stopping) return { ok: false, reason: 'stopping' };
    if (!this.#listed) {
      const waiting = this.#source.notListed();
      return {
        ok: false,
        reason: `not every kind is listed yet${waiting.length ? `: ${waiting.join(', ')}` : ''}`,
      };
    }
    const since = this.#sender.failingSince;
    const stuckAfter = this.#options.stuckAfterMs ?? 120_000;
    if (since !== undefined && Date.now() - since > stuckAfter) {
      return {
        ok: false,
        reason: `sending to ingest has failed for ${Math.round((Date.now() - since) / 1000)} s`,
      };
    }
    return { ok: true, reason: 'ok' };
  }

  // ── observing ───────────────────────────────────────────────────────────────────────────────

  #onList(resource: KindResource, list: ClusterList): void {
    const kind = resource.kind;
    const snapshotId = list.listId;
    const changes: ObjectChange[] = [];
    for (const item of list.items) {
      const change: ObjectChange = { type: 'add', object: this.#sanitize(item), snapshotId };
      if (this.#fits(change)) changes.push(change);
    }
    this.metrics.eventsObserved.inc({ kind, type: 'list' }, list.items.length);
    const data = {
      kind: kind as KindName,
      snapshotId,
      count: changes.length,
      ...(list.resourceVersion ? { resourceVersion: list.resourceVersion } : {}),
    };
    this.#outbox.putMarker('start', data);
    for (const c of changes) this.#outbox.put(c);
    this.#outbox.putMarker('end', data);
  }

  #onEvent(type: ClusterEventType, object: ClusterObject, resource: KindResource): void {
    this.metrics.eventsObserved.inc({ kind: resource.kind, type });
    const change: ObjectChange = { type, object: this.#sanitize(object) };
    if (this.#fits(change)) this.#outbox.put(change);
  }

  #sanitize(object: ClusterObject): ClusterObject {
    return sanitizeObject(object, { keepPrivateKeys: this.#options.forwardPrivateKeys ?? false });
  }

  /** An event ingest would refuse as too large is dropped here, with a log line. */
  #fits(change: ObjectChange): boolean {
    const event = this.#wire({ change });
    const { maxEventDataBytes, maxEventBytes } = this.#limits;
    const eventBytes = byteLength(JSON.stringify(event));
    // `data` is part of the event: an event within both limits needs no second serialisation
    if (eventBytes <= Math.min(maxEventDataBytes, maxEventBytes)) return true;
    const dataBytes = byteLength(JSON.stringify(event.data));
    if (dataBytes <= maxEventDataBytes && eventBytes <= maxEventBytes) return true;
    this.metrics.eventsDropped.inc({ reason: 'too_large' });
    this.#logger.error('object too large to forward; dropped', {
      kind: change.object.kind,
      subject: event.subject,
      dataBytes,
      eventBytes,
    });
    return false;
  }

  #wire(item: OutboxItem): WireEvent {
    const time = new Date().toISOString();
    if ('marker' in item) return markerEvent(this.#options.cluster, item.marker, item.data, time);
    const { type, object, snapshotId } = item.change;
    return resourceEvent(this.#options.cluster, type, object, snapshotId, time);
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────────

  async #runPump(): Promise<void> {
    const linger = this.#options.lingerMs ?? 50;
    for (;;) {
      if (this.#outbox.size === 0) {
        if (this.#flush.signal.aborted) return;
        await this.#outbox.waitForItems(this.#flush.signal);
        continue;
      }
      if (!this.#flush.signal.aborted && linger > 0) {
        // Idle (no batch in flight, none sent within the window): an isolated change goes at once,
        // with what the same turn brought. Otherwise a burst is on: linger to batch and coalesce it.
        if (performance.now() - this.#lastSentAt >= linger) await nextTurn();
        else await sleep(linger);
      }
      const batch = this.#takeBatch();
      if (batch.length === 0) continue;
      this.#inFlight = batch.length;
      try {
        await this.#sender.send(batch, this.#sendAbort.signal);
        if (!this.#stopping) this.#outbox.relistIfRoom();
      } catch (err) {
        this.#abandoned += batch.length;
        this.metrics.eventsDropped.inc({ reason: 'shutdown' }, batch.length);
        this.#logger.error('batch abandoned at the stop deadline', {
          events: batch.length,
          error: (err as Error).message,
        });
        return;
      } finally {
        this.#inFlight = 0;
        this.#lastSentAt = performance.now();
      }
    }
  }

  /** As many pending events as fit one request (event count and body size). */
  #takeBatch(): WireEvent[] {
    const batch: WireEvent[] = [];
    let bytes = 2; // []
    const maxBody = this.#limits.maxBodyBytes - 1024;
    this.#outbox.take((items) => {
      const events = items.map((i) => this.#wire(i));
      const size = events.reduce((n, e) => n + byteLength(JSON.stringify(e)) + 1, 0);
      if (
        batch.length > 0 &&
        (batch.length + events.length > this.#limits.maxBatchEvents || bytes + size > maxBody)
      ) {
        return false;
      }
      batch.push(...events);
      bytes += size;
      return true;
    });
    return batch;
  }

  async #startServers(): Promise<void> {
    const { httpPort, metricsPort, host, webhook } = this.#options;
    if (webhook) {
      this.#webhook = await startWebhookServer({
        ...webhook,
        ...(host ? { host } : {}),
        maxBodyBytes: MAX_ADMISSION_BODY_BYTES,
        routes: {
          [MUTATE_PODS_PATH]: (body) =>
            reviewPodAdmission(body, (namespace, pod) =>
              this.#targets.gateTypesFor(namespace, pod, this.#source),
            ),
        },
        logger: this.#logger,
      });
    }
    const healthz = () => {
      const h = this.health();
      return { status: h.ok ? 200 : 503, contentType: 'text/plain; charset=utf-8', body: `${h.reason}\n` };
    };
    const metrics = () => ({ status: 200, contentType: METRICS_CONTENT_TYPE, body: this.metrics.render() });
    if (httpPort !== undefined && metricsPort !== undefined && httpPort === metricsPort && httpPort !== 0) {
      const s = await startHttpServer(httpPort, { '/healthz': healthz, '/metrics': metrics }, host);
      this.#servers.push(s);
      this.#httpPort = this.#metricsPort = s.port;
      return;
    }
    if (httpPort !== undefined) {
      const s = await startHttpServer(httpPort, { '/healthz': healthz }, host);
      this.#servers.push(s);
      this.#httpPort = s.port;
    }
    if (metricsPort !== undefined) {
      const s = await startHttpServer(metricsPort, { '/metrics': metrics }, host);
      this.#servers.push(s);
      this.#metricsPort = s.port;
    }
  }
}
