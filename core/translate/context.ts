import type { LbKey, SourceRef } from '#core/ir/load-balancer.js';
import type { Bundle } from '#core/model/bundle.js';
import type { ConfigMap } from '#core/model/config-map.js';
import { type EndpointSlice, SERVICE_NAME_LABEL } from '#core/model/endpoint-slice.js';
import type { ReferenceGrant } from '#core/model/gateway-api.js';
import type { HealthCheckPolicy } from '#core/model/health-check-policy.js';
import type { Namespace } from '#core/model/namespace.js';
import type { LoadBalancerParameters } from '#core/model/parameters.js';
import type { Pod } from '#core/model/pod.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import type { Secret } from '#core/model/secret.js';
import type { Service } from '#core/model/service.js';
import { MCS_SERVICE_NAME_LABEL, type ServiceImport } from '#core/model/service-import.js';
import { STORAGE_BUCKET_KIND, type StorageBucket } from '#core/model/storage-bucket.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { RouteTranslationMemo } from './gateway-api/route-memo.js';
import type { Notice } from './notice.js';
import type { TranslateOptions } from './options.js';

/**
 * Lookups over one bundle, built once per translate() call, plus the collectors every translator
 * writes to. Nothing here reads anything outside the bundle.
 */
export interface TranslateContext {
  readonly options: TranslateOptions;
  readonly bundle: Bundle;
  readonly services: ReadonlyMap<string, Service>;
  /** By `namespace/service-name`. */
  readonly endpointSlices: ReadonlyMap<string, EndpointSlice[]>;
  /** Multi-cluster slices, by `namespace/<multicluster.kubernetes.io/service-name>`. */
  readonly importedSlices: ReadonlyMap<string, EndpointSlice[]>;
  /** By `namespace/name`. */
  readonly serviceImports: ReadonlyMap<string, ServiceImport>;
  readonly secrets: ReadonlyMap<string, Secret>;
  /** By `namespace/name`. */
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  /** By the namespace that holds the grant (the target's namespace). */
  readonly referenceGrants: ReadonlyMap<string, ReferenceGrant[]>;
  readonly parameters: ReadonlyMap<string, LoadBalancerParameters>;
  /** By `namespace/service-name`. */
  readonly healthCheckPolicies: ReadonlyMap<string, HealthCheckPolicy[]>;
  /** By `namespace/name`. */
  readonly storageBuckets: ReadonlyMap<string, StorageBucket>;
  /** StorageBuckets that failed their schema, by `namespace/name`: why, for the routes that use them. */
  readonly invalidStorageBuckets: ReadonlyMap<string, string>;
  /** LoadBalancerParameters that failed their schema, by `namespace/name`: why, for the classes and Gateways that use them. */
  readonly invalidParameters: ReadonlyMap<string, string>;
  /** By namespace: for health checks derived from readiness probes. */
  readonly pods: ReadonlyMap<string, Pod[]>;
  readonly notices: Notice[];
  readonly statuses: ObjectStatus[];
  /** Load balancers whose root object is Portico's but cannot be translated now: keep them as they are. */
  readonly held: HeldKey[];
  /** Route translations kept from the last translation of the same bundle's other objects, if any. */
  readonly routeMemo?: RouteTranslationMemo;
  notice(n: Notice): void;
}

export interface HeldKey {
  key: LbKey;
  reason: string;
}

export function createContext(
  bundle: Bundle,
  options: TranslateOptions,
  rejected: readonly RejectedObject[] = [],
  routeMemo?: RouteTranslationMemo,
): TranslateContext {
  const key = (o: { metadata: { namespace?: string | undefined; name: string } }) =>
    `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const endpointSlices = new Map<string, EndpointSlice[]>();
  for (const s of bundle.endpointSlices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc) push(endpointSlices, `${s.metadata.namespace}/${svc}`, s);
  }
  const importedSlices = new Map<string, EndpointSlice[]>();
  for (const s of bundle.endpointSlices) {
    const svc = s.metadata.labels?.[MCS_SERVICE_NAME_LABEL];
    if (svc) push(importedSlices, `${s.metadata.namespace}/${svc}`, s);
  }
  const referenceGrants = new Map<string, ReferenceGrant[]>();
  for (const g of bundle.referenceGrants) push(referenceGrants, g.metadata.namespace ?? '', g);
  const healthCheckPolicies = new Map<string, HealthCheckPolicy[]>();
  for (const p of bundle.healthCheckPolicies) {
    for (const t of p.spec.targetRefs) push(healthCheckPolicies, `${p.metadata.namespace}/${t.name}`, p);
  }
  const pods = new Map<string, Pod[]>();
  for (const p of bundle.pods) push(pods, p.metadata.namespace ?? 'default', p);
  const notices: Notice[] = [];
  return {
    options,
    bundle,
    services: new Map(bundle.services.map((s) => [key(s), s])),
    endpointSlices,
    importedSlices,
    serviceImports: new Map(bundle.serviceImports.map((s) => [key(s), s])),
    secrets: new Map(bundle.secrets.map((s) => [key(s), s])),
    configMaps: new Map(bundle.configMaps.map((c) => [key(c), c])),
    namespaces: new Map(bundle.namespaces.map((n) => [n.metadata.name, n])),
    referenceGrants,
    parameters: new Map(bundle.parameters.map((p) => [key(p), p])),
    healthCheckPolicies,
    storageBuckets: new Map(bundle.storageBuckets.map((b) => [key(b), b])),
    invalidStorageBuckets: invalidByName(rejected, STORAGE_BUCKET_KIND),
    invalidParameters: invalidByName(rejected, 'LoadBalancerParameters'),
    pods,
    notices,
    statuses: [],
    held: [],
    ...(routeMemo ? { routeMemo } : {}),
    notice: (n) => notices.push(n),
  };
}

/** Rejected objects of one kind by `namespace/name`, with the field at fault and why. */
function invalidByName(rejected: readonly RejectedObject[], kind: string): Map<string, string> {
  return new Map(
    rejected
      .filter((r) => r.kind === kind && r.name !== undefined)
      .map((r) => [`${r.namespace ?? 'default'}/${r.name}`, `${r.field}: ${r.message}`]),
  );
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

export function sourceOf(o: {
  kind: string;
  metadata: { namespace?: string | undefined; name: string };
}): SourceRef {
  return o.metadata.namespace
    ? { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }
    : { kind: o.kind, name: o.metadata.name };
}
