import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An emulator's HTTP server on 127.0.0.1 (ephemeral port); `close` drops open connections too. */
export interface LocalServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function listenLocal(listener: RequestListener): Promise<LocalServer> {
  const server = createServer(listener);
  // Idle connections stay open until close: with Node's 5 s default, a client reusing a pooled socket
  // just as the server drops it got ECONNRESET (seen when a test blocked the event loop for seconds).
  server.keepAliveTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
