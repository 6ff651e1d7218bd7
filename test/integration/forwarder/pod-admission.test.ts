import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { Forwarder } from '#forwarder/forwarder.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { type CertificatePair, selfSignedCertificate } from '#test/conformance/certificates.js';
import { CONTROLLER, eventually, gateway, httpRoute, type KubeFixture, startKube } from '../kube/support.js';
import { CLUSTER, Receiver, SECRET } from './support.js';

// The real Forwarder serving its pod admission webhook over real HTTPS (a self-signed certificate
// made with openssl), learning the load balancers from a signed status pull and the Services and
// routes from its informers on the local Kubernetes API server.

const HOST = '127.0.107.1';
const PORT = 20701;
const GATEWAY_KEY = lbKey(CLUSTER, 'Gateway', 'a', 'gw');
const SERVICE_KEY = lbKey(CLUSTER, 'Service', 'a', 'front');

let cert: CertificatePair;
let dir: string;
let kube: KubeFixture | undefined;
let receiver: Receiver | undefined;
let forwarder: Forwarder | undefined;

beforeAll(() => {
  cert = selfSignedCertificate([HOST]);
});

afterEach(async () => {
  await forwarder?.stop({ deadlineMs: 200 });
  await receiver?.close();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
  forwarder = receiver = kube = undefined;
});

interface Reply {
  status: number;
  body: string;
}

function post(body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port: PORT,
        path: '/mutate-pods',
        method,
        ca: cert.certPem,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const selector = { app: 'web' };
const service = (name: string, sel: Record<string, string>, type?: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'a' },
  spec: { ...(type ? { type } : {}), selector: sel, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});

const pod = (labels: Record<string, string>, readinessGates?: { conditionType: string }[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'web-', namespace: 'a', labels },
  spec: { containers: [{ name: 'web', image: 'web' }], ...(readinessGates ? { readinessGates } : {}) },
});

const review = (object: unknown, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation: 'CREATE',
      namespace: 'a',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object,
      ...overrides,
    },
  });

/** The response of a 200 reply, with its patch decoded. */
function responseOf(reply: Reply) {
  expect(reply.status, reply.body).toBe(200);
  const parsed = JSON.parse(reply.body) as {
    apiVersion: string;
    kind: string;
    response: { uid: string; allowed: boolean; patchType?: string; patch?: string };
  };
  expect(parsed).toMatchObject({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
  });
  const { patch, patchType } = parsed.response;
  if (patch !== undefined) expect(patchType).toBe('JSONPatch');
  return patch === undefined ? undefined : (JSON.parse(Buffer.from(patch, 'base64').toString()) as unknown[]);
}

const accepted = {
  parentRef: { name: 'gw', namespace: 'a' },
  controllerName: CONTROLLER,
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
};
const routeRecord = (parents: unknown[]) => ({
  key: GATEWAY_KEY,
  ref: { kind: 'HTTPRoute' as const, namespace: 'a', name: 'route' },
  status: {
    kind: 'HTTPRoute',
    namespace: 'a',
    name: 'route',
    loadBalancers: [GATEWAY_KEY],
    status: { parents },
  },
});
const serviceRecord = {
  key: SERVICE_KEY,
  ref: { kind: 'Service' as const, namespace: 'a', name: 'front' },
  status: {
    kind: 'Service',
    namespace: 'a',
    name: 'front',
    loadBalancers: [SERVICE_KEY],
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  },
};

