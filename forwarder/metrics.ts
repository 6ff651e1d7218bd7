/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition
 * format (version 0.0.4). Gauges may be read at scrape time from a callback.
 */
type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Label names; a family without labels shows 0 before anything was counted. */
  labelNames: readonly string[];
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number;
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Metric {
    return this.#metric(name, help, 'counter', labelNames);
  }

  gauge(name: string, help: string, collect?: () => number): Metric {
    return this.#metric(name, help, 'gauge', [], collect);
  }

  /** A counter whose value is read at scrape time (a count kept elsewhere). */
  counterFrom(name: string, help: string, collect: () => number): void {
    this.#metric(name, help, 'counter', [], collect);
  }

  /** The value of one series (0 when never touched). */
  value(name: string, labels: Labels = {}): number {
    const f = this.#families.get(name);
    if (!f) throw new Error(`no metric ${name}`);
    if (f.collect) return f.collect();
    return f.values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const f of this.#families.values()) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      if (f.collect) lines.push(`${f.name} ${formatNumber(f.collect())}`);
      else if (f.values.size === 0 && f.labelNames.length === 0) lines.push(`${f.name} 0`);
      for (const { labels, value } of f.values.values()) {
        lines.push(`${f.name}${renderLabels(labels)} ${formatNumber(value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  #metric(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    labelNames: readonly string[],
    collect?: () => number,
  ): Metric {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    if (this.#families.has(name)) throw new Error(`metric ${name} registered twice`);
    const family: Family = {
      name,
      help,
      type,
      labelNames,
      values: new Map(),
      ...(collect ? { collect } : {}),
    };
    this.#families.set(name, family);
    const series = (labels: Labels) => {
      const key = labelKey(labels);
      let s = family.values.get(key);
      if (!s) {
        s = { labels: { ...labels }, value: 0 };
        family.values.set(key, s);
      }
      return s;
    };
    return {
      inc: (labels = {}, by = 1) => {
        checkLabels(name, labelNames, labels);
        if (type === 'counter' && by < 0) throw new Error(`${name}: counters only go up`);
        series(labels).value += by;
      },
      set: (value, labels = {}) => {
        checkLabels(name, labelNames, labels);
        series(labels).value = value;
      },
    };
  }
}

export interface Metric {
  inc(labels?: Labels, by?: number): void;
  set(value: number, labels?: Labels): void;
}

function checkLabels(name: string, expected: readonly string[], labels: Labels): void {
  const got = Object.keys(labels);
  if (got.length !== expected.length || got.some((l) => !expected.includes(l))) {
    throw new Error(
      `${name}: labels must be ${expected.join(', ') || 'none'}, got ${got.join(', ') || 'none'}`,
    );
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const parts = entries.map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return `{${parts.join(',')}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

/** The forwarder's metrics, by name. */
export class ForwarderMetrics {
  readonly registry = new MetricsRegistry();
  readonly eventsObserved = this.registry.counter(
    'portico_forwarder_events_observed_total',
    'Watch events and listed objects observed, by kind and type (add, update, delete, list).',
    ['kind', 'type'],
  );
  readonly eventsSent = this.registry.counter(
    'portico_forwarder_events_sent_total',
    'CloudEvents accepted by ingest.',
  );
  readonly batchesSent = this.registry.counter(
    'portico_forwarder_batches_sent_total',
    'Batches accepted by ingest.',
  );
  readonly batchesFailed = this.registry.counter(
    'portico_forwarder_batches_failed_total',
    'Batch requests that failed (network error, 429, 5xx, or a refusal), by reason.',
    ['reason'],
  );
  readonly batchesRetried = this.registry.counter(
    'portico_forwarder_batches_retried_total',
    'Batch requests sent again after a failure.',
  );
  readonly eventsDropped = this.registry.counter(
    'portico_forwarder_events_dropped_total',
    'Events not delivered, by reason (outbox_full: re-listed later; rejected: refused by ingest; too_large; shutdown).',
    ['reason'],
  );
  readonly relists = this.registry.counter(
    'portico_forwarder_relists_total',
    'Re-lists asked for after the outbox dropped events of a kind.',
    ['kind'],
  );
  readonly statusPatches = this.registry.counter(
    'portico_forwarder_status_patches_total',
    'Status records handled, by result (written, unchanged, skipped, failed, invalid).',
    ['result'],
  );
  readonly statusPulls = this.registry.counter(
    'portico_forwarder_status_pulls_total',
    'Status page requests, by result (ok, error).',
    ['result'],
  );
  readonly lastSuccessfulSend = this.registry.gauge(
    'portico_forwarder_last_successful_send_timestamp_seconds',
    'Unix time of the last batch ingest accepted (0: none yet).',
  );

  /** Gauges and counters read from elsewhere at scrape time. */
  collect(from: { queueDepth: () => number; informerRestarts: () => number; lists: () => number }): void {
    this.registry.gauge(
      'portico_forwarder_queue_depth',
      'Objects and markers waiting to be sent.',
      from.queueDepth,
    );
    this.registry.counterFrom(
      'portico_forwarder_informer_restarts_total',
      'Informers restarted after an error.',
      from.informerRestarts,
    );
    this.registry.counterFrom(
      'portico_forwarder_lists_total',
      'LIST requests made (initial lists, re-lists after 410 Gone or on request).',
      from.lists,
    );
  }

  render(): string {
    return this.registry.render();
  }
}
