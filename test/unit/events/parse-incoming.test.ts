import { describe, expect, it } from 'vitest';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { DEFAULT_LIMITS } from '#events/limits.js';
import { parseIncoming } from '#events/parse-incoming.js';
import type { ResourceEvent, SnapshotMarkerEvent } from '#events/portico-event.js';

const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const BATCH = { 'content-type': 'application/cloudevents-batch+json' };
const fx = (name: string): Record<string, unknown> => loadFixture<Record<string, unknown>>(name);

function ok(result: ReturnType<typeof parseIncoming>) {
  if ('error' in result) throw new Error(`expected events, got ${JSON.stringify(result.error)}`);
  return result;
}
function err(result: ReturnType<typeof parseIncoming>) {
  if (!('error' in result)) throw new Error('expected a rejection');
  return result.error;
}

describe('parseIncoming: Knative ApiServerSource, Resource mode', () => {
  it('accepts add in structured mode and normalises Portico extensions', () => {
    const { events, mode } = ok(parseIncoming(STRUCTURED, JSON.stringify(fx('knative-add-gateway'))));
    expect(mode).toBe('structured');
    const e = events[0] as ResourceEvent;
    expect(e).toMatchObject({
      type: 'dev.knative.apiserver.resource.add',
      source: 'https://10.96.0.1:443',
      subject: '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/web',
      cluster: 'prod-eu-1',
      kind: 'Gateway',
      resourceversion: '18213',
      datacontenttype: 'application/json',
    });
    expect(e.data.metadata.name).toBe('web');
  });

  it('takes the cluster from the credentials when the event has none (update)', () => {
    const { events } = ok(
      parseIncoming(STRUCTURED, JSON.stringify(fx('knative-update-httproute')), { cluster: 'prod-eu-1' }),
    );
    expect(events[0]).toMatchObject({ type: 'dev.knative.apiserver.resource.update', cluster: 'prod-eu-1' });
  });

  it('accepts delete with the last known object as data', () => {
    const { events } = ok(
      parseIncoming(STRUCTURED, JSON.stringify(fx('knative-delete-service')), { cluster: 'prod-eu-1' }),
    );
    expect(events[0]).toMatchObject({ type: 'dev.knative.apiserver.resource.delete', kind: 'Service' });
  });

  it('accepts binary mode (ce-* headers, JSON body): what ApiServerSource sends by default', () => {
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-gatewayclass',
    );
    const { events, mode } = ok(parseIncoming(headers, JSON.stringify(body), { cluster: 'lab' }));
    expect(mode).toBe('binary');
    expect(events[0]).toMatchObject({ kind: 'GatewayClass', cluster: 'lab', resourceversion: '17001' });
  });

  it('decodes percent-encoded binary-mode header values', () => {
    const { headers, body } = loadFixture<{ headers: Record<string, string>; body: unknown }>(
      'knative-binary-add-gatewayclass',
    );
    const { events } = ok(
      parseIncoming({ ...headers, 'ce-subject': '/a%20b', 'ce-cluster': 'lab' }, JSON.stringify(body)),
    );
    expect(events[0]!.subject).toBe('/a b');
    expect(events[0]!.cluster).toBe('lab');
  });

  it('refuses a binary-mode request whose data is not JSON (415)', () => {
    const { headers } = loadFixture<{ headers: Record<string, string> }>('knative-binary-add-gatewayclass');
    expect(err(parseIncoming({ ...headers, 'content-type': 'text/plain' }, 'hi'))).toMatchObject({
      status: 415,
      reason: 'UnsupportedMediaType',
    });
  });
});

describe('parseIncoming: batch mode and snapshot markers', () => {
  it('accepts a Portico batch: start marker, the listed objects, end marker', () => {
    const { events, mode } = ok(parseIncoming(BATCH, JSON.stringify(fx('portico-batch'))));
    expect(mode).toBe('batch');
    expect(events.map((e) => e.type)).toEqual([
      'dev.portico.snapshot.start',
      'dev.knative.apiserver.resource.add',
      'dev.knative.apiserver.resource.add',
      'dev.portico.snapshot.end',
    ]);
    const end = events[3] as SnapshotMarkerEvent;
    expect(end.data).toEqual({
      kind: 'Gateway',
      snapshotId: 'gw-17990-1',
      count: 2,
      resourceVersion: '17990',
    });
    expect(end.snapshotid).toBe('gw-17990-1');
    expect((events[1] as ResourceEvent).snapshotid).toBe('gw-17990-1');
  });

  it('accepts single markers in structured mode', () => {
    for (const name of ['snapshot-start', 'snapshot-end']) {
      const { events } = ok(parseIncoming(STRUCTURED, JSON.stringify(fx(name))));
      expect(events[0]).toMatchObject({ kind: 'Gateway', snapshotid: 'gw-17990-1' });
    }
  });

  it('accepts an empty batch', () => {
    expect(ok(parseIncoming(BATCH, '[]')).events).toEqual([]);
  });

  it('refuses the whole batch for one bad event, naming its index', () => {
    const batch = fx('portico-batch') as unknown as Record<string, unknown>[];
    batch[2] = { ...batch[2]!, type: 'dev.knative.apiserver.ref.add' };
    expect(err(parseIncoming(BATCH, JSON.stringify(batch)))).toMatchObject({
      status: 422,
      reason: 'UnsupportedEventType',
      index: 2,
    });
  });

  it('refuses a marker whose snapshotid extension disagrees with its data', () => {
    const start = { ...fx('snapshot-start'), snapshotid: 'other' };
    expect(err(parseIncoming(STRUCTURED, JSON.stringify(start)))).toMatchObject({
      reason: 'AttributeMismatch',
    });
  });
});

