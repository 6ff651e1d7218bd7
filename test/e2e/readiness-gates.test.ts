import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SOCKET } from '#adapters/haproxy/config/materialize.js';
import { RuntimeClient } from '#adapters/haproxy/runtime/runtime-client.js';
import { runDevKube } from '#cli/commands/dev-kube.js';
import { lbKey } from '#core/ir/lb-key.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { dropConnections, get, loadLoop } from '#test/integration/haproxy/support.js';
import {
  eventually,
  gateway,
  gatewayClass,
  type KubeFixture,
  startKube,
} from '#test/integration/kube/support.js';
import { gatedWebObjects } from './gated-web.js';

// Pod readiness gates end to end in local mode: the local Kubernetes API server, `portico dev
// --kubeconfig` on a real HAProxy whose HTTP health checks probe real "pods" (HTTP servers on their
// own addresses, whose /healthz the test flips). The test plays kubelet and the EndpointSlice
// controller: a pod becomes ready (and its endpoint ready) only once every readiness gate is True.

const POOL = '127.0.101.100-127.0.101.110';
const LISTENER_PORT = 20_150;
const POD_PORT = 20_110;
const HOST = 'gates.example';
const GATE = readinessGateType(lbKey('any-cluster', 'Gateway', 'demo', 'web'));

interface FakePod {
  name: string;
  address: string;
  healthy: boolean;
  /** Requests to anything but /healthz. */
  hits: number;
  close(): Promise<void>;
}

async function startPod(name: string, address: string, healthy: boolean): Promise<FakePod> {
  const pod = { name, address, healthy, hits: 0 } as FakePod;
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(pod.healthy ? 200 : 503).end();
      return;
    }
    pod.hits++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((r) => server.listen(POD_PORT, address, r));
  pod.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return pod;
}

const podObject = (name: string, address: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'demo', labels },
  spec: { containers: [{ name: 'app', image: 'app' }], readinessGates: [{ conditionType: GATE }] },
  status: {
    podIP: address,
    conditions: [
      { type: 'ContainersReady', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady' },
    ],
  },
});

type Endpoint = { address: string; pod: string; ready: boolean; terminating?: boolean };
const slice = (endpoints: Endpoint[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-1', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: endpoints.map((e) => ({
    addresses: [e.address],
    conditions: { ready: e.ready, serving: e.ready || !!e.terminating, terminating: !!e.terminating },
    targetRef: { kind: 'Pod', namespace: 'demo', name: e.pod },
  })),
  ports: [{ name: 'http', port: POD_PORT, protocol: 'TCP' }],
});

type Condition = { type: string; status: string; message?: string };
let kube: KubeFixture;
let stateDir: string;
let stop: AbortController;
let running: Promise<void>;
const logs: string[] = [];
const pods: FakePod[] = [];
let endpoints: Endpoint[] = [];

const gateOf = (name: string): Condition | undefined =>
  (
    (kube.server.get('Pod', 'demo', name)?.status as { conditions?: Condition[] } | undefined)?.conditions ??
    []
  ).find((c) => c.type === GATE);
const setEndpoints = (next: Endpoint[]) => {
  endpoints = next;
  kube.server.apply(slice(endpoints));
};
/** kubelet and the EndpointSlice controller: once the gate is True, the pod and its endpoint are ready. */
async function becomeReadyOnceGated(name: string, timeoutMs = 10_000): Promise<void> {
  await eventually(() => gateOf(name)?.status === 'True', `gate of ${name} True`, timeoutMs);
  setEndpoints(endpoints.map((e) => (e.pod === name ? { ...e, ready: true } : e)));
}
/** HAProxy's view of the server slot holding `address` (undefined once it is in maintenance or gone). */
async function haproxySlot(address: string) {
  const runtime = new RuntimeClient(join(stateDir, 'haproxy', ADMIN_SOCKET));
  return (await runtime.showServersState()).find((s) => s.addr === address && s.state !== 'maint');
}

beforeAll(async () => {
  kube = await startKube();
  const s = kube.server;
  s.create(gatewayClass());
  s.create(gateway('demo', 'web', LISTENER_PORT));
  for (const o of gatedWebObjects(HOST, POD_PORT)) s.create(o);
  pods.push(await startPod('web-a', '127.0.101.11', false), await startPod('web-b', '127.0.101.12', false));
  for (const p of pods) s.create(podObject(p.name, p.address, { app: 'web' }));
  setEndpoints(pods.map((p) => ({ address: p.address, pod: p.name, ready: false })));
  stateDir = mkdtempSync(join(tmpdir(), 'portico-gates-'));
  stop = new AbortController();
  running = runDevKube(
    {
      kubeconfig: kube.kubeconfig,
      addressPool: POOL,
      stateDir,
      demoBackends: false,
      debounceMs: 20,
      gateRecheckMs: 100,
      log: (l) => logs.push(l),
    },
    stop.signal,
  );
  running.catch(() => {});
}, 30_000);

