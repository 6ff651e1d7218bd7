import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookServer, type WebhookServerHandle } from '#forwarder/webhook-server.js';
import { certificateAuthority, leafCertificate } from '#test/conformance/certificates.js';
import { captureLogger } from '#test/support/capture-logger.js';

// The webhook's HTTPS server: certificate files that appear late and are renewed in place, and a
// body over the limit sent without a Content-Length.

const HOST = '127.0.107.2';
const PORT = 20702;

let server: WebhookServerHandle | undefined;
let dir: string | undefined;

afterEach(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

function post(ca: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port: PORT,
        path: '/mutate-pods',
        method: 'POST',
        agent: false, // a new connection, and handshake, per request
        ca,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body).toString() }));
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c); // no Content-Length: chunked
    req.end();
  });
}

describe('startWebhookServer', () => {
  it('serves once its certificate files can be read, and picks up a renewed certificate', async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-webhook-'));
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    const logger = captureLogger();
    const { lines } = logger;
    server = await startWebhookServer({
      port: PORT,
      host: HOST,
      certFile,
      keyFile,
      reloadMs: 3_600_000,
      maxBodyBytes: 1024,
      routes: { '/mutate-pods': (body) => ({ status: 200, contentType: 'application/json', body }) },
      logger,
    });
    const ca = certificateAuthority();
    const first = leafCertificate({ hosts: [HOST], ca });
    // no certificate yet: the handshake fails (the API server then applies failurePolicy Ignore)
    await expect(post(ca.certPem, [Buffer.from('{}')])).rejects.toThrow();
    expect(lines.filter((l) => l.msg.startsWith('webhook certificate not usable'))).toHaveLength(1);

    writeFileSync(certFile, first.certPem);
    writeFileSync(keyFile, first.keyPem);
    expect(server.reload()).toBe(true);
    expect(await post(ca.certPem, [Buffer.from('{"a":1}')])).toEqual({ status: 200, body: '{"a":1}' });

    // renewed by another CA: the old CA no longer verifies it, the new one does
    const ca2 = certificateAuthority();
    const renewed = leafCertificate({ hosts: [HOST], ca: ca2 });
    writeFileSync(certFile, renewed.certPem);
    writeFileSync(keyFile, renewed.keyPem);
    expect(server.reload()).toBe(true);
    await expect(post(ca.certPem, [Buffer.from('{}')])).rejects.toThrow(/certificate/);
    expect((await post(ca2.certPem, [Buffer.from('{}')])).status).toBe(200);

    // a broken file keeps the certificate in use
    writeFileSync(keyFile, 'not a key');
    expect(server.reload()).toBe(false);
    expect((await post(ca2.certPem, [Buffer.from('{}')])).status).toBe(200);

    // over the limit without a Content-Length: refused while reading
    const reply = await post(ca2.certPem, [Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)]);
    expect(reply).toEqual({ status: 413, body: 'the body is over 1024 bytes\n' });
  });
});
