import { describe, expect, it } from 'vitest';
import { ForwarderMetrics, MetricsRegistry } from '#forwarder/metrics.js';

describe('MetricsRegistry', () => {
  it('renders the Prometheus text format: HELP, TYPE, labelled series, escaped label values', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'Things counted.', ['kind']);
    const g = r.gauge('y', 'A level.');
    r.counterFrom('z_total', 'Read at scrape time.', () => 7);
    c.inc({ kind: 'Gateway' });
    c.inc({ kind: 'Gateway' }, 2);
    c.inc({ kind: 'a"b\\c\nd' });
    g.set(1.5);
    expect(r.render()).toBe(
      [
        '# HELP x_total Things counted.',
        '# TYPE x_total counter',
        'x_total{kind="Gateway"} 3',
        'x_total{kind="a\\"b\\\\c\\nd"} 1',
        '# HELP y A level.',
        '# TYPE y gauge',
        'y 1.5',
        '# HELP z_total Read at scrape time.',
        '# TYPE z_total counter',
        'z_total 7',
        '',
      ].join('\n'),
    );
    expect(r.value('x_total', { kind: 'Gateway' })).toBe(3);
  });

  it('refuses wrong labels, negative counter increments and duplicate names', () => {
    const r = new MetricsRegistry();
    const c = r.counter('a_total', 'A.', ['kind']);
    expect(() => c.inc({ type: 'x' })).toThrow(/labels must be kind/);
    expect(() => c.inc({ kind: 'x' }, -1)).toThrow(/only go up/);
    expect(() => r.counter('a_total', 'again')).toThrow(/twice/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/bad metric name/);
  });

  it('the forwarder declares every metric the issue lists', () => {
    const m = new ForwarderMetrics();
    m.collect({ queueDepth: () => 4, informerRestarts: () => 1, lists: () => 16 });
    const text = m.render();
    for (const name of [
      'portico_forwarder_events_observed_total',
      'portico_forwarder_events_sent_total',
      'portico_forwarder_batches_sent_total',
      'portico_forwarder_batches_failed_total',
      'portico_forwarder_batches_retried_total',
      'portico_forwarder_events_dropped_total',
      'portico_forwarder_relists_total',
      'portico_forwarder_status_patches_total',
      'portico_forwarder_last_successful_send_timestamp_seconds',
      'portico_forwarder_queue_depth',
      'portico_forwarder_informer_restarts_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^portico_forwarder_queue_depth 4$/m);
    expect(text).toMatch(/^portico_forwarder_informer_restarts_total 1$/m);
  });
});
