import { describe, expect, it } from 'vitest';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { type LooseRoute, withDefaults } from '#test/support/loose-ir.js';

// Retries are backend settings in HAProxy 2.6: each retry policy gets its own backend per pool.

const DEFAULTS: Partial<ir.LoadBalancer> = {
  provider: 'haproxy',
  scheme: 'internal',
  providerParameters: {},
};

function render(routes: LooseRoute[]) {
  return renderHaproxyModel(
    withDefaults(
      {
        listeners: [{ port: 80, protocol: 'HTTP', routes }],
        pools: [{ id: 'shop/api/80', endpoints: [{ address: '10.0.0.1' }] }],
      },
      DEFAULTS,
    ),
  );
}

const forward = { type: 'forward', backends: [{ pool: 'shop/api/80', weight: 1 }] };

describe('HAProxy retries', () => {
  it('serves routes with the same policy from one backend, and a route without one from the plain backend', () => {
    const { model, notices } = render([
      {
        match: { path: { type: 'Exact', value: '/a' } },
        retry: { attempts: 3, codes: [503, 500] },
        action: forward,
      },
      {
        match: { path: { type: 'Exact', value: '/b' } },
        retry: { attempts: 3, codes: [500, 503] },
        action: forward,
      },
      { match: { path: { type: 'Exact', value: '/c' } }, action: forward },
    ]);
    expect(notices).toEqual([]);
    expect(model.backends.map((b) => b.retry)).toEqual(
      expect.arrayContaining([
        undefined,
        { retries: 3, on: ['conn-failure', 'empty-response', 'response-timeout', '500', '503'] },
      ]),
    );
    expect(model.backends).toHaveLength(2);
  });

  it('refuses a route retrying on a status retry-on does not know, naming the statuses', () => {
    const { model, notices } = render([
      {
        match: { path: { type: 'Exact', value: '/a' } },
        retry: { attempts: 1, codes: [429, 503] },
        action: forward,
      },
    ]);
    expect(notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        feature: 'retry/codes',
        field: 'retry.codes',
        message: expect.stringContaining('not on 429'),
      }),
    ]);
    expect(model.backends).toEqual([]);
  });

  it('programs a route with a backoff and warns that HAProxy retries without one', () => {
    const { model, notices } = render([
      {
        match: { path: { type: 'Exact', value: '/a' } },
        retry: { attempts: 1, codes: [], backoffMs: 250 },
        action: forward,
      },
    ]);
    expect(notices).toEqual([
      expect.objectContaining({
        severity: 'warning',
        feature: 'retry/backoff',
        message: expect.stringContaining('250 ms'),
      }),
    ]);
    expect(model.backends[0]?.retry).toEqual({
      retries: 1,
      on: ['conn-failure', 'empty-response', 'response-timeout'],
    });
  });
});
