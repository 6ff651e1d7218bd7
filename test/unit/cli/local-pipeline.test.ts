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

  it('reports a change that affects no load balancer: a GatewayClass alone is accepted at once', async () => {
    const fake = createFakeAdapter();
    const pipeline = new LocalPipeline({ adapters: { haproxy: fake } });
    const { statuses, reconciled } = await pipeline.sync([gatewayClass]);
    expect(reconciled).toEqual([]);
    const cls = statuses.find((s) => s.kind === 'GatewayClass')?.status as {
      conditions?: { type: string; status: string }[];
      supportedFeatures?: { name: string }[];
    };
    expect(cls?.conditions?.find((c) => c.type === 'Accepted')?.status).toBe('True');
    expect(cls?.supportedFeatures?.map((f) => f.name)).toEqual(supportedFeatures(fake.capabilities()));
  });

  it('programs a Gateway, reports it Programmed, and does nothing on a repeat', async () => {
    const { fake, events, pipeline } = setup();
    const first = await pipeline.sync([gatewayClass, gateway(80), route(false), service]);
    expect(first.changed).toEqual(['local/Gateway/infra/web']);
    const plans = events.filter((e) => e.type === 'plan');
    expect(plans).toHaveLength(1);
    // Written when read, the same text every time.
    expect(plans[0]?.text).toMatch(/local\/Gateway\/infra\/web/);
    expect(plans[0]?.text).toBe(plans[0]?.text);
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

  describe('incremental', () => {
    const named = (name: string, port: number) => ({
      ...gateway(port),
      metadata: { name, namespace: 'infra', generation: 1 },
    });
    const routeTo = (parent: string, path: string) => ({
      ...route(false),
      metadata: { name: `to-${parent}`, namespace: 'infra' },
      spec: {
        parentRefs: [{ name: parent }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: path } }],
            backendRefs: [{ name: 'app', port: 80 }],
          },
        ],
      },
    });
    /** The fake adapter, counting observes per key. */
    function counting() {
      const fake = createFakeAdapter();
      const observed: string[] = [];
      const adapter = {
        ...fake,
        observe: (key: string, opts: Parameters<typeof fake.observe>[1]) => {
          observed.push(key);
          return fake.observe(key, opts);
        },
      };
      return { fake, observed, pipeline: new LocalPipeline({ adapters: { haproxy: adapter } }) };
    }
    const objects = (aPath: string) => [
      gatewayClass,
      named('a', 80),
      named('b', 81),
      routeTo('a', aPath),
      routeTo('b', '/b'),
      service,
    ];

    it('reconciles only the keys a change affects; the others keep their statuses', async () => {
      const { observed, pipeline } = counting();
      const first = await pipeline.sync(objects('/a'));
      expect(first.reconciled).toEqual(['local/Gateway/infra/a', 'local/Gateway/infra/b']);
      const statusOf = (r: typeof first, name: string) =>
        r.statuses.find((s) => s.name === name || s.name === `to-${name}`);

      observed.length = 0;
      const second = await pipeline.sync(objects('/a2'));
      expect(second.reconciled).toEqual(['local/Gateway/infra/a']);
      expect(second.changed).toEqual(['local/Gateway/infra/a']);
      expect(observed).toEqual(['local/Gateway/infra/a']);
      // Gateway b and its route: the very same statuses as before, Programmed included.
      expect(statusOf(second, 'b')).toBe(statusOf(first, 'b'));
      expect(second.statuses.filter((s) => s.name.endsWith('b'))).toEqual(
        first.statuses.filter((s) => s.name.endsWith('b')),
      );
      expect(gatewayStatus(second.statuses)?.conditions.find((c) => c.type === 'Programmed')?.status).toBe(
        'True',
      );
    });

    it('does nothing for a sync without a change, even of fresh copies of the objects', async () => {
      const { observed, pipeline } = counting();
      const first = await pipeline.sync(objects('/a'));
      observed.length = 0;
      const same = await pipeline.sync(objects('/a'));
      expect(same.reconciled).toEqual([]);
      expect(observed).toEqual([]);
      expect(same.statuses).toBe(first.statuses);
      expect(same.loadBalancers).toBe(first.loadBalancers);
    });

    it('deletes the load balancer of a Gateway that goes, and touches no other', async () => {
      const { fake, observed, pipeline } = counting();
      await pipeline.sync(objects('/a'));
      const ofB = fake.cloud.list().filter((r) => r.address.includes('-infra-b-'));
      expect(ofB.length).toBeGreaterThan(0);
      observed.length = 0;
      const result = await pipeline.sync(objects('/a').filter((o) => o.metadata.name !== 'a'));
      expect(result.reconciled).toEqual(['local/Gateway/infra/a']);
      expect(result.loadBalancers.map((lb) => lb.key)).toEqual(['local/Gateway/infra/b']);
      expect(fake.cloud.list()).toEqual(ofB);
      expect(result.statuses.some((s) => s.kind === 'Gateway' && s.name === 'a')).toBe(false);
    });

    it('gives the statuses a fresh pipeline gives for the same objects', async () => {
      const { fake, pipeline } = counting();
      await pipeline.sync(objects('/a'));
      await pipeline.sync(
        [...objects('/a'), routeTo('b', '/moved')].filter((o) => o.metadata.name !== 'to-a'),
      );
      const last = await pipeline.sync([
        gatewayClass,
        named('a', 81),
        named('b', 81),
        routeTo('b', '/b'),
        service,
      ]);
      // A fresh pipeline on the same provider: it finds everything as it should be.
      const fresh = new LocalPipeline({ adapters: { haproxy: createFakeAdapter({ cloud: fake.cloud }) } });
      const scratch = await fresh.sync([
        gatewayClass,
        named('a', 81),
        named('b', 81),
        routeTo('b', '/b'),
        service,
      ]);
      expect(scratch.changed).toEqual([]);
      expect(last.statuses).toEqual(scratch.statuses);
      expect(last.loadBalancers).toEqual(scratch.loadBalancers);
    });

    it('reconciles every key on a resync, changed or not (drift)', async () => {
      const { observed, pipeline } = counting();
      await pipeline.sync(objects('/a'));
      observed.length = 0;
      const result = await pipeline.sync(objects('/a'), undefined, { resync: true });
      expect(result.reconciled).toEqual(['local/Gateway/infra/a', 'local/Gateway/infra/b']);
      expect(observed.sort()).toEqual(['local/Gateway/infra/a', 'local/Gateway/infra/b']);
      expect(result.changed).toEqual([]);
    });

    it('retries a key whose reconcile failed on the next sync, even without a change', async () => {
      const { fake, pipeline } = counting();
      await pipeline.sync(objects('/a'));
      fake.cloud.failObserves(1);
      const failed = await pipeline.sync(objects('/a3'));
      expect(failed.reconciled).toEqual(['local/Gateway/infra/a']);
      const retried = await pipeline.sync(objects('/a3'));
      expect(retried.reconciled).toEqual(['local/Gateway/infra/a']);
      expect(retried.changed).toEqual(['local/Gateway/infra/a']);
      expect((await pipeline.sync(objects('/a3'))).reconciled).toEqual([]);
    });
  });
});
