import { describe, expect, it } from 'vitest';
import type { PoolProtocol } from '#core/ir/load-balancer.js';
import { readObjects } from '#core/model/read-objects.js';
import { healthCheckFor } from '#core/translate/backend/health-check.js';
import { createContext } from '#core/translate/context.js';
import { withDefaults } from '#core/translate/options.js';

// Level 5 of core/translate/backend/health-check.ts: the check derived from the selected pods'
// readiness probes (core/translate/backend/readiness-probe.ts).

type Probe = Record<string, unknown> | undefined;

function pod(
  name: string,
  probe: Probe,
  extra: { labels?: Record<string, string>; namespace?: string; deleting?: boolean; ports?: unknown[] } = {},
): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: extra.namespace ?? 'shop',
      uid: `uid-${name}`,
      labels: extra.labels ?? { app: 'web' },
      ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [
        { name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }] },
        {
          name: 'app',
          ports: extra.ports ?? [
            { name: 'web', containerPort: 8080, protocol: 'TCP' },
            { name: 'admin', containerPort: 8081 },
          ],
          ...(probe ? { readinessProbe: probe } : {}),
        },
      ],
    },
  };
}

const httpGet = (
  path: string | undefined,
  port: number | string = 8080,
  more: Record<string, unknown> = {},
) => ({
  httpGet: { ...(path !== undefined ? { path } : {}), port, ...more },
});

function service(spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      ...spec,
    },
  };
}

function check(objects: unknown[], protocol: PoolProtocol = 'HTTP') {
  const { bundle, rejected } = readObjects(objects);
  expect(rejected).toEqual([]);
  const ctx = createContext(bundle, withDefaults());
  const svc = bundle.services[0]!;
  const port = svc.spec.ports![0]!;
  const hc = healthCheckFor(
    ctx,
    svc,
    port,
    protocol,
    svc.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
  );
  return { hc, notices: ctx.notices };
}

const reasons = (notices: { code: string; message: string }[]) =>
  notices.filter((n) => n.code === 'HealthCheckNotDerived').map((n) => n.message);

