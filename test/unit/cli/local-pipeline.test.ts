import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { supportedFeatures } from '#adapters/supported-features.js';
import { LocalPipeline, type PipelineEvent } from '#cli/local/local-pipeline.js';

const gatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'portico' },
  spec: { controllerName: 'portico.dev/gateway-controller' },
};
const gateway = (port: number | string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'infra', generation: 1 },
  spec: { gatewayClassName: 'portico', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});
const route = (headers: boolean) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'app', namespace: 'infra' },
  spec: {
    parentRefs: [{ name: 'web' }],
    rules: [
      {
        matches: [headers ? { headers: [{ name: 'x-a', value: '1' }] } : {}],
        backendRefs: [{ name: 'app', port: 80 }],
      },
    ],
  },
});
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'app', namespace: 'infra' },
  spec: { ports: [{ port: 80 }] },
};

/** A GatewayClass `portico-elb` whose load balancers the aws-elbv2 provider programs. */
const elbv2Class = [
  {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'LoadBalancerParameters',
    metadata: { name: 'elb', namespace: 'infra' },
    spec: { provider: 'aws-elbv2', scheme: 'internet-facing' },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'portico-elb' },
    spec: {
      controllerName: 'portico.dev/gateway-controller',
      parametersRef: {
        group: 'portico.dev',
        kind: 'LoadBalancerParameters',
        name: 'elb',
        namespace: 'infra',
      },
    },
  },
];

function setup(headerMatch: ('Exact' | 'RegularExpression')[] = ['Exact', 'RegularExpression']) {
  const fake = createFakeAdapter({ capabilities: { headerMatch } });
  const events: PipelineEvent[] = [];
  const pipeline = new LocalPipeline({
    adapters: { haproxy: fake },
    onEvent: (e) => events.push(e),
  });
  return { fake, events, pipeline };
}

const gatewayStatus = (statuses: { kind: string; status: unknown }[]) =>
  statuses.find((s) => s.kind === 'Gateway')?.status as
    | { conditions: { type: string; status: string }[] }
    | undefined;

