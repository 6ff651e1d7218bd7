import { describe, expect, it } from 'vitest';
import type { PoolProtocol } from '#core/ir/load-balancer.js';
import { readObjects } from '#core/model/read-objects.js';
import type { Service } from '#core/model/service.js';
import { defaultHealthCheck, healthCheckFor } from '#core/translate/backend/health-check.js';
import { createContext, type TranslateContext } from '#core/translate/context.js';
import { withDefaults } from '#core/translate/options.js';

interface PolicySpec {
  name: string;
  created?: string;
  section?: string;
  spec?: Record<string, unknown>;
}

function policy({ name, created, section, spec = {} }: PolicySpec): unknown {
  return {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'HealthCheckPolicy',
    metadata: { name, namespace: 'shop', ...(created ? { creationTimestamp: created } : {}) },
    spec: {
      targetRefs: [{ kind: 'Service', name: 'web', ...(section ? { sectionName: section } : {}) }],
      ...spec,
    },
  };
}

function service(annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'admin', protocol: 'TCP', port: 9000 },
      ],
      ...spec,
    },
  };
}

function setup(objects: unknown[]): { ctx: TranslateContext; svc: Service } {
  const { bundle, rejected } = readObjects(objects);
  expect(rejected).toEqual([]);
  const ctx = createContext(bundle, withDefaults());
  return { ctx, svc: bundle.services[0]! };
}

function check(objects: unknown[], protocol: PoolProtocol = 'HTTP', portName = 'http', local = false) {
  const { ctx, svc } = setup(objects);
  const port = svc.spec.ports!.find((p) => p.name === portName)!;
  const hc = healthCheckFor(ctx, svc, port, protocol, local ? 'Local' : 'Cluster');
  return { hc, notices: ctx.notices };
}

describe('health check defaults (level 5)', () => {
  it.each([
    ['HTTP', { protocol: 'HTTP', path: '/', expectedStatuses: '200-399' }],
    ['H2C', { protocol: 'HTTP', path: '/', expectedStatuses: '200-399' }],
    ['HTTPS', { protocol: 'HTTPS', path: '/', expectedStatuses: '200-399' }],
    ['GRPC', { protocol: 'GRPC', expectedStatuses: '0' }],
    ['TCP', { protocol: 'TCP' }],
    ['TLS', { protocol: 'TCP' }],
    ['UDP', { protocol: 'TCP' }],
  ] as const)('%s pools', (pool, expected) => {
    const { hc, notices } = check([service()], pool);
    expect(hc).toEqual({
      ...expected,
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      origin: 'default',
    });
    expect(hc).toEqual(defaultHealthCheck(pool));
    expect(notices).toEqual([]);
  });
});

