import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';

/** The label that marks an EndpointSlice whose endpoints `npm start` should run itself. */
export const DEMO_LABEL = 'portico.dev/demo-backend';

export interface DemoBackend {
  service: string;
  kind: 'http' | 'tcp-echo';
  address: string;
  port: number;
}

/** The demo servers the manifests ask for: one per endpoint of each labelled EndpointSlice. */
export function demoBackendsIn(objects: readonly unknown[]): DemoBackend[] {
  const out: DemoBackend[] = [];
  for (const o of objects as {
    kind?: string;
    metadata?: { labels?: Record<string, string> };
    endpoints?: { addresses?: string[] }[];
    ports?: { port?: number }[];
  }[]) {
    const kind = o?.metadata?.labels?.[DEMO_LABEL];
    if (o?.kind !== 'EndpointSlice' || (kind !== 'http' && kind !== 'tcp-echo')) continue;
    const service = o.metadata?.labels?.['kubernetes.io/service-name'] ?? 'demo';
    for (const e of o.endpoints ?? []) {
      for (const p of o.ports ?? []) {
        const address = e.addresses?.[0];
        if (address && p.port) out.push({ service, kind, address, port: p.port });
      }
    }
  }
  return out;
}

/** Starts the servers; the returned function stops them all. */
export async function startDemoBackends(backends: readonly DemoBackend[]): Promise<() => Promise<void>> {
  const servers: (Server | TcpServer)[] = [];
  for (const b of backends) {
    const server = b.kind === 'http' ? httpDemo(b.service) : tcpEcho();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `demo backend ${b.service} cannot listen on ${b.address}:${b.port}: ${err.code ?? err.message}`,
          ),
        ),
      );
      server.listen(b.port, b.address, () => resolve());
    });
    servers.push(server);
  }
  return async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
}

/** Answers with who it is and what it saw, so a person can tell which route and backend served them. */
function httpDemo(service: string): Server {
  const server = createHttpServer((req, res) => {
    const body = `${JSON.stringify({ backend: service, method: req.method, host: req.headers.host, path: req.url, headers: req.headers }, null, 2)}\n`;
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': service });
    res.end(body);
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

function tcpEcho(): TcpServer {
  return createTcpServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
}
