import { describe, expect, it } from 'vitest';
import { ReadBackCache } from '#adapters/haproxy/config/read-back-cache.js';
import type { BackendModel } from '#adapters/haproxy/model.js';

const cfg = (weight: number) => `backend be_x
  mode http
  balance roundrobin
  timeout check 5s
  http-request set-timeout server var(txn.tmo) if { var(txn.tmo) -m found }
  server s1 10.0.0.1:8080 weight ${weight} check inter 10s rise 2 fall 3
  server s2 127.0.0.1:1 weight 1 check inter 10s rise 2 fall 3 disabled
`;
const reference: BackendModel = {
  lb: 'lb_x',
  name: 'be_x',
  pool: 'ns/x/80',
  mode: 'http',
  serverOptions: ['check', 'inter', '10s', 'rise', '2', 'fall', '3'],
  healthCheck: { type: 'tcp', intervalSeconds: 10, timeoutSeconds: 5, rise: 2, fall: 3, ssl: false },
  slots: 2,
  endpoints: [],
};

describe('ReadBackCache', () => {
  it('reads a section again only when the file or the reference changed', () => {
    const cache = new ReadBackCache();
    const sections = cache.sectionsOf(cfg(1));
    const first = cache.backend(sections.get('backend be_x')!, reference);
    expect(first.endpoints).toEqual([{ address: '10.0.0.1', port: 8080, weight: 1, state: 'ready' }]);
    expect(first.configDrift).toBeUndefined();
    // Same content (another string with the same text): the same parse, the same value.
    expect(cache.sectionsOf(`${cfg(1)}`)).toBe(sections);
    expect(cache.backend(sections.get('backend be_x')!, { ...reference })).toBe(first);
    // Another reference pool: read again (the pool comes from the reference).
    expect(cache.backend(sections.get('backend be_x')!, { ...reference, pool: 'ns/y/80' }).pool).toBe(
      'ns/y/80',
    );
    // A changed file (a hand edit of the weight) is parsed and read again.
    const edited = cache.sectionsOf(cfg(5));
    expect(edited).not.toBe(sections);
    expect(cache.backend(edited.get('backend be_x')!, reference).endpoints[0]!.weight).toBe(5);
  });
});
