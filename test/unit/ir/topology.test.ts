import { describe, expect, it } from 'vitest';
import type { Endpoint } from '#core/ir/load-balancer.js';
import { closeEndpoints } from '#core/ir/topology.js';

const ep = (address: string, zone: string, extra: Partial<Endpoint> = {}): Endpoint => ({
  address,
  family: 'IPv4',
  port: 80,
  ready: true,
  serving: true,
  terminating: false,
  zone,
  ...extra,
});

describe('closeEndpoints', () => {
  it('does not apply without a topology preference', () => {
    const choice = closeEndpoints({ endpoints: [ep('10.0.0.1', 'a'), ep('10.0.0.2', 'b')] }, 'a');
    expect(choice.applies).toBe(false);
    expect(choice.isClose(ep('10.0.0.2', 'b'))).toBe(true);
  });

  it('picks the endpoints of the zone when no endpoint is hinted', () => {
    const endpoints = [ep('10.0.0.1', 'a'), ep('10.0.0.2', 'b')];
    const choice = closeEndpoints({ topology: 'PreferClose', endpoints }, 'a');
    expect(choice.applies).toBe(true);
    expect(endpoints.map(choice.isClose)).toEqual([true, false]);
  });

  it('follows the hints when every ready endpoint has them', () => {
    const endpoints = [
      ep('10.0.0.1', 'a', { zoneHints: ['b'] }),
      ep('10.0.0.2', 'b', { zoneHints: ['a'] }),
      ep('10.0.0.3', 'c', { ready: false }),
    ];
    const choice = closeEndpoints({ topology: 'PreferClose', endpoints }, 'a');
    expect(endpoints.map(choice.isClose)).toEqual([false, true, false]);
  });

  it('ignores hints on only some ready endpoints and reads zones instead', () => {
    const endpoints = [ep('10.0.0.1', 'a', { zoneHints: ['b'] }), ep('10.0.0.2', 'b')];
    const choice = closeEndpoints({ topology: 'PreferClose', endpoints }, 'a');
    expect(endpoints.map(choice.isClose)).toEqual([true, false]);
  });

  it('does not apply when no ready endpoint is close, so every endpoint serves', () => {
    const endpoints = [ep('10.0.0.1', 'b'), ep('10.0.0.2', 'a', { ready: false })];
    const choice = closeEndpoints({ topology: 'PreferClose', endpoints }, 'a');
    expect(choice.applies).toBe(false);
  });
});