describe('health check precedence', () => {
  it('a port policy beats a Service policy, which beats annotations, field by field', () => {
    const { hc } = check([
      service({
        'portico.dev/health-check-path': '/from-annotation',
        'portico.dev/health-check-interval-seconds': '30',
        'portico.dev/health-check-healthy-threshold': '4',
        'portico.dev/health-check-unhealthy-threshold': '6',
      }),
      policy({
        name: 'svc',
        created: '2026-01-01T00:00:00Z',
        spec: { path: '/from-service', intervalSeconds: 20, healthyThreshold: 5 },
      }),
      policy({
        name: 'port',
        created: '2026-01-02T00:00:00Z',
        section: 'http',
        spec: { path: '/from-port' },
      }),
    ]);
    expect(hc).toMatchObject({
      path: '/from-port',
      intervalSeconds: 20,
      healthyThreshold: 5,
      unhealthyThreshold: 6,
      timeoutSeconds: 5,
      origin: 'policy',
    });
  });

  it('a port policy applies only to its port', () => {
    const objects = [service(), policy({ name: 'port', section: 'http', spec: { path: '/ready' } })];
    expect(check(objects, 'HTTP', 'http').hc.path).toBe('/ready');
    expect(check(objects, 'HTTP', 'admin').hc).toMatchObject({ path: '/', origin: 'default' });
  });

  it('a policy that sets only the path keeps the defaults for the rest', () => {
    const { hc } = check([service(), policy({ name: 'p', spec: { path: '/livez' } })]);
    expect(hc).toEqual({ ...defaultHealthCheck('HTTP'), path: '/livez', origin: 'policy' });
  });

  it('origin names the highest level used', () => {
    expect(check([service({ 'portico.dev/health-check-healthy-threshold': '3' })]).hc.origin).toBe(
      'annotation',
    );
    expect(check([service()]).hc.origin).toBe('default');
  });

  it('path and status defaults follow the protocol finally chosen', () => {
    const toHttp = check([service(), policy({ name: 'p', spec: { protocol: 'HTTP' } })], 'TCP').hc;
    expect(toHttp).toMatchObject({ protocol: 'HTTP', path: '/', expectedStatuses: '200-399' });
    const toTcp = check([service(), policy({ name: 'p', spec: { protocol: 'TCP' } })], 'HTTP').hc;
    expect(toTcp.path).toBeUndefined();
    expect(toTcp.expectedStatuses).toBeUndefined();
    const toGrpc = check([service({ 'portico.dev/health-check-protocol': 'grpc' })], 'HTTP').hc;
    expect(toGrpc).toMatchObject({ protocol: 'GRPC', expectedStatuses: '0' });
    expect(toGrpc.path).toBeUndefined();
  });

  it('a field the chosen protocol cannot use is ignored with a warning', () => {
    const { hc, notices } = check(
      [service({ 'portico.dev/health-check-path': '/x', 'portico.dev/health-check-success-codes': '200' })],
      'TCP',
    );
    expect(hc).toEqual(defaultHealthCheck('TCP'));
    expect(notices.map((n) => [n.code, n.field])).toEqual([
      ['HealthCheckFieldIgnored', 'metadata.annotations[portico.dev/health-check-path]'],
      ['HealthCheckFieldIgnored', 'metadata.annotations[portico.dev/health-check-success-codes]'],
    ]);
  });

  it('status codes must fit the protocol: HTTP 100-599, gRPC 0-99', () => {
    const grpc = check([service({ 'portico.dev/health-check-success-codes': '0,12' })], 'GRPC');
    expect(grpc.hc.expectedStatuses).toBe('0,12');
    const http = check([service({ 'portico.dev/health-check-success-codes': '0' })], 'HTTP');
    expect(http.hc.expectedStatuses).toBe('200-399');
    expect(http.notices[0]?.code).toBe('HealthCheckFieldIgnored');
    const backwards = check([service({ 'portico.dev/health-check-success-codes': '299-200' })], 'HTTP');
    expect(backwards.hc.expectedStatuses).toBe('200-399');
    const policyOnGrpc = check([service(), policy({ name: 'p', spec: { expectedStatuses: '200' } })], 'GRPC');
    expect(policyOnGrpc.hc.expectedStatuses).toBe('0');
    expect(policyOnGrpc.notices[0]?.source.kind).toBe('HealthCheckPolicy');
  });
});

