// Requests built and sent the way upstream's Go harness does (conformance/utils/http MakeRequest +
// roundtripper.DefaultRoundTripper), and the response captured the way it reads it.

import { type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect, constants as http2Constants } from 'node:http2';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { canonicalHeaderKey, type EchoBody } from './echo-server.js';

export interface BuiltRequest {
  method: string;
  scheme: 'http' | 'https';
  /** Where the TCP connection goes. */
  connectHost: string;
  connectPort: number;
  /** The URL as Go formats it (host part = CalculateHost: no port when it is the scheme's default). */
  url: string;
  /** Request target on the wire: escaped path + raw query. */
  target: string;
  /** The path the test gave (incl. query, plus an appended request id), i.e. what a defaulted expectation compares. */
  path: string;
  /** Host header value. */
  host: string;
  /** Header name (canonicalised like Go) → value, in wire order after Host. */
  headers: [string, string][];
  followRedirects: boolean;
  tls?: ClientTls;
  /** `ingress`: the Ingress suite's client (its redirect rules); default the Gateway suite's. */
  client: 'gateway' | 'ingress';
  /** `HTTP/2`: ALPN h2 only, one connection per request. */
  protocol?: string;
}

export interface ClientTls {
  servername?: string;
  /** The only trust root (PEM); absent with `insecure`. */
  ca?: string;
  /** Skip chain verification (the Ingress suite). */
  insecure?: boolean;
  /** Presented when the server asks for a client certificate. */
  clientCertificate?: { cert: string; key: string };
}

export interface RedirectTarget {
  scheme: string;
  host: string;
  port: string;
  path: string;
}

export interface CapturedResponse {
  status: number;
  /** Lower-cased name → values. */
  headers: Record<string, string[]>;
  /** The echo body: only when Content-Type is exactly `application/json` (as upstream). */
  echo?: Partial<EchoBody>;
  contentType: string | undefined;
  redirect?: RedirectTarget;
  /** The request that produced this response (after followed redirects). */
  finalUrl: string;
  /** `HTTP/1.1`, `HTTP/2.0`. */
  proto: string;
  /** The server's leaf certificate of the (last) TLS handshake. */
  peerCertificate?: PeerCertificate;
  /** The server asked for a client certificate during the handshake (known only when sniffed). */
  clientCertificateRequested?: boolean;
}

export interface RequestInput {
  method?: string;
  host: string | null;
  path: string;
  headers?: Record<string, string>;
  followRedirects?: boolean;
  backendSetsResponseHeaders?: Record<string, string>;
  client?: 'gateway' | 'ingress';
  protocol?: string;
}

/**
 * Upstream's MakeRequest: path split at the first `?` (path escaped like Go's url.URL, query raw), Host =
 * the override or the gateway address without a default port, headers canonicalised, and always an
 * `X-Echo-Set-Header` (empty when no response header is requested).
 */
