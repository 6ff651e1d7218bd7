// Load balancers: found by name, observed with their attributes, created, changed in place
// (subnets, security groups, IP address type, attributes, tags) and deleted.

import {
  CreateLoadBalancerCommand,
  type CreateLoadBalancerOutput,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  type DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersOutput,
  type LoadBalancer,
  ModifyLoadBalancerAttributesCommand,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ObservedResource } from '#core/plan/types.js';
import type { ApplyContext, BuildChange, LeavingChange } from '../internal/apply-context.js';
import { type Elbv2Calls, send, sendOrAbsent } from '../internal/sdk.js';
import { syncTags } from '../internal/tags.js';
import { touched } from '../internal/touched.js';
import { toAwsTags } from '../internal/wire.js';
import {
  type Elbv2Kinds,
  elbv2Address,
  type LoadBalancerIpAddressType,
  type LoadBalancerScheme,
  type LoadBalancerType,
  type Tags,
} from '../model.js';

/**
 * Attributes every new load balancer has (AWS ELBv2 docs, "Load balancer attributes"): CreateLoadBalancer
 * is not followed by a ModifyLoadBalancerAttributes (a Modify* call, throttled far harder) for these.
 */
const NEW_LOAD_BALANCER_ATTRIBUTES: Record<LoadBalancerType, Record<string, string>> = {
  application: { 'deletion_protection.enabled': 'false', 'idle_timeout.timeout_seconds': '60' },
  network: { 'deletion_protection.enabled': 'false' },
};

/** The load balancer with this name, or undefined when there is none (names are unique per region). */
export async function loadBalancerByName(ctx: Elbv2Calls, name: string): Promise<LoadBalancer | undefined> {
  const r = await sendOrAbsent<DescribeLoadBalancersOutput>(
    ctx,
    new DescribeLoadBalancersCommand({ Names: [name] }),
    ['LoadBalancerNotFound'],
  );
  return r?.LoadBalancers?.[0];
}

/**
 * The observed resource. An owned load balancer's attributes are read too; an unowned one is reported
 * as it is, never looked into. Its DNS name and state ride along as status, for apply's LbStatus.
 */
export async function observeLoadBalancer(
  ctx: Elbv2Calls,
  lb: LoadBalancer,
  tags: Tags,
  owned: boolean,
): Promise<ObservedResource<Elbv2Kinds>> {
  const arn = lb.LoadBalancerArn ?? '';
  let attributes: Record<string, string> = {};
  if (owned) {
    const a = await send<DescribeLoadBalancerAttributesOutput>(
      ctx,
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
    );
    attributes = Object.fromEntries((a.Attributes ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
  }
  const name = lb.LoadBalancerName ?? '';
  return {
    address: elbv2Address('load-balancer', name),
    kind: 'load-balancer',
    value: {
      name,
      type: (lb.Type ?? 'application') as LoadBalancerType,
      scheme: (lb.Scheme ?? 'internet-facing') as LoadBalancerScheme,
      ipAddressType: (lb.IpAddressType ?? 'ipv4') as LoadBalancerIpAddressType,
      subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort(),
      securityGroups: [...(lb.SecurityGroups ?? [])].sort(),
      attributes,
      tags,
      status: { dnsName: lb.DNSName ?? '', state: lb.State?.Code ?? '' },
    },
    owned,
    id: arn,
  };
}

export async function applyLoadBalancer(ac: ApplyContext, c: BuildChange<'load-balancer'>): Promise<void> {
  const v = c.after;
  const ctx = ac.calls;
  if (c.action !== 'update') {
    const arn = await ac.createOrAdopt(
      c.address,
      async () =>
        (
          await send<CreateLoadBalancerOutput>(
            ctx,
            new CreateLoadBalancerCommand({
              Name: v.name,
              Type: v.type,
              Scheme: v.scheme,
              IpAddressType: v.ipAddressType,
              Subnets: v.subnets,
              ...(v.securityGroups.length > 0 ? { SecurityGroups: v.securityGroups } : {}),
              Tags: toAwsTags(v.tags),
            }),
            c.address,
          )
        ).LoadBalancers?.[0]?.LoadBalancerArn,
      async () => (await loadBalancerByName(ctx, v.name))?.LoadBalancerArn,
    );
    // A new load balancer already has AWS's defaults: send only the attributes that differ (the
    // next observe compares every attribute, so a default that is not what was expected is still fixed).
    const defaults = NEW_LOAD_BALANCER_ATTRIBUTES[v.type];
    await modifyAttributes(
      ctx,
      arn,
      Object.entries(v.attributes).filter(([k, x]) => defaults[k] !== x),
      c.address,
    );
    return;
  }
  const arn = await ac.resolve(c.address);
  const before = c.before;
  if (touched(c, 'subnets'))
    await send(ctx, new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: v.subnets }), c.address);
  if (touched(c, 'securityGroups') && v.securityGroups.length > 0)
    await send(
      ctx,
      new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: v.securityGroups }),
      c.address,
    );
  if (touched(c, 'ipAddressType'))
    await send(
      ctx,
      new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: v.ipAddressType }),
      c.address,
    );
  await modifyAttributes(
    ctx,
    arn,
    Object.entries(v.attributes).filter(([k, x]) => before.attributes[k] !== x),
    c.address,
  );
  if (touched(c, 'tags')) await syncTags(ctx, arn, v.tags, before.tags);
}

export async function deleteLoadBalancer(ac: ApplyContext, c: LeavingChange<'load-balancer'>): Promise<void> {
  if (c.id === undefined) return;
  await sendOrAbsent(ac.calls, new DeleteLoadBalancerCommand({ LoadBalancerArn: c.id }), [
    'LoadBalancerNotFound',
  ]);
}

async function modifyAttributes(
  ctx: Elbv2Calls,
  arn: string,
  attrs: [string, string][],
  address: string,
): Promise<void> {
  if (attrs.length === 0) return;
  await send(
    ctx,
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: arn,
      Attributes: attrs.map(([Key, Value]) => ({ Key, Value })),
    }),
    address,
  );
}
