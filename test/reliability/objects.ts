// Kubernetes objects for the reliability tests: several Gateways, routes and Services by name (the
// unit pipeline's factories have one of each), with increasing resourceVersions.

import { lbKey } from '#core/ir/lb-key.js';
import type { PorticoEvent } from '#events/portico-event.js';
import { CLUSTER, markerEvent, resourceEvent } from '#test/unit/functions/pipeline-support.js';

export type Obj = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

export const NS = 'shop';
let rv = 50_000;
const nextRv = () => String(++rv);

const meta = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${namespace ?? '-'}-${name}`,
  resourceVersion: nextRv(),
  ...extra,
});

export const gatewayClass = (): Obj => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: meta('portico', undefined, { generation: 1 }),
  spec: { controllerName: 'portico.dev/gateway-controller' },
});

export const gateway = (name: string, port = 80): Obj => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: meta(name, NS, { generation: 1 }),
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});

/** An HTTPRoute on `gateway`: `Host: <hostname>`, PathPrefix `path` → Service `service`:80. */
export const httpRoute = (name: string, gw: string, service: string, hostname: string, path = '/'): Obj => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: meta(name, NS, { generation: 1 }),
  spec: {
    parentRefs: [{ name: gw }],
    hostnames: [hostname],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: service, port: 80 }],
      },
    ],
  },
});

export const service = (name: string, targetPort = 8080): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(name, NS),
  spec: { ports: [{ name: 'http', port: 80, targetPort, protocol: 'TCP' }] },
});

export const endpointSlice = (service: string, ips: readonly string[], port = 8080): Obj => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: meta(`${service}-eps`, NS, { labels: { 'kubernetes.io/service-name': service } }),
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});

/** The same object, as a later version, with `patch` applied. */
export function bump(o: Obj, patch: Record<string, unknown> = {}): Obj {
  return { ...o, ...patch, metadata: { ...o.metadata, resourceVersion: nextRv() } };
}

export const KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'EndpointSlice'] as const;

/** A full (re-)list of every kind: start, the objects with the snapshot id, end. */
export function snapshotEvents(
  objects: readonly Obj[],
  id: string,
  kinds: readonly string[] = KINDS,
): PorticoEvent[] {
  const events: PorticoEvent[] = [];
  for (const kind of kinds) {
    const of = objects.filter((o) => o.kind === kind);
    const listId = `${id}-${kind}`;
    events.push(markerEvent('start', kind, listId, of.length));
    for (const o of of) events.push(resourceEvent('add', o, { snapshotid: listId }));
    events.push(markerEvent('end', kind, listId, of.length));
  }
  return events;
}

export const add = (o: Obj) => resourceEvent('add', o);
export const update = (o: Obj) => resourceEvent('update', o);
export const remove = (o: Obj) => resourceEvent('delete', o);

export const gatewayKey = (name: string) => lbKey(CLUSTER, 'Gateway', NS, name);
