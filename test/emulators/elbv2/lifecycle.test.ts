import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  type ProtocolEnum,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from './index.js';

let emu: Elbv2Emulator;
let elb: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  emu = await startElbv2Emulator();
  elb = createElbv2Client(emu);
});
afterAll(async () => {
  elb.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

async function alb(name: string) {
  const out = await elb.send(
    new CreateLoadBalancerCommand({
      Name: name,
      Subnets: ['subnet-0a', 'subnet-0b'],
      SecurityGroups: ['sg-01'],
    }),
  );
  return out.LoadBalancers![0]!;
}

async function tg(name: string, protocol: ProtocolEnum = 'HTTP') {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: protocol,
      Port: 8080,
      VpcId: emu.service.vpcId,
      TargetType: 'ip',
    }),
  );
  return out.TargetGroups![0]!;
}

const fixed404 = [
  { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
];

/** An HTTP :80 listener answering 404. */
async function httpListener(loadBalancerArn: string | undefined) {
  const out = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: fixed404,
    }),
  );
  return out.Listeners![0]!;
}

describe('ELBv2 emulator: lifecycle through the real SDK', () => {
  it('creates an ALB with target groups, a listener, rules and targets, then deletes them in order', async () => {
    const lb = await alb('portico-web');
    expect(lb).toMatchObject({
      LoadBalancerName: 'portico-web',
      Type: 'application',
      Scheme: 'internet-facing',
      State: { Code: 'provisioning' },
      SecurityGroups: ['sg-01'],
      VpcId: emu.service.vpcId,
    });
    expect(lb.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/portico-web\/[0-9a-f]{16}$/,
    );
    expect(lb.DNSName).toMatch(/^portico-web-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    expect(lb.AvailabilityZones?.map((z) => z.SubnetId)).toEqual(['subnet-0a', 'subnet-0b']);
    expect(lb.CreatedTime).toBeInstanceOf(Date);

    const [described] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['portico-web'] })))
      .LoadBalancers!;
    expect(described?.State?.Code).toBe('active');

    const blue = await tg('blue');
    const green = await tg('green');
    expect(blue).toMatchObject({
      Protocol: 'HTTP',
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/',
      HealthCheckPort: 'traffic-port',
      Matcher: { HttpCode: '200' },
      ProtocolVersion: 'HTTP1',
      LoadBalancerArns: [],
    });

    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: fixed404,
          Tags: [{ Key: 'portico.dev/owner', Value: 'test' }],
        }),
      )
    ).Listeners![0]!;
    expect(listener.DefaultActions).toEqual([
      { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
    ]);

    const weighted = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 10,
          Conditions: [
            { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
            { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
            { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['1'] } },
          ],
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: blue.TargetGroupArn, Weight: 90 },
                  { TargetGroupArn: green.TargetGroupArn, Weight: 10 },
                ],
              },
            },
          ],
        }),
      )
    ).Rules![0]!;
    expect(weighted.Priority).toBe('10');
    expect(weighted.IsDefault).toBe(false);
    expect(weighted.Conditions?.[0]).toEqual({
      Field: 'host-header',
      Values: ['shop.example.com'],
      HostHeaderConfig: { Values: ['shop.example.com'] },
    });
    expect(weighted.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: blue.TargetGroupArn, Weight: 90 },
      { TargetGroupArn: green.TargetGroupArn, Weight: 10 },
    ]);

    const redirect = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 20,
          Conditions: [
            { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'legacy', Value: 'true' }] } },
            { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } },
            { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } },
          ],
          Actions: [
            { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
          ],
        }),
      )
    ).Rules![0]!;
    expect(redirect.Actions?.[0]?.RedirectConfig).toMatchObject({
      Protocol: 'HTTPS',
      Port: '443',
      Host: '#{host}',
    });

    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
    expect(rules.map((r) => r.Priority)).toEqual(['10', '20', 'default']);
    expect(rules[2]?.IsDefault).toBe(true);

    // Both target groups now belong to the ALB.
    const byLb = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
      .TargetGroups!;
    expect(byLb.map((t) => t.TargetGroupName).sort()).toEqual(['blue', 'green']);
    expect(byLb[0]?.LoadBalancerArns).toEqual([lb.LoadBalancerArn]);

    // Targets and health.
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: blue.TargetGroupArn,
        Targets: [{ Id: '10.0.1.10' }, { Id: '10.0.1.11', Port: 9090 }],
      }),
    );
    let health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: blue.TargetGroupArn })))
      .TargetHealthDescriptions!;
    expect(health.map((h) => [h.Target?.Id, h.Target?.Port, h.TargetHealth?.State])).toEqual([
      ['10.0.1.10', 8080, 'healthy'],
      ['10.0.1.11', 9090, 'healthy'],
    ]);
    emu.service.setTargetHealth('us-east-1', blue.TargetGroupArn!, '10.0.1.11', {
      State: 'unhealthy',
      Reason: 'Target.Timeout',
    });
    health = (
      await elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: blue.TargetGroupArn,
          Targets: [{ Id: '10.0.1.11', Port: 9090 }],
        }),
      )
    ).TargetHealthDescriptions!;
    expect(health[0]?.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.Timeout' });
    await elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: blue.TargetGroupArn, Targets: [{ Id: '10.0.1.10' }] }),
    );
    health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: blue.TargetGroupArn })))
      .TargetHealthDescriptions!;
    expect(health.map((h) => h.Target?.Id)).toEqual(['10.0.1.11']);

    // Target groups of an unused TG report `unused`.
    const idle = await tg('idle');
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: idle.TargetGroupArn, Targets: [{ Id: '10.0.2.1' }] }),
    );
    health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: idle.TargetGroupArn })))
      .TargetHealthDescriptions!;
    expect(health[0]?.TargetHealth?.State).toBe('unused');

    // A target group still referenced cannot be deleted.
    await expect(
      elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: green.TargetGroupArn })),
    ).rejects.toMatchObject({
      name: 'ResourceInUseException',
      Code: 'ResourceInUse',
      $metadata: { httpStatusCode: 400 },
    });

    // Default rules cannot be deleted; other rules can.
    await expect(elb.send(new DeleteRuleCommand({ RuleArn: rules[2]!.RuleArn }))).rejects.toMatchObject({
      name: 'OperationNotPermittedException',
    });
    await elb.send(new DeleteRuleCommand({ RuleArn: weighted.RuleArn }));
    await expect(elb.send(new DeleteRuleCommand({ RuleArn: weighted.RuleArn }))).rejects.toMatchObject({
      name: 'RuleNotFoundException',
    });
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: green.TargetGroupArn }));

    // Deleting the load balancer removes its listeners and rules and frees the target groups.
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    await expect(
      elb.send(new DescribeListenersCommand({ ListenerArns: [listener.ListenerArn!] })),
    ).rejects.toMatchObject({
      name: 'ListenerNotFoundException',
    });
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: blue.TargetGroupArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: idle.TargetGroupArn }));
    expect(emu.service.counts('us-east-1')).toEqual({
      loadBalancers: 0,
      listeners: 0,
      rules: 0,
      targetGroups: 0,
    });
    await expect(
      elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.LoadBalancerArn!] })),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
  });

  it('paginates DescribeLoadBalancers and DescribeTargetGroups with Marker and PageSize', async () => {
    for (let i = 0; i < 7; i++) await alb(`lb-${i}`);
    for (let i = 0; i < 5; i++) await tg(`tg-${i}`);
    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 3 }));
    expect(first.LoadBalancers).toHaveLength(3);
    expect(first.NextMarker).toBeTruthy();
    // The SDK paginators for ELBv2 do not map pageSize; PageSize goes in the input.
    const names: string[] = [];
    let lbPages = 0;
    for await (const page of paginateDescribeLoadBalancers({ client: elb }, { PageSize: 3 })) {
      lbPages++;
      names.push(...page.LoadBalancers!.map((l) => l.LoadBalancerName!));
    }
    expect(lbPages).toBe(3);
    expect(names).toEqual(['lb-0', 'lb-1', 'lb-2', 'lb-3', 'lb-4', 'lb-5', 'lb-6']);
    let pages = 0;
    for await (const page of paginateDescribeTargetGroups({ client: elb }, { PageSize: 2 })) {
      pages++;
      expect(page.TargetGroups!.length).toBeLessThanOrEqual(2);
    }
    expect(pages).toBe(3);
    await expect(elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('modifies listeners, rules, target groups, security groups, subnets and attributes', async () => {
    const lb = await alb('mod');
    const a = await tg('a');
    const listener = await httpListener(lb.LoadBalancerArn);
    const modified = (
      await elb.send(
        new ModifyListenerCommand({
          ListenerArn: listener.ListenerArn,
          Port: 443,
          Protocol: 'HTTPS',
          Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
          DefaultActions: [{ Type: 'forward', TargetGroupArn: a.TargetGroupArn }],
        }),
      )
    ).Listeners![0]!;
    expect(modified).toMatchObject({ Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-2016-08' });
    expect(modified.DefaultActions?.[0]).toMatchObject({
      Type: 'forward',
      TargetGroupArn: a.TargetGroupArn,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] },
    });

    const rule = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 1,
          Conditions: [{ Field: 'path-pattern', Values: ['/old'] }],
          Actions: fixed404,
        }),
      )
    ).Rules![0]!;
    const changed = (
      await elb.send(
        new ModifyRuleCommand({
          RuleArn: rule.RuleArn,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/new/*'] } }],
          Actions: [
            { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', MessageBody: 'down' } },
          ],
        }),
      )
    ).Rules![0]!;
    expect(changed.Conditions?.[0]?.PathPatternConfig?.Values).toEqual(['/new/*']);
    const rewritten = (
      await elb.send(
        new ModifyRuleCommand({
          RuleArn: rule.RuleArn,
          Transforms: [
            {
              Type: 'url-rewrite',
              UrlRewriteConfig: { Rewrites: [{ Regex: '^/new/(.*)$', Replace: '/$1' }] },
            },
          ],
        }),
      )
    ).Rules![0]!;
    expect(rewritten.Transforms).toEqual([
      { Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '^/new/(.*)$', Replace: '/$1' }] } },
    ]);
    expect(rewritten.Conditions?.[0]?.PathPatternConfig?.Values).toEqual(['/new/*']);
    const reset = (await elb.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, ResetTransforms: true })))
      .Rules![0]!;
    expect(reset.Transforms).toBeUndefined();
    expect(changed.Actions?.[0]?.FixedResponseConfig).toMatchObject({
      StatusCode: '503',
      MessageBody: 'down',
    });

    const tgOut = (
      await elb.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: a.TargetGroupArn,
          HealthCheckPath: '/healthz',
          HealthCheckIntervalSeconds: 10,
          Matcher: { HttpCode: '200-299' },
        }),
      )
    ).TargetGroups![0]!;
    expect(tgOut).toMatchObject({
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 10,
      Matcher: { HttpCode: '200-299' },
    });
    await expect(
      elb.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: a.TargetGroupArn, HealthCheckTimeoutSeconds: 20 }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });

    const sgs = await elb.send(
      new SetSecurityGroupsCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        SecurityGroups: ['sg-02', 'sg-03'],
      }),
    );
    expect(sgs.SecurityGroupIds).toEqual(['sg-02', 'sg-03']);
    const subnets = await elb.send(
      new SetSubnetsCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Subnets: ['subnet-0a', 'subnet-0b', 'subnet-0c'],
      }),
    );
    expect(subnets.AvailabilityZones?.map((z) => z.ZoneName)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);

    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }],
      }),
    );
    const attrs = (
      await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
    ).Attributes!;
    expect(attrs).toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
    await expect(
      elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn })),
    ).rejects.toMatchObject({
      name: 'OperationNotPermittedException',
    });
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
    expect(emu.service.counts('us-east-1').rules).toBe(0);
  });

  it('SetRulePriorities swaps priorities atomically and rejects duplicates without changing anything', async () => {
    const lb = await alb('prio');
    const listener = await httpListener(lb.LoadBalancerArn);
    const mk = async (priority: number, path: string) =>
      (
        await elb.send(
          new CreateRuleCommand({
            ListenerArn: listener.ListenerArn,
            Priority: priority,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
            Actions: fixed404,
          }),
        )
      ).Rules![0]!;
    const r1 = await mk(1, '/a');
    const r2 = await mk(2, '/b');
    const r3 = await mk(3, '/c');
    await expect(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 2,
          Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
          Actions: fixed404,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PriorityInUseException' });

    const swapped = await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: r1.RuleArn, Priority: 2 },
          { RuleArn: r2.RuleArn, Priority: 1 },
        ],
      }),
    );
    expect(swapped.Rules?.map((r) => r.Priority)).toEqual(['2', '1']);
    await expect(
      elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: r1.RuleArn, Priority: 50000 },
            { RuleArn: r2.RuleArn, Priority: 3 },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'PriorityInUseException' });
    await expect(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r3.RuleArn, Priority: 50001 }] })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    const after = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, PageSize: 2 }),
    );
    expect(after.Rules?.map((r) => [r.RuleArn, r.Priority])).toEqual([
      [r2.RuleArn, '1'],
      [r1.RuleArn, '2'],
    ]);
    const rest = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, Marker: after.NextMarker }),
    );
    expect(rest.Rules?.map((r) => r.Priority)).toEqual(['3', 'default']);
    expect(rest.NextMarker).toBeUndefined();
  });

  it('tags resources and limits DescribeTags to 20 ARNs', async () => {
    const lb = await alb('tagged');
    const t = await tg('tagged');
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [lb.LoadBalancerArn!, t.TargetGroupArn!],
        Tags: [
          { Key: 'team', Value: 'edge' },
          { Key: 'env', Value: 'test' },
        ],
      }),
    );
    await elb.send(new RemoveTagsCommand({ ResourceArns: [t.TargetGroupArn!], TagKeys: ['env'] }));
    const out = await elb.send(
      new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!, t.TargetGroupArn!] }),
    );
    expect(out.TagDescriptions).toEqual([
      {
        ResourceArn: lb.LoadBalancerArn,
        Tags: [
          { Key: 'team', Value: 'edge' },
          { Key: 'env', Value: 'test' },
        ],
      },
      { ResourceArn: t.TargetGroupArn, Tags: [{ Key: 'team', Value: 'edge' }] },
    ]);
    await expect(
      elb.send(
        new DescribeTagsCommand({ ResourceArns: Array.from({ length: 21 }, () => lb.LoadBalancerArn!) }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elb.send(
        new AddTagsCommand({ ResourceArns: [`${lb.LoadBalancerArn}0`], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    await expect(
      elb.send(
        new AddTagsCommand({
          ResourceArns: [lb.LoadBalancerArn!],
          Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
        }),
      ),
    ).rejects.toMatchObject({ name: 'TooManyTagsException' });
  });

  it('keeps regions apart', async () => {
    const west = createElbv2Client(emu, { region: 'eu-west-1' });
    try {
      const lb = (
        await west.send(new CreateLoadBalancerCommand({ Name: 'same', Subnets: ['subnet-1', 'subnet-2'] }))
      ).LoadBalancers![0]!;
      expect(lb.LoadBalancerArn).toContain(':eu-west-1:');
      expect(lb.AvailabilityZones?.[0]?.ZoneName).toBe('eu-west-1a');
      await alb('same');
      expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toHaveLength(1);
    } finally {
      west.destroy();
    }
  });

  it('runs an NLB with instance targets through provisioning, initial health and draining', async () => {
    const timed = await startElbv2Emulator({ provisioningMs: 150, initialHealthMs: 150, drainingMs: 150 });
    const nlbClient = createElbv2Client(timed);
    try {
      const lb = (
        await nlbClient.send(
          new CreateLoadBalancerCommand({
            Name: 'edge',
            Type: 'network',
            Scheme: 'internal',
            Subnets: ['subnet-1'],
          }),
        )
      ).LoadBalancers![0]!;
      expect(lb).toMatchObject({ Type: 'network', Scheme: 'internal', State: { Code: 'provisioning' } });
      expect(lb.LoadBalancerArn).toContain(':loadbalancer/net/edge/');
      expect(lb.DNSName).toMatch(/^internal-edge-[0-9a-f]{16}\.elb\.us-east-1\.elb\.amazonaws\.com$/);
      expect(lb.SecurityGroups).toBeUndefined();
      const t = (
        await nlbClient.send(
          new CreateTargetGroupCommand({
            Name: 'edge-tcp',
            Protocol: 'TCP',
            Port: 443,
            VpcId: timed.service.vpcId,
          }),
        )
      ).TargetGroups![0]!;
      expect(t).toMatchObject({
        TargetType: 'instance',
        HealthCheckProtocol: 'TCP',
        HealthCheckTimeoutSeconds: 10,
      });
      expect(t.HealthCheckPath).toBeUndefined();
      await nlbClient.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'TCP',
          Port: 443,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: t.TargetGroupArn }],
        }),
      );
      await nlbClient.send(
        new RegisterTargetsCommand({
          TargetGroupArn: t.TargetGroupArn,
          Targets: [{ Id: 'i-0123456789abcdef0' }],
        }),
      );
      const state = async () =>
        (
          await nlbClient.send(new DescribeTargetHealthCommand({ TargetGroupArn: t.TargetGroupArn }))
        ).TargetHealthDescriptions!.map((d) => d.TargetHealth?.State);
      expect(await state()).toEqual(['initial']);
      await new Promise((r) => setTimeout(r, 200));
      expect(await state()).toEqual(['healthy']);
      const [active] = (await nlbClient.send(new DescribeLoadBalancersCommand({ Names: ['edge'] })))
        .LoadBalancers!;
      expect(active?.State?.Code).toBe('active');
      await nlbClient.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: t.TargetGroupArn,
          Targets: [{ Id: 'i-0123456789abcdef0' }],
        }),
      );
      expect(await state()).toEqual(['draining']);
      await new Promise((r) => setTimeout(r, 200));
      expect(await state()).toEqual([]);
    } finally {
      nlbClient.destroy();
      await timed.close();
    }
  });
});