afterAll(async () => {
  stop?.abort();
  await running?.catch(() => {});
  await kube?.close();
  await Promise.all(pods.map((p) => p.close().catch(() => {})));
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('readiness gates, local mode with real HAProxy health checks', () => {
  let address: string;

  it('keeps the gate closed while HAProxy sees the pod down, and sends it no traffic', async () => {
    address = await eventually(
      () =>
        (kube.server.get('Gateway', 'demo', 'web')?.status as { addresses?: { value: string }[] } | undefined)
          ?.addresses?.[0]?.value,
      'Gateway address',
      15_000,
    );
    // HAProxy checks the not-ready pods (they are in drain: checked, no traffic) and finds them down.
    await eventually(
      async () => (await haproxySlot('127.0.101.11'))?.operationalState === 0,
      'web-a checked DOWN',
    );
    await delay(1_500);
    expect(gateOf('web-a')).toBeUndefined();
    expect(gateOf('web-b')).toBeUndefined();
    // The condition type to put in a pod template is printed.
    expect(logs).toContain(`readiness gate of local/Gateway/demo/web: ${GATE}`);
    dropConnections();
    expect((await get(address, LISTENER_PORT, HOST)).status).toBe(503);
    expect(pods.map((p) => p.hits)).toEqual([0, 0]);
  }, 30_000);

  it('turns the gate True within one re-check of the HAProxy check going UP, for that pod only', async () => {
    pods[0]!.healthy = true;
    await eventually(
      async () => (await haproxySlot('127.0.101.11'))?.operationalState === 2,
      'web-a UP',
      5_000,
    );
    const up = Date.now();
    await eventually(() => gateOf('web-a')?.status === 'True', 'gate of web-a True', 5_000);
    const latency = Date.now() - up;
    console.log(
      `[readiness-gates] HAProxy check UP → Pod condition True: ${latency} ms (re-check every 100 ms)`,
    );
    expect(latency).toBeLessThan(1_000);
    expect(gateOf('web-a')?.message).toContain('healthy in load balancer');
    expect(gateOf('web-b')).toBeUndefined();
    // Other writers' conditions are kept.
    const podStatus = kube.server.get('Pod', 'demo', 'web-a')?.status as { conditions?: Condition[] };
    const conditions = podStatus?.conditions ?? [];
    expect(conditions.map((c) => c.type).sort()).toEqual(['ContainersReady', GATE, 'Ready'].sort());
    await becomeReadyOnceGated('web-a');
    await eventually(
      async () => {
        dropConnections();
        return (await get(address, LISTENER_PORT, HOST).catch(() => undefined))?.body === 'web-a';
      },
      'traffic reaches web-a',
      5_000,
    );
  }, 20_000);

  it('never holds back a pod the load balancer does not target', async () => {
    kube.server.create(podObject('other', '127.0.101.19', { app: 'other' }));
    await eventually(() => gateOf('other')?.status === 'True', 'gate of the untargeted pod True', 5_000);
    expect(gateOf('other')?.message).toContain('not a target');
    // web-b is selected by the Service and checked down: it stays held.
    expect(gateOf('web-b')).toBeUndefined();
  }, 10_000);

  it('rolls web-a over to a new pod with zero failed requests: the old one leaves only after the new one is healthy', async () => {
    // web-b leaves (scaled down before the rollout), so only web-a serves.
    setEndpoints(endpoints.filter((e) => e.pod !== 'web-b'));
    await eventually(async () => !(await haproxySlot('127.0.101.12')), 'web-b removed from HAProxy', 5_000);
    const load = loadLoop(address, LISTENER_PORT, HOST, 4);
    await delay(300);
    // The Deployment controller (maxUnavailable 0) creates the new pod; it is gated.
    const fresh = await startPod('web-c', '127.0.101.13', true);
    pods.push(fresh);
    kube.server.create(podObject('web-c', fresh.address, { app: 'web' }));
    setEndpoints([...endpoints, { address: fresh.address, pod: 'web-c', ready: false }]);
    await becomeReadyOnceGated('web-c');
    // Only a ready new pod lets the Deployment controller take the old one out: terminating, then gone.
    setEndpoints(endpoints.map((e) => (e.pod === 'web-a' ? { ...e, ready: false, terminating: true } : e)));
    await delay(500);
    setEndpoints(endpoints.filter((e) => e.pod !== 'web-a'));
    await eventually(async () => !(await haproxySlot('127.0.101.11')), 'web-a removed from HAProxy', 5_000);
    await pods[0]!.close();
    await delay(500);
    const stats = await load.stop();
    console.log(
      `[readiness-gates] rolling update: ${stats.ok} requests answered 200, ${stats.failed.length} failed`,
    );
    expect(stats.failed).toEqual([]);
    expect(stats.bodies.get('web-c') ?? 0).toBeGreaterThan(0);
    expect(stats.ok).toBeGreaterThan(20);
  }, 30_000);

  it('releases the pods still waiting on the gate of a deleted Gateway', async () => {
    // web-d fails its check: held back while the Gateway exists.
    const stuck = await startPod('web-d', '127.0.101.14', false);
    pods.push(stuck);
    kube.server.create(podObject('web-d', stuck.address, { app: 'web' }));
    setEndpoints([...endpoints, { address: stuck.address, pod: 'web-d', ready: false }]);
    await eventually(async () => (await haproxySlot(stuck.address)) !== undefined, 'web-d in HAProxy', 5_000);
    await delay(500);
    expect(gateOf('web-d')).toBeUndefined();

    kube.server.remove('Gateway', 'demo', 'web');
    await eventually(() => gateOf('web-d')?.status === 'True', 'gate of web-d True', 5_000);
    expect(gateOf('web-d')?.message).toMatch(/^load balancer .*Gateway\/demo\/web is deleted/);
    // web-b, scaled down before the rollout, still carried the gate unanswered: released too.
    expect(gateOf('web-b')?.status).toBe('True');
    const isRelease = (l: string) => l.startsWith('readiness gates released: True on');
    await eventually(() => logs.some(isRelease), 'the release logged', 2_000);
    const released = logs.find(isRelease);
    expect(released).toContain(`demo/web-b (${GATE})`);
    expect(released).toContain(`demo/web-d (${GATE})`);
  }, 15_000);
});
