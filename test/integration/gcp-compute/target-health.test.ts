// targetHealth on the Compute emulator with simulated health checks (the real @google-cloud/compute
// client over a socket, a clock the test moves): NEG endpoints start UNKNOWN, turn HEALTHY after the
// health check's healthyThreshold probes, UNHEALTHY when their checks fail, DRAINING for the backend
// service's connection draining after a detach; a read that fails leaves the answer incomplete. And a
// rolling update gated on it keeps a healthy endpoint in service at every step.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import { loadComputeLibrary } from '#adapters/gcp-compute/internal/clients.js';
import type { GcpKinds, HealthCheckValue } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { AbortedError, type TargetHealthReport } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { type GcpComputeEmulator, startGcpComputeEmulator } from '#test/emulators/gcp-compute/index.js';
import { type ComputeClients, computeClients, succeeded } from '#test/emulators/gcp-compute/test-clients.js';
import { adapterOn, type FixtureOptions, gatewayLb, PROJECT } from './fixtures.js';

const APP = 'shop/app/80/http';
let emu: GcpComputeEmulator;
let clients: ComputeClients;
let now = Date.parse('2030-01-01T00:00:00Z');
const adapters: GcpComputeAdapter[] = [];
const signal = new AbortController().signal;

function adapter(attempts = 3): GcpComputeAdapter {
  const a = adapterOn(emu, { attempts });
  adapters.push(a);
  return a;
}

const lbWith = (endpoints: FixtureOptions['endpoints']) => gatewayLb(endpoints ? { endpoints } : {});
const reconcile = (a: GcpComputeAdapter, lb: ir.LoadBalancer) =>
  reconcileLoadBalancer<GcpKinds>({ key: lb.key, lb, adapter: a, signal });

/** The app pool's backend service name and health check, as render gives them. */
function appPool(a: GcpComputeAdapter): { service: string; check: HealthCheckValue } {
  const resources = a.render(gatewayLb()).resources;
  for (const r of resources)
    if (r.kind === 'backend-service' && r.value.pool === APP) {
      const checkName = r.value.healthChecks[0]?.split('/').pop();
      for (const h of resources)
        if (h.kind === 'health-check' && h.value.name === checkName)
          return { service: r.value.name, check: h.value };
    }
  throw new Error('no backend service for the app pool');
}

const states = (r: TargetHealthReport, pool = APP) =>
  Object.fromEntries(r.targets.filter((t) => t.pool === pool).map((t) => [t.address, t.state]));
const healthyIn = (r: TargetHealthReport, pool = APP) =>
  r.targets.filter((t) => t.pool === pool && t.state === 'healthy').length;
const advance = (seconds: number) => {
  now += seconds * 1000;
};

/** Connection draining on the app pool's backend service (Portico sets none; GCP's default is 0 s). */
async function drainFor(a: GcpComputeAdapter, seconds: number): Promise<void> {
  const backendService = appPool(a).service;
  const [service] = await clients.backendServices.get({ project: PROJECT, backendService });
  await succeeded(
    clients,
    clients.backendServices.patch({
      project: PROJECT,
      backendService,
      backendServiceResource: {
        connectionDraining: { drainingTimeoutSec: seconds },
        fingerprint: service.fingerprint,
      },
    }),
  );
}

beforeAll(async () => {
  emu = await startGcpComputeEmulator({ operationDelayMs: 0, healthChecks: 'simulated', now: () => now });
  await loadComputeLibrary();
  clients = await computeClients(emu);
}, 60_000);

afterAll(async () => {
  for (const a of adapters) await a.close();
  await clients?.close();
  await emu?.close();
});

beforeEach(() => emu.reset());

