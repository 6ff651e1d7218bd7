import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gatewayAddress,
  httpGet,
  shopGatewayYaml,
  startPorticoDev,
  until,
} from '#test/support/portico-dev.js';

// The real `portico dev --zone zone-a` process: a Service with `trafficDistribution: PreferClose` and
// one endpoint in zone-a and one in zone-b is served by zone-a's endpoint only, zone-b's being an
// HAProxy backup server, and no topology warning is printed. Addresses 127.0.102.x, ports 2020x.

const POOL = '127.0.102.10-127.0.102.20';
const BACKENDS = {
  'zone-a': { host: '127.0.102.2', port: 20_201 },
  'zone-b': { host: '127.0.102.3', port: 20_201 },
};
const LISTENER_PORT = 20_210;

const servers: Server[] = [];
let dev: ReturnType<typeof startPorticoDev>;

async function get(address: string, path: string): Promise<string> {
  const { status, body } = await httpGet(address, LISTENER_PORT, path);
  return status === 0 ? '0' : `${status} ${body}`;
}

beforeAll(async () => {
  for (const [zone, at] of Object.entries(BACKENDS)) {
    const server = createServer((_req, res) => res.end(zone));
    await new Promise<void>((r) => server.listen(at.port, at.host, r));
    servers.push(server);
  }
  dev = startPorticoDev(
    'dev-zone',
    `apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec:
  trafficDistribution: PreferClose
  ports: [{name: http, port: 80, targetPort: 20201}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: demo, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: 20201}]
endpoints:
  - {addresses: [${BACKENDS['zone-a'].host}], zone: zone-a}
  - {addresses: [${BACKENDS['zone-b'].host}], zone: zone-b}
---
${shopGatewayYaml(LISTENER_PORT)}apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: demo}
spec:
  parentRefs: [{name: shop}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
`,
    ['--address-pool', POOL, '--zone', 'zone-a'],
  );
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  for (const s of servers) await new Promise((r) => s.close(r));
}, 30_000);

describe('portico dev --zone', () => {
  it("serves a PreferClose Service from its zone's endpoints, other zones' being backup servers", async () => {
    const { lines } = dev;
    const address = await gatewayAddress(lines, LISTENER_PORT);
    await until(
      'the Service served',
      () => get(address, '/'),
      (s) => s.startsWith('200'),
      lines,
    );
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add(await get(address, '/'));
    expect([...answers]).toEqual(['200 zone-a']);

    const config = readFileSync(join(dev.stateDir, 'haproxy', 'haproxy.cfg'), 'utf8');
    const backup = config.split('\n').filter((l) => l.includes(BACKENDS['zone-b'].host));
    expect(backup).toHaveLength(1);
    expect(backup[0]).toMatch(/\bbackup\b/);
    expect(lines.join('\n')).not.toContain('pool/topology/PreferClose');
    expect(lines.join('\n')).not.toContain('has no zone configured');
  }, 60_000);
});
