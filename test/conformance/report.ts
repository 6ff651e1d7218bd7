// A run written as upstream's ConformanceReport (gateway.networking.k8s.io/v1, the format implementations
// file under conformance/reports/ in the gateway-api repository): implementation, Gateway API version and
// channel, mode, and per conformance profile the core and extended results with statistics, the supported
// and unsupported extended features, and the skipped / failed tests.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { DirectoryRun } from './cli.js';
import { countedResults, type ScenarioResult } from './runner.js';

/** Upstream's profiles (conformance/utils/suite/profiles.go): core features, and the extended ones. */
export const PROFILES: readonly { name: string; core: readonly string[]; extended: readonly string[] }[] = [
  {
    name: 'GATEWAY-HTTP',
    core: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
    extended: [
      'GatewayAddressEmpty',
      'GatewayBackendClientCertificate',
      'GatewayFrontendClientCertificateValidation',
      'GatewayFrontendClientCertificateValidationInsecureFallback',
      'GatewayHTTPListenerIsolation',
      'GatewayHTTPSListenerDetectMisdirectedRequests',
      'GatewayInfrastructurePropagation',
      'GatewayPort8080',
      'GatewayStaticAddresses',
      'HTTPRoute303RedirectStatusCode',
      'HTTPRoute307RedirectStatusCode',
      'HTTPRoute308RedirectStatusCode',
      'HTTPRouteBackendProtocolH2C',
      'HTTPRouteBackendProtocolWebSocket',
      'HTTPRouteBackendRequestHeaderModification',
      'HTTPRouteBackendTimeout',
      'HTTPRouteCORS',
      'HTTPRouteDestinationPortMatching',
      'HTTPRouteHostRewrite',
      'HTTPRouteMethodMatching',
      'HTTPRouteNamedRouteRule',
      'HTTPRouteParentRefPort',
      'HTTPRoutePathRedirect',
      'HTTPRoutePathRewrite',
      'HTTPRoutePortRedirect',
      'HTTPRouteQueryParamMatching',
      'HTTPRouteRequestMirror',
      'HTTPRouteRequestMultipleMirrors',
      'HTTPRouteRequestPercentageMirror',
      'HTTPRouteRequestTimeout',
      'HTTPRouteResponseHeaderModification',
      'HTTPRouteRetry',
      'HTTPRouteRetryBackendTimeout',
      'HTTPRouteRetryConnectionError',
      'HTTPRouteSchemeRedirect',
      'BackendTLSPolicy',
      'BackendTLSPolicySANValidation',
      'ListenerSet',
    ],
  },
  {
    name: 'GATEWAY-TLS',
    core: ['Gateway', 'ReferenceGrant', 'TLSRoute'],
    extended: [
      'GatewayHTTPListenerIsolation',
      'GatewayInfrastructurePropagation',
      'GatewayPort8080',
      'GatewayStaticAddresses',
      'TLSRouteModeMixed',
      'TLSRouteModeTerminate',
    ],
  },
  {
    name: 'GATEWAY-GRPC',
    core: ['Gateway', 'GRPCRoute', 'ReferenceGrant'],
    extended: [
      'GatewayHTTPListenerIsolation',
      'GatewayInfrastructurePropagation',
      'GatewayPort8080',
      'GatewayStaticAddresses',
    ],
  },
];

export interface ReportOptions {
  mode?: string;
  gatewayAPIVersion?: string;
  gatewayAPIChannel?: 'standard' | 'experimental';
  implementation?: { organization: string; project: string; url: string; version: string; contact: string[] };
  /** Report date; default now. */
  date?: Date;
}

type Outcome = 'passed' | 'failed' | 'skipped';

/** A test's outcome: skipped when upstream would skip it, failed on any counted failure. */
export function testOutcome(r: ScenarioResult): Outcome {
  if (r.skipped) return 'skipped';
  const counted = countedResults(r);
  if (r.setupFailure || counted.some((c) => c.outcome === 'failed')) return 'failed';
  return counted.some((c) => c.outcome === 'passed') ? 'passed' : 'skipped';
}

/** The profile a test is reported in: the first whose features cover all the test's features; core or extended. */
export function profileOf(
  features: readonly string[],
): { profile: string; level: 'core' | 'extended' } | undefined {
  for (const p of PROFILES) {
    const all = new Set([...p.core, ...p.extended]);
    // A Gateway-only test is covered by every profile: it is reported under the first, GATEWAY-HTTP.
    if (!features.every((f) => all.has(f))) continue;
    return { profile: p.name, level: features.every((f) => p.core.includes(f)) ? 'core' : 'extended' };
  }
  return undefined;
}

export function buildConformanceReport(
  run: DirectoryRun,
  options: ReportOptions = {},
): Record<string, unknown> {
  const claimed = new Set(run.claimed);
  const profiles = PROFILES.map((p) => {
    const tests = run.results.filter((r) => profileOf(r.features)?.profile === p.name);
    if (tests.length === 0 && !p.core.every((f) => claimed.has(f))) return undefined;
    const level = (l: 'core' | 'extended') => {
      const mine = tests.filter((r) => profileOf(r.features)?.level === l);
      const by = (o: Outcome) =>
        mine
          .filter((r) => testOutcome(r) === o)
          .map((r) => r.test)
          .sort();
      const statistics = {
        Failed: by('failed').length,
        Passed: by('passed').length,
        Skipped: by('skipped').length,
      };
      const result = statistics.Failed > 0 ? 'failure' : statistics.Skipped > 0 ? 'partial' : 'success';
      return {
        result,
        statistics,
        ...(by('skipped').length > 0 ? { skippedTests: by('skipped') } : {}),
        ...(by('failed').length > 0 ? { failedTests: by('failed') } : {}),
      };
    };
    const core = level('core');
    const extended = level('extended');
    const supported = p.extended.filter((f) => claimed.has(f)).sort();
    const unsupported = p.extended.filter((f) => !claimed.has(f)).sort();
    return {
      name: p.name,
      core,
      extended: { ...extended, supportedFeatures: supported, unsupportedFeatures: unsupported },
      summary: summary(core, extended),
    };
  }).filter((p) => p !== undefined);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    date: (options.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    gatewayAPIChannel: options.gatewayAPIChannel ?? 'experimental',
    gatewayAPIVersion: options.gatewayAPIVersion ?? 'v1.6.1',
    implementation: options.implementation ?? {
      contact: [],
      organization: 'portico',
      project: 'portico',
      url: 'https://portico.dev',
      version: 'v0.1.0',
    },
    mode: options.mode ?? 'default',
    profiles,
    succeededProvisionalTests: run.results
      .filter((r) => r.provisional && testOutcome(r) === 'passed')
      .map((r) => r.test)
      .sort(),
  };
}

function summary(
  core: { result: string; statistics: { Failed: number; Skipped: number } },
  extended: { result: string; statistics: { Failed: number; Skipped: number } },
): string {
  const part = (name: string, l: typeof core) =>
    l.result === 'success'
      ? `${name} tests succeeded.`
      : l.result === 'partial'
        ? `${name} tests partially succeeded with ${l.statistics.Skipped} test skips.`
        : `${name} tests failed with ${l.statistics.Failed} test failures.`;
  return `${part('Core', core)} ${part('Extended', extended)}`;
}

export function writeConformanceReport(file: string, report: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(report, { lineWidth: 0 }));
}
