import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '#logging/logger.js';
import type { AdmissionReply } from './pod-admission.js';

export interface WebhookServerOptions {
  port: number;
  host?: string;
  /** PEM files of the serving certificate (chain) and its key, e.g. a mounted cert-manager Secret. */
  certFile: string;
  keyFile: string;
  /** How often the files are read again (cert-manager renews them in place); default 60,000 ms. */
  reloadMs?: number;
  /** POST path → handler of the request body. */
  routes: Readonly<Record<string, (body: string) => AdmissionReply>>;
  maxBodyBytes: number;
  logger?: Logger;
  readFile?: (path: string) => string;
}

export interface WebhookServerHandle {
  port: number;
  /** Reads the certificate files again; false (and the previous certificate kept) when they cannot be used. */
  reload(): boolean;
  close(): Promise<void>;
}

/**
 * The HTTPS server the API server calls admission webhooks on. It listens even before its
 * certificate files can be read (the Secret may not be issued yet): TLS handshakes fail until then,
 * and the webhook's failurePolicy Ignore admits pods meanwhile.
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServerHandle> {
  const logger = options.logger ?? silentLogger;
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const server: Server = createServer((req, res) => void handle(req, res, options));
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  let loaded = '';
  let failing = false;
  const reload = (): boolean => {
    let cert: string;
    let key: string;
    try {
      cert = read(options.certFile);
      key = read(options.keyFile);
      if (cert + key === loaded) return true;
      server.setSecureContext({ cert, key });
    } catch (err) {
      // said once per outage, not at every reload
      if (!failing)
        logger.error('webhook certificate not usable; TLS handshakes fail until it is', {
          certFile: options.certFile,
          keyFile: options.keyFile,
          error: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
        });
      failing = true;
      return false;
    }
    if (loaded || failing) logger.info('webhook certificate loaded', { certFile: options.certFile });
    loaded = cert + key;
    failing = false;
    return true;
  };
  reload();
  const timer = setInterval(reload, options.reloadMs ?? 60_000);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    reload,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: WebhookServerOptions,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const route = Object.hasOwn(options.routes, path) ? options.routes[path] : undefined;
  if (!route) return reply(res, 404, 'not found');
  if (req.method !== 'POST') return reply(res, 405, 'POST only');
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') return reply(res, 415, 'the body must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > options.maxBodyBytes)
    return reply(res, 413, `the body is over ${options.maxBodyBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBodyBytes)
        return reply(res, 413, `the body is over ${options.maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
  } catch {
    return; // the client went away
  }
  let answer: AdmissionReply;
  try {
    answer = route(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    return reply(res, 500, (err as Error).message);
  }
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-store' });
  res.end(answer.body);
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    // an answer before the body was read: do not keep a connection whose request is half-read
    connection: 'close',
  });
  res.end(`${message}\n`);
}
