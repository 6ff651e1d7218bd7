// Trust stores on the ELBv2 emulator, through the real SDK: the CA bundle is read from the S3
// emulator and checked, a listener's MutualAuthentication is checked, and a trust store in use stays.

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTrustStoreCommand,
  DeleteTrustStoreCommand,
  DescribeTrustStoresCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTrustStoreCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CertificatePair,
  certificateAuthority,
  leafCertificate,
} from '#test/conformance/certificates.js';
import { type S3Emulator, startS3Emulator } from '../s3/index.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from './index.js';

const BUCKET = 'bundles';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const fixed404 = [
  { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
];
let s3: S3Emulator;
let emu: Elbv2Emulator;
let elb: ElasticLoadBalancingV2Client;
let ca: CertificatePair;
let leaf: CertificatePair;

beforeAll(async () => {
  ca = certificateAuthority();
  leaf = leafCertificate({ hosts: ['client.example.com'], ca });
  s3 = await startS3Emulator({ buckets: [BUCKET] });
  emu = await startElbv2Emulator({ objects: s3.store });
  elb = createElbv2Client(emu, { maxAttempts: 1 });
});

afterAll(async () => {
  elb?.destroy();
  await emu?.close();
  await s3?.close();
});

beforeEach(() => {
  emu.reset();
  s3.store.put(BUCKET, 'ca.pem', Buffer.from(ca.certPem));
  s3.store.put(BUCKET, 'two.pem', Buffer.from(ca.certPem + ca.certPem));
  s3.store.put(BUCKET, 'leaf.pem', Buffer.from(leaf.certPem));
  s3.store.put(BUCKET, 'key.pem', Buffer.from(ca.certPem + ca.keyPem));
});

const create = (Name: string, key: string) =>
  elb.send(
    new CreateTrustStoreCommand({
      Name,
      CaCertificatesBundleS3Bucket: BUCKET,
      CaCertificatesBundleS3Key: key,
    }),
  );

async function httpsListener() {
  const lb = await elb.send(
    new CreateLoadBalancerCommand({ Name: 'alb', Subnets: ['subnet-0a', 'subnet-0b'] }),
  );
  const l = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT }],
      DefaultActions: fixed404,
    }),
  );
  return l.Listeners![0]!;
}

describe('ELBv2 emulator: trust stores', () => {
  it('creates from an S3 bundle of CA certificates, counts them, and re-points them', async () => {
    const made = await create('clients', 'ca.pem');
    expect(made.TrustStores?.[0]).toMatchObject({
      Name: 'clients',
      Status: 'ACTIVE',
      NumberOfCaCertificates: 1,
    });
    const arn = made.TrustStores![0]!.TrustStoreArn!;
    expect(arn).toMatch(/:truststore\/clients\/[0-9a-f]{16}$/);
    await elb.send(
      new ModifyTrustStoreCommand({
        TrustStoreArn: arn,
        CaCertificatesBundleS3Bucket: BUCKET,
        CaCertificatesBundleS3Key: 'two.pem',
      }),
    );
    const got = await elb.send(new DescribeTrustStoresCommand({ TrustStoreArns: [arn] }));
    expect(got.TrustStores?.[0]?.NumberOfCaCertificates).toBe(2);
    await expect(create('clients', 'ca.pem')).rejects.toMatchObject({ Code: 'DuplicateTrustStoreName' });
  });

  it('refuses a missing object, a missing bucket, a leaf certificate and a bundle with a key in it', async () => {
    await expect(create('a', 'nope.pem')).rejects.toMatchObject({ Code: 'CaCertificatesBundleNotFound' });
    await expect(
      elb.send(
        new CreateTrustStoreCommand({
          Name: 'a',
          CaCertificatesBundleS3Bucket: 'other',
          CaCertificatesBundleS3Key: 'ca.pem',
        }),
      ),
    ).rejects.toMatchObject({ Code: 'CaCertificatesBundleNotFound' });
    await expect(create('a', 'leaf.pem')).rejects.toMatchObject({ Code: 'InvalidCaCertificatesBundle' });
    await expect(create('a', 'key.pem')).rejects.toMatchObject({ Code: 'InvalidCaCertificatesBundle' });
    await expect(elb.send(new DescribeTrustStoresCommand({ Names: ['a'] }))).rejects.toMatchObject({
      Code: 'TrustStoreNotFound',
    });
  });

  it('verifies on HTTPS listeners only, and keeps a trust store a listener uses', async () => {
    const arn = (await create('clients', 'ca.pem')).TrustStores![0]!.TrustStoreArn!;
    const l = await httpsListener();
    expect(l.MutualAuthentication).toEqual({ Mode: 'off' });
    const on = await elb.send(
      new ModifyListenerCommand({
        ListenerArn: l.ListenerArn,
        MutualAuthentication: { Mode: 'verify', TrustStoreArn: arn },
      }),
    );
    expect(on.Listeners?.[0]?.MutualAuthentication).toMatchObject({ Mode: 'verify', TrustStoreArn: arn });
    await expect(elb.send(new DeleteTrustStoreCommand({ TrustStoreArn: arn }))).rejects.toMatchObject({
      Code: 'TrustStoreInUse',
    });
    await expect(
      elb.send(
        new ModifyListenerCommand({ ListenerArn: l.ListenerArn, MutualAuthentication: { Mode: 'verify' } }),
      ),
    ).rejects.toMatchObject({ Code: 'ValidationError' });
    await elb.send(
      new ModifyListenerCommand({ ListenerArn: l.ListenerArn, MutualAuthentication: { Mode: 'off' } }),
    );
    await elb.send(new DeleteTrustStoreCommand({ TrustStoreArn: arn }));
    expect(emu.service.trustStoreNamed('us-east-1', 'clients')).toBeUndefined();

    // Not on an HTTP listener.
    const again = (await create('clients', 'ca.pem')).TrustStores![0]!.TrustStoreArn!;
    await expect(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: l.LoadBalancerArn,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: fixed404,
          MutualAuthentication: { Mode: 'verify', TrustStoreArn: again },
        }),
      ),
    ).rejects.toMatchObject({ Code: 'ValidationError' });
  });
});
