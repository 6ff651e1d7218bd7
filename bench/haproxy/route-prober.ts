// The route propagation prober, on its own thread: it requests a new route until it answers 200, so
// the time it reports is when HAProxy started serving the route, not when the controller's event
// loop (busy finishing the sync that programmed it) got round to reading the answer. Like the public
// gateway-api-bench, whose client is a process of its own.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

export interface ProbeRequest {
  address: string;
  port: number;
  host: string;
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** performance.timeOrigin + performance.now() when the change began (an epoch in ms). */
  startedAt: number;
}

export interface ProbeResult {
  /** From startedAt to the first 200; absent when none came within timeoutMs. */
  latencyMs?: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
}

// Plain JavaScript (an eval'd worker is not compiled by tsx): one request per interval, a new
// connection each, until a 200 or the timeout.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { request } = require('node:http');
const { performance } = require('node:perf_hooks');
const epochNow = () => performance.timeOrigin + performance.now();
const get = (r) => new Promise((resolve) => {
  const req = request({ host: r.address, port: r.port, path: r.path, headers: { host: r.host }, agent: false, timeout: 2000 }, (res) => {
    res.resume();
    res.on('end', () => resolve({ status: res.statusCode || 0 }));
    res.on('error', (err) => resolve({ status: 0, error: err.code || err.message }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => resolve({ status: 0, error: err.code || err.message }));
  req.end();
});
parentPort.on('message', async (r) => {
  const out = { byStatus: {}, errors: {} };
  while (epochNow() - r.startedAt < r.timeoutMs) {
    const tick = epochNow();
    const a = await get(r);
    if (a.error) out.errors[a.error] = (out.errors[a.error] || 0) + 1;
    else {
      out.byStatus[a.status] = (out.byStatus[a.status] || 0) + 1;
      if (a.status === 200) { out.latencyMs = epochNow() - r.startedAt; break; }
    }
    const wait = r.intervalMs - (epochNow() - tick);
    if (wait > 0) await new Promise((s) => setTimeout(s, wait));
  }
  parentPort.postMessage(out);
});
`;

export class RouteProber {
  readonly #worker = new Worker(WORKER, { eval: true });
  #pending: { resolve: (r: ProbeResult) => void; reject: (e: Error) => void } | undefined;

  constructor() {
    this.#worker.on('message', (r: ProbeResult) => this.#pending?.resolve(r));
    this.#worker.on('error', (e) => this.#pending?.reject(e));
  }

  /** The change's start, as the prober thread measures time. */
  static now(): number {
    return performance.timeOrigin + performance.now();
  }

  /** Probes until the route answers 200 (or the timeout); one probe at a time. */
  probe(request: ProbeRequest): Promise<ProbeResult> {
    if (this.#pending) throw new Error('one probe at a time');
    return new Promise<ProbeResult>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(request);
    }).finally(() => {
      this.#pending = undefined;
    });
  }

  stop(): Promise<number> {
    return this.#worker.terminate();
  }
}