/** A forwarder whose status pull says: Gateway a/gw routes to Service a/back, Service a/front is its own load balancer. */
async function setup() {
  dir = mkdtempSync(join(tmpdir(), 'portico-webhook-'));
  writeFileSync(join(dir, 'tls.crt'), cert.certPem);
  writeFileSync(join(dir, 'tls.key'), cert.keyPem);
  kube = await startKube();
  receiver = await Receiver.start();
  kube.server.create(gateway('a', 'gw'));
  kube.server.create(httpRoute('a', 'route', [{ name: 'gw' }], { name: 'back', port: 80 }));
  kube.server.create(service('back', selector));
  kube.server.create(service('front', selector, 'LoadBalancer'));
  kube.server.create(service('other', { app: 'other' }, 'LoadBalancer'));
  receiver.statusRecords.push(routeRecord([accepted]), serviceRecord);
  forwarder = new Forwarder({
    endpoint: receiver.url,
    cluster: CLUSTER,
    signingSecret: SECRET,
    kubeConfig: loadKubeConfig(kube.kubeconfig),
    kinds: ['Gateway', 'HTTPRoute', 'Service'],
    host: HOST,
    webhook: { port: PORT, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    lingerMs: 5,
    statusPollMs: 60_000,
    sendBackoff: { initialMs: 20, maxMs: 80 },
  });
  await forwarder.start();
  await forwarder.statusPuller!.pullOnce();
  return { kube, receiver, forwarder };
}

describe('the pod admission webhook', () => {
  it('gives a pod one gate per load balancer targeting a Service that selects it, keeping its own gates', async () => {
    await setup();
    expect(forwarder!.webhookPort).toBe(PORT);
    const both = [readinessGateType(GATEWAY_KEY), readinessGateType(SERVICE_KEY)].sort();

    expect(responseOf(await post(review(pod({ app: 'web', tier: 'x' }))))).toEqual([
      { op: 'add', path: '/spec/readinessGates', value: both.map((conditionType) => ({ conditionType })) },
    ]);

    // its own gates stay first; a Portico gate it already has is not added twice
    const own = [{ conditionType: 'example.com/warm' }, { conditionType: both[1]! }];
    expect(responseOf(await post(review(pod(selector, own))))).toEqual([
      { op: 'add', path: '/spec/readinessGates/-', value: { conditionType: both[0] } },
    ]);
    const nullGates = { ...pod(selector), spec: { containers: [], readinessGates: null } };
    expect(responseOf(await post(review(nullGates)))).toEqual([
      { op: 'add', path: '/spec/readinessGates', value: both.map((conditionType) => ({ conditionType })) },
    ]);
    const all = [...own, { conditionType: both[0]! }];
    expect(responseOf(await post(review(pod(selector, all))))).toBeUndefined();

    // a pod no Service behind a Portico load balancer selects, or of another namespace: no patch
    expect(responseOf(await post(review(pod({ app: 'other' }))))).toBeUndefined();
    expect(responseOf(await post(review(pod(selector), { namespace: 'b' })))).toBeUndefined();
  });

  it('follows the status stream and the cluster: a route no longer accepted, a load balancer gone', async () => {
    const { kube, receiver, forwarder } = await setup();
    const gatewayGate = readinessGateType(GATEWAY_KEY);
    const serviceGate = readinessGateType(SERVICE_KEY);
    const gates = async () =>
      (
        (responseOf(await post(review(pod(selector)))) ?? []) as { value: { conditionType: string }[] }[]
      ).flatMap((op) => op.value.map((v) => v.conditionType));
    expect(await gates()).toEqual([gatewayGate, serviceGate].sort());

    // the route edited to another backend: read from the informer cache, not the record
    kube.server.apply(httpRoute('a', 'route', [{ name: 'gw' }], { name: 'elsewhere', port: 80 }));
    await eventually(async () => (await gates()).length === 1, 'route backend followed');
    kube.server.apply(httpRoute('a', 'route', [{ name: 'gw' }], { name: 'back', port: 80 }));
    await eventually(async () => (await gates()).length === 2, 'route backend back');

    // a record saying the route is not accepted, then the Gateway deleted
    receiver.statusRecords.push(
      routeRecord([{ ...accepted, conditions: [{ ...accepted.conditions[0], status: 'False' }] }]),
    );
    await forwarder.statusPuller!.pullOnce();
    expect(await gates()).toEqual([serviceGate]);
    receiver.statusRecords.push(routeRecord([accepted]));
    await forwarder.statusPuller!.pullOnce();
    expect(await gates()).toEqual([gatewayGate, serviceGate].sort());
    kube.server.remove('Gateway', 'a', 'gw');
    await eventually(async () => (await gates()).length === 1, 'gateway deletion seen');
    expect(await gates()).toEqual([serviceGate]);

    // a release record: the Service is no longer a load balancer Portico programs
    receiver.statusRecords.push({
      key: SERVICE_KEY,
      ref: serviceRecord.ref,
      release: { kind: 'Service', namespace: 'a', name: 'front', ingress: [{ ip: '192.0.2.1' }] },
    });
    await forwarder.statusPuller!.pullOnce();
    expect(responseOf(await post(review(pod(selector))))).toBeUndefined();
  });

  it('answers hostile or foreign requests without ever refusing a pod', async () => {
    await setup();
    const malformed = await post('{"apiVersion": "admission.k8s.io/v1", ');
    expect(malformed).toEqual({ status: 400, body: 'the body is not JSON\n' });

    const notReview = await post(
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }),
    );
    expect(notReview.status).toBe(400);
    expect(notReview.body).toMatch(/^not an admission\.k8s\.io\/v1 AdmissionReview: apiVersion/);
    const noUid = await post(review(pod(selector), { uid: '' }));
    expect(noUid.status).toBe(400);
    expect(noUid.body).toMatch(/request\.uid/);

    const huge = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const oversized = await post(huge);
    expect(oversized.status).toBe(413);
    expect(oversized.body).toMatch(/over 3145728 bytes/);

    expect((await post(review(pod(selector)), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('', {}, 'GET')).status).toBe(405);

    // reviews of something else than a Pod CREATE: allowed, untouched
    const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
    expect(responseOf(await post(review(pod(selector), { kind: deployment })))).toBeUndefined();
    expect(responseOf(await post(review(pod(selector), { operation: 'UPDATE' })))).toBeUndefined();
    expect(responseOf(await post(review(pod(selector), { subResource: 'status' })))).toBeUndefined();
    // a pod that is not one: no spec, gates that are not a list, a namespace that is not a name
    expect(responseOf(await post(review({ metadata: { labels: selector } })))).toBeUndefined();
    expect(responseOf(await post(review(['pod'])))).toBeUndefined();
    const gatesNotAList = { ...pod(selector), spec: { containers: [], readinessGates: 'x' } };
    expect(responseOf(await post(review(gatesNotAList)))).toBeUndefined();
    expect(responseOf(await post(review(pod(selector), { namespace: '../a' })))).toBeUndefined();
    // a label value that is not a string selects nothing
    expect(responseOf(await post(review(pod({ app: 7 } as never))))).toBeUndefined();
  });
});
