import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '#core/model/endpoint-slice.js';
import type { ServicePort } from '#core/model/service.js';
import { endpointsForPort } from '#core/translate/backend/endpoints.js';

type SliceEndpoint = NonNullable<EndpointSlice['endpoints']>[number];

function slice(
  name: string,
  addressType: EndpointSlice['addressType'],
  ports: NonNullable<EndpointSlice['ports']>,
  endpoints: SliceEndpoint[],
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType,
    ports,
    endpoints,
  };
}

const http: ServicePort = { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 };
const ready = { ready: true, serving: true, terminating: false };

describe('endpointsForPort', () => {
  it('maps a named Service port to the slice port of the same name', () => {
    const s = slice(
      'web-a',
      'IPv4',
      [
        { name: 'http', protocol: 'TCP', port: 8080 },
        { name: 'metrics', protocol: 'TCP', port: 9100 },
      ],
      [{ addresses: ['10.0.0.1'], conditions: ready, zone: 'z1', nodeName: 'n1' }],
    );
    expect(endpointsForPort([s], http)).toEqual([
      {
        address: '10.0.0.1',
        family: 'IPv4',
        port: 8080,
        ready: true,
        serving: true,
        terminating: false,
        zone: 'z1',
        nodeName: 'n1',
      },
    ]);
    expect(endpointsForPort([s], { name: 'metrics', port: 9100 }).map((e) => e.port)).toEqual([9100]);
  });

  it('maps a single unnamed port to the unnamed slice port, whether the name is absent or empty', () => {
    const unnamed: ServicePort = { port: 80 };
    const absent = slice('a', 'IPv4', [{ port: 8080 }], [{ addresses: ['10.0.0.1'] }]);
    const empty = slice(
      'b',
      'IPv4',
      [{ name: '', protocol: 'TCP', port: 8080 }],
      [{ addresses: ['10.0.0.2'] }],
    );
    expect(endpointsForPort([absent, empty], unnamed).map((e) => e.address)).toEqual([
      '10.0.0.1',
      '10.0.0.2',
    ]);
    // A named Service port does not take an unnamed slice port, nor the reverse.
    expect(endpointsForPort([absent], http)).toEqual([]);
    const named = slice('c', 'IPv4', [{ name: 'http', port: 8080 }], [{ addresses: ['10.0.0.3'] }]);
    expect(endpointsForPort([named], unnamed)).toEqual([]);
  });

  it('defaults conditions as the API says: ready and serving true, terminating false', () => {
    const s = slice(
      'a',
      'IPv4',
      [{ name: 'http', port: 8080 }],
      [
        { addresses: ['10.0.0.1'] },
        { addresses: ['10.0.0.2'], conditions: { ready: false } },
        { addresses: ['10.0.0.3'], conditions: { terminating: true, ready: false } },
      ],
    );
    const flags = endpointsForPort([s], http).map((e) => [e.address, e.ready, e.serving, e.terminating]);
    expect(flags).toEqual([
      ['10.0.0.1', true, true, false],
      ['10.0.0.2', false, true, false],
      ['10.0.0.3', false, true, true],
    ]);
  });

  it('keeps terminating endpoints with their serving flag, for draining', () => {
    const s = slice(
      'a',
      'IPv4',
      [{ name: 'http', port: 8080 }],
      [
        { addresses: ['10.0.0.1'], conditions: { ready: false, serving: true, terminating: true } },
        { addresses: ['10.0.0.2'], conditions: { ready: false, serving: false, terminating: true } },
      ],
    );
    expect(endpointsForPort([s], http).map((e) => [e.serving, e.terminating])).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it('keeps an address listed in two slices once, the most ready copy winning, in either order', () => {
    const stale = slice(
      'old',
      'IPv4',
      [{ name: 'http', port: 8080 }],
      [{ addresses: ['10.0.0.1'], conditions: { ready: false, serving: false, terminating: false } }],
    );
    const fresh = slice(
      'new',
      'IPv4',
      [{ name: 'http', port: 8080 }],
      [{ addresses: ['10.0.0.1'], conditions: ready }],
    );
    for (const order of [
      [stale, fresh],
      [fresh, stale],
    ]) {
      const eps = endpointsForPort(order, http);
      expect(eps).toHaveLength(1);
      expect(eps[0]?.ready).toBe(true);
    }
  });

  it('keeps the same address on two different ports apart', () => {
    const a = slice('a', 'IPv4', [{ name: 'http', port: 8080 }], [{ addresses: ['10.0.0.1'] }]);
    const b = slice('b', 'IPv4', [{ name: 'http', port: 8081 }], [{ addresses: ['10.0.0.1'] }]);
    expect(endpointsForPort([a, b], http).map((e) => e.port)).toEqual([8080, 8081]);
  });

  it('writes IPv6 canonically, so differently spelled copies are one endpoint', () => {
    const a = slice('a', 'IPv6', [{ name: 'http', port: 8080 }], [{ addresses: ['FD00:0:0:0:0:0:0:1'] }]);
    const b = slice('b', 'IPv6', [{ name: 'http', port: 8080 }], [{ addresses: ['fd00::1'] }]);
    expect(endpointsForPort([a, b], http)).toEqual([
      { address: 'fd00::1', family: 'IPv6', port: 8080, ready: true, serving: true, terminating: false },
    ]);
  });

  it('skips FQDN slices and addresses that are not IPs of the slice family', () => {
    const fqdn = slice('f', 'FQDN', [{ name: 'http', port: 8080 }], [{ addresses: ['db.example.com'] }]);
    const mixed = slice(
      'm',
      'IPv4',
      [{ name: 'http', port: 8080 }],
      [{ addresses: ['fd00::1'] }, { addresses: ['010.0.0.1'] }, { addresses: ['10.0.0.9'] }],
    );
    expect(endpointsForPort([fqdn, mixed], http).map((e) => e.address)).toEqual(['10.0.0.9']);
  });

  it('uses only the first address of an endpoint (the others carry no meaning)', () => {
    const s = slice('a', 'IPv4', [{ name: 'http', port: 8080 }], [{ addresses: ['10.0.0.1', '10.0.0.2'] }]);
    expect(endpointsForPort([s], http).map((e) => e.address)).toEqual(['10.0.0.1']);
  });

  it('does not take a slice port of another protocol, even with the same name', () => {
    const udp = slice(
      'a',
      'IPv4',
      [{ name: 'http', protocol: 'UDP', port: 8080 }],
      [{ addresses: ['10.0.0.1'] }],
    );
    expect(endpointsForPort([udp], http)).toEqual([]);
    expect(endpointsForPort([udp], { ...http, protocol: 'UDP' })).toHaveLength(1);
  });

  it('skips slice ports without a number and slices without endpoints', () => {
    const noPort = slice('a', 'IPv4', [{ name: 'http' }], [{ addresses: ['10.0.0.1'] }]);
    const none: EndpointSlice = {
      ...slice('b', 'IPv4', [{ name: 'http', port: 8080 }], []),
      endpoints: null,
    };
    expect(endpointsForPort([noPort, none], http)).toEqual([]);
  });
});

describe('endpointsForPort: the Pod behind an endpoint', () => {
  const port = [{ name: 'http', protocol: 'TCP' as const, port: 8080 }];
  it("keeps a Pod targetRef of the slice's namespace, and ignores any other", () => {
    const s = slice('web-a', 'IPv4', port, [
      { addresses: ['10.0.0.1'], conditions: ready, targetRef: { kind: 'Pod', name: 'web-1' } },
      {
        addresses: ['10.0.0.2'],
        conditions: ready,
        targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-2' },
      },
      {
        addresses: ['10.0.0.3'],
        conditions: ready,
        targetRef: { kind: 'Pod', namespace: 'other', name: 'x' },
      },
      { addresses: ['10.0.0.4'], conditions: ready, targetRef: { kind: 'Node', name: 'n1' } },
      { addresses: ['10.0.0.5'], conditions: ready, targetRef: { kind: 'Pod', name: 'Not_A_Name' } },
    ]);
    expect(endpointsForPort([s], http).map((e) => e.pod)).toEqual([
      { namespace: 'shop', name: 'web-1' },
      { namespace: 'shop', name: 'web-2' },
      undefined,
      undefined,
      undefined,
    ]);
  });
});
