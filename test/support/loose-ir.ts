// Compact IR load balancers for adapter tests: golden inputs leave out empty lists and the usual
// defaults. The render corpus (test/golden/render) uses ELBV2_DEFAULTS for every adapter: valid
// ELBv2 parameters, which the other adapters ignore; a test may pass other load-balancer defaults.

import type * as ir from '#core/ir/load-balancer.js';

export const DEFAULT_PARAMETERS = {
  vpcId: 'vpc-0123456789abcdef0',
  subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
};

/** The corpus' GCP parameters: a project and two NEG zones (the ELBv2 ones are not valid there). */
export const GCP_PARAMETERS = { project: 'my-project', negZones: ['us-central1-a', 'us-central1-b'] };

/**
 * The providerParameters a corpus case gives `provider`: its own when the case names some, else the
 * provider's defaults (GCP_PARAMETERS for gcp-compute, DEFAULT_PARAMETERS otherwise).
 */
export function parametersFor(provider: string, raw: object): Partial<ir.LoadBalancer> {
  if ('providerParameters' in raw || provider !== 'gcp-compute') return {};
  return { providerParameters: GCP_PARAMETERS };
}

type LooseFilter = { type: string } & Record<string, unknown>;
export type LooseRoute = Partial<Omit<ir.Route, 'match' | 'filters' | 'action'>> & {
  match?: Partial<ir.Match>;
  filters?: LooseFilter[];
  action: { type: string; backends?: (Partial<ir.WeightedBackend> & { filters?: LooseFilter[] })[] } & Record<
    string,
    unknown
  >;
};
export type LooseListener = Partial<Omit<ir.Listener, 'routes'>> & { routes?: LooseRoute[] };
export type LoosePool = Partial<Omit<ir.BackendPool, 'endpoints' | 'healthCheck'>> & {
  id: string;
  endpoints?: (Partial<ir.Endpoint> & { address: string })[];
  healthCheck?: Partial<ir.HealthCheck>;
};
export type LooseLb = Partial<Omit<ir.LoadBalancer, 'listeners' | 'pools'>> & {
  listeners?: LooseListener[];
  pools?: LoosePool[];
};

/** The defaults, unless a caller passes others: valid ELBv2 parameters, internet-facing. */
export const ELBV2_DEFAULTS: Partial<ir.LoadBalancer> = {
  provider: 'aws-elbv2',
  scheme: 'internet-facing',
  providerParameters: DEFAULT_PARAMETERS,
};

export function withDefaults(
  raw: LooseLb,
  defaults: Partial<ir.LoadBalancer> = ELBV2_DEFAULTS,
): ir.LoadBalancer {
  const source = (raw.source ?? { kind: 'Gateway', namespace: 'shop', name: 'web' }) as ir.SourceRef;
  const filter = (f: LooseFilter) =>
    f.type === 'RequestHeaderModifier' || f.type === 'ResponseHeaderModifier'
      ? { set: [], add: [], remove: [], ...f }
      : f;
  return {
    key: `test/${source.kind}/${source.namespace ?? '-'}/${source.name}`,
    cluster: 'test',
    provider: 'aws-elbv2',
    scheme: 'internet-facing',
    requestedAddresses: [],
    sourceRanges: [],
    providerParameters: {},
    ...defaults,
    ...raw,
    source,
    listeners: (raw.listeners ?? []).map((l) => ({
      id: `${l.protocol}-${l.port}`,
      sources: [{ ...source, section: l.id ?? `${l.protocol?.toLowerCase()}-${l.port}` }],
      ...l,
      routes: (l.routes ?? []).map((r, i) => ({
        id: `HTTPRoute/shop/r${i}/rule/0/match/0${r.hostname ? `/host/${r.hostname}` : ''}`,
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
                  pool: null,
                  weight: 1,
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
          port: 8080,
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