describe('Local traffic policy (level 4)', () => {
  const local = { externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 };

  it('probes kube-proxy on the health-check node port', () => {
    const { hc } = check([service({}, local)], 'TCP', 'http', true);
    expect(hc).toEqual({
      protocol: 'HTTP',
      port: 32000,
      path: '/healthz',
      expectedStatuses: '200',
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      origin: 'traffic-policy-local',
    });
  });

  it('applies to UDP pools too', () => {
    expect(check([service({}, local)], 'UDP', 'http', true).hc.protocol).toBe('HTTP');
  });

  it('needs both the Local policy and a node port', () => {
    expect(check([service({}, local)], 'TCP', 'http', false).hc.origin).toBe('default');
    expect(check([service({}, { externalTrafficPolicy: 'Local' })], 'TCP', 'http', true).hc.origin).toBe(
      'default',
    );
  });

  it('keeps its target, and its origin, under timing-only overrides', () => {
    const { hc } = check(
      [
        service(
          {
            'portico.dev/health-check-interval-seconds': '5',
            'portico.dev/health-check-timeout-seconds': '2',
          },
          local,
        ),
      ],
      'TCP',
      'http',
      true,
    );
    expect(hc).toMatchObject({
      port: 32000,
      path: '/healthz',
      intervalSeconds: 5,
      timeoutSeconds: 2,
      origin: 'traffic-policy-local',
    });
  });

  it.each([
    ['protocol', { 'portico.dev/health-check-protocol': 'TCP' }, { protocol: 'TCP' }],
    ['port', { 'portico.dev/health-check-port': 'traffic-port' }, { protocol: 'HTTP', path: '/' }],
    ['path', { 'portico.dev/health-check-path': '/ready' }, { protocol: 'HTTP', path: '/ready' }],
  ] as const)('is replaced when a higher level chooses the %s', (_field, annotations, expected) => {
    const { hc } = check([service({ ...annotations }, local)], 'HTTP', 'http', true);
    expect(hc).toMatchObject({ ...expected, origin: 'annotation' });
    expect(hc.port).toBeUndefined();
  });

  it('is replaced by a policy choosing the target', () => {
    const { hc } = check(
      [service({}, local), policy({ name: 'p', spec: { port: 8081 } })],
      'TCP',
      'http',
      true,
    );
    expect(hc).toMatchObject({ protocol: 'TCP', port: 8081, origin: 'policy' });
  });
});

describe('conflicting policies', () => {
  it('the oldest wins; the others get a PolicyConflict warning and are not merged', () => {
    const { hc, notices } = check([
      service(),
      policy({ name: 'b-new', created: '2026-02-01T00:00:00Z', spec: { path: '/b', healthyThreshold: 9 } }),
      policy({ name: 'a-old', created: '2026-01-01T00:00:00Z', spec: { path: '/a' } }),
    ]);
    expect(hc.path).toBe('/a');
    expect(hc.healthyThreshold).toBe(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      severity: 'warning',
      code: 'PolicyConflict',
      source: { kind: 'HealthCheckPolicy', namespace: 'shop', name: 'b-new' },
    });
  });

  it('same age: the first name wins; no timestamp counts as the newest', () => {
    const same = check([
      service(),
      policy({ name: 'zz', created: '2026-01-01T00:00:00Z', spec: { path: '/zz' } }),
      policy({ name: 'aa', created: '2026-01-01T00:00:00Z', spec: { path: '/aa' } }),
    ]);
    expect(same.hc.path).toBe('/aa');
    const undated = check([
      service(),
      policy({ name: 'aa', spec: { path: '/aa' } }),
      policy({ name: 'zz', created: '2026-01-01T00:00:00Z', spec: { path: '/zz' } }),
    ]);
    expect(undated.hc.path).toBe('/zz');
  });

  it('policies at different levels do not conflict', () => {
    const { notices } = check([
      service(),
      policy({ name: 'a', spec: { path: '/a' } }),
      policy({ name: 'b', section: 'http', spec: { path: '/b' } }),
    ]);
    expect(notices).toEqual([]);
  });

  it('reports a sectionName that names no port', () => {
    const { notices } = check([service(), policy({ name: 'p', section: 'htp', spec: { path: '/x' } })]);
    expect(notices.map((n) => [n.code, n.field])).toEqual([
      ['PolicyTargetNotFound', 'spec.targetRefs[0].sectionName'],
    ]);
  });
});

