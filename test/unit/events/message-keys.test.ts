import { describe, expect, it } from 'vitest';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { dedupIdOf, groupIdOf } from '#events/message-keys.js';
import { parseIncoming } from '#events/parse-incoming.js';
import type { PorticoEvent, ResourceEvent } from '#events/portico-event.js';

function events(name: string): PorticoEvent[] {
  const raw = loadFixture(name);
  const r = parseIncoming(
    {
      'content-type': Array.isArray(raw)
        ? 'application/cloudevents-batch+json'
        : 'application/cloudevents+json',
    },
    JSON.stringify(raw),
    { cluster: 'prod-eu-1' },
  );
  if ('error' in r) throw new Error(r.error.message);
  return r.events;
}

describe('queue keys', () => {
  it('groups by cluster + kind + object key, markers per kind', () => {
    const batch = events('portico-batch');
    expect(batch.map(groupIdOf)).toEqual([
      'prod-eu-1/Gateway/~snapshot',
      'prod-eu-1/Gateway/default/web',
      'prod-eu-1/Gateway/default/internal',
      'prod-eu-1/Gateway/~snapshot',
    ]);
  });

  it('dedups by cluster + uid + resourceVersion + type', () => {
    const [add] = events('knative-add-gateway') as [ResourceEvent];
    const again = { ...add, id: 'another-delivery', time: '2030-01-01T00:00:00Z' };
    expect(dedupIdOf(again)).toBe(dedupIdOf(add));
    expect(dedupIdOf({ ...add, type: 'dev.knative.apiserver.resource.update' })).not.toBe(dedupIdOf(add));
    expect(dedupIdOf({ ...add, resourceversion: '99' })).not.toBe(dedupIdOf(add));
    expect(dedupIdOf({ ...add, cluster: 'other' })).not.toBe(dedupIdOf(add));
    expect(dedupIdOf(add)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps group ids within 128 characters', () => {
    const [add] = events('knative-add-gateway') as [ResourceEvent];
    const long = { ...add, data: { ...add.data, metadata: { ...add.data.metadata, name: 'a'.repeat(253) } } };
    const id = groupIdOf(long);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toBe(groupIdOf(structuredClone(long)));
    expect(id.startsWith('prod-eu-1/Gateway/#')).toBe(true);
  });
});
