import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/materialize.js';
import { modelResources, renderHaproxyModel } from '#adapters/haproxy/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { checkGolden, goldenOutputPath, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';
import { haproxyCheck } from '#test/unit/adapters/haproxy/haproxy-check.js';

// Each case: an IR load balancer (empty lists and the usual defaults may be left out; see withDefaults)
// and `options: {address}` → `.out.yaml` (resources + notices) and `.cfg` (the materialized config,
// which must pass the real `haproxy -c`).
const dir = join(import.meta.dirname, 'render', 'haproxy');
const cases = loadGoldenCases(dir);
const STATE_DIR = '/run/portico/haproxy';

describe('golden: render haproxy', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(c.name, () => {
      const lb = withDefaults(c.documents[0] as LooseLb);
      const { model, notices } = renderHaproxyModel(lb, {
        address: String(c.options.address ?? '127.0.0.2'),
      });
      const out = checkGolden(c.outPath, toGoldenYaml({ resources: modelResources(model), notices }));
      expect(out.actual).toBe(out.expected);
      const { files } = materialize([model], {}, { stateDir: STATE_DIR });
      const cfg = checkGolden(goldenOutputPath(c, '.cfg'), files['haproxy.cfg']!);
      expect(cfg.actual).toBe(cfg.expected);
      const check = haproxyCheck(files);
      expect(check.output).not.toMatch(/ALERT/);
      expect(check.status).toBe(0);
    });
  }
});

type LooseFilter = { type: string } & Record<string, unknown>;
type LooseRoute = Partial<Omit<ir.Route, 'match' | 'filters' | 'action'>> & {
  match?: Partial<ir.Match>;
  filters?: LooseFilter[];
  action: { type: string; backends?: (Partial<ir.WeightedBackend> & { filters?: LooseFilter[] })[] };
};
type LooseListener = Partial<Omit<ir.Listener, 'routes'>> & { routes?: LooseRoute[] };
type LoosePool = Partial<Omit<ir.BackendPool, 'endpoints' | 'healthCheck'>> & {
  id: string;
  endpoints?: (Partial<ir.Endpoint> & { address: string })[];
  healthCheck?: Partial<ir.HealthCheck>;
};
type LooseLb = Partial<Omit<ir.LoadBalancer, 'listeners' | 'pools'>> & {
  listeners?: LooseListener[];
  pools?: LoosePool[];
};

function withDefaults(raw: LooseLb): ir.LoadBalancer {
  const source = (raw.source ?? { kind: 'Gateway', namespace: 'shop', name: 'web' }) as ir.SourceRef;
  const filter = (f: LooseFilter) =>
    f.type === 'RequestHeaderModifier' || f.type === 'ResponseHeaderModifier'
      ? { set: [], add: [], remove: [], ...f }
      : f;
  return {
    key: 'test/Gateway/shop/web',
    cluster: 'test',
    provider: 'haproxy',
    scheme: 'internal',
    requestedAddresses: [],
    sourceRanges: [],
    providerParameters: {},
    ...raw,
    source,
    listeners: (raw.listeners ?? []).map((l) => ({
      sources: [{ ...source, section: l.id }],
      ...l,
      routes: (l.routes ?? []).map((r, i) => ({
        id: `HTTPRoute/shop/r${i}/rule/0/match/0`,
        source: { kind: 'HTTPRoute', namespace: 'shop', name: `r${i}`, rule: 0, match: 0 },
        wildcard: 'any-depth',
        ...r,
        match: { headers: [], queryParams: [], ...r.match },
        filters: (r.filters ?? []).map(filter),
        action:
          r.action.type === 'forward'
            ? {
                ...r.action,
                backends: (r.action.backends ?? []).map((b) => ({
                  ...b,
                  filters: (b.filters ?? []).map(filter),
                })),
              }
            : r.action,
      })),
    })) as ir.Listener[],
    pools: (raw.pools ?? []).map((p) => {
      const [namespace, name] = p.id.split('/') as [string, string];
      return {
        source: { kind: 'Service', namespace, name },
        protocol: 'HTTP',
        servicePort: Number(p.id.split('/')[2] ?? 80),
        trafficPolicy: 'Cluster',
        ...p,
        endpoints: (p.endpoints ?? []).map((e) => ({
          family: e.address.includes(':') ? 'IPv6' : 'IPv4',
          ready: true,
          serving: true,
          terminating: false,
          ...e,
        })),
        healthCheck: {
          protocol: 'HTTP',
          path: '/healthz',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
          origin: 'default',
          ...p.healthCheck,
        },
      };
    }) as ir.BackendPool[],
  };
}
