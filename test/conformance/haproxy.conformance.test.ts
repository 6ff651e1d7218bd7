import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { supportedFeatures } from '#adapters/supported-features.js';
import { formatResult, runDirectory } from './cli.js';
import { createConformanceTarget } from './haproxy-target.js';
import { PORTICO_CONTROLLER_NAME } from './scenario.js';
import type { ConformanceTarget } from './target.js';

// The shipped scenarios (Gateway API and Ingress), through the same pipeline as `portico dev`, on a real
// HAProxy with real traffic, claiming what the HAProxy adapter declares (npm run conformance -- DIR runs
// any folder of them by hand).
const SHARED = join(import.meta.dirname, '../../../shared/conformance');
const GATEWAY_DIR = process.env.PORTICO_CONFORMANCE_DIR ?? join(SHARED, 'gateway-api');
const INGRESS_DIR = process.env.PORTICO_INGRESS_CONFORMANCE_DIR ?? join(SHARED, 'ingress');

let target: ConformanceTarget;
beforeAll(async () => {
  target = await createConformanceTarget({
    gatewayClassName: 'portico',
    controllerName: PORTICO_CONTROLLER_NAME,
  });
});
afterAll(async () => {
  await target?.close();
});

describe('conformance on HAProxy', () => {
  it('passes every shipped Gateway API scenario with the features the adapter claims', {
    timeout: 400_000,
  }, async () => {
    const run = await runDirectory(GATEWAY_DIR, target, {});
    const report = run.results.flatMap(formatResult).join('\n');
    expect(run.loadErrors).toEqual([]);
    // The claims come from the GatewayClass status, i.e. from the adapter's capabilities.
    expect(run.claimed).toEqual(supportedFeatures(HAPROXY_CAPABILITIES));
    expect(run.failed, report).toBe(0);
    expect(run.passed).toBeGreaterThanOrEqual(30);
    // A skipped test is skipped only for a feature the adapter does not claim.
    for (const r of run.results.filter((x) => x.skipped))
      expect(r.skipped, r.test).toMatch(/unclaimed feature|skip/);
  });

  it('passes every shipped Ingress scenario', { timeout: 200_000 }, async () => {
    const run = await runDirectory(INGRESS_DIR, target, {});
    const report = run.results.flatMap(formatResult).join('\n');
    expect(run.loadErrors).toEqual([]);
    expect(run.skipped, report).toBe(0);
    expect(run.failed, report).toBe(0);
    expect(run.passed, report).toBeGreaterThanOrEqual(12);
  });
});
