import { SERVICE_NAME_LABEL } from '#core/model/endpoint-slice.js';
import { GATEWAY_GROUP } from '#core/model/gateway-api.js';
import { PORTICO_GROUP } from '#core/model/parameters.js';
import { MCS_GROUP, MCS_SERVICE_NAME_LABEL, SERVICE_IMPORT_KIND } from '#core/model/service-import.js';
import { STORAGE_BUCKET_KIND } from '#core/model/storage-bucket.js';
import {
  DEFAULT_INGRESS_CLASS_REF,
  INGRESS_GROUP,
  isRecord,
  NAMESPACE_SELECTOR_REF,
  type ObjectRef,
  ref,
  refId,
  refOf,
} from './object-ref.js';

/** Annotation that puts Ingresses into one shared load balancer (key `IngressGroup/-/<name>`). */
export const INGRESS_GROUP_ANNOTATION = 'portico.dev/group';
/** Annotation on a Service naming its LoadBalancerParameters: `name` (same namespace) or `namespace/name`. */
export const PARAMETERS_ANNOTATION = 'portico.dev/parameters';
/** The legacy Ingress class annotation; it wins over `spec.ingressClassName`. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** The annotation that makes an IngressClass the cluster's default. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export type EdgeType =
  /** Route → Gateway or ListenerSet (spec.parentRefs); ListenerSet → Gateway (spec.parentRef). */
  | 'parentRef'
  /**
   * Route → Service or ServiceImport (rules[].backendRefs, and the requestMirror filters of rules and
   * backendRefs; a ServiceImport is of group multicluster.x-k8s.io), or → StorageBucket (a backendRef
   * of group portico.dev, kind StorageBucket).
   */
  | 'backendRef'
  /** Gateway → GatewayClass. */
  | 'gatewayClass'
  /**
   * Gateway / ListenerSet → Secret (listeners[].tls.certificateRefs; the Gateway's
   * spec.tls.backend.clientCertificateRef), possibly in another namespace.
   */
  | 'certificateRef'
  /** Gateway → ConfigMap (spec.tls.frontend CA bundles for client-certificate validation). */
  | 'caCertificateRef'
  /**
   * Gateway / ListenerSet with an `All`/`Selector` listener, or a Gateway admitting ListenerSets from
   * other namespaces → the `@NamespaceSelector` pseudo-object.
   */
  | 'allowedRoutes'
  /** GatewayClass / IngressClass / Service / Gateway (infrastructure) → LoadBalancerParameters. */
  | 'parameters'
  /** Ingress → IngressClass (spec.ingressClassName, or the kubernetes.io/ingress.class annotation). */
  | 'ingressClass'
  /** Ingress without spec.ingressClassName → the `@DefaultIngressClass` pseudo-object. */
  | 'defaultIngressClass'
  /** Ingress → the `@IngressGroup` pseudo-object named by its portico.dev/group annotation. */
  | 'ingressGroup'
  /**
   * Ingress → Service (rules[].http.paths[].backend.service, spec.defaultBackend.service), or →
   * StorageBucket (a `resource` backend of apiGroup portico.dev, kind StorageBucket).
   */
  | 'ingressBackend'
  /** Ingress → Secret (spec.tls[].secretName). */
  | 'tlsSecret'
  /** EndpointSlice → Service (label kubernetes.io/service-name, same namespace). */
  | 'endpointSliceOf'
  /**
   * EndpointSlice → ServiceImport (label multicluster.kubernetes.io/service-name, same namespace): a
   * slice of a multi-cluster service. The ServiceImport is looked up in the slice's own cluster and in
   * every other cluster of its clusterset (see DependencyView.peers).
   */
  | 'importedSliceOf'
  /** HealthCheckPolicy, BackendTLSPolicy → Service (spec.targetRefs, same namespace). */
  | 'policyTarget'
  /**
   * Gateway → ConfigMap (spec.tls.frontend validation caCertificateRefs, possibly in another
   * namespace); BackendTLSPolicy → ConfigMap (spec.validation.caCertificateRefs, same namespace).
   */
  | 'caCertificateRef'
  /** ReferenceGrant → Namespace (spec.from[].namespace: who may reference into the grant's namespace). */
  | 'grantFrom';

