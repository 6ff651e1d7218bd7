// The HTTP side of the Compute emulator: a real server on 127.0.0.1 (ephemeral port) that speaks the
// Compute REST API as `@google-cloud/compute` uses it (JSON, camelCase, `?` on every URL, no auth with
// PassThroughClient), routes each call to the stateful service (service.ts), and applies the fault
// injection (faults.ts) and call counters (counters.ts) per API method.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listenLocal } from '../local-server.js';
import { CallCounters, type CallStats } from './counters.js';
import { ComputeApiError } from './errors.js';
import {
  type FaultConfig,
  FaultInjector,
  type ScriptedError,
  type ScriptedOperationError,
} from './faults.js';
import { LocationService, parseLocationRoute } from './locations.js';
import { GoogleApiError, NetworkServices, parseNetworkServicesRoute } from './network-services.js';
import { parseRoute } from './routes.js';
import { ComputeService, type ServiceOptions } from './service.js';
import type { Json } from './store.js';

export interface GcpComputeEmulatorOptions extends ServiceOptions {
  faults?: FaultConfig;
  /** Seed of the fault-injection random generator (default 1), so runs repeat. */
  seed?: number;
}

export interface CallRecord {
  method: string;
  status: number;
  reason?: string;
  at: number;
}

export class GcpComputeEmulator {
  readonly service: ComputeService;
  /** Certificate Manager trust configs, Network Security policies and authentication configs. */
  readonly locations: LocationService;
  /** Network Services' service load balancing policies (paths under `/v1/`). */
  readonly networkServices: NetworkServices;
  /** Every call, in order. */
  readonly calls: CallRecord[] = [];
  private readonly faults: FaultInjector;
  private readonly counters = new CallCounters();
  private server: LocalServer | undefined;

  constructor(opts: GcpComputeEmulatorOptions = {}) {
    this.faults = new FaultInjector(opts.seed ?? 1, opts.faults);
    this.service = new ComputeService(opts, this.faults, () => this.counters.operation());
    this.locations = new LocationService({
      now: opts.now ?? Date.now,
      operationDelayMs: opts.operationDelayMs ?? 10,
      computeUser: (project, path) => {
        const needle = `${path}"`;
        return this.service.store
          .inProject(project)
          .find((e) => e.state !== 'deleting' && JSON.stringify(e.value).includes(needle))?.value.selfLink as
          | string
          | undefined;
      },
    });
    this.service.locations = this.locations;
    this.networkServices = new NetworkServices({
      operationDelayMs: opts.operationDelayMs ?? 10,
      usedBy: (policy) => this.service.serviceLbPolicyUser(policy),
    });
    this.service.serviceLbPolicyExists = (policy) => this.networkServices.policies.has(policy);
  }

  get endpoint(): string {
    if (!this.server) throw new Error('the emulator is not started');
    return this.server.endpoint;
  }

  get port(): number {
    return Number(new URL(this.endpoint).port);
  }

  async start(): Promise<this> {
    this.server = await listenLocal((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, new ComputeApiError(500, 'backendError', String(err)).body());
      });
    });
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.service.operations.clear();
    await server?.close();
  }

  /** Replaces the fault configuration (token buckets start full). */
  setFaults(config: FaultConfig): void {
    this.faults.set(config);
  }

  /** No rate limits, 5xx, latency or scripted errors. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** The next `count` calls matching `pattern` fail with this error. */
  failNext(error: ScriptedError): void {
    this.faults.failNext(error);
  }

  /** The next `count` mutations matching `pattern` answer normally but their operation ends in error. */
  failNextOperation(error: ScriptedOperationError): void {
    this.faults.failNextOperation(error);
  }

  stats(): CallStats {
    return this.counters.snapshot();
  }

  resetStats(): void {
    this.counters.reset();
    this.calls.length = 0;
  }

  /** Drops all resources, operations, faults and counters. */
  reset(): void {
    this.service.reset();
    this.locations.reset();
    this.networkServices.reset();
    this.clearFaults();
    this.resetStats();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator');
    const ns = parseNetworkServicesRoute(req.method ?? 'GET', url.pathname);
    // One host serves every API here: an operation belongs to Network Services only if it started it.
    if (ns && (ns.collection !== 'operations' || this.networkServices.hasOperation(ns)))
      return this.serve(
        ns,
        res,
        () => {
          const body = parseBody(
            text,
            () => new GoogleApiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'),
          );
          return this.networkServices.handle(ns, url.searchParams, body);
        },
        (err) => {
          const e = err instanceof GoogleApiError ? err : new GoogleApiError(500, 'INTERNAL', String(err));
          return { status: e.status, body: e.body(), reason: e.code };
        },
      );
    const route =
      parseRoute(req.method ?? 'GET', url.pathname) ?? parseLocationRoute(req.method ?? 'GET', url.pathname);
    if (!route) {
      const e = new ComputeApiError(404, 'notFound', `The emulator serves no ${req.method} ${url.pathname}`);
      send(res, 404, e.body());
      return;
    }
    return this.serve(
      route,
      res,
      () => {
        const body = parseBody(
          text,
          () =>
            new ComputeApiError(400, 'parseError', 'This API does not support parsing form-encoded input.'),
        );
        return 'location' in route
          ? this.locations.handle(route, body, url.searchParams)
          : this.service.handle(route, body, url.searchParams);
      },
      (err) => {
        const e =
          err instanceof ComputeApiError ? err : new ComputeApiError(500, 'backendError', String(err));
        return { status: e.status, body: e.body(), reason: e.reason };
      },
    );
  }

  /** Counts the call, applies scripted latency and faults, then answers with `answer()` or its error. */
  private async serve(
    route: { method: string; action: string },
    res: ServerResponse,
    answer: () => unknown,
    asError: (err: unknown) => { status: number; body: unknown; reason: string },
  ): Promise<void> {
    const reply = (status: number, body: unknown, reason?: string) => {
      this.calls.push({ method: route.method, status, ...(reason ? { reason } : {}), at: Date.now() });
      send(res, status, body);
    };
    this.counters.call(route.method, route.action);
    const delay = this.faults.latencyMs(route.method);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = this.faults.check(route.method);
    if (fault) {
      this.counters.error(fault.error.reason, fault.kind);
      if (fault.kind === 'rateLimited') this.counters.rateLimited(route.method);
      reply(fault.error.status, fault.error.body(), fault.error.reason);
      return;
    }
    try {
      reply(200, await answer());
    } catch (err) {
      const e = asError(err);
      this.counters.error(e.reason);
      reply(e.status, e.body, e.reason);
    }
  }
}

/** A request body as JSON (empty = `{}`); `invalid()` is the API's own error for anything else. */
function parseBody(text: string, invalid: () => Error): Json {
  if (!text) return {};
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw invalid();
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/** Starts an emulator on 127.0.0.1 with an ephemeral port; `close()` it when done. */
export async function startGcpComputeEmulator(
  opts: GcpComputeEmulatorOptions = {},
): Promise<GcpComputeEmulator> {
  return new GcpComputeEmulator(opts).start();
}
