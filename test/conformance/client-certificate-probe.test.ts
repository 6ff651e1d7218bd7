import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './certificates.js';
import { serverRequestsClientCertificate } from './client-certificate-probe.js';

const servers: Server[] = [];

async function tlsServer(requestCert: boolean): Promise<number> {
  const pair = selfSignedCertificate(['probe.example.com']);
  const server = createServer(
    { key: pair.keyPem, cert: pair.certPem, ca: pair.certPem, requestCert, rejectUnauthorized: false },
    (s) => s.end('hi'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

afterAll(() => {
  for (const s of servers) s.close();
});

describe('serverRequestsClientCertificate', () => {
  it('tells a server that asks for a client certificate from one that does not', async () => {
    const [asks, doesNot] = [await tlsServer(true), await tlsServer(false)];
    expect(await serverRequestsClientCertificate('127.0.0.1', asks, 'probe.example.com')).toBe(true);
    expect(await serverRequestsClientCertificate('127.0.0.1', doesNot, 'probe.example.com')).toBe(false);
  });
});