export function buildRequest(
  input: RequestInput,
  gateway: { address: string; port: number; scheme: string },
  tls?: ClientTls,
): BuiltRequest {
  const ingress = input.client === 'ingress';
  const scheme = gateway.scheme.toLowerCase() === 'https' ? 'https' : 'http';
  const bracketed = gateway.address.includes(':') ? `[${gateway.address}]` : gateway.address;
  const defaultPort =
    (scheme === 'http' && gateway.port === 80) || (scheme === 'https' && gateway.port === 443);
  const authority = defaultPort ? bracketed : `${bracketed}:${gateway.port}`;
  const q = input.path.indexOf('?');
  const rawPath = q < 0 ? input.path : input.path.slice(0, q);
  const rawQuery = q < 0 ? '' : input.path.slice(q + 1);
  const target = escapePath(rawPath === '' ? '/' : rawPath) + (rawQuery !== '' ? `?${rawQuery}` : '');
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(input.headers ?? {}))
    headers.set(canonicalHeaderKey(name), value);
  const echoSet = Object.entries(input.backendSetsResponseHeaders ?? {}).map(([n, v]) => `${n}:${v}`);
  // The Ingress suite's CaptureRoundTrip sends no X-Echo-Set-Header and disables compression.
  if (!ingress) headers.set('X-Echo-Set-Header', echoSet.join(','));
  const method = input.method || 'GET';
  if (ingress && ['POST', 'PUT', 'PATCH'].includes(method) && !headers.has('Content-Length'))
    headers.set('Content-Length', '0');
  // Go's transport: User-Agent unless set; headers in sorted order; Accept-Encoding: gzip unless set.
  const ordered: [string, string][] = [];
  ordered.push(['User-Agent', headers.get('User-Agent') ?? 'Go-http-client/1.1']);
  headers.delete('User-Agent');
  const acceptEncoding = headers.get('Accept-Encoding');
  headers.delete('Accept-Encoding');
  ordered.push(...[...headers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (!ingress || acceptEncoding !== undefined) ordered.push(['Accept-Encoding', acceptEncoding ?? 'gzip']);
  return {
    method,
    scheme,
    connectHost: gateway.address,
    connectPort: gateway.port,
    url: `${scheme}://${authority}${target}`,
    target,
    path: input.path,
    host: input.host || authority,
    headers: ordered,
    followRedirects: input.followRedirects !== false,
    ...(tls ? { tls } : {}),
    client: ingress ? 'ingress' : 'gateway',
    ...(input.protocol ? { protocol: input.protocol } : {}),
  };
}

export interface RoundTripOptions {
  timeoutMs: number;
  httpAgent?: HttpAgent;
  httpsAgent?: HttpsAgent;
}

const REDIRECT_CODES = new Set([300, 301, 302, 303, 304, 305, 307, 308]);

export function isRedirect(status: number): boolean {
  return REDIRECT_CODES.has(status);
}

/** One request (following up to 10 redirects unless told not to, like Go's client). Network errors throw. */
export async function roundTrip(req: BuiltRequest, options: RoundTripOptions): Promise<CapturedResponse> {
  let current = req;
  for (let hop = 0; ; hop++) {
    const res = await sendOnce(current, options);
    if (!isRedirect(res.status) || !current.followRedirects || res.status === 304 || res.status === 300)
      return res;
    if (hop >= 10) throw new Error('stopped after 10 redirects');
    const location = res.headers.location?.[0];
    if (location === undefined) return res;
    current =
      current.client === 'ingress'
        ? ingressRedirectRequest(current, location)
        : redirectRequest(current, location, res.status);
  }
}

async function sendOnce(req: BuiltRequest, options: RoundTripOptions): Promise<CapturedResponse> {
  try {
    return await exchange(req, options);
  } catch (err) {
    // Like Go's transport: a request on a reused keep-alive connection that the server had already closed
    // is retried once on a fresh connection.
    if ((err as { reusedSocket?: boolean }).reusedSocket) return exchange(req, options);
    throw err;
  }
}

async function exchange(req: BuiltRequest, options: RoundTripOptions): Promise<CapturedResponse> {
  if (req.protocol === 'HTTP/2') return exchangeH2(req, options);
  const res = await new Promise<{ msg: IncomingMessage; body: Buffer }>((resolve, reject) => {
    const common = {
      host: req.connectHost,
      port: req.connectPort,
      method: req.method,
      path: req.target,
      headers: [['Host', req.host], ...req.headers].flat(),
      timeout: options.timeoutMs,
      setHost: false,
    };
    const handler = (msg: IncomingMessage) => {
      const chunks: Buffer[] = [];
      msg.on('data', (c: Buffer) => chunks.push(c));
      msg.on('end', () => resolve({ msg, body: Buffer.concat(chunks) }));
      msg.on('error', reject);
    };
    const r =
      req.scheme === 'https'
        ? httpsRequest(
            {
              ...common,
              // Client certificates and skipped verification need their own connections.
              agent: req.tls?.clientCertificate || req.tls?.insecure ? false : options.httpsAgent,
              ...(req.tls?.servername ? { servername: req.tls.servername } : {}),
              ...(req.tls?.ca ? { ca: req.tls.ca } : {}),
              ...(req.tls?.clientCertificate ?? {}),
              rejectUnauthorized: !req.tls?.insecure,
              checkServerIdentity: req.tls?.insecure ? () => undefined : goVerifyHostname,
            },
            handler,
          )
        : httpRequest({ ...common, agent: options.httpAgent }, handler);
    const timer = setTimeout(
      () => r.destroy(new Error(`request timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    r.on('close', () => clearTimeout(timer));
    r.on('timeout', () => r.destroy(new Error(`request timed out after ${options.timeoutMs} ms`)));
    r.on('error', (err: NodeJS.ErrnoException) => {
      const stale = r.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(stale ? Object.assign(err, { reusedSocket: true }) : err);
    });
    r.end();
  });

  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(res.msg.headersDistinct)) {
    if (values) headers[name] = [...values];
  }
  const socket = res.msg.socket as TLSSocket | null;
  const peer = req.scheme === 'https' ? socket?.getPeerCertificate?.() : undefined;
  return capture(req, res.msg.statusCode ?? 0, headers, res.body, `HTTP/${res.msg.httpVersion}`, peer);
}

/** HTTP/2 over TLS with ALPN `h2` only; a new connection per request (no HTTP/1.1 fallback). */
async function exchangeH2(req: BuiltRequest, options: RoundTripOptions): Promise<CapturedResponse> {
  const session = http2Connect(
    `https://${req.connectHost.includes(':') ? `[${req.connectHost}]` : req.connectHost}:${req.connectPort}`,
    {
      ...(req.tls?.servername ? { servername: req.tls.servername } : {}),
      ...(req.tls?.ca ? { ca: req.tls.ca } : {}),
      ...(req.tls?.clientCertificate ?? {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: !req.tls?.insecure,
      checkServerIdentity: req.tls?.insecure ? () => undefined : goVerifyHostname,
    },
  );
  try {
    return await new Promise<CapturedResponse>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`request timed out after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      session.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      const headers: Record<string, string> = {
        [http2Constants.HTTP2_HEADER_METHOD]: req.method,
        [http2Constants.HTTP2_HEADER_PATH]: req.target,
        [http2Constants.HTTP2_HEADER_SCHEME]: 'https',
        [http2Constants.HTTP2_HEADER_AUTHORITY]: req.host,
      };
      for (const [n, v] of req.headers) headers[n.toLowerCase()] = v;
      const stream = session.request(headers, { endStream: true });
      stream.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      stream.once('response', (h) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.once('end', () => {
          clearTimeout(timer);
          const out: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(h)) {
            if (k.startsWith(':') || v === undefined) continue;
            out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
          }
          const socket = session.socket as TLSSocket;
          if (socket.alpnProtocol !== 'h2') {
            reject(new Error(`the server negotiated ${JSON.stringify(socket.alpnProtocol)}, not h2`));
            return;
          }
          resolve(
            capture(
              req,
              Number(h[':status']),
              out,
              Buffer.concat(chunks),
              'HTTP/2.0',
              socket.getPeerCertificate(),
            ),
          );
        });
      });
    });
  } finally {
    session.destroy();
  }
}

function capture(
  req: BuiltRequest,
  status: number,
  headers: Record<string, string[]>,
  rawBody: Buffer,
  proto: string,
  peer: PeerCertificate | undefined,
): CapturedResponse {
  let body = rawBody;
  // Go's transport asked for gzip itself, so it decompresses and hides the encoding.
  const askedGzip = req.headers.some(([n, v]) => n === 'Accept-Encoding' && v === 'gzip');
  if (askedGzip && headers['content-encoding']?.[0]?.toLowerCase() === 'gzip') {
    body = gunzipSync(body);
    delete headers['content-encoding'];
    delete headers['content-length'];
  }
  const contentType = headers['content-type']?.[0];
  const captured: CapturedResponse = {
    status,
    headers,
    contentType,
    finalUrl: req.url,
    proto,
    ...(peer && Object.keys(peer).length > 0 ? { peerCertificate: peer } : {}),
  };
  if (contentType === 'application/json') {
    try {
      captured.echo = JSON.parse(body.toString('utf8')) as Partial<EchoBody>;
    } catch (err) {
      throw new Error(`unexpected error reading response: ${(err as Error).message}`);
    }
  }
  if (isRedirect(captured.status)) {
    const location = headers.location?.[0];
    if (location === undefined) throw new Error('http: no Location header in response');
    captured.redirect = parseLocation(location, req.url);
  }
  return captured;
}

/**
 * The Ingress suite's redirect: the same method, to the Ingress address on the Location scheme's default
 * port, with the Location's hostname as Host (and SNI) and its path (query dropped).
 */
function ingressRedirectRequest(prev: BuiltRequest, location: string): BuiltRequest {
  const next = parseLocation(location, prev.url);
  const scheme = next.scheme === 'https' ? 'https' : 'http';
  const path = next.path === '' ? '/' : next.path;
  const target = escapePath(path);
  const tls: ClientTls | undefined =
    scheme === 'https' ? { ...(prev.tls ?? { insecure: true }), servername: next.host } : undefined;
  return {
    ...prev,
    scheme,
    connectPort: scheme === 'https' ? 443 : 80,
    url: `${scheme}://${next.host}${target}`,
    target,
    path,
    host: next.host,
    ...(tls ? { tls } : {}),
  };
}

function redirectRequest(prev: BuiltRequest, location: string, status: number): BuiltRequest {
  const next = parseLocation(location, prev.url);
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) || location.startsWith('//');
  const scheme = next.scheme === 'https' ? 'https' : 'http';
  const port = next.port !== '' ? Number(next.port) : scheme === 'https' ? 443 : 80;
  const resolved = new URL(location, prev.url);
  const authority = next.port !== '' ? `${next.host}:${next.port}` : next.host;
  const target = resolved.pathname + resolved.search;
  const method = status === 307 || status === 308 || prev.method === 'HEAD' ? prev.method : 'GET';
  return {
    ...prev,
    method,
    scheme,
    // A relative Location stays on the same connection target; an absolute one goes where it says.
    connectHost: absolute ? next.host : prev.connectHost,
    connectPort: absolute ? port : prev.connectPort,
    url: `${scheme}://${authority}${target}`,
    target,
    path: target,
    host: absolute ? authority : prev.host,
  };
}

/**
 * Go's `resp.Location()` + url.URL accessors: scheme, Hostname(), Port() (kept even when it is the scheme's
 * default, unlike WHATWG URL), Path (unescaped). Relative locations resolve against the request URL.
 */
export function parseLocation(location: string, requestUrl: string): RedirectTarget {
  const abs = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(location);
  const schemeRelative = /^\/\/([^/?#]*)([^?#]*)/.exec(location);
  if (abs || schemeRelative) {
    const scheme = abs ? (abs[1] ?? '').toLowerCase() : (/^([a-z]+):/i.exec(requestUrl)?.[1] ?? 'http');
    const authority = (abs ? abs[2] : schemeRelative?.[1]) ?? '';
    const { host, port } = splitAuthority(authority);
    return { scheme, host, port, path: unescapePath((abs ? abs[3] : schemeRelative?.[2]) ?? '') };
  }
  const base = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(requestUrl);
  const { host, port } = splitAuthority(base?.[2] ?? '');
  const resolved = new URL(location, requestUrl);
  return { scheme: (base?.[1] ?? 'http').toLowerCase(), host, port, path: unescapePath(resolved.pathname) };
}

function splitAuthority(authority: string): { host: string; port: string } {
  const hostport = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostport);
  if (v6) return { host: v6[1] ?? '', port: v6[2] ?? '' };
  const colon = hostport.lastIndexOf(':');
  return colon < 0
    ? { host: hostport, port: '' }
    : { host: hostport.slice(0, colon), port: hostport.slice(colon + 1) };
}

function unescapePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** Go's url.URL.EscapedPath for a Path without RawPath: escape all but unreserved and `$&+,/:;=@`. */
export function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Go's x509 VerifyHostname (what upstream's client applies), not Node's stricter rules: a leading `*` label
 * matches exactly one label whatever the depth (`*.org` matches `example.org`, `*` matches `localhost`).
 */
export function goVerifyHostname(host: string, cert: PeerCertificate): Error | undefined {
  const sans = (cert.subjectaltname ?? '').split(', ').filter(Boolean);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name)) {
    return sans.includes(`IP Address:${name}`)
      ? undefined
      : new Error(`x509: certificate is not valid for IP ${name}; SANs: ${sans.join(', ')}`);
  }
  const hostParts = name.split('.');
  for (const san of sans) {
    if (!san.startsWith('DNS:')) continue;
    const patternParts = san.slice(4).toLowerCase().split('.');
    if (patternParts.length !== hostParts.length) continue;
    if (patternParts.every((p, i) => (i === 0 && p === '*') || p === hostParts[i])) return undefined;
  }
  return new Error(`x509: certificate is valid for ${sans.join(', ') || '(no SANs)'}, not ${host}`);
}
