import { request } from 'node:http';
import {
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from './index.js';

let emu: Elbv2Emulator;
const clients: ElasticLoadBalancingV2Client[] = [];
const client = (maxAttempts: number) => {
  const c = createElbv2Client(emu, { maxAttempts });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  emu = await startElbv2Emulator({ seed: 42 });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

async function tgArn(elb: ElasticLoadBalancingV2Client): Promise<string> {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: 'faulty',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: emu.service.vpcId,
      TargetType: 'ip',
    }),
  );
  return out.TargetGroups![0]!.TargetGroupArn!;
}

describe('ELBv2 emulator: fault injection and call counting', () => {
  it('throttles with token buckets per action pattern; the SDK standard retry recovers', async () => {
    const elb = client(8);
    const arn = await tgArn(elb);
    emu.setFaults({
      throttle: [{ pattern: '^RegisterTargets|^DeregisterTargets', ratePerSecond: 20, burst: 2 }],
    });
    emu.resetStats();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: `10.1.0.${i + 1}` }] })),
      ),
    );
    const stats = emu.stats();
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.throttledByAction.RegisterTargets).toBe(stats.throttled);
    expect(stats.byAction.RegisterTargets).toBe(6 + stats.throttled);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Describe calls are not in the bucket.
    await elb.send(new DescribeTargetGroupsCommand({}));
    expect(emu.stats().throttledByAction.DescribeTargetGroups).toBeUndefined();
  });

  it('answers 400 Throttling "Rate exceeded" when retries are exhausted', async () => {
    const elb = client(1);
    emu.setFaults({ throttle: [{ pattern: /^Describe/, ratePerSecond: 0.001, burst: 1 }] });
    await elb.send(new DescribeLoadBalancersCommand({}));
    await expect(elb.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    emu.setFaults({ throttleProbability: { pattern: '^Describe', probability: 1 } });
    await expect(elb.send(new DescribeTargetGroupsCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
  });

  it('injects 5xx at a rate; the SDK retries them', async () => {
    const once = client(1);
    emu.setFaults({ serverErrors: { probability: 1, code: 'ServiceUnavailable' } });
    await expect(once.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
      $fault: 'server',
    });
    emu.setFaults({ serverErrors: { probability: 1, code: 'InternalFailure' } });
    await expect(once.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    emu.setFaults({ serverErrors: { probability: 0.5 } });
    emu.resetStats();
    const retrying = client(10);
    for (let i = 0; i < 5; i++) await retrying.send(new DescribeLoadBalancersCommand({}));
    const stats = emu.stats();
    expect(stats.injected).toBeGreaterThan(0);
    expect(stats.byAction.DescribeLoadBalancers).toBe(5 + stats.injected);
  });

  it('fails scripted calls and adds latency', async () => {
    const elb = client(1);
    emu.failNext({ pattern: '^CreateTargetGroup$', code: 'TooManyTargetGroups', count: 1 });
    await expect(tgArn(elb)).rejects.toMatchObject({ name: 'TooManyTargetGroupsException' });
    await tgArn(elb);
    emu.setFaults({ latency: { ms: 150 } });
    const t0 = performance.now();
    await elb.send(new DescribeLoadBalancersCommand({}));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('counts mutating and read calls per action and logs them', async () => {
    const elb = client(1);
    await tgArn(elb);
    await elb.send(new DescribeTargetGroupsCommand({}));
    await elb.send(new DescribeTargetGroupsCommand({ Names: ['faulty'] }));
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['missing'] }))).rejects.toMatchObject({
      name: 'LoadBalancerNotFoundException',
    });
    expect(emu.stats()).toMatchObject({
      total: 4,
      mutating: 1,
      read: 3,
      errors: 1,
      byAction: { CreateTargetGroup: 1, DescribeTargetGroups: 2, DescribeLoadBalancers: 1 },
    });
    expect(emu.calls.at(-1)).toMatchObject({
      action: 'DescribeLoadBalancers',
      region: 'us-east-1',
      status: 400,
      code: 'LoadBalancerNotFound',
    });
  });

  it('requires a SigV4 Authorization header', async () => {
    const url = new URL(emu.endpoint);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end('Action=DescribeLoadBalancers&Version=2015-12-01');
    });
    expect(status).toBe(403);
    expect(body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(emu.stats().total).toBe(0);
  });
});
