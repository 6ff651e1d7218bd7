import { setTimeout as sleep } from 'node:timers/promises';
import { isRouteKind } from '#core/index/references.js';
import type {
  ObjectStatus,
  PolicyAncestorStatus,
  RouteParentStatus,
  StatusRelease,
} from '#core/status/types.js';
import { describeIssue } from '#events/cloud-event.js';
import { SIGNATURE_HEADER, signRequest } from '#events/signature.js';
import {
  DEFAULT_STATUS_PAGE,
  STATUS_PATH,
  type StatusPageWire,
  type StatusQuery,
  type StatusRecordWire,
  statusPage,
  statusQueryString,
  statusRequestPayload,
} from '#events/status-pull.js';
import { clusterKey } from '#kube/cluster-object.js';
import type { GateWriteReport } from '#kube/readiness-gate-writer.js';
import type { StatusWriteReport } from '#kube/status-writer.js';
import { type Logger, silentLogger } from '#logging/logger.js';
import type { ForwarderMetrics } from './metrics.js';
import {
  type PodGateWrite,
  validatePodGateRecord,
  validateStatusRecord,
  validateStatusRelease,
} from './status-record.js';

/** Where statuses are written (a StatusWriter with pruning off). */
export interface StatusSink {
  write(statuses: readonly ObjectStatus[], signal?: AbortSignal): Promise<StatusWriteReport>;
  /** Withdraws Portico's part of objects it no longer programs (planReleasePatch). */
  release(releases: readonly StatusRelease[], signal?: AbortSignal): Promise<StatusWriteReport>;
}

/** Where readiness gates are opened (kube/readiness-gate-writer.ts ReadinessGateWriter). */
export interface PodGateSink {
  markReady(
    conditionType: string,
    pods: readonly { pod: { namespace: string; name: string }; message: string }[],
    signal?: AbortSignal,
  ): Promise<GateWriteReport>;
}

export interface StatusPullerOptions {
  endpoint: string;
  cluster: string;
  signingSecret: string;
  writer: StatusSink;
  /** Opens Pods' readiness gates (gate records); without it gate records are passed over. */
  gates?: PodGateSink;
  pageSize?: number;
  metrics?: ForwarderMetrics;
  logger?: Logger;
  /** Unix seconds (signatures). */
  now?: () => number;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
  /** Sees every valid record, in stream order (the pod admission webhook learns load balancers' targets). */
  observe?: (record: StatusRecordWire, valid: ObjectStatus | StatusRelease) => void;
}

export interface PullReport {
  pages: number;
  records: number;
  invalid: number;
  written: number;
  unchanged: number;
  failed: number;
}

export class StatusPullError extends Error {
  override name = 'StatusPullError';
}

/**
 * Pulls the status stream (GET `<endpoint>/status?cursor=…&limit=…`, signed like event batches
 * over `statusRequestPayload`) and patches it into the cluster. The cursor lives in memory: after
 * a restart the stream is read from its beginning (it holds only the latest status of each object,
 * and writes that change nothing are skipped). A route attached to two Gateways gets one record per
 * load balancer, each with its parents: the records of one page are merged into one write, and the
 * writer keeps the parent entries a write does not mention (`mergeRouteParents`), so records of
 * earlier pages need not be remembered. A release record (a load balancer no longer programs the
 * object) is applied after the page's statuses: it removes Portico's part that load balancer wrote
 * (its route parent entries, the Gateway's conditions) and nothing else. A gate record (a load
 * balancer sees a Pod healthy) sets that load balancer's readiness gate True on the Pod, read live
 * from the API server, only when the Pod's readinessGates name it. A page is read again when one of
 * its writes failed.
 */
export class StatusPuller {
  readonly #options: StatusPullerOptions;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  #cursor: string | undefined;
  #running: Promise<void> | undefined;
  #abort: AbortController | undefined;

  constructor(options: StatusPullerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
  }

  get cursor(): string | undefined {
    return this.#cursor;
  }

