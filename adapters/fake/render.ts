import type * as ir from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import { unsupportedFeatures, withoutUnsupported } from '../capabilities.js';
import type { Capabilities, Rendered } from '../types.js';
import { FAKE_ADAPTER, fakeAddress, fakeLbName, fakeSub } from './naming.js';
import type { FakeKinds, FakeListener, FakePool, FakeRoute } from './resources.js';

/** Pure: the IR as fake resources, minus (and with a notice for) whatever `caps` cannot express. */
export function renderFake(lb: ir.LoadBalancer, caps: Capabilities): Rendered<FakeKinds> {
  const notices = unsupportedFeatures(lb, caps, FAKE_ADAPTER);
  const supported = withoutUnsupported(lb, notices);
  const name = fakeLbName(lb.key);
  const resources: DesiredResource<FakeKinds>[] = [];
  const add = (r: DesiredResource<FakeKinds>) => resources.push(r);

  const lbAddress = fakeAddress('load-balancer', name);
  add({
    address: lbAddress,
    kind: 'load-balancer',
    value: { scheme: lb.scheme, sourceRanges: [...lb.sourceRanges].sort() },
  });

  const poolAddress = new Map(supported.pools.map((p) => [p.id, fakeAddress('pool', name, fakeSub(p.id))]));
  const poolRef = (id: string | null) => (id === null ? null : (poolAddress.get(id) ?? null));
  const mapFilter = (f: ir.Filter): ir.Filter =>
    f.type === 'RequestMirror' ? { ...f, pool: poolRef(f.pool) ?? f.pool } : f;

  for (const p of supported.pools) {
    const { origin: _origin, ...healthCheck } = p.healthCheck;
    const pool: FakePool = {
      protocol: p.protocol,
      port: p.servicePort,
      healthCheck,
      targets: p.endpoints
        .filter((e) => e.ready)
        .map((e) => (e.family === 'IPv6' ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`))
        .sort(),
    };
    add({ address: poolAddress.get(p.id)!, kind: 'pool', value: pool });
  }

  for (const l of supported.listeners) {
    const listenerAddress = fakeAddress('listener', name, l.id);
    const listener: FakeListener = {
      loadBalancer: lbAddress,
      port: l.port,
      protocol: l.protocol,
      ...(l.tls ? { tls: { mode: l.tls.mode, certificates: l.tls.certificates.map((c) => c.secret) } } : {}),
    };
    add({ address: listenerAddress, kind: 'listener', value: listener });
    l.routes.forEach((r, i) => {
      const action: ir.Action =
        r.action.type === 'forward'
          ? {
              type: 'forward',
              backends: r.action.backends.map((b) => ({
                ...b,
                pool: poolRef(b.pool),
                filters: b.filters.map(mapFilter),
              })),
            }
          : r.action;
      const filters = r.filters.map(mapFilter);
      const pools = new Set<string>();
      const backends = action.type === 'forward' ? action.backends : [];
      for (const b of backends) if (b.pool) pools.add(b.pool);
      for (const f of [...filters, ...backends.flatMap((b) => b.filters)])
        if (f.type === 'RequestMirror' && f.pool.startsWith(`${FAKE_ADAPTER}/`)) pools.add(f.pool);
      const route: FakeRoute = {
        listener: listenerAddress,
        priority: i + 1,
        ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
        match: r.match,
        filters,
        action,
        pools: [...pools].sort(),
      };
      add({ address: fakeAddress('route', name, fakeSub(l.id, r.id)), kind: 'route', value: route });
    });
  }
  return { resources, notices };
}
