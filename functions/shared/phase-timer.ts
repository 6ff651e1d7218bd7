import { performance } from 'node:perf_hooks';

/**
 * Where one invocation spends its wall-clock time, phase by phase, for its log line: a slow
 * reconcile says whether it waited on the store, the translation or the provider.
 */
export class PhaseTimer {
  readonly #ms = new Map<string, number>();
  readonly #now: () => number;
  #last: number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#last = now();
  }

  /** Ends the phase running since the last lap (or the start) as `phase`; a repeated phase adds up. */
  lap(phase: string): void {
    const now = this.#now();
    this.#ms.set(phase, (this.#ms.get(phase) ?? 0) + (now - this.#last));
    this.#last = now;
  }

  /** Milliseconds per phase, in the order the phases first ended, to 0.1 ms. */
  fields(): Record<string, number> {
    return Object.fromEntries([...this.#ms].map(([phase, ms]) => [phase, Math.round(ms * 10) / 10]));
  }
}
