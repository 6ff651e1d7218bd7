// Small builders for the raw Kubernetes objects the index reads (valid against core/model schemas).

export const CLUSTER = 'test';
export const PORTICO_GATEWAY_CONTROLLER = 'portico.dev/gateway-controller';
export const PORTICO_INGRESS_CONTROLLER = 'portico.dev/ingress-controller';

type Labels = Record<string, string>;

export function namespace(name: string, labels?: Labels) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

export function gatewayClass(
  name: string,
  opts: { controllerName?: string; params?: { namespace: string; name: string } } = {},
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: {
      controllerName: opts.controllerName ?? PORTICO_GATEWAY_CONTROLLER,
      ...(opts.params
        ? {
            parametersRef: {
              group: 'portico.dev',
              kind: 'LoadBalancerParameters',
              namespace: opts.params.namespace,
              name: opts.params.name,
            },
          }
        : {}),
    },
  };
}

export interface ListenerOpts {
  name?: string;
  port?: number;
  protocol?: string;
  hostname?: string;
  from?: 'All' | 'Same' | 'Selector';
  selector?: Labels;
  certificateRefs?: { name: string; namespace?: string }[];
}

export function listener(o: ListenerOpts = {}) {
  const protocol = o.protocol ?? (o.certificateRefs ? 'HTTPS' : 'HTTP');
  return {
    name: o.name ?? protocol.toLowerCase(),
    port: o.port ?? (protocol === 'HTTPS' ? 443 : 80),
    protocol,
    ...(o.hostname ? { hostname: o.hostname } : {}),
    ...(o.certificateRefs ? { tls: { mode: 'Terminate', certificateRefs: o.certificateRefs } } : {}),
    ...(o.from
      ? {
          allowedRoutes: {
            namespaces: { from: o.from, ...(o.selector ? { selector: { matchLabels: o.selector } } : {}) },
          },
        }
      : {}),
  };
}

export function gateway(
  ns: string,
  name: string,
  opts: {
    className?: string;
    listeners?: ListenerOpts[];
    infraParams?: string;
    /** spec.allowedListeners.namespaces.from (ListenerSets admitted). */
    allowedListeners?: 'All' | 'Same' | 'Selector';
    /** CA bundle ConfigMaps validating client certificates (spec.tls.frontend.default). */
    caBundles?: { name: string; namespace?: string }[];
  } = {},
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: {
      gatewayClassName: opts.className ?? 'portico',
      listeners: (opts.listeners ?? [{}]).map(listener),
      ...(opts.allowedListeners
        ? {
            allowedListeners: {
              namespaces: {
                from: opts.allowedListeners,
                ...(opts.allowedListeners === 'Selector' ? { selector: { matchLabels: { team: 'x' } } } : {}),
              },
            },
          }
        : {}),
      ...(opts.caBundles
        ? { tls: { frontend: { default: { validation: { caCertificateRefs: opts.caBundles } } } } }
        : {}),
      ...(opts.infraParams
        ? {
            infrastructure: {
              parametersRef: { group: 'portico.dev', kind: 'LoadBalancerParameters', name: opts.infraParams },
            },
          }
        : {}),
    },
  };
}

export interface BackendOpts {
  name: string;
  namespace?: string;
  port?: number;
  /** A Portico StorageBucket instead of a Service (no port). */
  kind?: 'StorageBucket';
}

export function backendRef(b: BackendOpts) {
  if (b.kind) {
    return {
      group: 'portico.dev',
      kind: b.kind,
      name: b.name,
      ...(b.namespace ? { namespace: b.namespace } : {}),
    };
  }
  return { name: b.name, ...(b.namespace ? { namespace: b.namespace } : {}), port: b.port ?? 80 };
}

export function httpRoute(
  ns: string,
  name: string,
  opts: {
    parents?: { name: string; namespace?: string; kind?: 'ListenerSet' }[];
    backends?: BackendOpts[];
    mirror?: BackendOpts;
    hostnames?: readonly string[];
    path?: string;
  } = {},
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: (opts.parents ?? []).map((p) => ({
        ...(p.kind ? { kind: p.kind } : {}),
        name: p.name,
        ...(p.namespace ? { namespace: p.namespace } : {}),
      })),
      ...(opts.hostnames ? { hostnames: opts.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: opts.path ?? '/' } }],
          ...(opts.mirror
            ? { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: backendRef(opts.mirror) } }] }
            : {}),
          backendRefs: (opts.backends ?? []).map(backendRef),
        },
      ],
    },
  };
}

export function service(
  ns: string,
  name: string,
  opts: {
    type?: 'ClusterIP' | 'LoadBalancer';
    loadBalancerClass?: string;
    params?: string;
    port?: number;
    selector?: Record<string, string>;
  } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      ...(opts.params ? { annotations: { 'portico.dev/parameters': opts.params } } : {}),
    },
    spec: {
      type: opts.type ?? 'ClusterIP',
      ...(opts.loadBalancerClass ? { loadBalancerClass: opts.loadBalancerClass } : {}),
      ports: [{ name: 'http', port: opts.port ?? 80, protocol: 'TCP', targetPort: 8080 }],
      ...(opts.selector ? { selector: opts.selector } : {}),
    },
  };
}

