// A local stand-in for echo-basic's TCP echo server (env TCP_ECHO_SERVER): on every connection it writes
// `Gateway API Test TCP Server\n`, then answers line commands: `PING` → `PONG`, `IS_TLS` → `true`/`false`,
// `TEST` → one JSON line `{namespace, ingress, service, pod, tcpport, tlsport, isTLS, tls?}`. Plain TCP, or
// TLS with the pod's certificate (echo-basic's port 8443).

import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export const TCP_WELCOME = 'Gateway API Test TCP Server';

export interface TcpEchoOptions {
  host: string;
  port: number;
  namespace: string;
  podName: string;
  env?: Record<string, string>;
  tls?: { cert: string; key: string };
  /** The pod's other TCP ports, reported in TEST answers. */
  ports: { tcp: number; tls: number };
}

export interface TcpEchoServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTcpEchoServer(options: TcpEchoOptions): Promise<TcpEchoServer> {
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write(`${TCP_WELCOME}\n`);
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).replace(/\r$/, '').trim();
        buffer = buffer.slice(nl + 1);
        socket.write(`${answer(line, socket)}\n`);
      }
    });
  };
  const answer = (command: string, socket: Socket): string => {
    const isTls = !!options.tls;
    switch (command) {
      case 'PING':
        return 'PONG';
      case 'IS_TLS':
        return String(isTls);
      case 'TEST': {
        const t = socket as TLSSocket;
        return JSON.stringify({
          namespace: options.namespace,
          ingress: options.env?.INGRESS_NAME ?? '',
          service: options.env?.SERVICE_NAME ?? '',
          pod: options.podName,
          tcpport: String(options.ports.tcp),
          tlsport: String(options.ports.tls),
          isTLS: isTls,
          ...(isTls
            ? {
                tls: {
                  version: t.getProtocol() ?? '',
                  serverName: (t as TLSSocket & { servername?: string | false }).servername || '',
                  negotiatedProtocol: t.alpnProtocol || '',
                  curves: '',
                  cipherSuite: t.getCipher()?.standardName ?? '',
                },
              }
            : {}),
        });
      }
      default:
        return `unknown command ${JSON.stringify(command)}`;
    }
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onConnection)
    : createTcpServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: options.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
