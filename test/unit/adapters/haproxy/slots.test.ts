import { describe, expect, it } from 'vitest';
import { renderServerLine, serverSpec } from '#adapters/haproxy/config/server.js';
import { assignSlots } from '#adapters/haproxy/config/slots.js';
import type { BackendModel, DesiredEndpoint } from '#adapters/haproxy/model.js';
import { slotCountFor } from '#adapters/haproxy/model.js';

const ep = (address: string, state: DesiredEndpoint['state'] = 'ready'): DesiredEndpoint => ({
  address,
  port: 8080,
  weight: 1,
  state,
});
const backend: BackendModel = {
  lb: 'lb_x',
  name: 'be_x',
  pool: 'ns/svc/80',
  mode: 'http',
  serverOptions: ['check', 'inter', '10s'],
  healthCheck: { type: 'tcp', intervalSeconds: 10, timeoutSeconds: 5, rise: 2, fall: 2, ssl: false },
  slots: 8,
  endpoints: [],
};

describe('slotCountFor', () => {
  it('leaves room, in multiples of 8, at least 8', () => {
    expect([0, 1, 6, 7, 8, 12, 13, 100].map(slotCountFor)).toEqual([8, 8, 8, 16, 16, 16, 24, 128]);
  });
});

describe('assignSlots', () => {
  it('keeps endpoints in their slots and fills the lowest free ones', () => {
    const first = assignSlots(undefined, [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3')], 4);
    expect(first.slots.map((s) => s?.address ?? null)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', null]);
    const next = assignSlots(first, [ep('10.0.0.4'), ep('10.0.0.3'), ep('10.0.0.1', 'drain')], 4);
    expect(next.slots).toEqual([ep('10.0.0.1', 'drain'), ep('10.0.0.4'), ep('10.0.0.3'), null]);
  });
  it('is idempotent and refuses what does not fit', () => {
    const a = assignSlots(undefined, [ep('10.0.0.1'), ep('10.0.0.2')], 2);
    expect(assignSlots(a, [ep('10.0.0.2'), ep('10.0.0.1')], 2)).toEqual(a);
    expect(() => assignSlots(a, [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3')], 2)).toThrow(RangeError);
  });
});

describe('server lines and runtime commands from one spec', () => {
  it('renders config lines', () => {
    expect(renderServerLine(serverSpec(backend, 0, ep('10.0.0.1')))).toBe(
      'server s1 10.0.0.1:8080 weight 1 check inter 10s',
    );
    expect(renderServerLine(serverSpec(backend, 1, ep('fd00::1', 'drain')))).toBe(
      'server s2 [fd00::1]:8080 weight 0 check inter 10s',
    );
    expect(renderServerLine(serverSpec(backend, 2, null))).toBe(
      'server s3 127.0.0.1:1 weight 1 check inter 10s disabled',
    );
  });
  it('refuses addresses that are not IP literals', () => {
    expect(() => renderServerLine(serverSpec(backend, 0, ep('10.0.0.1;show map')))).toThrow();
    expect(() => renderServerLine(serverSpec(backend, 0, ep('a b')))).toThrow();
  });
});
