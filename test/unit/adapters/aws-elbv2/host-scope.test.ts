import { describe, expect, it } from 'vitest';
import { catchAllPositions, hostCovers } from '#adapters/aws-elbv2/internal/host-scope.js';
import type * as ir from '#core/ir/load-balancer.js';

const r = (hostname?: string): ir.Route => ({
  id: `r-${hostname}`,
  source: { kind: 'HTTPRoute', name: 'r' },
  wildcard: 'any-depth',
  ...(hostname ? { hostname } : {}),
  match: { headers: [], queryParams: [] },
  filters: [],
  action: { type: 'fixed-response', statusCode: 200, reason: 'ok' },
});

describe('host-first scope', () => {
  it('knows which route hostnames cover others', () => {
    expect(hostCovers(undefined, 'a.b.com')).toBe(true);
    expect(hostCovers('*.b.com', 'a.b.com')).toBe(true);
    expect(hostCovers('*.b.com', 'x.a.b.com')).toBe(true);
    expect(hostCovers('*.b.com', '*.a.b.com')).toBe(true);
    expect(hostCovers('*.b.com', 'b.com')).toBe(false);
    expect(hostCovers('*.b.com', '*.b.com')).toBe(false);
    expect(hostCovers('a.b.com', 'a.b.com')).toBe(false);
    expect(hostCovers(undefined, undefined)).toBe(false);
  });

  it('puts a catch-all after the last route of a host only when a later route could catch it', () => {
    const routes = [r('a.b.com'), r('a.b.com'), r('c.d.org'), r('*.b.com'), r(undefined)];
    expect([...catchAllPositions(routes)]).toEqual([
      ['a.b.com', 1],
      ['c.d.org', 2],
      ['*.b.com', 3],
    ]);
    expect([...catchAllPositions([r('a.b.com'), r('c.d.org')])]).toEqual([]);
  });
});
