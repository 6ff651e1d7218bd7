// Small builders for Ingress unit tests: plain objects, as the forwarder would ship them.

export const CONTROLLER = 'portico.dev/ingress-controller';

export function ingressClass(
  name: string,
  opts: {
    controller?: string;
    isDefault?: boolean;
    createdAt?: string;
    parameters?: Record<string, unknown>;
  } = {},
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      ...(opts.createdAt ? { creationTimestamp: opts.createdAt } : {}),
      ...(opts.isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: {
      controller: opts.controller ?? CONTROLLER,
      ...(opts.parameters ? { parameters: opts.parameters } : {}),
    },
  };
}

export interface IngressOpts {
  namespace?: string;
  className?: string;
  annotations?: Record<string, string>;
  createdAt?: string;
  host?: string;
  paths?: { path: string; service: string; pathType?: string }[];
  defaultBackend?: string;
  tls?: { hosts: string[]; secretName: string }[];
}

export function ingress(name: string, opts: IngressOpts = {}) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: opts.namespace ?? 'shop',
      ...(opts.createdAt ? { creationTimestamp: opts.createdAt } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      ...(opts.className ? { ingressClassName: opts.className } : {}),
      ...(opts.defaultBackend
        ? { defaultBackend: { service: { name: opts.defaultBackend, port: { number: 80 } } } }
        : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      rules: [
        {
          ...(opts.host ? { host: opts.host } : {}),
          http: {
            paths: (opts.paths ?? [{ path: '/', service: 'web' }]).map((p) => ({
              path: p.path,
              pathType: p.pathType ?? 'Prefix',
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

export function service(name: string, namespace = 'shop') {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
}