describe('parseIncoming: refusals', () => {
  const bad = loadFixture<{ why: string; status: number; reason: string; event: unknown }[]>('bad-events');
  it.each(bad.map((b) => [b.why, b] as const))('refuses %s', (_why, b) => {
    expect(err(parseIncoming(STRUCTURED, JSON.stringify(b.event)))).toMatchObject({
      status: b.status,
      reason: b.reason,
    });
  });

  it('refuses events for another cluster than the credentials (403)', () => {
    expect(
      err(parseIncoming(STRUCTURED, JSON.stringify(fx('knative-add-gateway')), { cluster: 'other' })),
    ).toMatchObject({ status: 403, reason: 'ClusterMismatch' });
  });

  it.each([
    [{}, '{}', 415, 'UnsupportedMediaType'],
    [{ 'content-type': 'application/json' }, '{}', 415, 'UnsupportedMediaType'],
    [STRUCTURED, '', 400, 'EmptyBody'],
    [STRUCTURED, '{"specversion":', 400, 'MalformedJson'],
    [STRUCTURED, '[]', 422, 'InvalidEnvelope'],
    [STRUCTURED, 'null', 422, 'InvalidEnvelope'],
    [BATCH, '{}', 422, 'InvalidEnvelope'],
    [BATCH, '[1]', 422, 'InvalidEnvelope'],
  ] as const)('%j %s → %i %s', (headers, body, status, reason) => {
    expect(err(parseIncoming(headers, body))).toMatchObject({ status, reason });
  });

  it('reads Content-Type case-insensitively, with parameters', () => {
    const body = JSON.stringify(fx('knative-add-gateway'));
    ok(parseIncoming({ 'Content-Type': 'Application/CloudEvents+JSON; charset=utf-8' }, body));
  });
});

describe('parseIncoming: size limits', () => {
  const gateway = fx('knative-add-gateway');

  it('refuses a body over maxBodyBytes (413 PayloadTooLarge)', () => {
    const body = JSON.stringify(gateway);
    expect(err(parseIncoming(STRUCTURED, body, { limits: { maxBodyBytes: body.length - 1 } }))).toMatchObject(
      {
        status: 413,
        reason: 'PayloadTooLarge',
      },
    );
  });

  it('counts bytes, not characters', () => {
    const body = JSON.stringify({ ...gateway, subject: 'é'.repeat(100) });
    expect(err(parseIncoming(STRUCTURED, body, { limits: { maxBodyBytes: body.length + 50 } })).reason).toBe(
      'PayloadTooLarge',
    );
  });

  it('refuses a batch over maxBatchEvents (413 BatchTooLarge)', () => {
    const batch = Array.from({ length: DEFAULT_LIMITS.maxBatchEvents + 1 }, () => gateway);
    expect(err(parseIncoming(BATCH, JSON.stringify(batch)))).toMatchObject({
      status: 413,
      reason: 'BatchTooLarge',
    });
  });

  it('refuses an event whose data is over maxEventDataBytes (413 EventTooLarge)', () => {
    const big = structuredClone(gateway) as { data: { metadata: { annotations?: Record<string, string> } } };
    big.data.metadata.annotations = { 'example.com/big': 'x'.repeat(DEFAULT_LIMITS.maxEventDataBytes) };
    expect(err(parseIncoming(STRUCTURED, JSON.stringify(big)))).toMatchObject({
      status: 413,
      reason: 'EventTooLarge',
    });
  });

  it('refuses an event whose envelope pushes it over maxEventBytes', () => {
    const body = JSON.stringify(gateway);
    const dataBytes = JSON.stringify(gateway.data).length;
    const limits = { maxEventDataBytes: dataBytes, maxEventBytes: dataBytes + 10 };
    ok(parseIncoming(STRUCTURED, body, { limits: { ...limits, maxEventBytes: dataBytes + 1000 } }));
    expect(err(parseIncoming(STRUCTURED, body, { limits })).reason).toBe('EventTooLarge');
  });
});
