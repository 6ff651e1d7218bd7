import { request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './certificates.js';
import { type EchoPod, startEchoPod } from './echo-pod.js';
import { tcpEchoExchange, tlsRejectionProbe } from './tcp-client.js';

function get(host: string, port: number, path: string): Promise<{ status: number; body: string } | 'reset'> {
  return new Promise((resolve, reject) => {
    const r = request({ host, port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? resolve('reset') : reject(err),
    );
    r.end();
  });
}

const ip = (n: number) => `127.${200 + (process.pid % 50)}.${n}.1`;

describe('echo pods (echo-basic contract additions)', () => {
  let http: EchoPod;
  let tcp: EchoPod;
  const cert = selfSignedCertificate(['abc.example.com']);
  beforeAll(async () => {
    const common = { namespace: 'ns', labels: {}, containerPorts: [], flavor: 'gateway' as const };
    http = await startEchoPod({ ...common, deployment: 'web', podName: 'web-1-a', ip: ip(1), env: {} });
    tcp = await startEchoPod({
      ...common,
      deployment: 'tcp-backend',
      podName: 'tcp-backend-1-a',
      ip: ip(2),
      env: { TCP_ECHO_SERVER: '1' },
      serverCertificate: { cert: cert.certPem, key: cert.keyPem },
    });
  }, 30_000);
  afterAll(async () => {
    await http?.close();
    await tcp?.close();
  });

  it('simulates retries per uuid: a status, or a TCP reset, until succeedAfter attempts', async () => {
    const path = (uuid: string, extra = '') => `/retry/x?uuid=${uuid}&succeedAfter=2${extra}`;
    expect(await get(http.host, 3000, path('a', '&responseCode=503'))).toMatchObject({
      status: 503,
      body: '',
    });
    expect(await get(http.host, 3000, path('a', '&responseCode=503'))).toMatchObject({ status: 503 });
    const third = await get(http.host, 3000, path('a', '&responseCode=503'));
    expect(third).toMatchObject({ status: 200 });
    expect(JSON.parse((third as { body: string }).body).path).toBe(path('a', '&responseCode=503'));
    expect(await get(http.host, 3000, path('b'))).toBe('reset');
    expect(await get(http.host, 3000, '/retry/x?uuid=c')).toMatchObject({ status: 400 });
    // The second HTTP port serves the same pod.
    expect(await get(http.host, 3001, '/')).toMatchObject({ status: 200 });
  });

  it('speaks the TCP echo protocol, plain on 3000 and TLS on 8443 with the SNI it received', async () => {
    const plain = await tcpEchoExchange({ address: tcp.host, port: 3000 }, 'full', 5000);
    expect(plain.isTls).toBe(false);
    expect(plain.test).toMatchObject({ namespace: 'ns', pod: 'tcp-backend-1-a', isTLS: false });
    const tls = await tcpEchoExchange(
      { address: tcp.host, port: 8443, tls: { sni: 'abc.example.com', ca: cert.certPem } },
      'full',
      5000,
    );
    expect(tls.isTls).toBe(true);
    expect(tls.test.tls?.serverName).toBe('abc.example.com');
    // A TLS client that does not trust the certificate fails the exchange.
    await expect(
      tcpEchoExchange(
        {
          address: tcp.host,
          port: 8443,
          tls: { sni: 'abc.example.com', ca: selfSignedCertificate(['other']).certPem },
        },
        'full',
        5000,
      ),
    ).rejects.toThrow();
  });

  it('tells a completed TLS handshake from a connection the peer ends', async () => {
    // The TLS echo completes the handshake (then the client's own trust check fails): not a rejection.
    const completed = await tlsRejectionProbe(tcp.host, 8443, 'abc.example.com', 2000);
    expect(completed.rejected).toBe(false);
    // Text instead of a ServerHello is a protocol error, not a rejection.
    expect((await tlsRejectionProbe(tcp.host, 3000, 'abc.example.com', 2000)).rejected).toBe(false);
    // A peer that closes the connection on the ClientHello (what a gateway does for an unroutable SNI).
    const closer = createServer((s) => s.once('data', () => s.end()));
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', r));
    try {
      const port = (closer.address() as AddressInfo).port;
      expect(await tlsRejectionProbe('127.0.0.1', port, 'abc.example.com', 2000)).toEqual({ rejected: true });
    } finally {
      closer.close();
    }
  });
});
