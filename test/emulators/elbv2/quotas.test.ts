import {
  type Action,
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type ProtocolEnum,
  RegisterTargetsCommand,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from './index.js';

// Defaults are AWS's; a few are lowered so that a test reaches them in a handful of calls.
let emu: Elbv2Emulator;
let elb: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  emu = await startElbv2Emulator({
    limits: {
      loadBalancersPerRegion: 3,
      rulesPerLoadBalancer: 3,
      listenersPerLoadBalancer: 2,
      targetGroupsPerRegion: 8,
      targetGroupsPerLoadBalancer: 6,
      targetsPerTargetGroup: 4,
      certificatesPerListener: 2,
    },
  });
  elb = createElbv2Client(emu);
});
afterAll(async () => {
  elb.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200' } }];
const path = (p: string): RuleCondition[] => [{ Field: 'path-pattern', PathPatternConfig: { Values: [p] } }];

async function setup(type: 'application' | 'network' = 'application') {
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({ Name: `q-${type}`, Type: type, Subnets: ['subnet-1', 'subnet-2'] }),
    )
  ).LoadBalancers![0]!;
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: 80,
        Protocol: type === 'application' ? 'HTTP' : 'TCP',
        DefaultActions:
          type === 'application'
            ? fixed
            : [{ Type: 'forward', TargetGroupArn: (await tg('nlb-default', 'TCP')).TargetGroupArn }],
      }),
    )
  ).Listeners![0]!;
  return { lb, listener };
}

async function tg(name: string, protocol: ProtocolEnum = 'HTTP') {
  return (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: protocol,
        Port: 80,
        VpcId: emu.service.vpcId,
        TargetType: 'ip',
      }),
    )
  ).TargetGroups![0]!;
}

const rejects = (p: Promise<unknown>, name: string) =>
  expect(p).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });

