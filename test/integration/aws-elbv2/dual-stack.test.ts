// Dual-stack and topology on ELBv2, end to end: translate() → render → apply with the real SDK against
// the emulator, which checks families (ipv6 targets only in ipv6 target groups, those only on dualstack
// load balancers) and the cross-zone attribute's values.

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import type { Elbv2Kinds } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type * as ir from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { ALB_PARAMETERS, AWS_GATEWAY_CLASS, VPC } from './fixtures.js';

const REGION = 'eu-west-1';
let emu: Elbv2Emulator;
let client: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC });
  client = createElbv2Client(emu, { region: REGION });
});
afterAll(async () => {
  client?.destroy();
  await emu?.close();
});
beforeEach(() => emu.reset());

/** One EndpointSlice of `family` for Service `svc`; pods are named by index so both families share them. */
function slice(svc: string, family: 'IPv4' | 'IPv6', ips: string[]): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc}-${family.toLowerCase()}`,
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': svc },
    },
    addressType: family,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip, i) => ({
      addresses: [ip],
      conditions: { ready: true },
      zone: i % 2 === 0 ? 'eu-west-1a' : 'eu-west-1b',
      targetRef: { kind: 'Pod', namespace: 'shop', name: `${svc}-${i}` },
    })),
  };
}

/** A dual-stack Gateway: `app` is dual-stack (same pods in both slices), `api` IPv6 only. */
function lb(opts: { preferClose: boolean; families?: ('IPv4' | 'IPv6')[] }): ir.LoadBalancer {
  const families = opts.families ?? ['IPv4', 'IPv6'];
  const service = (name: string, ipFamilies: string[]) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: {
      ipFamilies,
      ipFamilyPolicy: ipFamilies.length > 1 ? 'RequireDualStack' : 'SingleStack',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      ...(opts.preferClose && name === 'app' ? { trafficDistribution: 'PreferClose' } : {}),
    },
  });
  const result = translate(
    [
      { ...ALB_PARAMETERS, spec: { ...ALB_PARAMETERS.spec, ipFamilies: families } },
      AWS_GATEWAY_CLASS,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { gatewayClassName: 'portico-aws', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'shop', namespace: 'shop' },
        spec: {
          parentRefs: [{ name: 'web' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
              backendRefs: [{ name: 'api', port: 80 }],
            },
            { backendRefs: [{ name: 'app', port: 80 }] },
          ],
        },
      },
      service('app', ['IPv4', 'IPv6']),
      slice('app', 'IPv4', ['10.0.1.1', '10.0.1.2']),
      slice('app', 'IPv6', ['2001:db8::1', '2001:db8::2']),
      service('api', ['IPv6']),
      slice('api', 'IPv6', ['2001:db8::a', '2001:db8::b']),
    ],
    { cluster: 'it' },
  );
  const out = result.loadBalancers.find((l) => l.provider === 'aws-elbv2');
  if (!out) throw new Error(`no aws-elbv2 load balancer: ${JSON.stringify(result.notices)}`);
  return out;
}

async function reconcile(desired: ir.LoadBalancer) {
  const adapter = createElbv2Adapter({ client, region: REGION, cluster: 'it' });
  emu.resetStats();
  const result = await reconcileLoadBalancer<Elbv2Kinds>({
    key: desired.key,
    lb: desired,
    adapter,
    signal: new AbortController().signal,
  });
  return { result, stats: emu.stats() };
}

/** Every target group: family, registered targets, cross-zone attribute. */
async function targetGroups() {
  const tgs = (await client.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  return Promise.all(
    tgs.map(async (tg) => {
      const arn = tg.TargetGroupArn ?? '';
      const health = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const attrs = await client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      return {
        family: tg.IpAddressType,
        targets: (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id).sort(),
        crossZone: attrs.Attributes?.find((a) => a.Key === 'load_balancing.cross_zone.enabled')?.Value,
      };
    }),
  );
}

const byFamily = (a: { family?: string }, b: { family?: string }) =>
  (a.family ?? '') < (b.family ?? '') ? -1 : 1;

describe('aws-elbv2 dual-stack and topology on the emulator', () => {
  it('registers a dual-stack pool by IPv4, an IPv6-only pool in an ipv6 target group, and turns cross-zone off for PreferClose', async () => {
    const first = await reconcile(lb({ preferClose: true }));
    expect(first.result.plan.conflicts).toEqual([]);
    expect(first.result.status.programmed).toBe(true);
    const [loadBalancer] = (await client.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    expect(loadBalancer?.IpAddressType).toBe('dualstack');
    expect((await targetGroups()).sort(byFamily)).toEqual([
      // app: its IPv6 addresses are the same pods, so the IPv4 target group reaches them all.
      { family: 'ipv4', targets: ['10.0.1.1', '10.0.1.2'], crossZone: 'false' },
      {
        family: 'ipv6',
        targets: ['2001:db8::a', '2001:db8::b'],
        crossZone: 'use_load_balancer_configuration',
      },
    ]);

    const again = await reconcile(lb({ preferClose: true }));
    expect(again.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(again.stats.mutating).toBe(0);

    // PreferClose gone: one attribute call, nothing else.
    const everywhere = await reconcile(lb({ preferClose: false }));
    expect(Object.keys(everywhere.stats.byAction).filter((a) => !a.startsWith('Describe'))).toEqual([
      'ModifyTargetGroupAttributes',
    ]);
    expect((await targetGroups()).map((t) => t.crossZone)).toEqual([
      'use_load_balancer_configuration',
      'use_load_balancer_configuration',
    ]);
    expect((await reconcile(lb({ preferClose: false }))).stats.mutating).toBe(0);
  });

  it('leaves IPv6 endpoints out of an IPv4-only load balancer with a notice', async () => {
    const desired = lb({ preferClose: false, families: ['IPv4'] });
    const { result } = await reconcile(desired);
    expect(result.notices.map((n) => n.feature)).toContain('pool/endpoints/IPv6');
    const tgs = await targetGroups();
    expect(tgs.every((t) => t.family === 'ipv4')).toBe(true);
    expect(tgs.flatMap((t) => t.targets).sort()).toEqual(['10.0.1.1', '10.0.1.2']);
  });

  it('emulator: refuses an ipv6 target group on an ipv4 load balancer and unknown cross-zone values', async () => {
    const created = await client.send(
      new CreateLoadBalancerCommand({
        Name: 'plain',
        Subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
        IpAddressType: 'ipv4',
      }),
    );
    const tg = await client.send(
      new CreateTargetGroupCommand({
        Name: 'six',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: VPC,
        TargetType: 'ip',
        IpAddressType: 'ipv6',
      }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await expect(
      client.send(
        new CreateListenerCommand({
          LoadBalancerArn: created.LoadBalancers?.[0]?.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
        }),
      ),
    ).rejects.toThrow(/requires a dualstack load balancer/);
    await expect(
      client.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tgArn,
          Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'off' }],
        }),
      ),
    ).rejects.toThrow(/not a valid value/);
    await expect(
      client.send(
        new CreateLoadBalancerCommand({
          Name: 'nlb6',
          Type: 'network',
          Subnets: ['subnet-0aaaaaaaaaaaaaaaa'],
          IpAddressType: 'dualstack-without-public-ipv4',
        }),
      ),
    ).rejects.toThrow(/internet-facing Application Load Balancers/);
  });
});
