import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { certificateAuthority, leafCertificate } from '#test/conformance/certificates.js';
import { type LooseLb, type LooseRoute, withDefaults } from '#test/support/loose-ir.js';

// Gateway API TLSRouteModeMixed on a real HAProxy 2.6 with real traffic: one TLS port where some SNI
// names pass through to a backend that terminates TLS itself (the client sees the backend's
// certificate) and others are terminated by HAProxy with the listener's certificate (the backend
// receives plaintext). Host precedence as everywhere: exact name, longest wildcard, no fall-through.

const POOL = '127.0.88.10-127.0.88.20';
const PORT = 20443;
const HAPROXY: Partial<ir.LoadBalancer> = { provider: 'haproxy', scheme: 'internal', providerParameters: {} };
const ca = certificateAuthority();
const listenerCert = leafCertificate({ hosts: ['app.example.com', '*.example.com'], ca });
const backendCert = leafCertificate({ hosts: ['db.example.com', '*.pt.example.com'] });
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

let stateDir: string;
let adapter: HaproxyAdapter;
let address: string;
const servers: Server[] = [];
/** What each plain backend received, raw. */
const received = new Map<string, Buffer>();

/** A TLS backend with its own certificate, answering `tls <what it read>`; its port. */
async function tlsBackend(): Promise<number> {
  const server = createTlsServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (socket) => {
    socket.once('data', (d) => socket.end(`tls ${d}`));
  });
  return listen(server);
}

/** A plain TCP backend recording the bytes it gets and answering `<name> <bytes>`; its port. */
async function plainBackend(name: string): Promise<number> {
  const server = createTcpServer((socket) => {
    socket.once('data', (d) => {
      received.set(name, d);
      socket.end(`${name} ${d}`);
    });
  });
  return listen(server);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

interface Exchange {
  certificate: string;
  answer: string;
}

/** A TLS connection to the listener with `sni`: the certificate it was shown and the answer to `message`. */
function exchange(sni: string, message: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port: PORT, servername: sni, rejectUnauthorized: false });
    let answer = '';
    let certificate = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error(`${sni}: no answer in 5 s`)));
    socket.on('secureConnect', () => {
      certificate = socket.getPeerCertificate().fingerprint256;
      socket.write(message);
    });
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve({ certificate, answer }));
    socket.on('error', reject);
  });
}

function route(
  name: string,
  hostname: string,
  tlsMode: 'Terminate' | 'Passthrough',
  pool: string,
): LooseRoute {
  return {
    id: `TLSRoute/shop/${name}/rule/0/match/0/host/${hostname}`,
    source: { kind: 'TLSRoute', namespace: 'shop', name, rule: 0 },
    hostname,
    tlsMode,
    action: { type: 'forward', backends: [{ pool, weight: 1 }] },
  };
}

let lb: LooseLb;

async function reconcile(raw: LooseLb) {
  const ir = withDefaults(raw, HAPROXY);
  return reconcileLoadBalancer({ key: ir.key, lb: ir, adapter, signal: AbortSignal.timeout(30_000) });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'portico-tls-mixed-'));
  adapter = createHaproxyAdapter({ stateDir, addressPool: POOL });
  const [db, app, wild] = [await tlsBackend(), await plainBackend('app'), await plainBackend('wild')];
  const pool = (id: string, protocol: 'TLS' | 'TCP', port: number) => ({
    id,
    protocol,
    healthCheck: { protocol: 'TCP' as const },
    endpoints: [{ address: '127.0.0.1', port }],
  });
  lb = {
    source: { kind: 'Gateway', namespace: 'shop', name: 'mixed' },
    listeners: [
      {
        port: PORT,
        protocol: 'TLS',
        tls: {
          mode: 'Passthrough',
          certificates: [
            {
              secret: 'shop/listener-tls',
              hostnames: ['app.example.com', '*.example.com'],
              certificatePem: listenerCert.certPem,
              privateKeyPem: listenerCert.keyPem,
            },
          ],
        },
        // IR precedence order: exact names, then wildcards longest first.
        routes: [
          route('app', 'app.example.com', 'Terminate', 'shop/app/8080'),
          route('db', 'db.example.com', 'Passthrough', 'shop/db/5432'),
          route('pt', '*.pt.example.com', 'Passthrough', 'shop/db/5432'),
          route('wild', '*.example.com', 'Terminate', 'shop/wild/8080'),
        ],
      },
    ],
    pools: [
      pool('shop/db/5432', 'TLS', db),
      pool('shop/app/8080', 'TCP', app),
      pool('shop/wild/8080', 'TCP', wild),
    ],
  };
  const out = await reconcile(lb);
  expect(out.notices).toEqual([]);
  address = out.status.addresses[0]!.value;
});

