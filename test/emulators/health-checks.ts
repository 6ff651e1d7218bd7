// Health checks as a load balancer runs them, shared by the ELBv2 and Compute emulators: a target is
// probed every interval from the moment the load balancer starts checking it; `healthy` consecutive
// passes make it healthy, `unhealthy` consecutive failures unhealthy, and until either it is still in
// its initial state. Whether a probe passes is what the test says of the backend (`CheckFailures`),
// at the probe's time, so a test that moves its clock gets the transitions a real load balancer shows.

export type CheckedState = 'initial' | 'healthy' | 'unhealthy';

export interface CheckSchedule {
  /** When probing began (registration, or the load balancer starting to use the group), ms. */
  since: number;
  now: number;
  intervalMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** A failed probe; `reason`: the provider's code for it, when the test named one. */
export interface ProbeFailure {
  reason?: string;
}

interface Change {
  at: number;
  failure: ProbeFailure | undefined;
}

/** What the test says a backend answers probes with, over time. */
export class CheckFailures {
  /** Per `address:port` (port '' for any): the times its answer changed, in order. */
  private readonly changes = new Map<string, Change[]>();

  /** Probes of `address` (on `port`, or any port) after `at` fail (one at `at` itself has already run). */
  fail(address: string, at: number, opts: { port?: number; reason?: string } = {}): void {
    this.record(address, opts.port, {
      at,
      failure: opts.reason !== undefined ? { reason: opts.reason } : {},
    });
  }

  /** Probes of `address` (on `port`, or any port) after `at` pass again. */
  pass(address: string, at: number, port?: number): void {
    this.record(address, port, { at, failure: undefined });
  }

  /** How a probe at `at` fails, or undefined when it passes. */
  failureAt(address: string, port: number | undefined, at: number): ProbeFailure | undefined {
    const exact = port !== undefined ? this.lastBefore(`${address}:${port}`, at) : undefined;
    const any = this.lastBefore(`${address}:`, at);
    const latest = !exact ? any : !any || exact.at >= any.at ? exact : any;
    return latest?.failure;
  }

  clear(): void {
    this.changes.clear();
  }

  private record(address: string, port: number | undefined, change: Change): void {
    const key = `${address}:${port ?? ''}`;
    const list = this.changes.get(key) ?? [];
    list.push(change);
    list.sort((a, b) => a.at - b.at);
    this.changes.set(key, list);
  }

  private lastBefore(key: string, at: number): Change | undefined {
    let found: Change | undefined;
    for (const c of this.changes.get(key) ?? []) if (c.at < at) found = c;
    return found;
  }
}

/**
 * The state after every probe up to `now` and, when unhealthy, the failure that made it so. Probe k (k ≥ 1) runs at `since + k * intervalMs`.
 */
export function checkedState(
  s: CheckSchedule,
  failureAt: (at: number) => ProbeFailure | undefined,
): { state: CheckedState; failure?: ProbeFailure } {
  const probes = s.now < s.since ? 0 : Math.floor((s.now - s.since) / s.intervalMs);
  let state: CheckedState = 'initial';
  let passes = 0;
  let failures = 0;
  let failure: ProbeFailure | undefined;
  for (let k = 1; k <= probes; k++) {
    const failed = failureAt(s.since + k * s.intervalMs);
    if (failed === undefined) {
      passes++;
      failures = 0;
      if (passes >= s.healthyThreshold) state = 'healthy';
    } else {
      failures++;
      passes = 0;
      if (failures >= s.unhealthyThreshold) {
        state = 'unhealthy';
        failure = failed;
      }
    }
  }
  return failure !== undefined && state === 'unhealthy' ? { state, failure } : { state };
}