describe('annotations', () => {
  it('reads every annotation', () => {
    const { hc, notices } = check(
      [
        service({
          'portico.dev/health-check-protocol': 'https',
          'portico.dev/health-check-port': '8443',
          'portico.dev/health-check-path': '/healthz',
          'portico.dev/health-check-interval-seconds': '30',
          'portico.dev/health-check-timeout-seconds': '10',
          'portico.dev/health-check-healthy-threshold': '3',
          'portico.dev/health-check-unhealthy-threshold': '5',
          'portico.dev/health-check-success-codes': '200-299,301',
        }),
      ],
      'TCP',
    );
    expect(notices).toEqual([]);
    expect(hc).toEqual({
      protocol: 'HTTPS',
      port: 8443,
      path: '/healthz',
      expectedStatuses: '200-299,301',
      intervalSeconds: 30,
      timeoutSeconds: 10,
      healthyThreshold: 3,
      unhealthyThreshold: 5,
      origin: 'annotation',
    });
  });

  it.each([
    ['protocol', 'ICMP'],
    ['port', '0'],
    ['port', '65536'],
    ['port', '80a'],
    ['path', 'healthz'],
    ['path', '/health check'],
    ['path', '/a"b'],
    ['path', "/a'b"],
    ['path', '/a#b'],
    ['path', '/a?b=1'],
    ['path', '/a\u0000'],
    ['path', '/a\\b'],
    ['path', '/%zz'],
    ['interval-seconds', '0'],
    ['interval-seconds', '301'],
    ['interval-seconds', '1.5'],
    ['interval-seconds', '1e1'],
    ['interval-seconds', '10s'],
    ['timeout-seconds', ''],
    ['healthy-threshold', '11'],
    ['unhealthy-threshold', '-1'],
    ['success-codes', '2xx'],
    ['success-codes', '200,'],
  ])('ignores %s=%j with a warning naming the annotation', (name, value) => {
    const annotation = `portico.dev/health-check-${name}`;
    const { hc, notices } = check([service({ [annotation]: value })]);
    expect(hc).toEqual(defaultHealthCheck('HTTP'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      severity: 'warning',
      code: 'InvalidAnnotation',
      field: `metadata.annotations[${annotation}]`,
      source: { kind: 'Service', namespace: 'shop', name: 'web' },
    });
    expect(notices[0]?.message).toContain(annotation);
  });

  it('an invalid annotation does not hide the valid ones', () => {
    const { hc } = check([
      service({ 'portico.dev/health-check-path': 'bad', 'portico.dev/health-check-interval-seconds': '20' }),
    ]);
    expect(hc).toMatchObject({ path: '/', intervalSeconds: 20, origin: 'annotation' });
  });
});

describe('timeout and interval', () => {
  it('clamps an explicit timeout not below the interval, with a warning', () => {
    const { hc, notices } = check([
      service({
        'portico.dev/health-check-interval-seconds': '10',
        'portico.dev/health-check-timeout-seconds': '10',
      }),
    ]);
    expect(hc).toMatchObject({ intervalSeconds: 10, timeoutSeconds: 9 });
    expect(notices.map((n) => [n.severity, n.code, n.field])).toEqual([
      [
        'warning',
        'HealthCheckTimeoutClamped',
        'metadata.annotations[portico.dev/health-check-timeout-seconds]',
      ],
    ]);
  });

  it('shrinks the default timeout under a short interval, with a note', () => {
    const { hc, notices } = check([service({ 'portico.dev/health-check-interval-seconds': '4' })]);
    expect(hc).toMatchObject({ intervalSeconds: 4, timeoutSeconds: 3 });
    expect(notices.map((n) => [n.severity, n.code])).toEqual([['info', 'HealthCheckTimeoutClamped']]);
  });

  it('raises a 1-second interval to 2, since no whole timeout fits below 1', () => {
    const { hc } = check([service(), policy({ name: 'p', spec: { intervalSeconds: 1, timeoutSeconds: 1 } })]);
    expect(hc).toMatchObject({ intervalSeconds: 2, timeoutSeconds: 1 });
  });
});

describe('notices', () => {
  it('are said once per translation however many pools use the port', () => {
    const { ctx, svc } = setup([service({ 'portico.dev/health-check-path': 'bad' })]);
    const port = svc.spec.ports![0]!;
    healthCheckFor(ctx, svc, port, 'HTTP');
    healthCheckFor(ctx, svc, port, 'HTTP');
    expect(ctx.notices).toHaveLength(1);
  });
});
