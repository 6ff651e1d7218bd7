import { describe, expect, it } from 'vitest';
import { bufferTuning } from '#adapters/haproxy/config/materialize.js';
import { MAX_ADDED_HEADER_BYTES } from '#adapters/haproxy/config/route-actions.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import { type LooseLb, withDefaults } from '#test/support/loose-ir.js';

// Header modifiers within Gateway API limits can add more than HAProxy's default buffers hold
// (live-routing.test.ts serves them for real); beyond what Portico sizes buffers for, the route is
// refused with a precise notice instead of being accepted and answered with 500.

const headers = (n: number, size: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `X-H-${i}`, value: 'v'.repeat(size) }));

function lb(add: { name: string; value: string }[]) {
  return withDefaults(
    {
      listeners: [
        {
          id: 'HTTP-80',
          port: 80,
          protocol: 'HTTP',
          routes: [
            {
              id: 'big',
              match: { path: { type: 'Prefix', value: '/' } },
              filters: [{ type: 'ResponseHeaderModifier', set: [], add, remove: [] }],
              action: { type: 'forward', backends: [{ pool: 'ns/app/80', weight: 1 }] },
            },
          ],
        },
      ],
      pools: [{ id: 'ns/app/80', endpoints: [{ address: '10.0.0.1', port: 8080 }] }],
    } as unknown as LooseLb,
    { key: 't/Gateway/ns/gw', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );
}

describe('header modifiers and HAProxy buffers', () => {
  it('keeps the default buffers when routes add little', () => {
    const { model } = renderHaproxyModel(lb(headers(2, 100)));
    expect(model.frontends[0]!.addedHeaderBytes).toBe(2 * (5 + 100 + 32));
    expect(bufferTuning([model])).toEqual([]);
  });

  it('sizes the buffers for the largest route: its headers in the reserve, 15 kB left for the client', () => {
    const { model, notices } = renderHaproxyModel(lb(headers(4, 4096)));
    expect(notices).toEqual([]);
    expect(bufferTuning([model])).toEqual(['tune.bufsize 36864', 'tune.maxrewrite 18432']);
  });

  it('refuses a route that adds more than it can serve, naming the size and the limit', () => {
    const { model, notices } = renderHaproxyModel(lb(headers(9, 4096)));
    expect(notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'LimitExceeded',
        feature: 'unsafe-value/header-size',
        route: 'big',
        field: 'filters',
        message: expect.stringContaining(
          `add up to ${9 * (5 + 4096 + 32)} bytes to a response; HAProxy serves at most ${MAX_ADDED_HEADER_BYTES}`,
        ),
      }),
    ]);
    expect(model.frontends[0]!.addedHeaderBytes).toBeUndefined();
    expect(bufferTuning([model])).toEqual([]);
  });
});
