// Which address type a load balancer and its target groups get from the IR families and parameters.

import { describe, expect, it } from 'vitest';
import type { LoadBalancerValue, TargetGroupValue } from '#adapters/aws-elbv2/model.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { DEFAULT_PARAMETERS, withDefaults } from '#test/support/loose-ir.js';

function render(opts: {
  protocol: 'HTTP' | 'TCP';
  ipFamilies?: ir.IpFamily[];
  ipAddressType?: string;
  addresses: string[];
}) {
  const lb = withDefaults({
    ...(opts.ipFamilies ? { ipFamilies: opts.ipFamilies } : {}),
    providerParameters: {
      ...DEFAULT_PARAMETERS,
      ...(opts.ipAddressType ? { ipAddressType: opts.ipAddressType } : {}),
    },
    listeners: [
      {
        port: 80,
        protocol: opts.protocol,
        routes: [{ action: { type: 'forward', backends: [{ pool: 'ns/a/80' }] } }],
      },
    ],
    pools: [
      {
        id: 'ns/a/80',
        protocol: opts.protocol,
        endpoints: opts.addresses.map((address) => ({ address, port: 8080 })),
      },
    ],
  });
  const { resources, notices } = renderElbv2(lb);
  const value = <T>(kind: string) => resources.find((r) => r.kind === kind)?.value as T | undefined;
  return {
    lb: value<LoadBalancerValue>('load-balancer')?.ipAddressType,
    tg: value<TargetGroupValue>('target-group')?.ipAddressType,
    features: notices.map((n) => n.feature),
  };
}

describe('aws-elbv2 address families', () => {
  it('gives a pool of IPv6 endpoints only an ipv6 target group on a dualstack load balancer', () => {
    expect(render({ protocol: 'HTTP', ipFamilies: ['IPv4', 'IPv6'], addresses: ['fd00::1'] })).toEqual({
      lb: 'dualstack',
      tg: 'ipv6',
      features: [],
    });
  });

  it('keeps the target group ipv4 and reports the IPv6 endpoints on an IPv4 load balancer', () => {
    expect(render({ protocol: 'HTTP', addresses: ['fd00::1'] })).toEqual({
      lb: 'ipv4',
      tg: 'ipv4',
      features: ['pool/endpoints/IPv6'],
    });
  });

  it('uses dualstack-without-public-ipv4 only on internet-facing ALBs', () => {
    const alb = render({
      protocol: 'HTTP',
      ipAddressType: 'dualstack-without-public-ipv4',
      addresses: ['10.0.0.1'],
    });
    expect(alb).toEqual({ lb: 'dualstack-without-public-ipv4', tg: 'ipv4', features: [] });
    const nlb = render({
      protocol: 'TCP',
      ipAddressType: 'dualstack-without-public-ipv4',
      addresses: ['10.0.0.1'],
    });
    expect(nlb.lb).toBe('dualstack');
    expect(nlb.features).toEqual(['parameters/ipAddressType/dualstack-without-public-ipv4']);
  });
});