afterAll(async () => {
  await adapter?.stop();
  for (const s of servers) s.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('TLS passthrough and termination on one HAProxy port', () => {
  it('passes an SNI through: the client sees the backend certificate and talks to the backend', async () => {
    const r = await exchange('db.example.com', 'select 1');
    expect(r.certificate).toBe(fingerprint(backendCert.certPem));
    expect(r.answer).toBe('tls select 1');
  });

  it('terminates another SNI: the client sees the listener certificate, the backend gets plaintext', async () => {
    const r = await exchange('app.example.com', 'GET / HTTP/1.0\r\n\r\n');
    expect(r.certificate).toBe(fingerprint(listenerCert.certPem));
    expect(r.answer).toBe('app GET / HTTP/1.0\r\n\r\n');
    expect(received.get('app')?.toString('latin1')).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  it('picks the longest wildcard across modes, and closes names no route has', async () => {
    const wild = await exchange('shop.example.com', 'hello');
    expect(wild).toEqual({ certificate: fingerprint(listenerCert.certPem), answer: 'wild hello' });
    const pt = await exchange('x.pt.example.com', 'hello');
    expect(pt).toEqual({ certificate: fingerprint(backendCert.certPem), answer: 'tls hello' });
    // Closed before any handshake (an end or a reset, depending on timing): no certificate, no answer.
    const none = await exchange('example.org', 'hello').catch(() => ({ certificate: '', answer: '' }));
    expect(none).toEqual({ certificate: '', answer: '' });
  });

  it('writes nothing on a reconcile that changes nothing', async () => {
    const cfg = join(stateDir, 'haproxy.cfg');
    const before = { mtime: statSync(cfg).mtimeMs, ...adapter.counters };
    const out = await reconcile(lb);
    expect(out.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect({ mtime: statSync(cfg).mtimeMs, ...adapter.counters }).toEqual({
      ...before,
      applies: before.applies + 1,
    });
  });

  it('moves a name between modes with map changes only, no reload', async () => {
    const { reloads, runtimeApplies } = adapter.counters;
    const listener = lb.listeners![0]!;
    lb = {
      ...lb,
      listeners: [
        {
          ...listener,
          routes: listener.routes!.map((r) =>
            r.hostname === '*.pt.example.com'
              ? route('pt', '*.pt.example.com', 'Terminate', 'shop/wild/8080')
              : r,
          ),
        },
      ],
    };
    expect((await reconcile(lb)).notices).toEqual([]);
    expect(adapter.counters).toMatchObject({ reloads, runtimeApplies: runtimeApplies + 1 });
    const pt = await exchange('x.pt.example.com', 'moved');
    expect(pt).toEqual({ certificate: fingerprint(listenerCert.certPem), answer: 'wild moved' });
    expect(received.get('wild')?.toString()).toBe('moved');
  });

  it('keeps serving both modes after a reload, and reads them back as they are', async () => {
    const { reloads } = adapter.counters;
    // A new listener: the config is written anew and HAProxy reloads.
    lb = {
      ...lb,
      listeners: [
        ...lb.listeners!,
        {
          port: 20080,
          protocol: 'TCP',
          routes: [{ action: { type: 'forward', backends: [{ pool: 'shop/app/8080', weight: 1 }] } }],
        },
      ],
    };
    expect((await reconcile(lb)).notices).toEqual([]);
    expect(adapter.counters.reloads).toBe(reloads + 1);
    const db = await exchange('db.example.com', 'select 2');
    expect(db).toEqual({ certificate: fingerprint(backendCert.certPem), answer: 'tls select 2' });
    const app = await exchange('app.example.com', 'after reload');
    expect(app).toEqual({ certificate: fingerprint(listenerCert.certPem), answer: 'app after reload' });
    const noop = await reconcile(lb);
    expect(noop.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(adapter.counters.reloads).toBe(reloads + 1);
  });
});
