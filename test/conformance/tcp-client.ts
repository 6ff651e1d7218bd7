// The TCP side of the harness: one exchange of echo-basic's TCP line protocol (plain or TLS), and
// upstream's "TLS connection rejected" probe.

import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { TCP_WELCOME } from './tcp-echo-server.js';

export interface TcpTarget {
  address: string;
  port: number;
  /** TLS client: SNI and the only trusted CA (PEM). */
  tls?: { sni: string; ca: string };
}

export interface TcpEchoResult {
  isTls?: boolean;
  /** The TEST answer. */
  test: { namespace?: string; pod?: string; tls?: { serverName?: string }; [key: string]: unknown };
}

/**
 * One exchange on a new connection: the welcome line, then (full) PING → PONG and IS_TLS, then TEST.
 * Throws when the connection fails or any line differs from the protocol.
 */
export async function tcpEchoExchange(
  target: TcpTarget,
  mode: 'full' | 'welcomeAndTestOnly',
  timeoutMs: number,
): Promise<TcpEchoResult> {
  const socket = await open(target, timeoutMs);
  const lines = lineReader(socket);
  try {
    const welcome = await lines.next();
    if (welcome !== TCP_WELCOME)
      throw new Error(`welcome line ${JSON.stringify(welcome)}, want ${JSON.stringify(TCP_WELCOME)}`);
    let isTls: boolean | undefined;
    if (mode === 'full') {
      socket.write('PING\n');
      const pong = await lines.next();
      if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}, want "PONG"`);
      socket.write('IS_TLS\n');
      const answer = await lines.next();
      if (answer !== 'true' && answer !== 'false')
        throw new Error(`IS_TLS answered ${JSON.stringify(answer)}`);
      isTls = answer === 'true';
    }
    socket.write('TEST\n');
    const json = await lines.next();
    let test: TcpEchoResult['test'];
    try {
      test = JSON.parse(json) as TcpEchoResult['test'];
    } catch {
      throw new Error(`TEST answered ${JSON.stringify(json)}, not JSON`);
    }
    return { ...(isTls !== undefined ? { isTls } : {}), test };
  } finally {
    socket.destroy();
  }
}

/**
 * One probe of upstream's "connection rejected" check: a TLS handshake with this SNI. `rejected` when the
 * peer ended it during connect / handshake (EOF or reset); `retry` with the reason otherwise (completed
 * handshake, certificate error, timeout, refused connection).
 */
export function tlsRejectionProbe(
  address: string,
  port: number,
  sni: string,
  timeoutMs: number,
): Promise<{ rejected: true } | { rejected: false; reason: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: address,
      port,
      servername: sni,
      minVersion: 'TLSv1.2',
      timeout: timeoutMs,
    });
    const done = (r: { rejected: true } | { rejected: false; reason: string }) => {
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () => done({ rejected: false, reason: 'the TLS handshake completed' }));
    socket.once('timeout', () => done({ rejected: false, reason: `no answer within ${timeoutMs} ms` }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const peerClosed =
        err.code === 'ECONNRESET' ||
        err.code === 'EPIPE' ||
        /socket disconnected|socket hang up|EOF/i.test(err.message);
      if (peerClosed) done({ rejected: true });
      else done({ rejected: false, reason: `${err.code ?? ''} ${err.message}`.trim() });
    });
    socket.once('close', () => done({ rejected: true }));
  });
}

function open(target: TcpTarget, timeoutMs: number): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const socket: Socket = target.tls
      ? tlsConnect({
          host: target.address,
          port: target.port,
          servername: target.tls.sni,
          ca: target.tls.ca,
          minVersion: 'TLSv1.2',
          rejectUnauthorized: true,
        })
      : netConnect({ host: target.address, port: target.port });
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Reads `\n`-terminated lines; next() rejects when the connection ends first. */
function lineReader(socket: Socket): { next(): Promise<string> } {
  let buffer = '';
  let ended: Error | undefined;
  let waiter: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    waiter?.();
  });
  const end = (err?: Error) => {
    ended ??= err ?? new Error('connection closed before a full line was read');
    waiter?.();
  };
  socket.on('end', () => end());
  socket.on('close', () => end());
  socket.on('error', (err) => end(err));
  return {
    async next() {
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          return line;
        }
        if (ended) throw ended;
        await new Promise<void>((r) => {
          waiter = r;
        });
        waiter = undefined;
      }
    },
  };
}
