// Per-method call counters of the Compute emulator. Every call that reaches the API counts, including
// the ones answered with an injected error.

export interface CallStats {
  total: number;
  /** get, list, aggregatedList, listNetworkEndpoints, getHealth and operation get/wait calls. */
  read: number;
  /** Every other call (inserts, updates, patches, deletes, set*, attach/detach). */
  mutating: number;
  byMethod: Record<string, number>;
  /** Calls answered with `rateLimitExceeded`. */
  rateLimited: number;
  rateLimitedByMethod: Record<string, number>;
  /** Calls answered with an injected 5xx or scripted error. */
  injected: number;
  /** Calls answered with any error, and how many per GCP reason. */
  errors: number;
  errorsByReason: Record<string, number>;
  /** Operations started by mutations. */
  operations: number;
}

const READ_ACTIONS = new Set(['get', 'list', 'aggregatedList', 'wait', 'listNetworkEndpoints', 'getHealth']);
export const isReadAction = (action: string): boolean => READ_ACTIONS.has(action);

export const emptyStats = (): CallStats => ({
  total: 0,
  read: 0,
  mutating: 0,
  byMethod: {},
  rateLimited: 0,
  rateLimitedByMethod: {},
  injected: 0,
  errors: 0,
  errorsByReason: {},
  operations: 0,
});

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

export class CallCounters {
  private stats = emptyStats();

  call(method: string, action: string): void {
    this.stats.total++;
    if (isReadAction(action)) this.stats.read++;
    else this.stats.mutating++;
    bump(this.stats.byMethod, method);
  }

  error(reason: string, kind?: 'scripted' | 'rateLimited' | 'serverError'): void {
    this.stats.errors++;
    bump(this.stats.errorsByReason, reason);
    if (kind === 'scripted' || kind === 'serverError') this.stats.injected++;
  }

  rateLimited(method: string): void {
    this.stats.rateLimited++;
    bump(this.stats.rateLimitedByMethod, method);
  }

  operation(): void {
    this.stats.operations++;
  }

  snapshot(): CallStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = emptyStats();
  }
}
