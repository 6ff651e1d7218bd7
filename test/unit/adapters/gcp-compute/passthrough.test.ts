import { describe, expect, it } from 'vitest';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

const REGIONAL = {
  project: 'my-project',
  location: 'us-central1',
  negZones: ['us-central1-a', 'us-central1-b'],
};

function service(
  protocol: 'TCP' | 'UDP',
  params: Record<string, unknown> = REGIONAL,
  over: Partial<ir.LoadBalancer> = {},
): ir.LoadBalancer {
  const p = pool(`db/pg/5432/${protocol.toLowerCase()}`, protocol, [
    '10.4.0.1',
    '10.4.0.2',
    '10.4.0.3',
    '10.4.0.4',
  ]);
  p.endpoints = [
    { ...p.endpoints[0]!, zone: 'us-central1-a', nodeName: 'node-a1' },
    { ...p.endpoints[1]!, zone: 'us-central1-a', nodeName: 'node-a1' },
    { ...p.endpoints[2]!, zone: 'us-central1-b', nodeName: 'node-b1' },
    { ...p.endpoints[3]!, zone: 'us-central1-b', nodeName: 'node-b2', ready: false },
  ];
  p.healthCheck = { ...p.healthCheck, protocol: 'TCP', path: undefined };
  const route = forwardRoute('pg', p.id, { id: 'Service/db/pg/port/pg' });
  return {
    ...loadBalancer({ key: 'prod/Service/db/pg', providerParameters: params, pools: [p] }),
    listeners: [{ id: `${protocol}-5432`, sources: [], port: 5432, protocol, routes: [route] }],
    ...over,
  };
}

const values = (out: ReturnType<typeof renderGcpCompute>, kind: string) =>
  out.resources.filter((r) => r.kind === kind).map((r) => r.value as unknown as Record<string, unknown>);

