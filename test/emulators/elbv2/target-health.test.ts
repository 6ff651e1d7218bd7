// The emulator's simulated target health through the real SDK: `unused` while no load balancer
// forwards to the group (probes start when one does), initial → healthy after HealthyThresholdCount
// probes, unhealthy with the protocol's reason code, draining for the group's deregistration delay.

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from './index.js';

let emu: Elbv2Emulator;
let elb: ElasticLoadBalancingV2Client;
let now = Date.parse('2030-01-01T00:00:00Z');
const advance = (seconds: number) => {
  now += seconds * 1000;
};

beforeAll(async () => {
  emu = await startElbv2Emulator({ healthChecks: 'simulated', now: () => now });
  elb = createElbv2Client(emu);
});

afterAll(async () => {
  elb.destroy();
  await emu.close();
});

beforeEach(() => emu.reset());

/** A TCP target group (interval 10 s, 3 probes to healthy, 3 to unhealthy) with one target. */
async function targetGroup(): Promise<string> {
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: 'tcp',
        Protocol: 'TCP',
        Port: 443,
        VpcId: emu.service.vpcId,
        TargetType: 'ip',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 3,
      }),
    )
  ).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.1', Port: 8443 }] }),
  );
  return tg;
}

async function forwardFrom(tg: string): Promise<void> {
  const lb = (
    await elb.send(new CreateLoadBalancerCommand({ Name: 'edge', Type: 'network', Subnets: ['subnet-1'] }))
  ).LoadBalancers![0]!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
    }),
  );
}

async function health(tg: string) {
  const d = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg })))
    .TargetHealthDescriptions!;
  return d.map((x) => ({ id: x.Target?.Id, ...x.TargetHealth }));
}

describe('simulated ELBv2 target health', () => {
  it('is unused until a load balancer forwards to the group, and probes start only then', async () => {
    const tg = await targetGroup();
    advance(600);
    expect(await health(tg)).toEqual([
      {
        id: '10.0.0.1',
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      },
    ]);
    await forwardFrom(tg);
    expect((await health(tg))[0]).toMatchObject({ State: 'initial', Reason: 'Elb.InitialHealthChecking' });
    advance(29);
    expect((await health(tg))[0]?.State).toBe('initial');
    advance(1);
    expect(await health(tg)).toEqual([{ id: '10.0.0.1', State: 'healthy' }]);
  });

  it('turns a failing target unhealthy with the protocol’s reason, or the one the test names', async () => {
    const tg = await targetGroup();
    await forwardFrom(tg);
    advance(30);
    emu.service.failHealthChecks('10.0.0.1', { port: 8443 });
    advance(20);
    expect((await health(tg))[0]?.State).toBe('healthy');
    advance(10);
    expect((await health(tg))[0]).toEqual({
      id: '10.0.0.1',
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
    });
    // Failing on another port is another backend: this one passes again.
    emu.service.passHealthChecks('10.0.0.1', 8443);
    emu.service.failHealthChecks('10.0.0.1', { port: 9999, reason: 'Target.Timeout' });
    advance(30);
    expect((await health(tg))[0]?.State).toBe('healthy');
    emu.service.failHealthChecks('10.0.0.1', { reason: 'Target.Timeout' });
    advance(30);
    expect((await health(tg))[0]).toMatchObject({ State: 'unhealthy', Reason: 'Target.Timeout' });
  });

  it('drains a deregistered target for the group’s deregistration delay; registering it again starts over', async () => {
    const tg = await targetGroup();
    await forwardFrom(tg);
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
    );
    advance(30);
    await elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.1', Port: 8443 }] }),
    );
    advance(29);
    expect((await health(tg))[0]).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
    });
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.1', Port: 8443 }] }),
    );
    expect((await health(tg))[0]).toMatchObject({ State: 'initial' });
    await elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.1', Port: 8443 }] }),
    );
    advance(30);
    expect(await health(tg)).toEqual([]);
  });
});
