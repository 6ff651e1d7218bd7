// Upstream's timing rules (conformance/utils/config/timeout.go, DefaultTimeoutConfig), in milliseconds, and
// its override syntax (`--timeouts "MaxTimeToConsistency:10;RequestTimeout:5"`, seconds).

export interface TimeoutConfig {
  /** Max time for a Gateway to get an address in status. */
  gatewayMustHaveAddress: number;
  /** Gateway / listener / route condition checks, listeners, parents. */
  gatewayMustHaveCondition: number;
  gatewayStatusMustHaveListeners: number;
  gatewayListenersMustHaveConditions: number;
  gwcMustBeAccepted: number;
  httpRouteMustNotHaveParents: number;
  httpRouteMustHaveCondition: number;
  routeMustHaveParents: number;
  namespacesMustBeReady: number;
  latestObservedGenerationSet: number;
  /** Max time for a case to pass `requiredConsecutiveSuccesses` times in a row. */
  maxTimeToConsistency: number;
  /** One HTTP request; also the mirror-log wait. */
  requestTimeout: number;
  /** Poll interval of status checks and of failed case attempts. */
  pollInterval: number;
  requiredConsecutiveSuccesses: number;
  /** Ingress scenarios: how long an Ingress may take to get (or must go without) an address. */
  waitForIngressStatus: number;
  /** Weighted-distribution entropy: random delay limit per request (upstream: 1000 ms). */
  weightEntropyDelayLimit: number;
}

export const DEFAULT_TIMEOUTS: Readonly<TimeoutConfig> = {
  gatewayMustHaveAddress: 180_000,
  gatewayMustHaveCondition: 180_000,
  gatewayStatusMustHaveListeners: 60_000,
  gatewayListenersMustHaveConditions: 60_000,
  gwcMustBeAccepted: 180_000,
  httpRouteMustNotHaveParents: 60_000,
  httpRouteMustHaveCondition: 60_000,
  routeMustHaveParents: 60_000,
  namespacesMustBeReady: 300_000,
  latestObservedGenerationSet: 60_000,
  maxTimeToConsistency: 30_000,
  requestTimeout: 10_000,
  pollInterval: 100,
  requiredConsecutiveSuccesses: 3,
  weightEntropyDelayLimit: 1000,
  waitForIngressStatus: 300_000,
};

const UPSTREAM_NAMES: Record<string, keyof TimeoutConfig> = {
  GatewayMustHaveAddress: 'gatewayMustHaveAddress',
  GatewayMustHaveCondition: 'gatewayMustHaveCondition',
  GatewayStatusMustHaveListeners: 'gatewayStatusMustHaveListeners',
  GatewayListenersMustHaveConditions: 'gatewayListenersMustHaveConditions',
  GWCMustBeAccepted: 'gwcMustBeAccepted',
  HTTPRouteMustNotHaveParents: 'httpRouteMustNotHaveParents',
  HTTPRouteMustHaveCondition: 'httpRouteMustHaveCondition',
  RouteMustHaveParents: 'routeMustHaveParents',
  NamespacesMustBeReady: 'namespacesMustBeReady',
  LatestObservedGenerationSet: 'latestObservedGenerationSet',
  MaxTimeToConsistency: 'maxTimeToConsistency',
  RequestTimeout: 'requestTimeout',
  DefaultPollInterval: 'pollInterval',
  RequiredConsecutiveSuccesses: 'requiredConsecutiveSuccesses',
  WeightEntropyDelayLimit: 'weightEntropyDelayLimit',
  WaitForIngressStatus: 'waitForIngressStatus',
};

/**
 * Upstream's `--timeout-overrides` syntax: `Name:seconds;Name2:seconds` (RequiredConsecutiveSuccesses is a
 * count; WeightEntropyDelayLimit is in ms). Unknown names or bad values are errors, not silently ignored.
 */
export function parseTimeoutOverrides(text: string): Partial<TimeoutConfig> {
  const out: Partial<TimeoutConfig> = {};
  for (const pair of text.split(';')) {
    if (pair.trim() === '') continue;
    const [rawName, rawValue, ...rest] = pair.split(':');
    const name = rawName?.trim() ?? '';
    const key = UPSTREAM_NAMES[name];
    const value = Number(rawValue?.trim());
    if (!key) throw new Error(`unknown timeout "${name}" (known: ${Object.keys(UPSTREAM_NAMES).join(', ')})`);
    if (rest.length > 0 || !Number.isFinite(value) || value < 0)
      throw new Error(`bad timeout override "${pair}"`);
    out[key] =
      key === 'requiredConsecutiveSuccesses' || key === 'weightEntropyDelayLimit' ? value : value * 1000;
  }
  return out;
}
