import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage) => { status: number; contentType: string; body: string };

export interface HttpServerHandle {
  port: number;
  close(): Promise<void>;
}

/** A plain HTTP server answering GET on a few paths (health and metrics), 404 elsewhere. */
export async function startHttpServer(
  port: number,
  routes: Readonly<Record<string, Route>>,
  host = '0.0.0.0',
): Promise<HttpServerHandle> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return reply(res, 404, 'text/plain', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'GET only\n');
    try {
      const r = route(req);
      reply(res, r.status, r.contentType, req.method === 'HEAD' ? '' : r.body);
    } catch (err) {
      reply(res, 500, 'text/plain', `${(err as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
