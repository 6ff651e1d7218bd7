import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';
import {
  gatewayAddress,
  httpGet,
  shopGatewayYaml,
  startPorticoDev,
  until,
} from '#test/support/portico-dev.js';

// The real `portico dev` process with `--resync-interval 2s --haproxy-slot-minimum 1`: its HAProxy
// has two server slots for a one-endpoint Service (not the default eight), and a route deleted by
// hand through HAProxy's runtime API (nothing in the manifests changed, so no watch fires) is put
// back by the periodic resync. Addresses 127.0.106.x, ports 2060x.

const POOL = '127.0.106.10-127.0.106.20';
const BACKEND = { host: '127.0.106.2', port: 20_601 };
const LISTENER_PORT = 20_610;

let backend: Server;
let dev: ReturnType<typeof startPorticoDev>;

const get = async (address: string, path: string) => (await httpGet(address, LISTENER_PORT, path)).status;

beforeAll(async () => {
  backend = createServer((_req, res) => res.end('api'));
  await new Promise<void>((r) => backend.listen(BACKEND.port, BACKEND.host, r));
  dev = startPorticoDev(
    'dev-resync',
    `apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec: {ports: [{name: http, port: 80, targetPort: ${BACKEND.port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: demo, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: ${BACKEND.port}}]
endpoints: [{addresses: [${BACKEND.host}]}]
---
${shopGatewayYaml(LISTENER_PORT)}apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: demo}
spec:
  parentRefs: [{name: shop}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /api}}]
      backendRefs: [{name: api, port: 80}]
`,
    ['--address-pool', POOL, '--resync-interval', '2s', '--haproxy-slot-minimum', '1'],
  );
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  await new Promise((r) => backend?.close(r));
}, 30_000);

describe('portico dev --resync-interval --haproxy-slot-minimum', () => {
  let address = '';

  it('gives each backend the slot minimum asked for', async () => {
    address = await gatewayAddress(dev.lines, LISTENER_PORT);
    await until(
      '/api served',
      () => get(address, '/api'),
      (s) => s === 200,
      dev.lines,
    );
    const config = readFileSync(join(dev.stateDir, 'haproxy', 'haproxy.cfg'), 'utf8');
    const backends = config.split(/^backend /m).slice(1);
    const api = backends.filter((b) => b.includes(`${BACKEND.host}:${BACKEND.port}`));
    expect(api).toHaveLength(1);
    // slotCountFor(1 endpoint, minimum 1) = 2; the default minimum would give 8
    expect(api[0]!.split('\n').filter((l) => /^\s+server /.test(l))).toHaveLength(2);
  }, 60_000);

  it('puts back a route deleted by hand in HAProxy, with no change to the manifests', async () => {
    const runtime = new RuntimeClient(join(dev.stateDir, 'haproxy', 'haproxy.sock'));
    const mark = dev.lines.length;
    // The resync may run between the delete and the request that sees it: delete again then.
    let seenGone = false;
    for (let attempt = 0; attempt < 3 && !seenGone; attempt++) {
      for (const map of await runtime.showMaps()) {
        const entries = (await runtime.showMap(map.path)).filter(([k]) => k.includes('/api'));
        for (const [key] of entries) {
          const [answer] = await runtime.batch([`del map ${map.path} ${key}`]);
          expect(answer?.error).toBeUndefined();
        }
      }
      seenGone = (await get(address, '/api')) === 404;
    }
    expect(seenGone).toBe(true);
    await until(
      '/api served again',
      () => get(address, '/api'),
      (s) => s === 200,
      dev.lines,
    );
    // the resync printed its plan: the map entries it put back (printed once applied)
    const plan = await until(
      'the plan of the repair',
      () => dev.lines.slice(mark).join('\n'),
      (text) => text.includes('Plan:'),
      dev.lines,
    );
    expect(plan).toMatch(/~ update +haproxy\/map\/map_local-Gateway-demo-shop_http-20610_paths-prefix/);
    expect(dev.child.exitCode).toBeNull();
  }, 60_000);
});