describe('gcp-compute render: passthrough Network Load Balancer', () => {
  it('renders forwarding rule → regional backend service → GCE_VM_IP NEGs of the nodes with ready endpoints', () => {
    const out = renderGcpCompute(service('TCP'));
    expect(out.notices).toEqual([]);
    const [fr] = values(out, 'forwarding-rule');
    const [bs] = values(out, 'backend-service');
    const [hc] = values(out, 'health-check');
    expect(fr).toMatchObject({
      region: 'us-central1',
      loadBalancingScheme: 'EXTERNAL',
      IPProtocol: 'TCP',
      portRange: '5432-5432',
      backendService: `regions/us-central1/backendServices/${bs!.name}`,
    });
    expect(fr!.target).toBeUndefined();
    expect(bs).toMatchObject({
      region: 'us-central1',
      loadBalancingScheme: 'EXTERNAL',
      protocol: 'TCP',
      healthChecks: [`regions/us-central1/healthChecks/${hc!.name}`],
      backends: [
        {
          group: expect.stringMatching(/^zones\/us-central1-a\/networkEndpointGroups\//),
          balancingMode: 'CONNECTION',
          capacityScaler: 1,
        },
        {
          group: expect.stringMatching(/^zones\/us-central1-b\/networkEndpointGroups\//),
          balancingMode: 'CONNECTION',
          capacityScaler: 1,
        },
      ],
    });
    // GCE_VM_IP endpoints have no port: the probe needs a fixed one (the Service port).
    expect(hc).toMatchObject({
      region: 'us-central1',
      type: 'TCP',
      tcpHealthCheck: { portSpecification: 'USE_FIXED_PORT', port: 5432 },
    });
    expect(values(out, 'network-endpoint-group').map((n) => n.networkEndpointType)).toEqual([
      'GCE_VM_IP',
      'GCE_VM_IP',
    ]);
    // One endpoint per node, ready endpoints only, no port.
    expect(values(out, 'neg-endpoints').map((e) => [e.zone, e.endpoints])).toEqual([
      ['us-central1-a', [{ instance: 'node-a1' }]],
      ['us-central1-b', [{ instance: 'node-b1' }]],
    ]);
    expect(values(out, 'url-map')).toEqual([]);
  });

  it('internal: ports instead of a range, with the network and subnetwork; UDP gets a health-check warning', () => {
    const params = { ...REGIONAL, loadBalancingScheme: 'INTERNAL_MANAGED', network: 'vpc', subnetwork: 'lb' };
    const out = renderGcpCompute({ ...service('UDP', params), scheme: 'internal' });
    expect(values(out, 'forwarding-rule')[0]).toMatchObject({
      loadBalancingScheme: 'INTERNAL',
      IPProtocol: 'UDP',
      ports: ['5432'],
      network: 'projects/my-project/global/networks/vpc',
      subnetwork: 'projects/my-project/regions/us-central1/subnetworks/lb',
    });
    expect(values(out, 'forwarding-rule')[0]!.portRange).toBeUndefined();
    expect(values(out, 'backend-service')[0]).toMatchObject({
      loadBalancingScheme: 'INTERNAL',
      protocol: 'UDP',
    });
    expect(out.notices.map((n) => [n.severity, n.feature])).toEqual([['warning', 'health-check/udp']]);
  });

  it('refuses TCP/UDP listeners on a global load balancer, naming the fix, and still renders HTTP listeners', () => {
    const lb = service('TCP', { project: 'my-project', negZones: ['us-central1-a'] });
    const web = pool('shop/site/80');
    web.endpoints = web.endpoints.map((e) => ({ ...e, zone: 'us-central1-a' }));
    const withHttp = {
      ...lb,
      pools: [...lb.pools, web],
      listeners: [
        ...lb.listeners,
        {
          id: 'HTTP-80',
          sources: [],
          port: 80,
          protocol: 'HTTP' as const,
          routes: [forwardRoute('site', web.id)],
        },
      ],
    };
    const out = renderGcpCompute(withHttp);
    expect(out.notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        feature: 'listener/passthrough-location',
        listener: 'TCP-5432',
        message: expect.stringContaining('set gcpCompute.location to a region'),
      }),
    ]);
    expect(values(out, 'forwarding-rule').map((f) => f.target !== undefined)).toEqual([true]);
    expect(values(out, 'network-endpoint-group').map((n) => n.networkEndpointType)).toEqual([
      'GCE_VM_IP_PORT',
    ]);
  });

  it('refuses a split between Services (one backend service per forwarding rule)', () => {
    const lb = service('TCP');
    const other = pool('db/replica/5432/tcp', 'TCP');
    const route = forwardRoute('pg', lb.pools[0]!.id, {
      id: 'TCPRoute/db/pg/rule/0',
      action: {
        type: 'forward',
        backends: [
          { pool: lb.pools[0]!.id, weight: 1, filters: [] },
          { pool: other.id, weight: 1, filters: [] },
        ],
      },
    });
    const out = renderGcpCompute({
      ...lb,
      pools: [...lb.pools, other],
      listeners: [{ ...lb.listeners[0]!, routes: [route] }],
    });
    expect(out.notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        feature: 'action/weighted-backends',
        route: 'TCPRoute/db/pg/rule/0',
      }),
    ]);
    expect(out.resources).toEqual([]);
  });

  it('leaves out endpoints that name no node, and says so', () => {
    const lb = service('TCP');
    lb.pools[0]!.endpoints = lb.pools[0]!.endpoints.map(({ nodeName: _, ...e }) => e);
    const out = renderGcpCompute(lb);
    expect(out.notices.map((n) => [n.severity, n.feature, n.message])).toEqual([
      ['warning', 'neg/instance', expect.stringContaining('3 endpoint(s) name no node')],
    ]);
    expect(values(out, 'neg-endpoints').flatMap((e) => e.endpoints as unknown[])).toEqual([]);
  });
});
