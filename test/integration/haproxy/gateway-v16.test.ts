import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { certificateAuthority, leafCertificate } from '#test/conformance/certificates.js';
import { type LooseLb, withDefaults } from '#test/support/loose-ir.js';

// Gateway API v1.4–v1.6 features the conformance scenarios do not cover, on a real HAProxy 2.6 with
// real traffic: CORS (preflight answered by HAProxy, actual requests get the headers), 421 for a
// request whose Host belongs to another listener than its connection's SNI, client-certificate
// validation per port, BackendTLSPolicy (verified TLS to backends, the Gateway's client certificate).

const POOL = '127.0.86.10-127.0.86.20';
const HAPROXY: Partial<ir.LoadBalancer> = { provider: 'haproxy', scheme: 'internal', providerParameters: {} };
let stateDir: string;
let adapter: HaproxyAdapter;
const servers: Server[] = [];

/** An HTTP backend answering `<name> <method>`; its port. */
async function httpBackend(name: string): Promise<number> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${name} ${req.method}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

async function program(raw: LooseLb): Promise<{ address: string; notices: unknown[] }> {
  const lb = withDefaults(raw, HAPROXY);
  const out = await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal: AbortSignal.timeout(30_000) });
  return { address: out.status.addresses[0]!.value, notices: out.notices };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(address: string, port: number, method: string, path: string, headers: Record<string, string>) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: address, port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-v16-'));
  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
});

afterAll(async () => {
  await adapter?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(stateDir, { recursive: true, force: true });
});

