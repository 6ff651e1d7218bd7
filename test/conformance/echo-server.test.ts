import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalHeaderKey, type EchoServer, echoSetHeaders, startEchoServer } from './echo-server.js';

/** A raw request: header names and order exactly as given (no client-side normalisation). */
function send(
  server: EchoServer,
  path: string,
  headers: [string, string][],
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string[]>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: server.host,
        port: server.port,
        path,
        method,
        headers: headers.flat(),
        setHost: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          const h: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(res.headersDistinct)) if (v) h[k] = v;
          resolve({ status: res.statusCode ?? 0, headers: h, body });
        });
      },
    );
    r.on('error', reject);
    r.end();
  });
}

describe('echo server (upstream echo-basic contract)', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({
      deployment: 'infra-backend-v1',
      namespace: 'gateway-conformance-infra',
    });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 with an ephemeral port and a pod name shaped like a ReplicaSet pod', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.podName).toMatch(/^infra-backend-v1-[0-9a-f]{10}-[a-z0-9]{5}$/);
  });

  it('echoes RequestURI (with query), host, method, proto, canonical headers, namespace and pod as JSON', async () => {
    const res = await send(server, '/v2/example?animal=whale&x=%20y', [
      ['Host', 'example.com'],
      ['x-header-set', 'one'],
      ['X-Multi', 'a'],
      ['x-multi', 'b'],
      ['X-Echo-Set-Header', ''],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toEqual(['application/json']);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      path: '/v2/example?animal=whale&x=%20y',
      host: 'example.com',
      method: 'GET',
      proto: 'HTTP/1.1',
      namespace: 'gateway-conformance-infra',
      pod: server.podName,
      httpPort: String(server.port),
    });
    expect(body.headers['X-Header-Set']).toEqual(['one']);
    expect(body.headers['X-Multi']).toEqual(['a', 'b']);
    // Go's server keeps Host out of the header map.
    expect(body.headers.Host).toBeUndefined();
  });

  it('sets the response headers X-Echo-Set-Header asks for, joining repeated names with ","', async () => {
    const res = await send(server, '/', [
      ['Host', 'h'],
      ['X-Echo-Set-Header', 'X-Header-Set-1:value1,X-Repeat:a'],
      ['X-Echo-Set-Header', 'X-Repeat: b'],
    ]);
    expect(res.headers['x-header-set-1']).toEqual(['value1']);
    expect(res.headers['x-repeat']).toEqual(['a,b']);
    expect(echoSetHeaders(['A:1, B:2', 'A: 3'])).toEqual(
      new Map([
        ['A', '1,3'],
        ['B', '2'],
      ]),
    );
  });

  it('answers /status/NNN with that code and records what it echoed for mirror checks', async () => {
    const since = Date.now();
    expect((await send(server, '/status/503', [['Host', 'h']])).status).toBe(503);
    await send(server, '/mirror?gateway-conformance-request-id=abc', [['Host', 'h']], 'POST');
    expect(server.received('/mirror?gateway-conformance-request-id=abc', since)).toBe(true);
    expect(server.received('/mirror', since)).toBe(false);
    expect(server.logs(since).at(-1)).toMatch(
      /^Echoing back request made to \/mirror\?gateway-conformance-request-id=abc to client \(127\.0\.0\.1:\d+\)$/,
    );
  });

  it('canonicalises header names like Go', () => {
    expect(canonicalHeaderKey('x-header-set')).toBe('X-Header-Set');
    expect(canonicalHeaderKey('VERSION')).toBe('Version');
    expect(canonicalHeaderKey('bad header')).toBe('bad header');
  });

  it('can listen on a given port', async () => {
    const probe = await startEchoServer({ deployment: 'x', namespace: 'n' });
    const port = probe.port;
    await probe.close();
    const fixed = await startEchoServer({ deployment: 'web-backend', namespace: 'n', port });
    try {
      expect(fixed.port).toBe(port);
    } finally {
      await fixed.close();
    }
  });
});