describe('health check derived from readiness probes', () => {
  it('uses the httpGet path when every selected pod agrees', () => {
    const { hc, notices } = check([service(), pod('a', httpGet('/healthz')), pod('b', httpGet('/healthz'))]);
    expect(hc).toEqual({
      protocol: 'HTTP',
      path: '/healthz',
      expectedStatuses: '200-399',
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      origin: 'readiness-probe',
    });
    expect(notices).toEqual([]);
  });

  it('resolves a named targetPort and a named probe port to the same container port', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
    const { hc } = check([svc, pod('a', httpGet('/ready', 'web'))]);
    expect(hc).toMatchObject({ protocol: 'HTTP', path: '/ready', origin: 'readiness-probe' });
    expect(hc.port).toBeUndefined();
  });

  it('takes the scheme (HTTPS), defaults an empty path to / and makes a relative one absolute', () => {
    expect(check([service(), pod('a', httpGet('status', 8080, { scheme: 'HTTPS' }))]).hc).toMatchObject({
      protocol: 'HTTPS',
      path: '/status',
      origin: 'readiness-probe',
    });
    expect(check([service(), pod('a', httpGet(undefined))]).hc).toMatchObject({
      protocol: 'HTTP',
      path: '/',
    });
  });

  it('turns a tcpSocket probe into a TCP check, even on an HTTP pool', () => {
    const { hc } = check([service(), pod('a', { tcpSocket: { port: 'web' } })]);
    expect(hc).toMatchObject({ protocol: 'TCP', origin: 'readiness-probe' });
    expect(hc.path).toBeUndefined();
    expect(hc.expectedStatuses).toBeUndefined();
  });

  it('turns a grpc probe of the whole server into a gRPC check, but not one naming a service', () => {
    expect(check([service(), pod('a', { grpc: { port: 8080 } })], 'GRPC').hc).toMatchObject({
      protocol: 'GRPC',
      expectedStatuses: '0',
      origin: 'readiness-probe',
    });
    const named = check([service(), pod('a', { grpc: { port: 8080, service: 'shop.Cart' } })], 'GRPC');
    expect(named.hc.origin).toBe('default');
    expect(reasons(named.notices)).toEqual([
      'Service shop/web port http: the pods\' readiness probe is not used for the health check, the default is: the readiness probe of container app asks about gRPC service "shop.Cart", which load balancers cannot ask about',
    ]);
  });

  it('keeps the default, and says why, when pods disagree', () => {
    const { hc, notices } = check([
      service(),
      pod('a', httpGet('/healthz')),
      pod('b', httpGet('/healthz')),
      pod('c', httpGet('/ready')),
    ]);
    expect(hc).toMatchObject({ protocol: 'HTTP', path: '/', origin: 'default' });
    expect(notices).toEqual([
      {
        severity: 'info',
        code: 'HealthCheckNotDerived',
        source: { kind: 'Service', namespace: 'shop', name: 'web', section: 'http' },
        field: 'spec.selector',
        message:
          "Service shop/web port http: the pods' readiness probe is not used for the health check, the default is: the selected pods disagree on the readiness probe (2 pods: HTTP GET /healthz; 1 pod: HTTP GET /ready)",
      },
    ]);
  });

  it('counts a pod without a probe as disagreeing', () => {
    const { hc, notices } = check([service(), pod('a', httpGet('/healthz')), pod('b', undefined)]);
    expect(hc.origin).toBe('default');
    expect(reasons(notices)[0]).toContain(
      '1 pod: HTTP GET /healthz; 1 pod: container app has no readiness probe',
    );
  });

  it.each([
    [
      'exec',
      { exec: { command: ['cat', '/tmp/ready'] } },
      'the readiness probe of container app runs a command (exec), which load balancers cannot (all 2 pods)',
    ],
    [
      'another port',
      httpGet('/healthz', 8081),
      'the readiness probe of container app checks port 8081, not the serving port 8080 (all 2 pods)',
    ],
    [
      'an unknown port name',
      httpGet('/healthz', 'nope'),
      'the readiness probe of container app names port nope, which the container does not declare (all 2 pods)',
    ],
    [
      'another host',
      httpGet('/healthz', 8080, { host: 'example.com' }),
      'the readiness probe of container app checks another host (httpGet.host) (all 2 pods)',
    ],
    [
      'a query in the path',
      httpGet('/healthz?full=1'),
      'the readiness probe of container app: path "/healthz?full=1" may contain only URL path characters (no spaces, quotes, "#" or "?") (all 2 pods)',
    ],
  ])('keeps the default when the probe uses %s', (_, probe, reason) => {
    const { hc, notices } = check([service(), pod('a', probe), pod('b', probe)]);
    expect(hc.origin).toBe('default');
    expect(reasons(notices)).toEqual([
      `Service shop/web port http: the pods' readiness probe is not used for the health check, the default is: ${reason}`,
    ]);
  });

  it('says when no container declares the target port', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 7000 }] });
    const { hc, notices } = check([svc, pod('a', httpGet('/healthz', 7000))]);
    expect(hc.origin).toBe('default');
    expect(reasons(notices)[0]).toMatch(/: no container declares the target port 7000$/);
  });

  it('says nothing when no pod is selected, or the Service has no selector', () => {
    const other = pod('x', httpGet('/healthz'), { labels: { app: 'other' } });
    const elsewhere = pod('y', httpGet('/healthz'), { namespace: 'other' });
    for (const objects of [
      [service(), other, elsewhere],
      [service({ selector: undefined }), pod('a', httpGet('/healthz'))],
    ]) {
      const { hc, notices } = check(objects);
      expect(hc.origin).toBe('default');
      expect(notices).toEqual([]);
    }
  });

  it('leaves out pods being deleted (the old probe during a rollout)', () => {
    const { hc, notices } = check([
      service(),
      pod('old', httpGet('/old'), { deleting: true }),
      pod('new', httpGet('/new')),
    ]);
    expect(hc).toMatchObject({ path: '/new', origin: 'readiness-probe' });
    expect(notices).toEqual([]);
  });

  it('derives the check but says that probe headers are not sent', () => {
    const probe = httpGet('/healthz', 8080, { httpHeaders: [{ name: 'X-Probe', value: '1' }] });
    const { hc, notices } = check([service(), pod('a', probe)]);
    expect(hc).toMatchObject({ path: '/healthz', origin: 'readiness-probe' });
    expect(notices.map((n) => [n.severity, n.code])).toEqual([['info', 'HealthCheckFieldIgnored']]);
  });

  it('loses to a HealthCheckPolicy choosing the target, and never reads the probes then', () => {
    const policy = {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'HealthCheckPolicy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { targetRefs: [{ kind: 'Service', name: 'web' }], path: '/policy' },
    };
    const { hc, notices } = check([service(), policy, pod('a', httpGet('/a')), pod('b', httpGet('/b'))]);
    expect(hc).toMatchObject({ protocol: 'HTTP', path: '/policy', origin: 'policy' });
    expect(notices).toEqual([]);
  });

  it('keeps the probe target under a policy that only tunes timings', () => {
    const policy = {
      apiVersion: 'portico.dev/v1alpha1',
      kind: 'HealthCheckPolicy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { targetRefs: [{ kind: 'Service', name: 'web' }], intervalSeconds: 30 },
    };
    const { hc } = check([service(), policy, pod('a', httpGet('/healthz'))]);
    expect(hc).toMatchObject({ path: '/healthz', intervalSeconds: 30, origin: 'policy' });
  });

  it('loses to the annotations', () => {
    const svc = service({}, { 'portico.dev/health-check-path': '/annotated' });
    expect(check([svc, pod('a', httpGet('/healthz'))]).hc).toMatchObject({
      path: '/annotated',
      origin: 'annotation',
    });
  });

  it("loses to kube-proxy's node check under externalTrafficPolicy: Local", () => {
    const svc = service({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 });
    expect(check([svc, pod('a', httpGet('/healthz'))]).hc).toMatchObject({
      port: 32000,
      path: '/healthz',
      origin: 'traffic-policy-local',
    });
  });

  it('is not used for UDP pools', () => {
    const svc = service({ ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 8080 }] });
    const { hc, notices } = check([svc, pod('a', { tcpSocket: { port: 8080 } })], 'UDP');
    expect(hc.origin).toBe('default');
    expect(notices).toEqual([]);
  });

  it('rejects a Pod whose probe port is out of range, naming the field', () => {
    const bad = pod('a', httpGet('/healthz', 70000));
    const { rejected } = readObjects([bad]);
    expect(rejected).toMatchObject([
      { kind: 'Pod', name: 'a', field: 'spec.containers[1].readinessProbe.httpGet.port' },
    ]);
  });
});
