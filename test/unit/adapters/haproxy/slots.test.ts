import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { renderServerLine, serverSpec } from '#adapters/haproxy/config/server.js';
import { assignSlots } from '#adapters/haproxy/config/slots.js';
import type { BackendModel, DesiredEndpoint } from '#adapters/haproxy/model.js';
import { checkSlotMinimum, slotCountFor } from '#adapters/haproxy/model.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import { withDefaults } from '#test/support/loose-ir.js';

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
    expect([0, 1, 6, 7, 8, 12, 13, 100].map((n) => slotCountFor(n))).toEqual([8, 8, 8, 16, 16, 16, 24, 128]);
  });
  it('takes a lower minimum, rounding to it below 8 (5,000 one-endpoint backends: 10,000 slots at 1)', () => {
    expect([0, 1, 2, 4, 7].map((n) => slotCountFor(n, 1))).toEqual([1, 2, 3, 5, 9]);
    expect([0, 1, 4, 7].map((n) => slotCountFor(n, 2))).toEqual([2, 2, 6, 10]);
    expect([0, 7, 13].map((n) => slotCountFor(n, 16))).toEqual([16, 16, 24]);
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

describe('scale settings', () => {
  const lb = withDefaults(
    {
      listeners: [
        {
          id: 'HTTP-80',
          port: 80,
          protocol: 'HTTP',
          routes: [{ match: {}, action: { type: 'forward', backends: [{ pool: 'shop/a/80', weight: 1 }] } }],
        },
      ],
      pools: [{ id: 'shop/a/80', endpoints: [{ address: '10.0.0.1' }] }],
    },
    { key: 't/Gateway/shop/web', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );

  it('renders backends with the configured slot minimum', () => {
    expect(renderHaproxyModel(lb).model.backends[0]!.slots).toBe(8);
    expect(renderHaproxyModel(lb, { slotMinimum: 1 }).model.backends[0]!.slots).toBe(2);
    expect(() => checkSlotMinimum(0)).toThrow(/slotMinimum must be an integer from 1 to 1024, got 0/);
  });

  it('writes maxconn and fd-hard-limit into the global section when given', () => {
    const cfg = materialize([], {}, { stateDir: '/tmp/x', global: { maxconn: 5_000, fdHardLimit: 20_000 } })
      .files['haproxy.cfg']!;
    expect(cfg).toContain('\n  maxconn 5000\n');
    expect(cfg).toContain('\n  fd-hard-limit 20000\n');
    expect(() => materialize([], {}, { stateDir: '/tmp/x', global: { fdHardLimit: 10 } })).toThrow(
      /fdHardLimit/,
    );
  });
});