describe('CORS filter on HAProxy', () => {
  let address: string;
  beforeAll(async () => {
    const port = await httpBackend('api');
    const cors = (allowOrigins: string[], allowCredentials: boolean, allowMethods: string[]) => ({
      type: 'CORS',
      allowOrigins,
      allowCredentials,
      allowMethods,
      allowHeaders: ['x-request-id'],
      exposeHeaders: ['x-trace', 'x-span'],
      maxAgeSeconds: 600,
    });
    const route = (key: string, path: string, filter: object) => ({
      id: `HTTPRoute/shop/${key}/rule/0/match/0`,
      source: { kind: 'HTTPRoute', namespace: 'shop', name: key, rule: 0 },
      match: { path: { type: 'Prefix' as const, value: path } },
      filters: [filter as { type: string }],
      action: { type: 'forward', backends: [{ pool: 'shop/api/80', weight: 1 }] },
    });
    const { address: a, notices } = await program({
      source: { kind: 'Gateway', namespace: 'shop', name: 'cors' },
      listeners: [
        {
          port: 8080,
          protocol: 'HTTP',
          routes: [
            route(
              'listed',
              '/api',
              cors(['https://app.example.com', 'https://*.example.org'], true, ['GET', 'POST']),
            ),
            route('any', '/open', cors(['*'], false, ['*'])),
          ],
        },
      ],
      pools: [{ id: 'shop/api/80', endpoints: [{ address: '127.0.0.1', port }] }],
    });
    expect(notices).toEqual([]);
    address = a;
  });

  it('answers a preflight from an allowed origin itself, with the Access-Control-Allow-* headers', async () => {
    const res = await send(address, 8080, 'OPTIONS', '/api/items', {
      origin: 'https://deep.app.example.org',
      'access-control-request-method': 'POST',
    });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://deep.app.example.org',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'x-request-id',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-trace, x-span',
      'access-control-max-age': '600',
    });
  });

  it('adds the headers to an actual request from an allowed origin, and none for other origins', async () => {
    const ok = await send(address, 8080, 'GET', '/api/items', { origin: 'https://app.example.com' });
    expect(ok.body).toBe('api GET');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-expose-headers']).toBe('x-trace, x-span');
    for (const origin of [
      'https://evil.example.com',
      'https://example.org',
      'https://a.example.org:8443',
      'http://a.example.org',
    ]) {
      const res = await send(address, 8080, 'GET', '/api/items', { origin });
      expect(res.body).toBe('api GET');
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    // A preflight from an origin not allowed reaches the backend, and gets no CORS headers.
    const preflight = await send(address, 8080, 'OPTIONS', '/api/items', {
      origin: 'https://evil.example.com',
      'access-control-request-method': 'GET',
    });
    expect(preflight.body).toBe('api OPTIONS');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers `*` without credentials, and echoes the method asked for when any method is allowed', async () => {
    const res = await send(address, 8080, 'OPTIONS', '/open', {
      origin: 'https://foobar.com:12345',
      'access-control-request-method': 'PUT',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('PUT');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const actual = await send(address, 8080, 'PUT', '/open', { origin: 'https://foobar.com' });
    expect(actual.body).toBe('api PUT');
    expect(actual.headers['access-control-allow-origin']).toBe('*');
  });
});

/** An HTTPS request with its own SNI and Host (a client reusing a connection for another name). */
function sendTls(address: string, port: number, servername: string, host: string, extra: object = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: address,
        port,
        path: '/',
        servername,
        headers: { host },
        agent: false,
        rejectUnauthorized: false,
        ...extra,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const forwardTo = (name: string, pool: string, hostname?: string) => ({
  id: `HTTPRoute/shop/${name}/rule/0/match/0${hostname ? `/host/${hostname}` : ''}`,
  source: { kind: 'HTTPRoute', namespace: 'shop', name, rule: 0 },
  ...(hostname ? { hostname } : {}),
  action: { type: 'forward', backends: [{ pool, weight: 1 }] },
});

describe('421 Misdirected Request on HAProxy', () => {
  let address: string;
  beforeAll(async () => {
    const [a, b] = [await httpBackend('a'), await httpBackend('b')];
    const cert = leafCertificate({ hosts: ['a.example.com', '*.example.com'] });
    ({ address } = await program({
      source: { kind: 'Gateway', namespace: 'shop', name: 'misdirected' },
      listeners: [
        {
          port: 8443,
          protocol: 'HTTPS',
          tls: {
            mode: 'Terminate',
            listenerHostnames: ['*', 'a.example.com'],
            certificates: [
              { secret: 'shop/tls', hostnames: [], certificatePem: cert.certPem, privateKeyPem: cert.keyPem },
            ],
          },
          routes: [forwardTo('a', 'shop/a/80', 'a.example.com'), forwardTo('any', 'shop/b/80')],
        },
      ],
      pools: [
        { id: 'shop/a/80', endpoints: [{ address: '127.0.0.1', port: a }] },
        { id: 'shop/b/80', endpoints: [{ address: '127.0.0.1', port: b }] },
      ],
    }));
  });

  it('serves a request whose Host belongs to the listener of its SNI', async () => {
    expect((await sendTls(address, 8443, 'a.example.com', 'a.example.com')).body).toBe('a GET');
    expect((await sendTls(address, 8443, 'b.example.com', 'b.example.com')).body).toBe('b GET');
  });

  it('answers 421 when the connection was made for another listener than the Host', async () => {
    const toB = await sendTls(address, 8443, 'a.example.com', 'b.example.com');
    expect(toB.status).toBe(421);
    expect(toB.body).toBe('misdirected request');
    expect((await sendTls(address, 8443, 'c.example.com', 'a.example.com')).status).toBe(421);
  });
});

describe('frontend client-certificate validation on HAProxy', () => {
  let address: string;
  const ca = certificateAuthority();
  const other = certificateAuthority();
  const signed = leafCertificate({ usage: 'client', ca });
  const foreign = leafCertificate({ usage: 'client', ca: other });
  beforeAll(async () => {
    const port = await httpBackend('app');
    const server = leafCertificate({ hosts: ['app.example.com'] });
    const listener = (port: number, mode: ir.ClientValidation['mode']) => ({
      id: `HTTPS-${port}`,
      port,
      protocol: 'HTTPS' as const,
      tls: {
        mode: 'Terminate' as const,
        clientValidation: { mode, caCertificatesPem: ca.certPem, sources: ['shop/client-ca'] },
        certificates: [
          { secret: 'shop/tls', hostnames: [], certificatePem: server.certPem, privateKeyPem: server.keyPem },
        ],
      },
      routes: [forwardTo(`app-${port}`, 'shop/app/80')],
    });
    const out = await program({
      source: { kind: 'Gateway', namespace: 'shop', name: 'mtls' },
      listeners: [listener(9443, 'AllowValidOnly'), listener(9444, 'AllowInsecureFallback')],
      pools: [{ id: 'shop/app/80', endpoints: [{ address: '127.0.0.1', port }] }],
    });
    expect(out.notices).toEqual([]);
    address = out.address;
  });
  const withCert = (pair: { certPem: string; keyPem: string }) => ({ cert: pair.certPem, key: pair.keyPem });

  it('AllowValidOnly admits a client certificate the CA signed, and no other client', async () => {
    expect((await sendTls(address, 9443, 'app.example.com', 'app.example.com', withCert(signed))).body).toBe(
      'app GET',
    );
    await expect(
      sendTls(address, 9443, 'app.example.com', 'app.example.com', withCert(foreign)),
    ).rejects.toThrow();
    await expect(sendTls(address, 9443, 'app.example.com', 'app.example.com')).rejects.toThrow();
  });

  it('AllowInsecureFallback asks for a certificate but admits every client', async () => {
    for (const extra of [withCert(signed), withCert(foreign), {}])
      expect((await sendTls(address, 9444, 'app.example.com', 'app.example.com', extra)).body).toBe(
        'app GET',
      );
  });
});

describe('BackendTLSPolicy on HAProxy', () => {
  let address: string;
  const ca = certificateAuthority();
  const clientCa = certificateAuthority();
  const seenClients: string[] = [];
  beforeAll(async () => {
    // Backends that speak TLS with a certificate for api.internal, signed by `ca` or by an unknown CA,
    // and record the client certificate HAProxy presents.
    const tlsBackend = async (signer: typeof ca) => {
      const cert = leafCertificate({ hosts: ['api.internal'], ca: signer });
      const server = createHttpsServer(
        {
          key: cert.keyPem,
          cert: cert.certPem,
          ca: clientCa.certPem,
          requestCert: true,
          rejectUnauthorized: false,
        },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          seenClients.push(String(peer?.subject?.CN ?? 'none'));
          res.writeHead(200, { 'content-type': 'text/plain' }).end('secure');
        },
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server as unknown as Server);
      return (server.address() as AddressInfo).port;
    };
    const [trusted, untrusted] = [await tlsBackend(ca), await tlsBackend(certificateAuthority())];
    const client = leafCertificate({ usage: 'client', ca: clientCa });
    const pool = (id: string, port: number) => ({
      id,
      protocol: 'HTTPS' as const,
      healthCheck: { protocol: 'TCP' as const },
      endpoints: [{ address: '127.0.0.1', port }],
      tls: {
        serverName: 'api.internal',
        policy: 'shop/api-tls',
        subjectAltNames: [],
        trust: { type: 'Bundle' as const, caCertificatesPem: ca.certPem },
      },
    });
    const out = await program({
      source: { kind: 'Gateway', namespace: 'shop', name: 'backend-tls' },
      backendClientCertificate: {
        secret: 'shop/gateway-client',
        hostnames: [],
        certificatePem: client.certPem,
        privateKeyPem: client.keyPem,
      },
      listeners: [
        {
          port: 8081,
          protocol: 'HTTP',
          routes: [
            {
              ...forwardTo('trusted', 'shop/trusted/443'),
              match: { path: { type: 'Prefix', value: '/trusted' } },
            },
            {
              ...forwardTo('untrusted', 'shop/untrusted/443'),
              match: { path: { type: 'Prefix', value: '/untrusted' } },
            },
          ],
        },
      ],
      pools: [pool('shop/trusted/443', trusted), pool('shop/untrusted/443', untrusted)],
    });
    expect(out.notices).toEqual([]);
    address = out.address;
  });

  it('serves through a backend whose certificate the policy trusts, presenting the Gateway client certificate', async () => {
    const res = await send(address, 8081, 'GET', '/trusted', {});
    expect(res.body).toBe('secure');
    expect(seenClients).toContain('default');
  });

  it('refuses a backend whose certificate another CA signed', async () => {
    const res = await send(address, 8081, 'GET', '/untrusted', {});
    expect(res.status).toBe(503);
  });
});
