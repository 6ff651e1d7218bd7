// One request per connection on a HAProxy CLI unix socket (stats socket or master socket). We
// half-close after writing: HAProxy then answers everything and closes, so the end of the stream
// is the end of the answer, with no prompt parsing.

import { createConnection } from 'node:net';
import { HAProxyUnavailableError } from './errors.js';

export interface CliRequestOptions {
  /** Whole request budget, connect included. Default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Sends `request` (one line, or a line ending in `<<` plus its payload lines) and returns the raw
 * answer. Transport failures become HAProxyUnavailableError (retryable).
 */
export function sendCliRequest(
  socketPath: string,
  request: string,
  opts: CliRequestOptions = {},
): Promise<string> {
  if (/[\r\0]/.test(request)) throw new Error('CLI request with CR or NUL');
  const isPayload = /<<\n/.test(request);
  if (!isPayload && request.includes('\n')) throw new Error('CLI request with a newline outside a payload');
  // A payload ends at an empty line; a plain command at the newline.
  const wire = isPayload ? `${request.replace(/\n*$/, '')}\n\n` : `${request}\n`;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = createConnection(socketPath);
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onAbort = () => finish(new HAProxyUnavailableError(`CLI request aborted: ${socketPath}`));
    const timer = setTimeout(
      () => finish(new HAProxyUnavailableError(`no answer from ${socketPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.end(wire));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish());
    socket.on('error', (e: NodeJS.ErrnoException) =>
      finish(
        new HAProxyUnavailableError(`cannot talk to ${socketPath}: ${e.code ?? e.message}`, { cause: e }),
      ),
    );
  });
}
