import { describe, expect, it } from 'vitest';
import { affectedKeys, ClusterMismatchError, DependencyGraph, type ObjectChange } from '#core/index/index.js';
import {
  CLUSTER,
  changed,
  endpointSlice,
  gateway,
  gatewayClass,
  healthCheckPolicy,
  httpRoute,
  ingress,
  ingressClass,
  namespace,
  parameters,
  referenceGrant,
  secret,
  service,
} from './fixtures.js';

const gw = (ns: string, name: string) => `${CLUSTER}/Gateway/${ns}/${name}`;
const ing = (ns: string, name: string) => `${CLUSTER}/Ingress/${ns}/${name}`;
const grp = (name: string) => `${CLUSTER}/IngressGroup/-/${name}`;
const svc = (ns: string, name: string) => `${CLUSTER}/Service/${ns}/${name}`;

/**
 * The keys of a change, checked both ways the record stage may call it: with the graph still
 * holding the old state, and after recording the change. Both must agree.
 */
function keysOf(objects: unknown[], change: ObjectChange): string[] {
  const before = DependencyGraph.of(objects, CLUSTER);
  const keysBefore = affectedKeys(change, before, CLUSTER);
  const after = DependencyGraph.of(objects, CLUSTER);
  if (change.new !== undefined) after.upsert(change.new);
  else if (change.old !== undefined) after.removeObject(change.old);
  const keysAfter = affectedKeys(change, after, CLUSTER);
  expect(keysAfter).toEqual(keysBefore);
  return keysBefore;
}

