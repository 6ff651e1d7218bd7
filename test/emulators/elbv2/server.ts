// The HTTP side of the ELBv2 emulator: a real server on 127.0.0.1 (ephemeral port) that speaks the AWS
// Query protocol the SDK uses (POST, form-encoded `Action=...&Version=2015-12-01`, SigV4-signed), routes
// each call to the stateful service (service.ts) in the region named by the signature's credential scope,
// and answers with ELBv2 XML. Tests control fault injection (token-bucket or random throttling, 5xx at a
// rate, scripted errors, added latency) and read per-action call counts.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { patternRegExp, seededRandom } from '../fault-patterns.js';
import { API_VERSION, ElbError, errorXml, parseQuery, resultXml } from './protocol.js';
import { Elbv2Service, type ServiceOptions } from './service.js';

/** An action pattern: a RegExp, or a string used as a RegExp source (like LBC's `^Describe.*`). */
export type ActionPattern = RegExp | string;

/** A server-side token bucket: `burst` tokens, refilled at `ratePerSecond`; a call with no token is throttled. */
export interface TokenBucketRule {
  pattern: ActionPattern;
  ratePerSecond: number;
  burst: number;
}

export interface FaultConfig {
  /** Token buckets (per region); a call takes a token from every bucket whose pattern matches. */
  throttle?: TokenBucketRule[];
  /** Throttle matching calls at random with this probability. */
  throttleProbability?: { pattern?: ActionPattern; probability: number };
  /** Answer matching calls with a 5xx at random with this probability. */
  serverErrors?: {
    pattern?: ActionPattern;
    probability: number;
    /** InternalFailure (500) or ServiceUnavailable (503); default alternates between both. */
    code?: 'InternalFailure' | 'ServiceUnavailable';
  };
  /** Added latency per call in ms (plus up to `jitterMs` at random); with several rules, all matching ones add up. */
  latency?: LatencyRule | LatencyRule[];
}

export interface LatencyRule {
  pattern?: ActionPattern;
  ms: number;
  jitterMs?: number;
}

/**
 * The AWS Load Balancer Controller's client-side ELBv2 throttles (research/aws-lbc.md §6) as server-side
 * token buckets: RegisterTargets/DeregisterTargets 4/s burst 20, Describe* 50/s burst 200, Modify* 3/s burst 20.
 */
export const LBC_THROTTLES: TokenBucketRule[] = [
  { pattern: '^RegisterTargets|^DeregisterTargets', ratePerSecond: 4, burst: 20 },
  { pattern: '^Describe.*', ratePerSecond: 50, burst: 200 },
  { pattern: '^Modify.*', ratePerSecond: 3, burst: 20 },
];

/** The example bucket of the AWS docs for ELB API throttling: Describe* bucket 40, refill 10/s. */
export const AWS_DOC_THROTTLES: TokenBucketRule[] = [{ pattern: '^Describe', ratePerSecond: 10, burst: 40 }];

/** A scripted error: the next `count` matching calls fail with it (checked before anything else). */
export interface ScriptedError {
  pattern: ActionPattern;
  code: string;
  message?: string;
  status?: number;
  count?: number;
}

export interface CallRecord {
  action: string;
  region: string;
  status: number;
  code?: string;
  at: number;
}

export interface CallStats {
  /** Every call that reached the API (throttled and failed calls included). */
  total: number;
  /** Calls to mutating actions (everything but Describe*). */
  mutating: number;
  /** Calls to read actions (Describe*). */
  read: number;
  /** Calls per action. */
  byAction: Record<string, number>;
  /** Calls answered with `Throttling`. */
  throttled: number;
  throttledByAction: Record<string, number>;
  /** Calls answered with an injected 5xx or scripted error. */
  injected: number;
  /** Calls answered with any error (injected or from the service). */
  errors: number;
}

export interface Elbv2EmulatorOptions extends ServiceOptions {
  /** Region used when a request carries no credential scope (default us-east-1). */
  defaultRegion?: string;
  faults?: FaultConfig;
  /** Seed for the fault-injection random generator (default 1) so runs are reproducible. */
  seed?: number;
  /** Keep a log of every call (default true; tests read it through `emulator.calls`). */
  recordCalls?: boolean;
}

export const isReadAction = (action: string): boolean => /^Describe/.test(action);

const emptyStats = (): CallStats => ({
  total: 0,
  mutating: 0,
  read: 0,
  byAction: {},
  throttled: 0,
  throttledByAction: {},
  injected: 0,
  errors: 0,
});

