import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResult, runDirectory } from './cli.js';
import { createConformanceTarget } from './haproxy-target.js';
import { PORTICO_CONTROLLER_NAME } from './scenario.js';
import type { ConformanceTarget } from './target.js';

// The shipped upstream Gateway API scenarios, through the same pipeline as `portico dev`, on a real
// HAProxy with real HTTP (npm run conformance -- DIR runs any folder of them by hand).
const SHIPPED =
  process.env.PORTICO_CONFORMANCE_DIR ?? join(import.meta.dirname, '../../../shared/conformance/gateway-api');

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

describe('Gateway API conformance on HAProxy', () => {
  it('passes every shipped scenario', { timeout: 300_000 }, async () => {
    const run = await runDirectory(SHIPPED, target, {});
    const report = run.results.flatMap(formatResult).join('\n');
    expect(run.loadErrors).toEqual([]);
    expect(run.failed, report).toBe(0);
    expect(run.passed).toBeGreaterThanOrEqual(30);
  });
});