describe('affectedKeys', () => {
  const base = [
    namespace('a', { team: 'x' }),
    namespace('b', { team: 'y' }),
    gatewayClass('portico'),
    gatewayClass('other', { controllerName: 'example.com/other' }),
    gateway('a', 'ga'),
    gateway('a', 'gb'),
    gateway('b', 'gc', { className: 'other' }),
    service('a', 'web'),
    service('a', 'api'),
    service('a', 'lb', { type: 'LoadBalancer', loadBalancerClass: 'portico.dev/haproxy' }),
    endpointSlice('a', 'web-1', 'web'),
    endpointSlice('a', 'lb-1', 'lb'),
  ];

  it('a route affects the Gateways it names, old and new (moving it from A to B affects both)', () => {
    const route = httpRoute('a', 'r', { parents: [{ name: 'ga' }], backends: [{ name: 'web' }] });
    const moved = changed(route, (r) => {
      r.spec.parentRefs = [{ name: 'gb' }];
    });
    expect(keysOf([...base, route], { old: route, new: moved })).toEqual([gw('a', 'ga'), gw('a', 'gb')]);
    expect(keysOf(base, { new: route })).toEqual([gw('a', 'ga')]);
    expect(keysOf([...base, route], { old: route })).toEqual([gw('a', 'ga')]);
  });

  it('a parentRef defaults to the route namespace, and may name another namespace', () => {
    const route = httpRoute('b', 'r', { parents: [{ name: 'ga', namespace: 'a' }, { name: 'gz' }] });
    expect(keysOf(base, { new: route })).toEqual([gw('a', 'ga'), gw('b', 'gz')]);
  });

  it('parentRefs to anything but a Gateway are not load balancers', () => {
    const route = changed(httpRoute('a', 'r'), (r) => {
      (r.spec.parentRefs as unknown[]) = [
        { group: '', kind: 'Service', name: 'web' },
        { group: 'example.com', kind: 'Gateway', name: 'ga' },
      ];
    });
    expect(keysOf(base, { new: route })).toEqual([]);
  });

  it('an EndpointSlice reaches its Service LB and every Gateway and Ingress whose routes use the Service', () => {
    const objects = [
      ...base,
      httpRoute('a', 'r1', { parents: [{ name: 'ga' }], backends: [{ name: 'web' }] }),
      httpRoute('b', 'r2', {
        parents: [{ name: 'gb', namespace: 'a' }],
        backends: [{ name: 'web', namespace: 'a' }],
      }),
      httpRoute('a', 'r3', { parents: [{ name: 'gc', namespace: 'b' }], mirror: { name: 'web' } }),
      httpRoute('a', 'unrelated', { parents: [{ name: 'gx' }], backends: [{ name: 'api' }] }),
      ingress('a', 'i1', { backends: ['web'] }),
      ingress('a', 'i2', { defaultBackend: 'web', backends: ['api'], group: 'team' }),
      ingress('a', 'i3', { backends: ['api'] }),
    ];
    const slice = endpointSlice('a', 'web-1', 'web');
    const scaled = endpointSlice('a', 'web-1', 'web', ['10.0.0.1', '10.0.0.2']);
    expect(keysOf(objects, { old: slice, new: scaled })).toEqual([
      gw('a', 'ga'),
      gw('a', 'gb'),
      gw('b', 'gc'),
      ing('a', 'i1'),
      grp('team'),
    ]);
    const lbSlice = endpointSlice('a', 'lb-1', 'lb');
    expect(keysOf(objects, { old: lbSlice, new: endpointSlice('a', 'lb-1', 'lb', ['10.1.1.1']) })).toEqual([
      svc('a', 'lb'),
    ]);
  });

  it('a slice relabelled to another Service affects the users of both', () => {
    const objects = [
      ...base,
      httpRoute('a', 'r1', { parents: [{ name: 'ga' }], backends: [{ name: 'web' }] }),
      httpRoute('a', 'r2', { parents: [{ name: 'gb' }], backends: [{ name: 'api' }] }),
    ];
    const slice = endpointSlice('a', 'web-1', 'web');
    expect(keysOf(objects, { old: slice, new: endpointSlice('a', 'web-1', 'api') })).toEqual([
      gw('a', 'ga'),
      gw('a', 'gb'),
    ]);
  });

  it('a Service affects its own LB only while it is (or was) of type LoadBalancer', () => {
    const plain = service('a', 'api');
    const lb = service('a', 'api', { type: 'LoadBalancer' });
    expect(keysOf(base, { old: plain, new: lb })).toEqual([svc('a', 'api')]);
    expect(keysOf(base, { old: lb, new: plain })).toEqual([svc('a', 'api')]);
    expect(
      keysOf(base, {
        old: plain,
        new: changed(plain, (s) => s.spec.ports.push({ ...s.spec.ports[0]!, name: 'x' })),
      }),
    ).toEqual([]);
  });

  it('a HealthCheckPolicy affects the users of the Services it targets, old and new', () => {
    const objects = [
      ...base,
      ingress('a', 'i1', { backends: ['web'] }),
      ingress('a', 'i2', { backends: ['api'] }),
    ];
    const policy = healthCheckPolicy('a', 'hc', ['web']);
    expect(keysOf(objects, { new: policy })).toEqual([ing('a', 'i1')]);
    expect(keysOf(objects, { old: policy, new: healthCheckPolicy('a', 'hc', ['api', 'lb']) })).toEqual([
      ing('a', 'i1'),
      ing('a', 'i2'),
      svc('a', 'lb'),
    ]);
  });

  it('deleting a Secret affects the Gateways (any namespace) and Ingresses that use it', () => {
    const objects = [
      ...base,
      secret('a', 'cert'),
      gateway('a', 'tls', { listeners: [{ certificateRefs: [{ name: 'cert' }] }] }),
      gateway('b', 'tls-x', { listeners: [{ certificateRefs: [{ name: 'cert', namespace: 'a' }] }] }),
      gateway('b', 'tls-other', { listeners: [{ certificateRefs: [{ name: 'cert' }] }] }),
      ingress('a', 'i1', { tls: ['cert'] }),
      ingress('b', 'i2', { tls: ['cert'] }),
    ];
    expect(keysOf(objects, { old: secret('a', 'cert') })).toEqual([
      gw('a', 'tls'),
      gw('b', 'tls-x'),
      ing('a', 'i1'),
    ]);
  });

  it('a GatewayClass affects all its Gateways, and nothing else', () => {
    const gc = gatewayClass('portico');
    expect(keysOf(base, { old: gc, new: changed(gc, (c) => (c.spec.controllerName = 'x/y')) })).toEqual([
      gw('a', 'ga'),
      gw('a', 'gb'),
    ]);
  });

  it('LoadBalancerParameters reach classes, their Gateways and Ingresses, annotated Services and Gateways', () => {
    const objects = [
      ...base.filter((o) => !(o.kind === 'GatewayClass' && o.metadata.name === 'other')),
      gatewayClass('other', {
        controllerName: 'example.com/other',
        params: { namespace: 'infra', name: 'p' },
      }),
      ingressClass('ic', { params: { namespace: 'infra', name: 'p' } }),
      ingressClass('ic2'),
      ingress('a', 'i1', { className: 'ic' }),
      ingress('a', 'i2', { className: 'ic2' }),
      service('a', 'lb2', { type: 'LoadBalancer', params: 'infra/p' }),
      service('infra', 'lb3', { type: 'LoadBalancer', params: 'p' }),
      gateway('infra', 'g-infra', { infraParams: 'p' }),
    ];
    const p = parameters('infra', 'p');
    expect(keysOf(objects, { old: p, new: parameters('infra', 'p', 'aws-elbv2') })).toEqual([
      gw('b', 'gc'),
      gw('infra', 'g-infra'),
      ing('a', 'i1'),
      svc('a', 'lb2'),
      svc('infra', 'lb3'),
    ]);
    expect(keysOf(objects, { new: parameters('infra', 'q') })).toEqual([]);
  });

  it('an IngressClass affects the Ingresses naming it (field or annotation)', () => {
    const objects = [
      ...base,
      ingressClass('ic'),
      ingress('a', 'i1', { className: 'ic' }),
      ingress('a', 'i2', { classAnnotation: 'ic', className: 'other' }),
      ingress('b', 'i3', { className: 'other' }),
      ingress('b', 'i4'),
    ];
    const ic = ingressClass('ic');
    expect(keysOf(objects, { old: ic, new: ingressClass('ic', { controller: 'x/y' }) })).toEqual([
      ing('a', 'i1'),
      ing('a', 'i2'),
    ]);
  });

  it('the default IngressClass (before or after) also affects every Ingress naming no class', () => {
    const objects = [
      ...base,
      ingress('a', 'i1', { className: 'ic' }),
      ingress('b', 'i4'),
      ingress('b', 'i5', { classAnnotation: 'portico', group: 'g' }),
    ];
    const ic = ingressClass('ic');
    const def = ingressClass('ic', { isDefault: true });
    const expected = [ing('a', 'i1'), ing('b', 'i4'), grp('g')];
    expect(keysOf(objects, { old: ic, new: def })).toEqual(expected);
    expect(keysOf(objects, { old: def, new: ic })).toEqual(expected);
    expect(keysOf(objects, { old: def })).toEqual(expected);
  });

  it('renaming an Ingress group affects both groups; joining a group affects the Ingress key too', () => {
    const objects = [...base, ingress('a', 'i1', { group: 'one' }), ingress('b', 'i2', { group: 'one' })];
    const i1 = ingress('a', 'i1', { group: 'one' });
    expect(keysOf(objects, { old: i1, new: ingress('a', 'i1', { group: 'two' }) })).toEqual([
      grp('one'),
      grp('two'),
    ]);
    expect(keysOf(objects, { old: ingress('a', 'i1'), new: i1 })).toEqual([ing('a', 'i1'), grp('one')]);
    // A group name that cannot be a key leaves the Ingress on its own key.
    expect(keysOf(objects, { new: ingress('a', 'i9', { group: 'Not_A_Name' }) })).toEqual([ing('a', 'i9')]);
  });

  it('a Namespace affects Gateways selecting namespaces, Gateways, routes and Ingresses in it', () => {
    const objects = [
      ...base,
      gateway('b', 'sel', { listeners: [{ from: 'Selector', selector: { team: 'x' } }] }),
      gateway('b', 'all', { listeners: [{ from: 'All' }] }),
      gateway('b', 'same', { listeners: [{ from: 'Same' }] }),
      httpRoute('c', 'r', { parents: [{ name: 'same', namespace: 'b' }] }),
      ingress('c', 'i'),
      ingress('a', 'elsewhere'),
    ];
    const c = namespace('c', { team: 'y' });
    expect(keysOf(objects, { old: c, new: namespace('c', { team: 'x' }) })).toEqual([
      gw('b', 'all'),
      gw('b', 'same'),
      gw('b', 'sel'),
      ing('c', 'i'),
    ]);
    expect(keysOf(objects, { new: namespace('a') })).toEqual([
      gw('a', 'ga'),
      gw('a', 'gb'),
      gw('b', 'all'),
      gw('b', 'sel'),
      ing('a', 'elsewhere'),
    ]);
  });

  it('a ReferenceGrant affects the LBs of objects in its from-namespaces referencing into its namespace', () => {
    const objects = [
      ...base,
      secret('a', 'cert'),
      gateway('b', 'tls', { listeners: [{ certificateRefs: [{ name: 'cert', namespace: 'a' }] }] }),
      httpRoute('c', 'r', {
        parents: [{ name: 'gz', namespace: 'c' }],
        backends: [{ name: 'web', namespace: 'a' }],
      }),
      httpRoute('d', 'r', { parents: [{ name: 'gd' }], backends: [{ name: 'web', namespace: 'a' }] }),
      httpRoute('a', 'local', { parents: [{ name: 'ga' }], backends: [{ name: 'web' }] }),
    ];
    const grant = referenceGrant('a', 'g', [{ kind: 'Gateway', namespace: 'b' }], [{ kind: 'Secret' }]);
    expect(keysOf(objects, { new: grant })).toEqual([gw('b', 'tls')]);
    const wider = referenceGrant(
      'a',
      'g',
      [
        { kind: 'HTTPRoute', namespace: 'c' },
        { kind: 'HTTPRoute', namespace: 'd' },
      ],
      [{ kind: 'Service' }],
    );
    expect(keysOf(objects, { old: grant, new: wider })).toEqual([
      gw('b', 'tls'),
      gw('c', 'gz'),
      gw('d', 'gd'),
    ]);
    expect(keysOf(objects, { old: wider })).toEqual([gw('c', 'gz'), gw('d', 'gd')]);
  });

  it('a Gateway affects its own key only, whatever its class', () => {
    const g = gateway('b', 'gc', { className: 'other' });
    expect(keysOf(base, { old: g, new: gateway('b', 'gc') })).toEqual([gw('b', 'gc')]);
    expect(keysOf(base, { old: g })).toEqual([gw('b', 'gc')]);
  });

  it('ignores kinds the core does not read and objects without identity', () => {
    const g = DependencyGraph.of(base, CLUSTER);
    expect(affectedKeys({ new: { kind: 'ConfigMap', metadata: { name: 'x' } } }, g, CLUSTER)).toEqual([]);
    expect(affectedKeys({ new: { kind: 'Gateway', metadata: {} } }, g, CLUSTER)).toEqual([]);
    expect(affectedKeys({}, g, CLUSTER)).toEqual([]);
  });

  it('keeps going on malformed objects, reading what it can', () => {
    const broken = {
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'a' },
      spec: { parentRefs: [null, 7, { name: 'ga' }, { name: 3 }], rules: 'x' },
    };
    expect(keysOf(base, { new: broken })).toEqual([gw('a', 'ga')]);
  });

  it('refuses a view of another cluster', () => {
    const g = DependencyGraph.of(base, 'prod');
    expect(() => affectedKeys({ new: gateway('a', 'x') }, g, 'staging')).toThrow(ClusterMismatchError);
  });
});