export class Elbv2Emulator {
  readonly service: Elbv2Service;
  /** Call log (when `recordCalls` is on). */
  readonly calls: CallRecord[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private faultConfig: FaultConfig;
  private scripted: (ScriptedError & { re: RegExp; left: number })[] = [];
  private buckets = new Map<string, { tokens: number; at: number }>();
  private random: () => number;
  private counters: CallStats = emptyStats();
  private serverErrorFlip = false;
  private port = 0;

  constructor(private readonly opts: Elbv2EmulatorOptions = {}) {
    this.service = new Elbv2Service(opts);
    this.faultConfig = opts.faults ?? {};
    this.random = seededRandom(opts.seed ?? 1);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, errorXml('InternalFailure', String(err), 500));
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // --- fault injection --------------------------------------------------------------------------------

  /** Replaces the fault configuration (token buckets start full). */
  setFaults(config: FaultConfig): void {
    this.faultConfig = config;
    this.buckets.clear();
  }

  /** Clears every fault: no throttling, 5xx, latency or scripted errors. */
  clearFaults(): void {
    this.setFaults({});
    this.scripted = [];
  }

  /** The next `count` (default 1) calls matching `pattern` fail with `code` (HTTP `status`, default 400). */
  failNext(error: ScriptedError): void {
    this.scripted.push({ ...error, re: patternRegExp(error.pattern)!, left: error.count ?? 1 });
  }

  // --- counters ---------------------------------------------------------------------------------------

  /** A snapshot of the call counters. */
  stats(): CallStats {
    return structuredClone(this.counters);
  }

  resetStats(): void {
    this.counters = emptyStats();
    this.calls.length = 0;
  }

  /** Drops all resources and counters and clears faults. */
  reset(): void {
    this.service.reset();
    this.clearFaults();
    this.resetStats();
  }

  // --- request handling -------------------------------------------------------------------------------

  private send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() });
    res.end(body);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST') {
      this.send(res, 400, errorXml('InvalidAction', 'Only POST requests are supported by the emulator', 400));
      return;
    }
    const auth = req.headers.authorization ?? '';
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/elasticloadbalancing\/aws4_request/.exec(auth);
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || !scope || !req.headers['x-amz-date']) {
      this.send(
        res,
        403,
        errorXml('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
      );
      return;
    }
    const region = scope[1] ?? this.opts.defaultRegion ?? 'us-east-1';
    const params = parseQuery(body);
    const action = typeof params.Action === 'string' ? params.Action : '';
    if (params.Version !== API_VERSION) {
      this.send(
        res,
        400,
        errorXml('InvalidAction', `Version '${String(params.Version)}' is not supported`, 400),
      );
      return;
    }
    const c = this.counters;
    c.total++;
    if (isReadAction(action)) c.read++;
    else c.mutating++;
    c.byAction[action] = (c.byAction[action] ?? 0) + 1;

    const reply = (status: number, xml: string, code?: string): void => {
      if (status >= 400) c.errors++;
      if (this.opts.recordCalls !== false) {
        this.calls.push({ action, region, status, ...(code ? { code } : {}), at: Date.now() });
      }
      this.send(res, status, xml);
    };

    const f = this.faultConfig;
    let delay = 0;
    for (const l of f.latency === undefined ? [] : Array.isArray(f.latency) ? f.latency : [f.latency]) {
      if (patternRegExp(l.pattern)?.test(action) ?? true) delay += l.ms + (l.jitterMs ?? 0) * this.random();
    }
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const script = this.scripted.find((s) => s.left > 0 && s.re.test(action));
    if (script) {
      script.left--;
      this.scripted = this.scripted.filter((s) => s.left > 0);
      const status = script.status ?? 400;
      c.injected++;
      if (script.code === 'Throttling') this.countThrottle(action);
      reply(status, errorXml(script.code, script.message ?? `Injected ${script.code}`, status), script.code);
      return;
    }
    if (this.throttled(region, action)) {
      this.countThrottle(action);
      reply(400, errorXml('Throttling', 'Rate exceeded', 400), 'Throttling');
      return;
    }
    const se = f.serverErrors;
    if (se && (patternRegExp(se.pattern)?.test(action) ?? true) && this.random() < se.probability) {
      this.serverErrorFlip = !this.serverErrorFlip;
      const code = se.code ?? (this.serverErrorFlip ? 'InternalFailure' : 'ServiceUnavailable');
      const status = code === 'InternalFailure' ? 500 : 503;
      c.injected++;
      const msg = code === 'InternalFailure' ? 'An internal error has occurred' : 'Service is unavailable';
      reply(status, errorXml(code, msg, status), code);
      return;
    }
    try {
      const result = this.service.dispatch(region, action, params);
      reply(200, resultXml(action, result));
    } catch (err) {
      if (err instanceof ElbError) reply(err.status, errorXml(err.code, err.message, err.status), err.code);
      else
        reply(
          500,
          errorXml('InternalFailure', err instanceof Error ? err.message : String(err), 500),
          'InternalFailure',
        );
    }
  }

  private countThrottle(action: string): void {
    this.counters.throttled++;
    this.counters.throttledByAction[action] = (this.counters.throttledByAction[action] ?? 0) + 1;
  }

  private throttled(region: string, action: string): boolean {
    const f = this.faultConfig;
    const tp = f.throttleProbability;
    if (tp && (patternRegExp(tp.pattern)?.test(action) ?? true) && this.random() < tp.probability)
      return true;
    const rules = (f.throttle ?? [])
      .map((rule, i) => ({ rule, i }))
      .filter(({ rule }) => patternRegExp(rule.pattern)!.test(action));
    if (rules.length === 0) return false;
    const now = performance.now();
    const states = rules.map(({ rule, i }) => {
      const key = `${i}:${region}`;
      let b = this.buckets.get(key);
      if (!b) {
        b = { tokens: rule.burst, at: now };
        this.buckets.set(key, b);
      }
      b.tokens = Math.min(rule.burst, b.tokens + ((now - b.at) / 1000) * rule.ratePerSecond);
      b.at = now;
      return b;
    });
    if (states.some((b) => b.tokens < 1)) return true;
    for (const b of states) b.tokens -= 1;
    return false;
  }
}

/** Starts an emulator on 127.0.0.1 with an ephemeral port. Call `close()` when done. */
export async function startElbv2Emulator(opts: Elbv2EmulatorOptions = {}): Promise<Elbv2Emulator> {
  return new Elbv2Emulator(opts).start();
}
