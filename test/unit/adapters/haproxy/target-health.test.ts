import { describe, expect, it } from 'vitest';
import { planPool } from '#adapters/haproxy/config/backends.js';
import type { BackendModel } from '#adapters/haproxy/model.js';
import type { ServerRuntimeState } from '#adapters/haproxy/runtime/runtime-client.js';
import { parseServersState } from '#adapters/haproxy/runtime/runtime-client.js';
import { type SeenDown, targetHealthOf } from '#adapters/haproxy/target-health.js';
import type * as ir from '#core/ir/load-balancer.js';
import { pool } from '#test/unit/adapters/ir-fixture.js';

const backend = { name: 'be_web', pool: 'shop/web/80', healthCheck: { intervalSeconds: 2 } } as BackendModel;

function server(overrides: Partial<ServerRuntimeState>): ServerRuntimeState {
  return {
    backend: 'be_web',
    backendId: 2,
    server: 's1',
    serverId: 1,
    addr: '10.0.0.1',
    port: 8080,
    state: 'drain',
    operationalState: 2,
    adminFlags: 8,
    weight: 0,
    initialWeight: 0,
    secondsSinceChange: 30,
    checkStatus: 15,
    checkResult: 3,
    ...overrides,
  };
}

describe('targetHealthOf (HAProxy server slots → target health)', () => {
  it('reads the check fields of `show servers state` as HAProxy 2.6 prints them', () => {
    const [s] = parseServersState(
      '1\n# be_id be_name ...\n2 b 3 s3 127.0.101.1 2 12 1 1 4 6 3 3 6 0 0 0 - 20101 - 0 0 - - 0\n',
    );
    expect(s).toMatchObject({
      server: 's3',
      operationalState: 2,
      state: 'drain',
      secondsSinceChange: 4,
      checkStatus: 6,
      checkResult: 3,
      port: 20101,
    });
  });

  it('maps passed, failed, not-yet-checked and soft-stopping servers; slots in maintenance and other backends are left out', () => {
    const seen: SeenDown = new Map();
    const health = targetHealthOf(
      [backend],
      [
        server({}),
        server({ server: 's2', addr: '10.0.0.2', operationalState: 0, checkStatus: 16, checkResult: 2 }),
        server({ server: 's3', addr: '10.0.0.3', checkStatus: 1, checkResult: 0, secondsSinceChange: 0 }),
        server({ server: 's4', addr: '10.0.0.4', operationalState: 3 }),
        server({ server: 's5', addr: '127.0.0.1', port: 1, state: 'maint' }),
        server({ backend: 'be_other' }),
      ],
      seen,
    );
    expect(health).toEqual([
      { pool: 'shop/web/80', address: '10.0.0.1', port: 8080, state: 'healthy' },
      {
        pool: 'shop/web/80',
        address: '10.0.0.2',
        port: 8080,
        state: 'unhealthy',
        reason: 'L7 status code not expected',
      },
      { pool: 'shop/web/80', address: '10.0.0.3', port: 8080, state: 'initial', reason: 'not checked yet' },
      { pool: 'shop/web/80', address: '10.0.0.4', port: 8080, state: 'draining', reason: 'L7 check passed' },
    ]);
    expect(seen).toEqual(new Map([['be_web/s2', '10.0.0.2:8080']]));
  });

  it('does not trust a passed check that may predate the address (a reused slot) until a check interval went by', () => {
    const seen: SeenDown = new Map();
    const reused = server({ secondsSinceChange: 1 });
    expect(targetHealthOf([backend], [reused], seen)[0]).toMatchObject({
      state: 'initial',
      reason: 'not checked since its address was set',
    });
    expect(targetHealthOf([backend], [{ ...reused, secondsSinceChange: 2 }], seen)[0]?.state).toBe('healthy');
  });

  it('trusts at once a server it saw down at the same address: a check brought it up', () => {
    const seen: SeenDown = new Map();
    targetHealthOf([backend], [server({ operationalState: 0, checkResult: 2, checkStatus: 16 })], seen);
    expect(targetHealthOf([backend], [server({ secondsSinceChange: 0 })], seen)[0]?.state).toBe('healthy');
    expect(seen.size).toBe(0);
    // Down at another address says nothing about this one.
    targetHealthOf([backend], [server({ addr: '10.0.0.9', operationalState: 0, checkResult: 2 })], seen);
    expect(targetHealthOf([backend], [server({ secondsSinceChange: 0 })], seen)[0]?.state).toBe('initial');
  });
});

describe('planPool: pods not ready yet are checked without traffic', () => {
  const endpoint = (n: number, e: Partial<ir.Endpoint>): ir.Endpoint => ({
    address: `10.0.0.${n}`,
    family: 'IPv4',
    port: 8080,
    ready: false,
    serving: false,
    terminating: false,
    ...e,
  });
  it('puts a not-ready pod in drain (health-checked, no traffic), and leaves out a not-ready address without a pod', () => {
    const p = pool('shop/web/80');
    p.endpoints = [
      endpoint(1, { ready: true, serving: true }),
      endpoint(2, { pod: { namespace: 'shop', name: 'web-2' } }),
      endpoint(3, {}),
      endpoint(4, { serving: true, terminating: true, pod: { namespace: 'shop', name: 'web-4' } }),
      endpoint(5, { terminating: true, pod: { namespace: 'shop', name: 'web-5' } }),
    ];
    expect(planPool(p).endpoints.map((e) => [e.address, e.state])).toEqual([
      ['10.0.0.1', 'ready'],
      ['10.0.0.2', 'drain'],
      ['10.0.0.4', 'drain'],
    ]);
  });
});