describe('gcp-compute targetHealth', () => {
  it('follows UNKNOWN → HEALTHY → UNHEALTHY per NEG endpoint, with ip and port, per pool', async () => {
    const a = adapter();
    const lb = lbWith(undefined);
    await reconcile(a, lb);
    const { check } = appPool(a);

    const first = await a.targetHealth!(lb, { signal });
    expect(first.complete).toBe(true);
    expect(first.targets).toEqual([
      { pool: 'shop/api/8080/http', address: '10.0.2.1', port: 9090, state: 'unknown', reason: 'UNKNOWN' },
      { pool: APP, address: '10.0.1.1', port: 8080, state: 'unknown', reason: 'UNKNOWN' },
      { pool: APP, address: '10.0.1.2', port: 8080, state: 'unknown', reason: 'UNKNOWN' },
    ]);

    advance(check.checkIntervalSec * (check.healthyThreshold - 1));
    expect(states(await a.targetHealth!(lb, { signal }))).toEqual({
      '10.0.1.1': 'unknown',
      '10.0.1.2': 'unknown',
    });
    advance(check.checkIntervalSec);
    const healthy = await a.targetHealth!(lb, { signal });
    expect(healthy.targets.map((t) => t.state)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(healthy.targets.every((t) => t.reason === undefined)).toBe(true);

    emu.service.failHealthChecks('10.0.1.2', { port: 8080 });
    advance(check.checkIntervalSec * (check.unhealthyThreshold - 1));
    expect(states(await a.targetHealth!(lb, { signal }))['10.0.1.2']).toBe('healthy');
    advance(check.checkIntervalSec);
    const failing = await a.targetHealth!(lb, { signal });
    expect(failing.targets.find((t) => t.address === '10.0.1.2')).toEqual({
      pool: APP,
      address: '10.0.1.2',
      port: 8080,
      state: 'unhealthy',
      reason: 'UNHEALTHY',
    });
    expect(states(failing)['10.0.1.1']).toBe('healthy');
  });

  it('reports a detached endpoint DRAINING for the connection draining timeout, then not at all', async () => {
    const a = adapter();
    await reconcile(a, lbWith(undefined));
    await drainFor(a, 60);
    advance(appPool(a).check.checkIntervalSec * 10);
    const smaller = lbWith({ app: ['10.0.1.1'], api: ['10.0.2.1'] });
    await reconcile(a, smaller);

    expect(states(await a.targetHealth!(smaller, { signal }))).toEqual({
      '10.0.1.1': 'healthy',
      '10.0.1.2': 'draining',
    });
    advance(59);
    expect(states(await a.targetHealth!(smaller, { signal }))['10.0.1.2']).toBe('draining');
    advance(1);
    expect(states(await a.targetHealth!(smaller, { signal }))).toEqual({ '10.0.1.1': 'healthy' });
  });

  it('answers complete: false when a read is rate limited or fails, and reads by name only', async () => {
    const a = adapter(1);
    const lb = lbWith(undefined);
    await reconcile(a, lb);

    emu.resetStats();
    const all = await a.targetHealth!(lb, { signal });
    expect(all).toMatchObject({ complete: true });
    expect(all.targets).toHaveLength(3);
    // One get per backend service with a pool (the default one has none), one getHealth per NEG
    // backend (each pool has a NEG in both zones).
    expect(emu.stats().byMethod).toEqual({ 'backendServices.get': 2, 'backendServices.getHealth': 4 });

    // Every getHealth rate limited: what could not be read is missing, and the answer says so.
    emu.failNext({
      pattern: '^backendServices\\.getHealth$',
      status: 429,
      reason: 'rateLimitExceeded',
      count: 4,
    });
    expect(await a.targetHealth!(lb, { signal })).toEqual({ targets: [], complete: false });

    // One backend service unreadable: the other pool's endpoints are still reported, as they are.
    emu.failNext({ pattern: '^backendServices\\.get$', status: 503, reason: 'backendError' });
    const partial = await a.targetHealth!(lb, { signal });
    expect(partial.complete).toBe(false);
    expect(new Set(partial.targets.map((t) => t.pool)).size).toBe(1);
    expect(all.targets).toEqual(expect.arrayContaining(partial.targets));

    expect((await a.targetHealth!(lb, { signal })).complete).toBe(true);

    const aborted = new AbortController();
    aborted.abort();
    await expect(a.targetHealth!(lb, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('a rolling update through NEG endpoint health', () => {
  const OLD = ['10.0.1.1', '10.0.1.2@europe-west1-c'];
  const NEW = ['10.0.1.3', '10.0.1.4@europe-west1-c'];
  const api = ['10.0.2.1'];
  const ip = (e: string) => e.split('@')[0]!;

  it('attaches the new pods, waits for HEALTHY, only then detaches the old: never without a healthy endpoint', async () => {
    const a = adapter();
    await reconcile(a, lbWith({ app: OLD, api }));
    await drainFor(a, 30);
    const { check } = appPool(a);
    advance(check.checkIntervalSec * check.healthyThreshold);
    const healthyCounts: number[] = [];
    const step = async (lb: ir.LoadBalancer) => {
      const report = await a.targetHealth!(lb, { signal });
      expect(report.complete).toBe(true);
      healthyCounts.push(healthyIn(report));
      return report;
    };
    expect(healthyIn(await step(lbWith({ app: OLD, api })))).toBe(2);

    const both = lbWith({ app: [...OLD, ...NEW], api });
    await reconcile(a, both);
    for (let waited = 0; ; waited++) {
      const report = await step(both);
      if (NEW.every((e) => states(report)[ip(e)] === 'healthy')) break;
      expect(NEW.map((e) => states(report)[ip(e)])).toEqual(['unknown', 'unknown']);
      expect(waited).toBeLessThan(20);
      advance(check.checkIntervalSec);
    }
    const after = lbWith({ app: NEW, api });
    await reconcile(a, after);
    expect(states(await step(after))).toEqual({
      '10.0.1.1': 'draining',
      '10.0.1.2': 'draining',
      '10.0.1.3': 'healthy',
      '10.0.1.4': 'healthy',
    });
    advance(30);
    expect(states(await step(after))).toEqual({ '10.0.1.3': 'healthy', '10.0.1.4': 'healthy' });

    expect(healthyCounts.length).toBeGreaterThan(3);
    expect(Math.min(...healthyCounts)).toBeGreaterThanOrEqual(1);
  });

  it('without the gate, no endpoint is healthy until the new pods pass their checks', async () => {
    const a = adapter();
    await reconcile(a, lbWith({ app: OLD, api }));
    advance(appPool(a).check.checkIntervalSec * appPool(a).check.healthyThreshold);
    const after = lbWith({ app: NEW, api });
    await reconcile(a, after);
    const report = await a.targetHealth!(after, { signal });
    expect(healthyIn(report)).toBe(0);
    expect(states(report)).toEqual({ '10.0.1.3': 'unknown', '10.0.1.4': 'unknown' });
  });
});
