import { describe, expect, it } from 'vitest';
import type { DirectoryRun } from './cli.js';
import { buildConformanceReport, profileOf } from './report.js';
import type { ItemResult, ScenarioResult } from './runner.js';

const item = (outcome: ItemResult['outcome']): ItemResult => ({
  kind: 'case',
  name: 'c',
  subtest: null,
  phase: 1,
  upstream: 'x.go:1',
  outcome,
  durationMs: 1,
});
const result = (
  test: string,
  features: string[],
  outcome: ItemResult['outcome'],
  extra: Partial<ScenarioResult> = {},
) =>
  ({
    test,
    file: `${test}.expect.json`,
    features,
    provisional: false,
    cases: [item(outcome)],
    statusChecks: [],
    ...(outcome === 'skipped' ? { skipped: 'needs unclaimed feature(s)' } : {}),
    ...extra,
  }) as ScenarioResult;

describe('ConformanceReport (upstream format)', () => {
  it('places tests in profiles as upstream does', () => {
    expect(profileOf(['Gateway', 'HTTPRoute'])).toEqual({ profile: 'GATEWAY-HTTP', level: 'core' });
    expect(profileOf(['Gateway'])).toEqual({ profile: 'GATEWAY-HTTP', level: 'core' });
    expect(profileOf(['Gateway', 'ListenerSet'])).toEqual({ profile: 'GATEWAY-HTTP', level: 'extended' });
    expect(profileOf(['Gateway', 'TLSRoute'])).toEqual({ profile: 'GATEWAY-TLS', level: 'core' });
    expect(profileOf(['Gateway', 'TCPRoute'])).toBeUndefined();
  });

  it('reports results, statistics, skipped and failed tests, supported and unsupported features', () => {
    const run: DirectoryRun = {
      results: [
        result('A', ['Gateway', 'HTTPRoute'], 'passed'),
        result('B', ['Gateway', 'HTTPRoute'], 'failed'),
        result('C', ['Gateway', 'HTTPRoute', 'HTTPRouteRetry'], 'skipped'),
        result('D', ['Gateway', 'HTTPRoute', 'HTTPRouteRequestTimeout'], 'passed'),
        result('E', ['Gateway', 'TCPRoute'], 'passed', { provisional: true }),
      ],
      claimed: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestTimeout', 'ReferenceGrant', 'TCPRoute'],
      supported: undefined,
      loadErrors: [],
      passed: 3,
      failed: 1,
      skipped: 1,
    };
    const report = buildConformanceReport(run, { date: new Date('2026-01-02T03:04:05.678Z') });
    expect(report).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ConformanceReport',
      date: '2026-01-02T03:04:05Z',
      gatewayAPIVersion: 'v1.6.1',
      mode: 'default',
      succeededProvisionalTests: ['E'],
    });
    const profiles = report.profiles as Record<string, unknown>[];
    expect(profiles.map((p) => p.name)).toEqual(['GATEWAY-HTTP']);
    const http = profiles[0] as Record<string, Record<string, unknown>>;
    expect(http.core).toEqual({
      result: 'failure',
      statistics: { Failed: 1, Passed: 1, Skipped: 0 },
      failedTests: ['B'],
    });
    expect(http.extended).toMatchObject({
      result: 'partial',
      statistics: { Failed: 0, Passed: 1, Skipped: 1 },
      skippedTests: ['C'],
      supportedFeatures: ['HTTPRouteRequestTimeout'],
    });
    expect(http.extended?.unsupportedFeatures).toContain('HTTPRouteRetry');
    expect(http.summary).toBe(
      'Core tests failed with 1 test failures. Extended tests partially succeeded with 1 test skips.',
    );
  });
});