export interface Edge {
  type: EdgeType;
  to: ObjectRef;
}

const ROUTE_KINDS: ReadonlySet<string> = new Set([
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
]);

export function isRouteKind(kind: string): boolean {
  return ROUTE_KINDS.has(kind);
}

/**
 * The typed edges an object declares, read from the raw object: it may be malformed (the index sees
 * what the forwarder sent, before any schema check), so every field is checked for its type and
 * anything unusable is skipped. Never throws. The result is deduplicated and sorted.
 *
 * Edges follow the translator's defaults: a parentRef's group/kind default to the Gateway API's
 * Gateway and its namespace to the route's; a backendRef's kind defaults to Service; an Ingress's
 * references stay in its namespace. A reference the translator would reject for its group or kind
 * (a parentRef to a mesh Service, a backendRef to some CRD) is not an edge: no object of the
 * kinds Portico reads can change what it means.
 */
export function referencesOf(obj: unknown): Edge[] {
  const self = refOf(obj);
  if (!self || !isRecord(obj)) return [];
  const out = new Map<string, Edge>();
  const add = (type: EdgeType, to: ObjectRef | undefined) => {
    if (to) out.set(`${type}|${refId(to)}`, { type, to });
  };
  const ns = self.namespace ?? 'default';
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  const labels = isRecord(meta.labels) ? meta.labels : {};

  switch (self.kind) {
    case 'HTTPRoute':
    case 'GRPCRoute':
    case 'TLSRoute':
    case 'TCPRoute':
    case 'UDPRoute':
      for (const p of arr(spec.parentRefs)) {
        if (!isRecord(p) || (str(p.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
        const kind = str(p.kind) ?? 'Gateway';
        if (kind === 'Gateway' || kind === 'ListenerSet')
          add('parentRef', named(kind, nsOr(p.namespace, ns), p.name));
      }
      for (const rule of arr(spec.rules)) {
        if (!isRecord(rule)) continue;
        for (const f of arr(rule.filters)) add('backendRef', mirrorTarget(f, ns));
        for (const b of arr(rule.backendRefs)) {
          add('backendRef', serviceRef(b, ns) ?? serviceImportRef(b, ns) ?? bucketRef(b, ns));
          if (isRecord(b)) for (const f of arr(b.filters)) add('backendRef', mirrorTarget(f, ns));
        }
      }
      break;

    case 'Gateway': {
      add('gatewayClass', named('GatewayClass', undefined, spec.gatewayClassName));
      const infra = isRecord(spec.infrastructure) ? spec.infrastructure : {};
      add('parameters', parametersRef(infra.parametersRef, ns, true));
      listenerEdges(spec.listeners, ns, add);
      const tls = isRecord(spec.tls) ? spec.tls : {};
      if (isRecord(tls.backend)) add('certificateRef', secretRef(tls.backend.clientCertificateRef, ns));
      const frontend = isRecord(tls.frontend) ? tls.frontend : {};
      const configs = [
        frontend.default,
        ...arr(frontend.perPort).map((p) => (isRecord(p) ? p.tls : undefined)),
      ];
      for (const config of configs) {
        const validation = isRecord(config) && isRecord(config.validation) ? config.validation : {};
        for (const c of arr(validation.caCertificateRefs)) {
          if (!isRecord(c) || (str(c.group) ?? '') !== '' || (str(c.kind) ?? 'ConfigMap') !== 'ConfigMap')
            continue;
          add('caCertificateRef', named('ConfigMap', nsOr(c.namespace, ns), c.name));
        }
      }
      // ListenerSets of other namespaces may be admitted, depending on their namespace's labels.
      const allowedListeners = isRecord(spec.allowedListeners) ? spec.allowedListeners : {};
      const from = isRecord(allowedListeners.namespaces) ? allowedListeners.namespaces.from : undefined;
      if (from !== undefined && from !== 'None' && from !== 'Same')
        add('allowedRoutes', NAMESPACE_SELECTOR_REF);
      break;
    }

    case 'ListenerSet': {
      const p = isRecord(spec.parentRef) ? spec.parentRef : {};
      if ((str(p.group) ?? GATEWAY_GROUP) === GATEWAY_GROUP && (str(p.kind) ?? 'Gateway') === 'Gateway')
        add('parentRef', named('Gateway', nsOr(p.namespace, ns), p.name));
      listenerEdges(spec.listeners, ns, add);
      break;
    }

    case 'GatewayClass':
      add('parameters', parametersRef(spec.parametersRef, undefined, false));
      break;

    case 'IngressClass':
      add('parameters', parametersRef(spec.parameters, undefined, false));
      break;

    case 'Ingress': {
      const className = str(spec.ingressClassName);
      const annotated = str(annotations[INGRESS_CLASS_ANNOTATION])?.trim();
      add('ingressClass', named('IngressClass', undefined, className));
      add('ingressClass', named('IngressClass', undefined, annotated));
      // Without spec.ingressClassName the default class may decide (even next to the annotation,
      // whose values need not name a class): over-approximate.
      if (className === undefined) add('defaultIngressClass', DEFAULT_INGRESS_CLASS_REF);
      const group = str(annotations[INGRESS_GROUP_ANNOTATION])?.trim();
      if (group) add('ingressGroup', named(INGRESS_GROUP, undefined, group));
      add('ingressBackend', ingressBackendRef(spec.defaultBackend, ns));
      for (const rule of arr(spec.rules)) {
        if (!isRecord(rule) || !isRecord(rule.http)) continue;
        for (const p of arr(rule.http.paths))
          if (isRecord(p)) add('ingressBackend', ingressBackendRef(p.backend, ns));
      }
      for (const t of arr(spec.tls)) if (isRecord(t)) add('tlsSecret', named('Secret', ns, t.secretName));
      break;
    }

    case 'Service':
      add('parameters', annotationParameters(annotations[PARAMETERS_ANNOTATION], ns));
      break;

    case 'EndpointSlice':
      add('endpointSliceOf', named('Service', ns, labels[SERVICE_NAME_LABEL]));
      add('importedSliceOf', named(SERVICE_IMPORT_KIND, ns, labels[MCS_SERVICE_NAME_LABEL]));
      break;

    case 'BackendTLSPolicy':
    case 'HealthCheckPolicy': {
      for (const t of arr(spec.targetRefs)) {
        if (!isRecord(t)) continue;
        if ((str(t.group) ?? '') !== '' || (str(t.kind) ?? 'Service') !== 'Service') continue;
        add('policyTarget', named('Service', ns, t.name));
      }
      const validation = isRecord(spec.validation) ? spec.validation : {};
      if (self.kind === 'BackendTLSPolicy')
        for (const c of arr(validation.caCertificateRefs))
          add('caCertificateRef', configMapRef(c, ns, false));
      break;
    }

    case 'ReferenceGrant':
      for (const f of arr(spec.from))
        if (isRecord(f)) add('grantFrom', named('Namespace', undefined, f.namespace));
      break;

    default:
      // Namespace, Secret, ConfigMap, LoadBalancerParameters, StorageBucket: leaves.
      break;
  }
  return [...out.values()].sort((a, b) => {
    const x = `${a.type}|${refId(a.to)}`;
    const y = `${b.type}|${refId(b.to)}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The edges of a Gateway's or ListenerSet's listeners: certificate Secrets, namespace selectors. */
function listenerEdges(
  listeners: unknown,
  ns: string,
  add: (type: EdgeType, to: ObjectRef | undefined) => void,
): void {
  for (const l of arr(listeners)) {
    if (!isRecord(l)) continue;
    const tls = isRecord(l.tls) ? l.tls : {};
    for (const c of arr(tls.certificateRefs)) add('certificateRef', secretRef(c, ns));
    const allowed = isRecord(l.allowedRoutes) ? l.allowedRoutes : {};
    const namespaces = isRecord(allowed.namespaces) ? allowed.namespaces : {};
    // Anything but Same (the default) may admit routes from other namespaces, depending on labels.
    if (namespaces.from !== undefined && namespaces.from !== 'Same')
      add('allowedRoutes', NAMESPACE_SELECTOR_REF);
  }
}

function secretRef(c: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(c) || (str(c.group) ?? '') !== '' || (str(c.kind) ?? 'Secret') !== 'Secret') return undefined;
  return named('Secret', nsOr(c.namespace, ns), c.name);
}

/** Marks a namespace that was given but is unusable: no edge. */
const INVALID = null;

/** The namespace of a reference: its own when it names one, else the referrer's. */
function nsOr(v: unknown, fallback: string): string | typeof INVALID {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' && validPart(v) ? v : INVALID;
}

/**
 * A reference to a named object (`namespace` undefined = cluster-scoped); `undefined` when the
 * name or the namespace is unusable.
 */
function named(
  kind: string,
  namespace: string | undefined | typeof INVALID,
  name: unknown,
): ObjectRef | undefined {
  if (namespace === INVALID || typeof name !== 'string' || !validPart(name)) return undefined;
  return ref(kind, namespace, name);
}

function validPart(s: string): boolean {
  return s !== '' && !s.includes('/');
}

function serviceRef(b: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(b)) return undefined;
  if ((str(b.group) ?? '') !== '' || (str(b.kind) ?? 'Service') !== 'Service') return undefined;
  return named('Service', nsOr(b.namespace, ns), b.name);
}

/** A CA bundle reference to a core ConfigMap; only a Gateway's may name another namespace. */
function configMapRef(c: unknown, ns: string, crossNamespace: boolean): ObjectRef | undefined {
  if (!isRecord(c)) return undefined;
  if ((str(c.group) ?? '') !== '' || (str(c.kind) ?? 'ConfigMap') !== 'ConfigMap') return undefined;
  return named('ConfigMap', crossNamespace ? nsOr(c.namespace, ns) : ns, c.name);
}

/** A backendRef to a multi-cluster ServiceImport (group multicluster.x-k8s.io). */
function serviceImportRef(b: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(b) || str(b.group) !== MCS_GROUP || str(b.kind) !== SERVICE_IMPORT_KIND) return undefined;
  return named(SERVICE_IMPORT_KIND, nsOr(b.namespace, ns), b.name);
}

function mirrorTarget(f: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(f) || !isRecord(f.requestMirror)) return undefined;
  const target = f.requestMirror.backendRef;
  return serviceRef(target, ns) ?? serviceImportRef(target, ns);
}

/** A backendRef to Portico's StorageBucket kind (group portico.dev). */
function bucketRef(b: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(b) || str(b.group) !== PORTICO_GROUP || str(b.kind) !== STORAGE_BUCKET_KIND) return undefined;
  return named(STORAGE_BUCKET_KIND, nsOr(b.namespace, ns), b.name);
}

function ingressBackendRef(backend: unknown, ns: string): ObjectRef | undefined {
  if (!isRecord(backend)) return undefined;
  if (isRecord(backend.service)) return named('Service', ns, backend.service.name);
  const r = backend.resource;
  if (isRecord(r) && str(r.apiGroup) === PORTICO_GROUP && str(r.kind) === STORAGE_BUCKET_KIND)
    return named(STORAGE_BUCKET_KIND, ns, r.name);
  return undefined;
}

/**
 * A parameters reference (GatewayClass spec.parametersRef, IngressClass spec.parameters, Gateway
 * spec.infrastructure.parametersRef). The group/kind are not checked: a wrong one makes the class
 * invalid whatever exists, and an edge to an object that never appears costs nothing. A class's
 * reference without a namespace resolves to nothing (core/translate/parameters.ts), so it is no edge;
 * a Gateway's infrastructure reference is in the Gateway's namespace.
 */
function parametersRef(p: unknown, ownNamespace: string | undefined, local: boolean): ObjectRef | undefined {
  if (!isRecord(p)) return undefined;
  const kind = str(p.kind) ?? 'LoadBalancerParameters';
  if (local) return ownNamespace === undefined ? undefined : named(kind, ownNamespace, p.name);
  if (p.namespace === undefined || p.namespace === null) return undefined;
  return named(kind, nsOr(p.namespace, ''), p.name);
}

function annotationParameters(v: unknown, ns: string): ObjectRef | undefined {
  if (typeof v !== 'string') return undefined;
  const value = v.trim();
  const slash = value.indexOf('/');
  if (slash < 0) return named('LoadBalancerParameters', ns, value);
  return named('LoadBalancerParameters', value.slice(0, slash) || ns, value.slice(slash + 1));
}

function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