describe('cli: LocalPipeline', () => {
  it("fills the GatewayClass's supportedFeatures from its provider's adapter", async () => {
    const fake = createFakeAdapter({ capabilities: { methodMatch: false } });
    const pipeline = new LocalPipeline({ adapters: { haproxy: fake } });
    const { statuses } = await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    const cls = statuses.find((s) => s.kind === 'GatewayClass')?.status as {
      supportedFeatures?: { name: string }[];
    };
    const names = cls.supportedFeatures?.map((f) => f.name);
    expect(names).toEqual(supportedFeatures(fake.capabilities()));
    expect(names).toContain('HTTPRouteQueryParamMatching');
    // what the adapter cannot do is not claimed
    expect(names).not.toContain('HTTPRouteMethodMatching');
  });

  it('programs a Gateway, reports it Programmed, and does nothing on a repeat', async () => {
    const { fake, events, pipeline } = setup();
    const first = await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    expect(first.changed).toEqual(['local/Gateway/infra/web']);
    expect(events.filter((e) => e.type === 'plan')).toHaveLength(1);
    expect(gatewayStatus(first.statuses)?.conditions.find((c) => c.type === 'Programmed')?.status).toBe(
      'True',
    );
    const created = fake.cloud.list().length;
    expect(created).toBeGreaterThan(0);

    const second = await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    expect(second.changed).toEqual([]);
    expect(fake.cloud.list()).toHaveLength(created);
  });

  it('holds a load balancer whose Gateway turns invalid, and deletes it when the Gateway goes', async () => {
    const { fake, events, pipeline } = setup();
    await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    const before = fake.cloud.list().map((r) => r.address);

    await pipeline.sync([gatewayClass, gateway('eighty'), route(false), service]);
    expect(fake.cloud.list().map((r) => r.address)).toEqual(before);
    expect(events.some((e) => e.type === 'held')).toBe(true);

    await pipeline.sync([gatewayClass, route(false), service]);
    expect(fake.cloud.list()).toEqual([]);
  });

  it('moves a Gateway whose class changes provider: removed from the provider it left', async () => {
    const [haproxy, elbv2] = [createFakeAdapter(), createFakeAdapter()];
    const events: PipelineEvent[] = [];
    const pipeline = new LocalPipeline({
      adapters: { haproxy, 'aws-elbv2': elbv2 },
      translateOptions: { defaultProvider: 'haproxy' },
      onEvent: (e) => events.push(e),
    });
    await pipeline.sync([gatewayClass, ...elbv2Class, gateway(80), route(false), service]);
    const onHaproxy = haproxy.cloud.all().map((r) => r.address);
    expect(onHaproxy.length).toBeGreaterThan(0);

    const moved = { ...gateway(80), spec: { ...gateway(80).spec, gatewayClassName: 'portico-elb' } };
    const result = await pipeline.sync([gatewayClass, ...elbv2Class, moved, route(false), service]);
    expect(haproxy.cloud.all()).toEqual([]);
    expect(elbv2.cloud.all().map((r) => r.address)).toEqual(onHaproxy);
    expect(result.changed).toEqual(['local/Gateway/infra/web']);
    expect(events.filter((e) => e.type === 'plan')).toHaveLength(3); // create; create + delete
    expect(gatewayStatus(result.statuses)?.conditions.find((c) => c.type === 'Programmed')?.status).toBe(
      'True',
    );
  });

  it('reports a delete it could not confirm, and finishes it on the next sync', async () => {
    const { fake, events, pipeline } = setup();
    await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    const programmed = fake.cloud.all();
    fake.cloud.failObserves(1);
    await pipeline.sync([gatewayClass, route(false), service]);
    expect(fake.cloud.all()).toEqual(programmed);
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/could not confirm/),
    });
    await pipeline.sync([gatewayClass, route(false), service]);
    expect(fake.cloud.all()).toEqual([]);
  });

  it('reports a route the provider cannot express on the route, and leaves it out', async () => {
    const { pipeline } = setup([]);
    const result = await pipeline.sync([gatewayClass, gateway(80), route(true), service]);
    const status = result.statuses.find((s) => s.kind === 'HTTPRoute')?.status as {
      parents: { conditions: { type: string; status: string; reason: string }[] }[];
    };
    expect(status.parents[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'UnsupportedValue',
    });
    expect(result.notices.some((n) => n.code === 'UnsupportedValue')).toBe(true);
  });

  it('folds syncs asked for while one runs into one more run with the latest objects', async () => {
    const { pipeline } = setup();
    const a = pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    const b = pipeline.sync([gatewayClass, gateway(81), route(false), service]);
    const c = pipeline.sync([gatewayClass, gateway(82), route(false), service]);
    const [, rb, rc] = await Promise.all([a, b, c]);
    expect(rb).toBe(rc);
    expect(rc.loadBalancers[0]?.listeners[0]?.port).toBe(82);
  });
});

describe('adapters: reconcileLoadBalancer', () => {
  it('refuses an IR that breaks the adapters invariants before anything reaches the provider', async () => {
    const { reconcileLoadBalancer } = await import('#adapters/reconcile.js');
    const { translate } = await import('#core/translate/translate.js');
    const fake = createFakeAdapter();
    const lb = translate([gatewayClass, gateway(80), route(false), service]).loadBalancers[0]!;
    const broken = { ...lb, listeners: [...lb.listeners, { ...lb.listeners[0]! }] };
    await expect(
      reconcileLoadBalancer({ key: lb.key, lb: broken, adapter: fake, signal: new AbortController().signal }),
    ).rejects.toThrow(/duplicate listener id/);
    expect(fake.cloud.list()).toEqual([]);
  });
});
