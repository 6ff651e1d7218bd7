// Fault injection and call counters of the Compute emulator, seen through the real client: per-method
// rate limits (403 and 429 rateLimitExceeded), 5xx (which the library retries on idempotent reads),
// latency, and scripted errors.

import { beforeEach, describe, expect, it } from 'vitest';
import type { GcpComputeEmulator } from './index.js';
import { type ComputeClients, onEmulatorWithClients, PROJECT, rejection, succeeded } from './test-clients.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
const project = PROJECT;

onEmulatorWithClients({ seed: 7, operationDelayMs: 0 }, (started) => {
  ({ emu, c } = started);
});
beforeEach(async () => {
  await succeeded(c, c.healthChecks.insert({ project, healthCheckResource: { name: 'hc', type: 'TCP' } }));
  emu.resetStats();
});

describe('GCP Compute emulator: faults and counters', () => {
  it('rate-limits one method with a token bucket (403 rateLimitExceeded, ErrorInfo RATE_LIMIT_EXCEEDED); others pass', async () => {
    emu.setFaults({ rateLimits: [{ pattern: '^healthChecks\\.get$', ratePerSecond: 0.001, burst: 2 }] });
    await c.healthChecks.get({ project, healthCheck: 'hc' });
    await c.healthChecks.get({ project, healthCheck: 'hc' });
    const limited = await rejection(c.healthChecks.get({ project, healthCheck: 'hc' }));
    expect(limited.status).toBe(403);
    expect(limited.reason).toBe('RATE_LIMIT_EXCEEDED');
    await c.healthChecks.list({ project });
    const s = emu.stats();
    expect(s.byMethod['healthChecks.get']).toBe(3);
    expect(s.rateLimitedByMethod).toEqual({ 'healthChecks.get': 1 });
    expect(s.errorsByReason).toEqual({ rateLimitExceeded: 1 });
    expect([s.read, s.mutating]).toEqual([4, 0]);
  });

  it('answers 429 when asked, at random with a probability', async () => {
    emu.setFaults({
      rateLimitProbability: { pattern: '^healthChecks\\.insert$', probability: 1, status: 429 },
    });
    const r = await rejection(
      c.healthChecks.insert({ project, healthCheckResource: { name: 'x', type: 'TCP' } }),
    );
    expect(r.status).toBe(429);
    expect(emu.stats().rateLimited).toBe(1);
  });

  it('injects 5xx: the library retries idempotent reads (503 is UNAVAILABLE), not inserts', async () => {
    emu.failNext({ pattern: '^healthChecks\\.get$', status: 503, reason: 'backendError', count: 2 });
    const [hc] = await c.healthChecks.get({ project, healthCheck: 'hc' });
    expect(hc.name).toBe('hc');
    expect(emu.stats().byMethod['healthChecks.get']).toBe(3);
    emu.failNext({ pattern: '^healthChecks\\.insert$', status: 503, reason: 'backendError' });
    expect(
      (await rejection(c.healthChecks.insert({ project, healthCheckResource: { name: 'y', type: 'TCP' } })))
        .status,
    ).toBe(503);
    emu.setFaults({ serverErrors: { pattern: '^healthChecks\\.delete$', probability: 1, status: 500 } });
    expect((await rejection(c.healthChecks.delete({ project, healthCheck: 'hc' }))).status).toBe(500);
    expect(emu.stats().injected).toBe(4);
  });

  it('adds latency per method and records every call in order', async () => {
    emu.setFaults({ latency: { pattern: '^healthChecks\\.get$', ms: 150 } });
    const started = performance.now();
    await c.healthChecks.get({ project, healthCheck: 'hc' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    const fast = performance.now();
    await c.healthChecks.list({ project });
    expect(performance.now() - fast).toBeLessThan(145);
    expect(emu.calls.map((x) => `${x.method} ${x.status}`)).toEqual([
      'healthChecks.get 200',
      'healthChecks.list 200',
    ]);
  });

  it('scripted errors carry any status and reason; operations started are counted', async () => {
    emu.failNext({
      pattern: '^healthChecks\\.patch$',
      status: 412,
      reason: 'conditionNotMet',
      message: 'stale (injected)',
    });
    expect(
      await rejection(
        c.healthChecks.patch({ project, healthCheck: 'hc', healthCheckResource: { checkIntervalSec: 10 } }),
      ),
    ).toMatchObject({ status: 412, message: 'stale (injected)' });
    await succeeded(
      c,
      c.healthChecks.patch({ project, healthCheck: 'hc', healthCheckResource: { checkIntervalSec: 10 } }),
    );
    expect((await c.healthChecks.get({ project, healthCheck: 'hc' }))[0].checkIntervalSec).toBe(10);
    expect(emu.stats()).toMatchObject({ operations: 1, injected: 1, errors: 1 });
  });
});
