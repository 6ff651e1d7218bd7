// A local stand-in for upstream's echo-basic backend (registry.k8s.io/gateway-api/conformance/echo-basic),
// reproducing what the conformance harness relies on:
// - every path answers 200 with `Content-Type: application/json` and the request as seen by the backend:
//   `{path (RequestURI incl. query), host, method, proto, headers: {Name: [values]}, namespace, ingress,
//   service, pod, httpPort, ...}`;
// - each `X-Echo-Set-Header` value (`Name:value,Name2:value2`) is copied into the response headers
//   (same name used twice: values joined with `,`), before the body is written;
// - `/status/NNN` answers with that status, `/health` answers `OK`, `?delay=1s` waits before answering;
// - `/retry/...?uuid=&succeedAfter=N[&responseCode=C][&delayRetry=D]` fails (status C, or a TCP reset)
//   until the pod has seen that uuid N times (upstream's retry simulator);
// - over TLS (`tls` option: echo-basic's port 8443) the body carries `tls {version, serverName,
//   negotiatedProtocol, cipherSuite, peerCertificates[]}`; with a client CA bundle it asks for a client
//   certificate and verifies one when presented;
// - it "logs" `Echoing back request made to <RequestURI> to client (<addr>)`: the log is kept in memory
//   so mirror checks can look for it.
// The Ingress suite's echoserver is the same with `flavor: 'ingress'`: `service`/`ingress` from the pod's
// env, no X-Echo-Set-Header handling.

import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

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
  /** Serve HTTPS with this certificate (echo-basic's TLS_SERVER_CERT / TLS_SERVER_PRIVKEY). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** `ingress`: the Ingress suite's echoserver (service / ingress from env, no X-Echo-Set-Header). */
  flavor?: 'gateway' | 'ingress';
  /** The pod's env values the echo reports (SERVICE_NAME, INGRESS_NAME). */
  env?: Record<string, string>;
  /** Shared by a pod's listeners: retry-simulator attempts per uuid. */
  retryCounters?: Map<string, number>;
  /** Shared by a pod's listeners: the pod's log. */
  records?: EchoRecord[];
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
  tls?: EchoTls;
}

export interface EchoTls {
  version: string;
  serverName: string;
  negotiatedProtocol: string;
  cipherSuite: string;
  /** PEM of each certificate the client presented, leaf first. */
  peerCertificates: string[];
}

export interface EchoServer {
  readonly deployment: string;
  readonly namespace: string;
  readonly podName: string;
  readonly labels: Record<string, string>;
  readonly host: string;
  readonly port: number;
  /** Serves HTTPS. */
  readonly tls: boolean;
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
  const records: EchoRecord[] = options.records ?? [];
  const retries = options.retryCounters ?? new Map<string, number>();
  const ingress = options.flavor === 'ingress';
  let port = options.port ?? 0;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) writeError(res, err, 500);
      else res.destroy();
    });
  };
  const tlsOptions = options.tls;
  const server: Server = tlsOptions
    ? createHttpsServer(
        {
          cert: tlsOptions.cert,
          key: tlsOptions.key,
          ...(tlsOptions.clientCa
            ? { requestCert: true, rejectUnauthorized: false, ca: tlsOptions.clientCa }
            : {}),
        },
        onRequest,
      )
    : createServer(onRequest);

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
    const socket = req.socket as TLSSocket;
    if (tlsOptions?.clientCa && socket.getPeerCertificate?.()?.raw && !socket.authorized) {
      // echo-basic's tls.VerifyClientCertIfGiven: a presented certificate must verify.
      socket.destroy();
      return;
    }
    const query = new URLSearchParams(
      requestUri.includes('?') ? requestUri.slice(requestUri.indexOf('?')) : '',
    );
    if (!ingress && muxPath.startsWith('/retry/')) {
      const failed = await simulateRetry(query, res);
      if (failed) return;
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

    const delay = query.get('delay');
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
      ingress: options.env?.INGRESS_NAME ?? '',
      service: options.env?.SERVICE_NAME ?? '',
      pod: podName,
      httpPort: String(port),
      ...(tlsOptions ? { tls: tlsDetails(socket) } : {}),
    };
    // Go's Header map puts "Host" aside (r.Host); echo-basic's headers therefore never contain it.
    if (!ingress) {
      for (const [name, values] of echoSetHeaders(headers['X-Echo-Set-Header'] ?? []))
        res.setHeader(name, values);
    }
    const text = JSON.stringify(body, null, ' ');
    res.setHeader('Content-Type', 'application/json');
    if (!ingress) res.setHeader('X-Content-Type-Options', 'nosniff');
    // Like Go's net/http for a small body: Content-Length, not chunked.
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.writeHead(200);
    res.end(text);
  }

  /** The retry simulator; true when this attempt failed (the response is handled). */
  async function simulateRetry(query: URLSearchParams, res: ServerResponse): Promise<boolean> {
    const uuid = query.get('uuid');
    const succeedAfter = Number(query.get('succeedAfter'));
    if (!uuid || query.get('succeedAfter') === null || !Number.isInteger(succeedAfter)) {
      writeError(res, new Error('retry requests need the query parameters uuid and succeedAfter'), 400);
      return true;
    }
    const seen = retries.get(uuid) ?? 0;
    if (seen >= succeedAfter) return false;
    retries.set(uuid, seen + 1);
    const delayRetry = query.get('delayRetry');
    const ms = delayRetry ? parseGoDuration(delayRetry) : 0;
    if (ms) await new Promise((r) => setTimeout(r, ms));
    const code = query.get('responseCode');
    if (code !== null && /^\d{3}$/.test(code)) {
      res.writeHead(Number(code), { 'Content-Length': '0' });
      res.end();
    } else {
      res.socket?.resetAndDestroy();
    }
    return true;
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
    tls: !!tlsOptions,
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

/** What echo-basic reports about the TLS connection a request came in on. */
function tlsDetails(socket: TLSSocket): EchoTls {
  const peers: string[] = [];
  let cert = socket.getPeerCertificate?.(true);
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    peers.push(new X509Certificate(cert.raw).toString());
    cert = cert.issuerCertificate;
  }
  return {
    version: socket.getProtocol() ?? '',
    serverName: (socket as TLSSocket & { servername?: string | false }).servername || '',
    negotiatedProtocol: socket.alpnProtocol || '',
    cipherSuite: socket.getCipher()?.standardName ?? '',
    peerCertificates: peers,
  };
}

export function defaultPodName(deployment: string): string {
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
export function parseGoDuration(s: string): number | undefined {
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