  /** Polls every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    if (this.#running) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.pullOnce(abort.signal);
        } catch (err) {
          if (abort.signal.aborted) break;
          this.#logger.warn('status pull failed; trying again later', { error: (err as Error).message });
        }
        await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#running;
    this.#running = undefined;
  }

  /** Reads pages until the stream has no more, writing each. */
  async pullOnce(signal?: AbortSignal): Promise<PullReport> {
    const report: PullReport = { pages: 0, records: 0, invalid: 0, written: 0, unchanged: 0, failed: 0 };
    for (;;) {
      const query: StatusQuery = {
        ...(this.#cursor !== undefined ? { cursor: this.#cursor } : {}),
        limit: this.#options.pageSize ?? DEFAULT_STATUS_PAGE,
      };
      const page = await this.#get(query, signal);
      report.pages++;
      report.records += page.items.length;
      const byObject = new Map<string, ObjectStatus>();
      /** route or policy → load balancer key → that load balancer's entries, in this page. */
      const perGatewayEntries = new Map<string, Map<string, PerGatewayEntry[]>>();
      /** object + load balancer key → what it withdraws. */
      const releases = new Map<string, StatusRelease>();
      /** condition type → the Pods whose gate opens, in this page. */
      const gates = new Map<string, PodGateWrite[]>();
      for (const record of page.items) {
        if (record.gate) {
          const gate = validatePodGateRecord(record);
          if (typeof gate === 'string') {
            this.#refuse(report, record, gate);
            continue;
          }
          gates.set(gate.conditionType, [...(gates.get(gate.conditionType) ?? []), gate]);
          continue;
        }
        const status = record.release ? validateStatusRelease(record) : validateStatusRecord(record);
        if (typeof status === 'string') {
          this.#refuse(report, record, status);
          continue;
        }
        this.#options.observe?.(record, status);
        const key = clusterKey(status.kind, status.namespace, status.name);
        if (!('status' in status)) {
          releases.set(`${key}|${record.key ?? ''}`, status);
          continue;
        }
        const field = perGatewayField(status);
        if (field) {
          const perLb = perGatewayEntries.get(key) ?? new Map<string, PerGatewayEntry[]>();
          perGatewayEntries.set(key, perLb);
          perLb.set(record.key ?? '', (status.status as Record<typeof field, PerGatewayEntry[]>)[field]);
          const entries = unionOfEntries(perLb.values());
          byObject.set(key, {
            ...status,
            loadBalancers: [...perLb.keys()].filter(Boolean),
            status:
              field === 'parents'
                ? { parents: entries as RouteParentStatus[] }
                : { ancestors: entries as PolicyAncestorStatus[] },
          } as ObjectStatus);
        } else {
          byObject.set(key, status); // the latest record wins
        }
      }
      const statuses = [...byObject.values()];
      if (statuses.length > 0) this.#count(report, await this.#options.writer.write(statuses, signal));
      if (releases.size > 0)
        this.#count(report, await this.#options.writer.release([...releases.values()], signal));
      for (const [conditionType, pods] of gates) await this.#openGates(report, conditionType, pods, signal);
      if (page.next !== undefined) this.#cursor = page.next;
      if (!page.more || page.items.length === 0) return report;
    }
  }

  #refuse(report: PullReport, record: StatusPageWire['items'][number], problem: string): void {
    report.invalid++;
    this.#options.metrics?.statusPatches.inc({ result: 'invalid' });
    this.#logger.warn('status record refused', { cursor: record.cursor, ref: record.ref, problem });
  }

