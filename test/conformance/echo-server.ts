// A local stand-in for upstream's echo-basic backend (registry.k8s.io/gateway-api/conformance/echo-basic),
// reproducing what the conformance harness relies on:
// - every path answers 200 with `Content-Type: application/json` and the request as seen by the backend:
//   `{path (RequestURI incl. query), host, method, proto, headers: {Name: [values]}, namespace, ingress,
//   service, pod, httpPort, ...}`;
// - each `X-Echo-Set-Header` value (`Name:value,Name2:value2`) is copied into the response headers
//   (same name used twice: values joined with `,`), before the body is written;
// - `/status/NNN` answers with that status, `/health` answers `OK`, `?delay=1s` waits before answering;
// - it "logs" `Echoing back request made to <RequestURI> to client (<addr>)`: the log is kept in memory
//   so mirror checks can look for it.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServerOptions {
  /** The Deployment this server stands for: the pod name starts with it. */
  deployment: string;
  namespace: string;
  /** Defaults to `<deployment>-<10 hex>-<5 alnum>`, shaped like a ReplicaSet pod name. */
  podName?: string;
  /** Pod labels (the Deployment's pod template labels); used to match Services and mirror targets. */
  labels?: Record<string, string>;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

/** One request the server answered, as the echo body reported it. */
export interface EchoRecord {
  at: number;
  requestUri: string;
  method: string;
  host: string;
  headers: Record<string, string[]>;
  remoteAddress: string;
  logLine: string;
}

/** The JSON body echo-basic writes (fields the harness reads plus the rest of upstream's shape). */
export interface EchoBody {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  httpPort: string;
  sni: string;
}

export interface EchoServer {
  readonly deployment: string;
  readonly namespace: string;
  readonly podName: string;
  readonly labels: Record<string, string>;
  readonly host: string;
  readonly port: number;
  /** Everything answered so far, oldest first. */
  readonly records: readonly EchoRecord[];
  /** The log lines (`Echoing back request made to ...`), oldest first. */
  logs(since?: number): string[];
  /** True when a request with exactly this RequestURI was answered at or after `since` (epoch ms). */
  received(requestUri: string, since?: number): boolean;
  close(): Promise<void>;
}

export async function startEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  const host = options.host ?? '127.0.0.1';
  const podName = options.podName ?? defaultPodName(options.deployment);
  const records: EchoRecord[] = [];
  let port = options.port ?? 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) writeError(res, err, 500);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUri = req.url ?? '/';
    // echo-basic collapses `//` in the path before muxing, but RequestURI (what it echoes) stays raw.
    const muxPath = (requestUri.split('?')[0] ?? '/').replaceAll('//', '/');
    if (muxPath === '/health') {
      res.writeHead(200);
      res.end('OK');
      return;
    }
    if (muxPath.startsWith('/status/')) {
      const m = /^\/status\/(\d\d\d)$/.exec(requestUri);
      res.writeHead(m ? Number(m[1]) : 400);
      res.end();
      return;
    }
    const headers = goHeaderMap(req.rawHeaders);
    const logLine = `Echoing back request made to ${requestUri} to client (${req.socket.remoteAddress}:${req.socket.remotePort})`;
    records.push({
      at: Date.now(),
      requestUri,
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      headers,
      remoteAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      logLine,
    });

    const delay = new URLSearchParams(
      requestUri.includes('?') ? requestUri.slice(requestUri.indexOf('?')) : '',
    ).get('delay');
    if (delay) {
      const ms = parseGoDuration(delay);
      if (ms === undefined) {
        writeError(res, new Error(`time: invalid duration "${delay}"`), 500);
        return;
      }
      await new Promise((r) => setTimeout(r, ms));
    }

    const body: EchoBody = {
      path: requestUri,
      host: req.headers.host ?? '',
      method: req.method ?? 'GET',
      proto: `HTTP/${req.httpVersion}`,
      headers,
      namespace: options.namespace,
      ingress: '',
      service: '',
      pod: podName,
      httpPort: String(port),
      sni: '',
    };
    // Go's Header map puts "Host" aside (r.Host); echo-basic's headers therefore never contain it.
    for (const [name, values] of echoSetHeaders(headers['X-Echo-Set-Header'] ?? []))
      res.setHeader(name, values);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.writeHead(200);
    res.end(JSON.stringify(body, null, ' '));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    deployment: options.deployment,
    namespace: options.namespace,
    podName,
    labels: options.labels ?? { app: options.deployment },
    host,
    port,
    records,
    logs: (since = 0) => records.filter((r) => r.at >= since).map((r) => r.logLine),
    received: (requestUri, since = 0) => records.some((r) => r.at >= since && r.requestUri === requestUri),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The response headers echo-basic derives from `X-Echo-Set-Header` entries: each entry is a comma-separated
 * list of `Name:value`; the name keeps its casing; a repeated name gets `,value` appended (trimmed).
 */
export function echoSetHeaders(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of entries) {
    for (const kv of entry.split(',')) {
      const trimmed = kv.trim();
      const colon = trimmed.indexOf(':');
      const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
      const value = colon < 0 ? '' : trimmed.slice(colon + 1);
      // An empty X-Echo-Set-Header (what the harness sends when nothing is asked) has no effect.
      if (name === '') continue;
      const prev = out.get(name);
      out.set(name, prev === undefined ? value : `${prev},${value.trim()}`);
    }
  }
  return out;
}

/** Go's `http.Header` of a server request: canonical names, values in arrival order, Host left out. */
function goHeaderMap(rawHeaders: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = canonicalHeaderKey(rawHeaders[i] ?? '');
    if (name === 'Host') continue;
    const list = out[name] ?? [];
    list.push(rawHeaders[i + 1] ?? '');
    out[name] = list;
  }
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's textproto.CanonicalMIMEHeaderKey: `x-header-set` → `X-Header-Set`; invalid names unchanged. */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN.test(name)) return name;
  let upper = true;
  let out = '';
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

function defaultPodName(deployment: string): string {
  const alnum = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  const suffix = [...bytes].map((b) => alnum[b % alnum.length]).join('');
  return `${deployment}-${randomBytes(5).toString('hex')}-${suffix}`;
}

function writeError(res: ServerResponse, err: unknown, code: number): void {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.writeHead(code);
  res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
}

/** A subset of Go's time.ParseDuration (`1s`, `500ms`, `1.5s`, `2m`, `1m30s`), in milliseconds. */
function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  return consumed === s.length && consumed > 0 && Number.isFinite(total) ? total : undefined;
}
