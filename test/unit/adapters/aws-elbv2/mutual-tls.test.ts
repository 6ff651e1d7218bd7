// ALB mutual TLS, the pure parts: the bucket parameter, the CA bundle check, and the listener diff
// (a passthrough someone else set is turned back to verify). End to end: test/integration/aws-elbv2/mutual-tls.test.ts.

import { describe, expect, it } from 'vitest';
import { elbv2DiffSpec, elbv2References } from '#adapters/aws-elbv2/diff-spec.js';
import { caBundleProblem } from '#adapters/aws-elbv2/internal/trust-store-plan.js';
import type { ListenerValue } from '#adapters/aws-elbv2/model.js';
import { awsElbv2Parameters } from '#adapters/aws-elbv2/parameters.js';
import { DEFAULT_PARAMETERS } from '#test/support/loose-ir.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBhzCCAS2gAwIBAgIU\n-----END CERTIFICATE-----\n';

describe('ALB mutual TLS (pure)', () => {
  it('takes S3 bucket names only as trustStoreBucket', () => {
    for (const ok of ['ca-bundles', 'my.bundles.bucket', 'a1b'])
      expect(awsElbv2Parameters.safeParse({ ...DEFAULT_PARAMETERS, trustStoreBucket: ok }).success).toBe(
        true,
      );
    for (const bad of ['Ca', 'ab', '-ab', 'a..b', '192.168.1.1', 'xn--abc', 'a_b', 'x'.repeat(64)])
      expect(
        awsElbv2Parameters.safeParse({ ...DEFAULT_PARAMETERS, trustStoreBucket: bad }).success,
        bad,
      ).toBe(false);
  });

  it('accepts a bundle of PEM certificates only, at most 25', () => {
    expect(caBundleProblem(CERT)).toBeUndefined();
    expect(caBundleProblem(CERT + CERT)).toBeUndefined();
    expect(caBundleProblem('')).toMatch(/no PEM certificate/);
    expect(caBundleProblem(`${CERT}-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n`)).toMatch(
      /something other than PEM certificates/,
    );
    expect(caBundleProblem(CERT.repeat(26))).toMatch(/at most 25/);
  });

  it('updates a listener in place when its mutual TLS differs, and orders it after its trust store', () => {
    const v: ListenerValue = {
      loadBalancer: 'k8s-shop-web-abc',
      port: 443,
      protocol: 'HTTPS',
      certificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/x'],
      mutualAuthentication: {
        mode: 'verify',
        trustStore: 'k8s-shop-web-443-abc',
        ignoreClientCertificateExpiry: false,
      },
      defaultAction: {
        type: 'fixed-response',
        statusCode: '404',
        contentType: 'text/plain',
        messageBody: '',
      },
      tags: {},
    };
    const address = 'aws-elbv2/listener/k8s-shop-web-abc/443';
    const { mutualAuthentication: _, ...off } = v;
    for (const observed of [{ ...v, mutualAuthentication: { mode: 'passthrough' as const } }, off])
      expect(elbv2DiffSpec.compare({ kind: 'listener', address, desired: v, observed })).toMatchObject({
        equal: false,
        replace: false,
      });
    expect(elbv2DiffSpec.compare({ kind: 'listener', address, desired: v, observed: v })).toEqual({
      equal: true,
    });
    expect(elbv2References({ address, kind: 'listener', value: v })).toContain(
      'aws-elbv2/trust-store/k8s-shop-web-443-abc',
    );
  });
});
