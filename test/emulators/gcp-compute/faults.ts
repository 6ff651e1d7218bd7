// Fault injection, per API method (`urlMaps.insert`, `networkEndpointGroups.attachNetworkEndpoints`, ...):
// rate limits as token buckets or at random (403 or 429 `rateLimitExceeded`), 5xx at random, added
// latency, scripted errors for the next calls, and scripted failures of the next operations.

import { patternRegExp, seededRandom } from '../fault-patterns.js';
import {
  ComputeApiError as ApiError,
  type ComputeApiError,
  rateLimitExceeded,
  serverError,
} from './errors.js';
import type { OperationFailure } from './operations.js';

/** A method pattern: a RegExp, or a string used as a RegExp source (`'^urlMaps\\.'`, `'Insert|insert$'`). */
export type MethodPattern = RegExp | string;

/** `burst` tokens refilled at `ratePerSecond`; a call with no token left is rate-limited. */
export interface RateLimitRule {
  pattern: MethodPattern;
  ratePerSecond: number;
  burst: number;
  /** 403 (Compute's usual answer) or 429; default 403. */
  status?: 403 | 429;
}

export interface LatencyRule {
  pattern?: MethodPattern;
  ms: number;
  jitterMs?: number;
}

export interface FaultConfig {
  rateLimits?: RateLimitRule[];
  /**
   * Rate-limit matching calls at random with this probability. `errorInfo: false` leaves out the
   * google.rpc.ErrorInfo detail GCP sends: gax decodes one by parsing its status protos anew for every
   * error (seconds each on a busy machine), so tests that inject hundreds of rate limits can skip it.
   */
  rateLimitProbability?: {
    pattern?: MethodPattern;
    probability: number;
    status?: 403 | 429;
    errorInfo?: boolean;
  };
  /** Answer matching calls with a 5xx at random (500 and 503 alternate unless `status` is set). */
  serverErrors?: { pattern?: MethodPattern; probability: number; status?: 500 | 503 };
  /** Added latency; every matching rule adds up. */
  latency?: LatencyRule | LatencyRule[];
}

/** The next `count` (default 1) matching calls fail with this error, before anything else is checked. */
export interface ScriptedError {
  pattern: MethodPattern;
  status: number;
  reason: string;
  message?: string;
  count?: number;
}

/** The next `count` (default 1) matching mutations answer normally, but their operation ends in `error`. */
export interface ScriptedOperationError {
  pattern: MethodPattern;
  code?: string;
  message?: string;
  httpStatus?: number;
  count?: number;
}

export type FaultKind = 'scripted' | 'rateLimited' | 'serverError';

const matches = (p: MethodPattern | undefined, method: string) => patternRegExp(p)?.test(method) ?? true;

export class FaultInjector {
  private config: FaultConfig = {};
  private scripted: (ScriptedError & { left: number })[] = [];
  private scriptedOps: (ScriptedOperationError & { left: number })[] = [];
  private buckets = new Map<number, { tokens: number; at: number }>();
  private readonly random: () => number;
  private flip = false;

  constructor(seed = 1, config: FaultConfig = {}) {
    this.random = seededRandom(seed);
    this.set(config);
  }

  /** Replaces the configuration; token buckets start full. */
  set(config: FaultConfig): void {
    this.config = config;
    this.buckets.clear();
  }

  clear(): void {
    this.set({});
    this.scripted = [];
    this.scriptedOps = [];
  }

  failNext(e: ScriptedError): void {
    this.scripted.push({ ...e, left: e.count ?? 1 });
  }

  failNextOperation(e: ScriptedOperationError): void {
    this.scriptedOps.push({ ...e, left: e.count ?? 1 });
  }

  latencyMs(method: string): number {
    const l = this.config.latency;
    let ms = 0;
    for (const rule of l === undefined ? [] : Array.isArray(l) ? l : [l])
      if (matches(rule.pattern, method)) ms += rule.ms + (rule.jitterMs ?? 0) * this.random();
    return ms;
  }

  /** The injected error for this call, if any. */
  check(method: string): { kind: FaultKind; error: ComputeApiError } | undefined {
    const s = this.scripted.find((x) => x.left > 0 && matches(x.pattern, method));
    if (s) {
      s.left--;
      this.scripted = this.scripted.filter((x) => x.left > 0);
      const error = new ApiError(s.status, s.reason, s.message ?? `Injected ${s.reason}`);
      return { kind: s.reason === 'rateLimitExceeded' ? 'rateLimited' : 'scripted', error };
    }
    const limited = this.rateLimited(method);
    if (limited) {
      const errorInfo = this.config.rateLimitProbability?.errorInfo ?? true;
      return { kind: 'rateLimited', error: rateLimitExceeded(limited, method, errorInfo) };
    }
    const se = this.config.serverErrors;
    if (se && matches(se.pattern, method) && this.random() < se.probability) {
      this.flip = !this.flip;
      return { kind: 'serverError', error: serverError(se.status ?? (this.flip ? 500 : 503)) };
    }
    return undefined;
  }

  /** The failure the operation of this mutation ends with, if one is scripted. */
  operationFailure(method: string): OperationFailure | undefined {
    const s = this.scriptedOps.find((x) => x.left > 0 && matches(x.pattern, method));
    if (!s) return undefined;
    s.left--;
    this.scriptedOps = this.scriptedOps.filter((x) => x.left > 0);
    return {
      code: s.code ?? 'INTERNAL_ERROR',
      message: s.message ?? `Injected operation failure of ${method}`,
      httpStatus: s.httpStatus ?? 400,
    };
  }

  private rateLimited(method: string): 403 | 429 | undefined {
    const p = this.config.rateLimitProbability;
    if (p && matches(p.pattern, method) && this.random() < p.probability) return p.status ?? 403;
    const rules = (this.config.rateLimits ?? [])
      .map((rule, i) => ({ rule, i }))
      .filter(({ rule }) => matches(rule.pattern, method));
    if (rules.length === 0) return undefined;
    const now = performance.now();
    const states = rules.map(({ rule, i }) => {
      let b = this.buckets.get(i);
      if (!b) {
        b = { tokens: rule.burst, at: now };
        this.buckets.set(i, b);
      }
      b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) / 1000) * rule.ratePerSecond);
      b.at = now;
      return { b, rule };
    });
    const empty = states.find(({ b }) => b.tokens < 1);
    if (empty) return empty.rule.status ?? 403;
    for (const { b } of states) b.tokens -= 1;
    return undefined;
  }
}