  /** Sets one load balancer's gate True on the Pods that ask for it; a failed patch fails the page. */
  async #openGates(
    report: PullReport,
    conditionType: string,
    pods: readonly PodGateWrite[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const m = this.#options.metrics?.statusPatches;
    if (!this.#options.gates) {
      m?.inc({ result: 'skipped' }, pods.length);
      return;
    }
    const written = await this.#options.gates.markReady(conditionType, pods, signal);
    report.written += written.written.length;
    report.unchanged += written.unchanged + written.gone;
    report.failed += written.failed.length;
    m?.inc({ result: 'written' }, written.written.length);
    m?.inc({ result: 'unchanged' }, written.unchanged + written.gone);
    m?.inc({ result: 'failed' }, written.failed.length);
    if (written.written.length > 0)
      this.#logger.info('readiness gates opened', { conditionType, pods: written.written });
    for (const f of written.failed) this.#logger.warn('readiness gate patch failed', f);
    if (written.failed.length > 0)
      throw new StatusPullError(`${written.failed.length} gate patch(es) failed`);
  }

  /** Adds a write's outcome to the report and metrics; throws when a patch failed (the page is read again). */
  #count(report: PullReport, written: StatusWriteReport): void {
    report.written += written.written.length;
    report.unchanged += written.unchanged;
    report.failed += written.failed.length;
    const m = this.#options.metrics?.statusPatches;
    m?.inc({ result: 'written' }, written.written.length);
    m?.inc({ result: 'unchanged' }, written.unchanged);
    m?.inc({ result: 'skipped' }, written.skipped.length);
    m?.inc({ result: 'failed' }, written.failed.length);
    for (const f of written.failed) this.#logger.warn('status patch failed', f);
    if (written.failed.length > 0) {
      // read this page again next time
      throw new StatusPullError(`${written.failed.length} status patch(es) failed`);
    }
  }

  async #get(query: StatusQuery, signal?: AbortSignal): Promise<StatusPageWire> {
    try {
      const page = await this.#fetchPage(query, signal);
      this.#options.metrics?.statusPulls.inc({ result: 'ok' });
      return page;
    } catch (err) {
      this.#options.metrics?.statusPulls.inc({ result: 'error' });
      throw err;
    }
  }

  async #fetchPage(query: StatusQuery, signal?: AbortSignal): Promise<StatusPageWire> {
    const url = `${this.#options.endpoint.replace(/\/+$/, '')}${STATUS_PATH}?${statusQueryString(query)}`;
    const now = this.#options.now?.() ?? Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await this.#fetch(url, {
        headers: {
          accept: 'application/json',
          [SIGNATURE_HEADER]: signRequest(this.#options.signingSecret, now, statusRequestPayload(query)),
          'user-agent': 'portico-forwarder',
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new StatusPullError(`GET ${STATUS_PATH}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw new StatusPullError(`GET ${STATUS_PATH}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new StatusPullError(`GET ${STATUS_PATH}: the reply is not JSON`);
    }
    const page = statusPage.safeParse(json);
    if (!page.success) {
      throw new StatusPullError(`GET ${STATUS_PATH}: not a status page: ${describeIssue(page.error)}`);
    }
    if (page.data.cluster !== this.#options.cluster) {
      throw new StatusPullError(`GET ${STATUS_PATH}: page is for cluster ${page.data.cluster}`);
    }
    return page.data;
  }
}

/** A route's parent entry or a policy's ancestor entry: what one Gateway's load balancer says. */
type PerGatewayEntry = RouteParentStatus | PolicyAncestorStatus;

/**
 * The field of a status that holds one entry per Gateway (each load balancer writes its own), or
 * undefined for a status one load balancer says whole.
 */
function perGatewayField(status: ObjectStatus): 'parents' | 'ancestors' | undefined {
  if (isRouteKind(status.kind)) return 'parents';
  if (status.kind === 'BackendTLSPolicy') return 'ancestors';
  return undefined;
}

/** Every load balancer's entries, one per Gateway reference (a later load balancer's entry wins). */
function unionOfEntries(perLb: Iterable<PerGatewayEntry[]>): PerGatewayEntry[] {
  const byRef = new Map<string, PerGatewayEntry>();
  for (const entries of perLb) {
    for (const e of entries) byRef.set(JSON.stringify('parentRef' in e ? e.parentRef : e.ancestorRef), e);
  }
  return [...byRef.values()];
}