describe('ELBv2 emulator: validation and quotas', () => {
  it('validates load balancer and target group names', async () => {
    const subnets = ['subnet-1', 'subnet-2'];
    for (const Name of ['a'.repeat(33), '-lead', 'trail-', 'under_score', 'internal-lb']) {
      await rejects(elb.send(new CreateLoadBalancerCommand({ Name, Subnets: subnets })), 'ValidationError');
    }
    await elb.send(new CreateLoadBalancerCommand({ Name: 'a'.repeat(32), Subnets: subnets }));
    await elb.send(new CreateLoadBalancerCommand({ Name: 'dup', Subnets: subnets }));
    await rejects(
      elb.send(new CreateLoadBalancerCommand({ Name: 'dup', Subnets: ['subnet-1', 'subnet-3'] })),
      'DuplicateLoadBalancerNameException',
    );
    await rejects(
      elb.send(new CreateLoadBalancerCommand({ Name: 'one-subnet', Subnets: ['subnet-1'] })),
      'InvalidConfigurationRequestException',
    );
    await elb.send(new CreateLoadBalancerCommand({ Name: 'third', Subnets: subnets }));
    await rejects(
      elb.send(new CreateLoadBalancerCommand({ Name: 'fourth', Subnets: subnets })),
      'TooManyLoadBalancersException',
    );
    await rejects(
      elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['not-an-arn'] })),
      'ValidationError',
    );
    await tg('tg-1');
    await rejects(
      elb.send(
        new CreateTargetGroupCommand({ Name: 'tg-1', Protocol: 'HTTP', Port: 81, VpcId: emu.service.vpcId }),
      ),
      'DuplicateTargetGroupNameException',
    );
    await rejects(
      elb.send(
        new CreateTargetGroupCommand({
          Name: 'bad_name',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: emu.service.vpcId,
        }),
      ),
      'ValidationError',
    );
    await rejects(
      elb.send(new CreateTargetGroupCommand({ Name: 'no-port', Protocol: 'HTTP', VpcId: emu.service.vpcId })),
      'ValidationError',
    );
  });

  it('enforces listener quotas: DuplicateListener, TooManyListeners, TooManyCertificates, protocol checks', async () => {
    const { lb } = await setup();
    await rejects(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 80,
          Protocol: 'HTTPS',
          DefaultActions: fixed,
        }),
      ),
      'ValidationError', // HTTPS without a certificate
    );
    const cert = (n: number) => ({ CertificateArn: `arn:aws:acm:us-east-1:123456789012:certificate/c${n}` });
    await rejects(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 80,
          Protocol: 'HTTPS',
          Certificates: [cert(1)],
          DefaultActions: fixed,
        }),
      ),
      'DuplicateListenerException',
    );
    await rejects(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 81,
          Protocol: 'TCP',
          DefaultActions: fixed,
        }),
      ),
      'InvalidConfigurationRequestException',
    );
    const https = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 443,
          Protocol: 'HTTPS',
          Certificates: [cert(1)],
          DefaultActions: fixed,
        }),
      )
    ).Listeners![0]!;
    await rejects(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 8080,
          Protocol: 'HTTP',
          DefaultActions: fixed,
        }),
      ),
      'TooManyListenersException',
    );
    await elb.send(
      new AddListenerCertificatesCommand({
        ListenerArn: https.ListenerArn,
        Certificates: [cert(2), cert(3)],
      }),
    );
    await rejects(
      elb.send(
        new AddListenerCertificatesCommand({ ListenerArn: https.ListenerArn, Certificates: [cert(4)] }),
      ),
      'TooManyCertificatesException',
    );
    await rejects(
      elb.send(
        new ModifyListenerCommand({ ListenerArn: https.ListenerArn, Certificates: [cert(5), cert(6)] }),
      ),
      'TooManyCertificatesException',
    );
    await rejects(
      elb.send(new ModifyListenerCommand({ ListenerArn: `${https.ListenerArn}0` })),
      'ListenerNotFoundException',
    );
  });

  it('enforces rule quotas: TooManyRules, priority range, PriorityInUse, conditions and actions', async () => {
    const { listener } = await setup();
    const create = (Priority: number, Conditions: RuleCondition[], Actions: Action[] = fixed) =>
      elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority, Conditions, Actions }));
    await rejects(create(0, path('/a')), 'ValidationError');
    await rejects(create(50001, path('/a')), 'ValidationError');
    await rejects(create(1, []), 'ValidationError');
    // Condition values: at most 3 per condition, 5 per rule, one host-header condition.
    await rejects(
      create(1, [{ Field: 'path-pattern', Values: ['/1', '/2', '/3', '/4'] }]),
      'ValidationError',
    );
    await rejects(
      create(1, [
        { Field: 'path-pattern', Values: ['/1', '/2', '/3'] },
        { Field: 'host-header', Values: ['a.example.com', 'b.example.com', 'c.example.com'] },
      ]),
      'ValidationError',
    );
    await rejects(
      create(1, [
        { Field: 'host-header', Values: ['a.example.com'] },
        { Field: 'host-header', Values: ['b.example.com'] },
      ]),
      'ValidationError',
    );
    await rejects(
      create(1, [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/33'] } }]),
      'ValidationError',
    );
    await rejects(create(1, [{ Field: 'cookie', Values: ['x'] }]), 'ValidationError');
    await rejects(create(1, [{ Field: 'path-pattern', Values: [`/${'x'.repeat(128)}`] }]), 'ValidationError');
    // Actions: exactly one terminal action, at most 5 actions, at most 5 target groups per forward.
    await rejects(create(1, path('/a'), [...fixed, ...fixed]), 'InvalidLoadBalancerActionException');
    const tgs = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => tg(`fwd-${i}`)));
    await rejects(
      create(1, path('/a'), [
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: tgs.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: 1 })) },
        },
      ]),
      'ValidationError',
    );
    const six = Array.from({ length: 6 }, (_, i) => ({
      Type: 'authenticate-oidc' as const,
      Order: i + 1,
      AuthenticateOidcConfig: {
        Issuer: 'i',
        AuthorizationEndpoint: 'a',
        TokenEndpoint: 't',
        UserInfoEndpoint: 'u',
        ClientId: 'c',
      },
    }));
    await rejects(create(1, path('/a'), six), 'TooManyActionsException');
    await rejects(
      create(1, path('/a'), [
        { Type: 'forward', TargetGroupArn: tgs[0]!.TargetGroupArn!.replace(/.$/, 'x') },
      ]),
      'TargetGroupNotFoundException',
    );
    await rejects(
      create(1, path('/a'), [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }]),
      'InvalidLoadBalancerActionException',
    );

    await create(1, path('/a'));
    await rejects(create(1, path('/b')), 'PriorityInUseException');
    await create(2, path('/b'));
    await create(50000, path('/c'));
    await rejects(create(3, path('/d')), 'TooManyRulesException');
  });

  it('enforces target group quotas: TooManyTargetGroups, unique TGs per LB, association and protocol', async () => {
    const { lb, listener } = await setup();
    const created = [];
    for (let i = 0; i < 8; i++) created.push(await tg(`g-${i}`));
    await rejects(
      elb.send(
        new CreateTargetGroupCommand({ Name: 'g-9', Protocol: 'HTTP', Port: 80, VpcId: emu.service.vpcId }),
      ),
      'TooManyTargetGroupsException',
    );
    await rejects(
      elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })),
      'TargetGroupNotFoundException',
    );
    // Up to 6 unique target groups per LB here: 2 rules with 3 TGs each fit, a 7th does not.
    const fwd = (arns: string[]): Action[] => [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: arns.map((TargetGroupArn) => ({ TargetGroupArn, Weight: 1 })) },
      },
    ];
    const arns = created.map((t) => t.TargetGroupArn!);
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: path('/1'),
        Actions: fwd(arns.slice(0, 3)),
      }),
    );
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 2,
        Conditions: path('/2'),
        Actions: fwd(arns.slice(3, 6)),
      }),
    );
    await rejects(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 3,
          Conditions: path('/3'),
          Actions: fwd([arns[6]!]),
        }),
      ),
      'TooManyUniqueTargetGroupsPerLoadBalancerException',
    );
    // A target group serves one load balancer only.
    const other = (
      await elb.send(new CreateLoadBalancerCommand({ Name: 'other', Subnets: ['subnet-1', 'subnet-2'] }))
    ).LoadBalancers![0]!;
    await rejects(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: other.LoadBalancerArn,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: fwd([arns[0]!]),
        }),
      ),
      'TargetGroupAssociationLimitException',
    );
    expect(lb.LoadBalancerArn).not.toBe(other.LoadBalancerArn);
  });

  it('rejects ALB/NLB protocol mismatches', async () => {
    emu.reset();
    const { listener } = await setup('network');
    const httpTg = await tg('http-tg');
    await rejects(
      elb.send(
        new ModifyListenerCommand({
          ListenerArn: listener.ListenerArn,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: httpTg.TargetGroupArn }],
        }),
      ),
      'InvalidConfigurationRequestException',
    );
    await rejects(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 1,
          Conditions: path('/'),
          Actions: fixed,
        }),
      ),
      'InvalidConfigurationRequestException',
    );
    await rejects(
      elb.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, DefaultActions: fixed })),
      'InvalidLoadBalancerActionException',
    );
  });

  it('enforces TooManyTargets and target validity', async () => {
    const t = await tg('targets');
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: t.TargetGroupArn,
        Targets: [1, 2, 3].map((i) => ({ Id: `10.0.0.${i}` })),
      }),
    );
    // Re-registering is idempotent.
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: t.TargetGroupArn,
        Targets: [{ Id: '10.0.0.1' }, { Id: '10.0.0.4' }],
      }),
    );
    await rejects(
      elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: t.TargetGroupArn, Targets: [{ Id: '10.0.0.5' }] }),
      ),
      'TooManyTargetsException',
    );
    await rejects(
      elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: t.TargetGroupArn,
          Targets: [{ Id: 'i-0123456789abcdef0' }],
        }),
      ),
      'InvalidTargetException',
    );
    await rejects(
      elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: `${t.TargetGroupArn}0`, Targets: [{ Id: '10.0.0.9' }] }),
      ),
      'TargetGroupNotFoundException',
    );
  });
});
