// The objects both readiness-gate end-to-end tests put behind their Gateway `demo/web`: an
// HTTPRoute for `host` to Service `demo/web` (pods labelled app=web, on `podPort`) and an HTTP
// health check on /healthz that decides within a second (interval 1 s, rise 1, fall 1).

export function gatedWebObjects(host: string, podPort: number): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        parentRefs: [{ name: 'web' }],
        hostnames: [host],
        rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: podPort, protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'HealthCheckPolicy',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        targetRefs: [{ kind: 'Service', name: 'web' }],
        protocol: 'HTTP',
        path: '/healthz',
        intervalSeconds: 1,
        healthyThreshold: 1,
        unhealthyThreshold: 1,
      },
    },
  ];
}