/** A Pod with a readiness probe (Services selecting it may take their health check from it). */
export function pod(ns: string, name: string, labels: Record<string, string>, path = '/healthz') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [
        { name: 'app', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path, port: 8080 } } },
      ],
    },
  };
}

export function endpointSlice(
  ns: string,
  name: string,
  serviceName: string,
  addresses: string[] = ['10.0.0.1'],
) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

const PEM_CERT = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nTUlJQmZha2U=\n-----END CERTIFICATE-----\n',
  'utf8',
).toString('base64');

/** A ListenerSet adding listeners to Gateway `parent` (in `parentNs`, default its own namespace). */
export function listenerSet(
  ns: string,
  name: string,
  parent: { name: string; namespace?: string },
  listeners: ListenerOpts[] = [{ name: 'extra', port: 8080 }],
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ListenerSet',
    metadata: { name, namespace: ns },
    spec: {
      parentRef: { name: parent.name, ...(parent.namespace ? { namespace: parent.namespace } : {}) },
      listeners: listeners.map(listener),
    },
  };
}

/** A CA bundle (ConfigMap with `ca.crt`); `pem: false` leaves the certificate out. */
export function configMap(ns: string, name: string, pem = true) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data: pem ? { 'ca.crt': Buffer.from(PEM_CERT, 'base64').toString('utf8') } : { other: 'x' },
  };
}

export function storageBucket(ns: string, name: string, bucketName: string) {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'StorageBucket',
    metadata: { name, namespace: ns },
    spec: { bucketName },
  };
}

/** A BackendTLSPolicy on Services of `ns`, its CA from ConfigMap `ca` or the system's. */
export function backendTlsPolicy(
  ns: string,
  name: string,
  opts: { services: string[]; ca: 'ConfigMap' | 'System'; hostname: string },
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name, namespace: ns },
    spec: {
      targetRefs: opts.services.map((s) => ({ group: '', kind: 'Service', name: s })),
      validation: {
        hostname: opts.hostname,
        ...(opts.ca === 'System'
          ? { wellKnownCACertificates: 'System' }
          : { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] }),
      },
    },
  };
}

export function secret(ns: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': PEM_CERT },
  };
}

export function ingress(
  ns: string,
  name: string,
  opts: {
    className?: string;
    classAnnotation?: string;
    group?: string;
    backends?: string[];
    defaultBackend?: string;
    tls?: readonly string[];
    host?: string;
  } = {},
) {
  const annotations: Labels = {};
  if (opts.group) annotations['portico.dev/group'] = opts.group;
  if (opts.classAnnotation) annotations['kubernetes.io/ingress.class'] = opts.classAnnotation;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      ...(opts.className ? { ingressClassName: opts.className } : {}),
      ...(opts.defaultBackend
        ? { defaultBackend: { service: { name: opts.defaultBackend, port: { number: 80 } } } }
        : {}),
      ...(opts.tls
        ? { tls: opts.tls.map((s) => ({ hosts: [opts.host ?? 'a.example.com'], secretName: s })) }
        : {}),
      rules: [
        {
          host: opts.host ?? 'a.example.com',
          http: {
            paths: (opts.backends ?? ['svc']).map((b, i) => ({
              path: `/${name}/${i}`,
              pathType: 'Prefix',
              backend: { service: { name: b, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

export function ingressClass(
  name: string,
  opts: { isDefault?: boolean; controller?: string; params?: { namespace: string; name: string } } = {},
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      ...(opts.isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: {
      controller: opts.controller ?? PORTICO_INGRESS_CONTROLLER,
      ...(opts.params
        ? {
            parameters: {
              apiGroup: 'portico.dev',
              kind: 'LoadBalancerParameters',
              name: opts.params.name,
              namespace: opts.params.namespace,
              scope: 'Namespace',
            },
          }
        : {}),
    },
  };
}

export function referenceGrant(
  ns: string,
  name: string,
  from: { kind: string; namespace: string }[],
  to: { kind: string; name?: string }[],
) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name, namespace: ns },
    spec: {
      from: from.map((f) => ({ group: 'gateway.networking.k8s.io', kind: f.kind, namespace: f.namespace })),
      to: to.map((t) => ({ group: '', kind: t.kind, ...(t.name ? { name: t.name } : {}) })),
    },
  };
}

export function parameters(
  ns: string,
  name: string,
  provider: 'haproxy' | 'aws-elbv2' | 'gcp-compute' = 'haproxy',
) {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'LoadBalancerParameters',
    metadata: { name, namespace: ns },
    spec: { provider },
  };
}

export function healthCheckPolicy(ns: string, name: string, targets: string[], path = '/healthz') {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'HealthCheckPolicy',
    metadata: { name, namespace: ns },
    spec: { targetRefs: targets.map((t) => ({ kind: 'Service', name: t })), protocol: 'HTTP', path },
  };
}

/** A deep copy with `mutate` applied: a new version of an object. */
export function changed<T>(obj: T, mutate: (copy: T) => void): T {
  const copy = structuredClone(obj);
  mutate(copy);
  return copy;
}
