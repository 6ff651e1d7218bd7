// How long the pod admission webhook takes to answer one AdmissionReview when many routes are
// programmed: `npx tsx bench/pod-admission/run.ts [routes]` (default 5,000). Each route has its
// own Service behind one Gateway; the pod is selected by the last one.

import { lbKey } from '#core/ir/lb-key.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { StatusRecordWire } from '#events/status-pull.js';
import { LoadBalancerTargets } from '#forwarder/load-balancer-targets.js';
import { reviewPodAdmission } from '#forwarder/pod-admission.js';
import { clusterKey } from '#kube/cluster-object.js';

const routes = Number(process.argv[2] ?? 5_000);
const key = lbKey('c', 'Gateway', 'a', 'gw');
const objects = new Map<string, unknown>([[clusterKey('Gateway', 'a', 'gw'), { kind: 'Gateway' }]]);
const targets = new LoadBalancerTargets();
for (let i = 0; i < routes; i++) {
  const metadata = { namespace: 'a', name: `r${i}` };
  objects.set(clusterKey('Service', 'a', `s${i}`), {
    kind: 'Service',
    metadata: { namespace: 'a', name: `s${i}` },
    spec: { selector: { app: `app${i}` } },
  });
  objects.set(clusterKey('HTTPRoute', 'a', `r${i}`), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata,
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: `s${i}`, port: 80 }] }] },
  });
  const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', message: '' };
  const status = {
    kind: 'HTTPRoute',
    ...metadata,
    loadBalancers: [key],
    status: {
      parents: [{ parentRef: { name: 'gw' }, controllerName: 'portico.dev/x', conditions: [accepted] }],
    },
  } as ObjectStatus;
  const record: StatusRecordWire = { cursor: `c${i}`, key, ref: { kind: 'HTTPRoute', ...metadata }, status };
  targets.observe(record, status);
}
const lookup = {
  get: (kind: string, ns: string | undefined, name: string) => objects.get(clusterKey(kind, ns, name)),
};
const body = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'a',
    object: { metadata: { labels: { app: `app${routes - 1}` } }, spec: { containers: [] } },
  },
});
const review = () => reviewPodAdmission(body, (ns, pod) => targets.gateTypesFor(ns, pod, lookup));
const first = performance.now();
const reply = review();
const firstMs = performance.now() - first;
if (!JSON.parse(reply.body).response.patch) throw new Error('the pod got no gate');
const runs = 200;
const start = performance.now();
for (let i = 0; i < runs; i++) review();
const ms = (performance.now() - start) / runs;
console.log(`${routes} routes: first review ${firstMs.toFixed(1)} ms, then ${ms.toFixed(2)} ms per review`);
