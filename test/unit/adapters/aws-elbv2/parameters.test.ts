import { describe, expect, it } from 'vitest';
import {
  awsElbv2Parameters,
  CERTIFICATE_ARN_PATTERN,
  loadBalancerAttributes,
} from '#adapters/aws-elbv2/parameters.js';
import { renderElbv2 } from '#adapters/aws-elbv2/render.js';
import { DEFAULT_PARAMETERS, withDefaults } from '#test/support/loose-ir.js';

describe('awsElbv2 parameters', () => {
  it('fills defaults', () => {
    const p = awsElbv2Parameters.parse(DEFAULT_PARAMETERS);
    expect(p).toMatchObject({
      ipAddressType: 'ipv4',
      targetType: 'ip',
      deletionProtection: false,
      securityGroups: [],
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArns: { byHostname: {} },
    });
    expect(loadBalancerAttributes(p, 'application')).toEqual({ 'deletion_protection.enabled': 'false' });
  });

  it('accepts ACM and IAM certificate ARNs only', () => {
    for (const ok of [
      'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000',
      'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc',
      'arn:aws:iam::123456789012:server-certificate/path/name',
    ])
      expect(ok).toMatch(CERTIFICATE_ARN_PATTERN);
    for (const bad of ['arn:aws:s3:::bucket', 'arn:aws:acm:eu-west-1:12345:certificate/x', 'certificate/x'])
      expect(bad).not.toMatch(CERTIFICATE_ARN_PATTERN);
  });

  it('sets the idle timeout on ALBs only', () => {
    const p = awsElbv2Parameters.parse({
      ...DEFAULT_PARAMETERS,
      idleTimeoutSeconds: 30,
      deletionProtection: true,
    });
    expect(loadBalancerAttributes(p, 'application')).toEqual({
      'deletion_protection.enabled': 'true',
      'idle_timeout.timeout_seconds': '30',
    });
    expect(loadBalancerAttributes(p, 'network')).toEqual({ 'deletion_protection.enabled': 'true' });
  });

  it('rejects duplicate subnets, too many tags and reserved tag keys', () => {
    const tags = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v']));
    const r = awsElbv2Parameters.safeParse({
      ...DEFAULT_PARAMETERS,
      subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0aaaaaaaaaaaaaaaa'],
      tags: { ...tags, 'AWS:x': 'y' },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['subnets.1', 'tags', 'tags.AWS:x']));
  });

  it('renders nothing when the section is missing or invalid', () => {
    const lb = withDefaults({
      providerParameters: {},
      listeners: [{ port: 80, protocol: 'HTTP', routes: [] }],
    });
    const { resources, notices } = renderElbv2(lb);
    expect(resources).toEqual([]);
    expect(notices.map((n) => n.field)).toEqual(['awsElbv2.vpcId', 'awsElbv2.subnets']);
    expect(notices.every((n) => n.listener === undefined && n.severity === 'error')).toBe(true);
  });
});
