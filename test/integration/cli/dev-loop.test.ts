import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDev } from '#cli/commands/dev.js';
import {
  devFolders,
  GATEWAY_CLASS_YAML,
  gatewayAddress,
  httpGet,
  shopGatewayYaml,
  until,
} from '#test/support/portico-dev.js';

// `portico dev` for real: a folder of manifests edited while it runs, a real HAProxy, real requests.
// A typo must not take down a route that serves; saves of every style must be seen.

const POOL = '127.0.77.10-127.0.77.20';
let dir: string;
let stateDir: string;
let folders: ReturnType<typeof devFolders>;
let backend: Server;
let stop: AbortController;
let running: Promise<void>;
const lines: string[] = [];

const gatewayFile = (
  path: string,
  port: number | string,
) => `${shopGatewayYaml(8080)}apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: demo}
spec:
  parentRefs: [{name: shop}]
  rules:
    - matches: [{path: {type: PathPrefix, value: ${path}}}]
      backendRefs: [{name: api, port: ${port}}]
`;

const get = async (address: string, path: string) => (await httpGet(address, 8080, path)).status;
const waitFor = <T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean) =>
  until(what, probe, ok, lines, 15_000);

let address = '';
const served = (path: string) =>
  waitFor(
    `${path} served`,
    () => get(address, path),
    (s) => s === 200,
  );

beforeAll(async () => {
  backend = createServer((_req, res) => res.end('api'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as AddressInfo).port;
  folders = devFolders('dev-loop');
  ({ dir, stateDir } = folders);
  writeFileSync(
    join(dir, '00-base.yaml'),
    `${GATEWAY_CLASS_YAML}apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec: {ports: [{name: http, port: 80, targetPort: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: demo, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: ${port}}]
endpoints: [{addresses: [127.0.0.1]}]
`,
  );
  writeFileSync(join(dir, '20-gateway.yaml'), gatewayFile('/api', 80));
  stop = new AbortController();
  running = runDev(
    {
      manifests: dir,
      addressPool: POOL,
      stateDir,
      demoBackends: false,
      debounceMs: 50,
      log: (line) => lines.push(...line.split('\n')),
    },
    stop.signal,
  );
  address = await gatewayAddress(lines, 8080, 15_000);
  await served('/api');
}, 60_000);

afterAll(async () => {
  stop?.abort();
  await running;
  await new Promise((r) => backend?.close(r));
  folders?.cleanup();
});

describe('portico dev: editing the manifests folder', () => {
  const file = () => join(dir, '20-gateway.yaml');
  const errorsSince = (mark: number) => lines.slice(mark).filter((l) => l.startsWith('error:'));

  it('keeps serving a route whose file gets a typo, prints the file, line and column, and takes the fix', async () => {
    const mark = lines.length;
    appendFileSync(file(), '      backendRefs: [{name: api, port: 80\n');
    const errors = await waitFor(
      'the typo reported',
      () => errorsSince(mark),
      (e) => e.length > 0,
    );
    await new Promise((r) => setTimeout(r, 500)); // the sync that follows the report
    expect(await get(address, '/api')).toBe(200);
    expect(lines.slice(mark).filter((l) => l.includes('gone'))).toEqual([]);
    expect(errors[0]).toMatch(
      /^error: 20-gateway\.yaml:16:\d+: document 2: .+; keeping the 2 objects of its last good version/,
    );

    // Fixed, by a save through a temporary file and a rename, with a new path.
    writeFileSync(`${file()}.tmp`, gatewayFile('/v2', 80));
    renameSync(`${file()}.tmp`, file());
    await served('/v2');
    expect(await get(address, '/api')).toBe(404);
    expect(lines.slice(mark)).toContain('fixed: 20-gateway.yaml');
  });

  it('sees an edit in place after a save by rename, and keeps the last valid route on a schema error', async () => {
    writeFileSync(file(), gatewayFile('/v3', 80)); // truncate and write: same inode as the rename left
    await served('/v3');

    const mark = lines.length;
    writeFileSync(file(), gatewayFile('/v4', '"eighty"'));
    const errors = await waitFor(
      'the schema error reported',
      () => errorsSince(mark),
      (e) => e.length > 0,
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^error: 20-gateway\.yaml:15:\d+: HTTPRoute demo\/api spec\.rules\[0\]\.backendRefs\[0\]\.port: .+; keeping its last valid version until it is fixed$/,
      ),
    ]);
    expect(await get(address, '/v3')).toBe(200);
    expect(readFileSync(file(), 'utf8')).toContain('/v4');
  });
});
