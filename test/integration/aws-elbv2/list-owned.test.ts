// listOwnedKeys (resync's orphan search) through the real SDK against the ELBv2 emulator: only what
// Portico's ownership tags give to this cluster is listed; a failed page or tag read makes the listing
// incomplete; nothing is ever mutated.

import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import { listOwnedKeysElbv2 } from '#adapters/aws-elbv2/observe.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { AbortedError } from '#adapters/types.js';
import { lbKey } from '#core/ir/lb-key.js';
import { ownershipTags } from '#core/naming/ownership-tags.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { gatewayLb, VPC } from './fixtures.js';

const REGION = 'eu-west-1';
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'];
let emu: Elbv2Emulator;
const clients: ElasticLoadBalancingV2Client[] = [];

function client(maxAttempts = 3): ElasticLoadBalancingV2Client {
  const c = createElbv2Client(emu, { region: REGION, maxAttempts });
  clients.push(c);
  return c;
}

const signal = () => new AbortController().signal;
const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

beforeEach(() => emu.reset());

/** A Gateway programmed for cluster `it`, plus resources that are not its: returns the keys. */
async function seed(c: ElasticLoadBalancingV2Client) {
  const lb = gatewayLb();
  const adapter = createElbv2Adapter({ client: c, region: REGION, cluster: 'it' });
  await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal: signal() });
  // Someone else's load balancer, untagged by Portico.
  await c.send(
    new CreateLoadBalancerCommand({
      Name: 'someone-else',
      Subnets: SUBNETS,
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
  );
  // Another Portico cluster's load balancer.
  const otherKey = lbKey('other', 'Gateway', 'shop', 'web');
  await c.send(
    new CreateLoadBalancerCommand({
      Name: 'other-cluster-lb',
      Subnets: SUBNETS,
      Tags: tagList(ownershipTags({ cluster: 'other', lbKey: otherKey, role: 'load-balancer' })),
    }),
  );
  // A resource tagged managed-by Portico for cluster `it` whose lb-key names another cluster: ignored.
  await c.send(
    new CreateTargetGroupCommand({
      Name: 'forged-key',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: VPC,
      TargetType: 'ip',
      Tags: tagList({
        ...ownershipTags({ cluster: 'it', lbKey: otherKey, role: 'target-group' }),
      }),
    }),
  );
  // Orphaned target groups of `it` (their load balancer is gone): 23 of them, two DescribeTags chunks.
  const orphans = Array.from({ length: 23 }, (_, i) => lbKey('it', 'Service', 'old', `s${i}`));
  for (const [i, key] of orphans.entries()) {
    await c.send(
      new CreateTargetGroupCommand({
        Name: `orphan-${i}`,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: VPC,
        TargetType: 'ip',
        Tags: tagList(ownershipTags({ cluster: 'it', lbKey: key, role: 'target-group' })),
      }),
    );
  }
  return { gateway: lb.key, otherKey, orphans };
}

describe('aws-elbv2 listOwnedKeys on the emulator', () => {
  it("lists exactly the keys this cluster's ownership tags name, with reads only", async () => {
    const c = client();
    const { gateway, otherKey, orphans } = await seed(c);
    emu.resetStats();
    const adapter = createElbv2Adapter({ client: c, region: REGION, cluster: 'it' });
    const listed = await adapter.listOwnedKeys!('it', { signal: signal() });
    expect(listed.complete).toBe(true);
    expect(listed.keys).toEqual([gateway, ...orphans].sort());
    expect(listed.keys).not.toContain(otherKey);
    const stats = emu.stats();
    expect(stats.mutating).toBe(0);
    expect(Object.keys(stats.byAction).sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeTags',
      'DescribeTargetGroups',
    ]);
    // 3 load balancers + 2 (gateway) + 1 (forged) + 23 target groups = 29 ARNs: 2 chunks of at most 20.
    expect(stats.byAction.DescribeTags).toBe(2);

    // Another cluster's view of the same region; an adapter set up for `it` holds nothing of it.
    const anyCluster = createElbv2Adapter({ client: c, region: REGION });
    expect(await anyCluster.listOwnedKeys!('other', { signal: signal() })).toEqual({
      keys: [otherKey],
      complete: true,
    });
    expect(await adapter.listOwnedKeys!('other', { signal: signal() })).toEqual({ keys: [], complete: true });
  });

  it('reports a listing with a failed page or tag read as incomplete', async () => {
    const { gateway } = await seed(client());
    emu.resetStats();
    const once = client(1); // no SDK retry: the injected failure is final
    emu.failNext({ pattern: '^DescribeTargetGroups$', code: 'InternalFailure', status: 500 });
    const page = await listOwnedKeysElbv2({ client: once, signal: signal() }, 'it');
    expect(page.complete).toBe(false);
    expect(page.keys).toEqual([gateway]); // what the load balancers told is still right

    emu.failNext({ pattern: '^DescribeTags$', code: 'Throttling', status: 400 });
    const tags = await listOwnedKeysElbv2({ client: once, signal: signal() }, 'it');
    expect(tags.complete).toBe(false);
    expect(tags.keys.length).toBeLessThan(24);

    const ac = new AbortController();
    ac.abort(new Error('out of time'));
    await expect(listOwnedKeysElbv2({ client: once, signal: ac.signal }, 'it')).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(emu.stats().mutating).toBe(0);
  });
});
