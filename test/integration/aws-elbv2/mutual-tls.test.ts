// ALB mutual TLS end to end: a Gateway with client certificate validation (spec.tls.frontend) →
// a trust store made from the CA bundle (uploaded to the S3 emulator through the real S3 SDK) and the
// HTTPS listener's MutualAuthentication `verify`, on the ELBv2 emulator through the real ELBv2 SDK.

import {
  CreateTrustStoreCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTrustStoresCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Adapter, type Elbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import { lazyCaBundleStore } from '#adapters/aws-elbv2/ca-bundle-store.js';
import { CA_BUNDLE_KEY_PREFIX } from '#adapters/aws-elbv2/internal/trust-store-plan.js';
import type { Elbv2Kinds } from '#adapters/aws-elbv2/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { InvalidConfigError } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { translate } from '#core/translate/translate.js';
import {
  type CertificatePair,
  caConfigMap,
  certificateAuthority,
  selfSignedTlsSecret,
} from '#test/conformance/certificates.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { createS3Client, type S3Emulator, startS3Emulator } from '#test/emulators/s3/index.js';
import { ALB_PARAMETERS, AWS_GATEWAY_CLASS, serviceWithSlice } from './fixtures.js';

const REGION = 'eu-west-1';
const BUCKET = 'portico-ca-bundles';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
let emu: Elbv2Emulator;
let s3: S3Emulator;
let elb: ElasticLoadBalancingV2Client;
let s3Client: S3Client;
let caA: CertificatePair;
let caB: CertificatePair;

interface MtlsOptions {
  /** The CA bundle(s) the ConfigMap holds; none = no frontend validation. */
  cas?: CertificatePair[];
  mode?: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** No trustStoreBucket in the parameters. */
  noBucket?: boolean;
}

function mtlsLb(opts: MtlsOptions = {}): ir.LoadBalancer {
  const { cas = [], mode } = opts;
  const parameters = structuredClone(ALB_PARAMETERS) as typeof ALB_PARAMETERS & {
    spec: { awsElbv2: Record<string, unknown> };
  };
  Object.assign(parameters.spec.awsElbv2, {
    certificateArns: { default: CERT },
    ...(opts.noBucket ? {} : { trustStoreBucket: BUCKET }),
  });
  const ca = cas.length > 0 ? { ...caConfigMap('shop', 'client-ca', cas[0]!) } : undefined;
  if (ca) (ca as { data: Record<string, string> }).data['ca.crt'] = cas.map((c) => c.certPem).join('');
  const manifests = [
    parameters,
    AWS_GATEWAY_CLASS,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        gatewayClassName: 'portico-aws',
        listeners: [
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            tls: { mode: 'Terminate', certificateRefs: [{ name: 'web-tls' }] },
          },
        ],
        ...(ca
          ? {
              tls: {
                frontend: {
                  default: {
                    validation: {
                      caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'client-ca' }],
                      ...(mode ? { mode } : {}),
                    },
                  },
                },
              },
            }
          : {}),
      },
    },
    selfSignedTlsSecret('shop', 'web-tls', ['shop.example.com']),
    ...(ca ? [ca] : []),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'app', port: 80 }] }] },
    },
    ...serviceWithSlice('app', 'shop', 80, 8080, ['10.0.1.1']),
  ];
  const result = translate(manifests, { cluster: 'it' });
  const lb = result.loadBalancers.find((l) => l.provider === 'aws-elbv2');
  if (!lb) throw new Error(`no aws-elbv2 load balancer: ${JSON.stringify(result.notices)}`);
  return lb;
}

function adapter(): Elbv2Adapter {
  return createElbv2Adapter({
    client: elb,
    region: REGION,
    cluster: 'it',
    caBundles: lazyCaBundleStore(async () => {
      const { s3CaBundleStore } = await import('#adapters/aws-elbv2/s3-ca-bundle-store.js');
      return s3CaBundleStore(s3Client);
    }),
  });
}

const KEY = mtlsLb().key;
const reconcile = (a: Elbv2Adapter, lb: ir.LoadBalancer | undefined) =>
  reconcileLoadBalancer<Elbv2Kinds>({ key: KEY, lb, adapter: a, signal: new AbortController().signal });

async function measured<T>(fn: () => Promise<T>) {
  emu.resetStats();
  s3.resetStats();
  const result = await fn();
  const mutating = Object.fromEntries(
    Object.entries(emu.stats().byAction).filter(([a]) => !a.startsWith('Describe')),
  );
  return { result, mutating, s3: s3.stats().byAction };
}

async function theListener() {
  const lbs = await elb.send(new DescribeLoadBalancersCommand({}));
  const arn = lbs.LoadBalancers?.[0]?.LoadBalancerArn;
  const ls = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }));
  expect(ls.Listeners).toHaveLength(1);
  return ls.Listeners![0]!;
}

function trustStoreName(lb: ir.LoadBalancer): string {
  const r = adapter()
    .render(lb)
    .resources.find((x) => x.kind === 'trust-store');
  if (r?.kind !== 'trust-store') throw new Error('no trust store rendered');
  return r.value.name;
}

beforeAll(async () => {
  caA = certificateAuthority();
  caB = certificateAuthority();
  s3 = await startS3Emulator({ buckets: [BUCKET] });
  emu = await startElbv2Emulator({ vpcId: 'vpc-0123456789abcdef0', objects: s3.store });
  elb = createElbv2Client(emu, { region: REGION });
  s3Client = createS3Client(s3, { region: REGION });
});

afterAll(async () => {
  elb?.destroy();
  s3Client?.destroy();
  await emu?.close();
  await s3?.close();
});

beforeEach(() => emu.reset());

describe('aws-elbv2 mutual TLS on the emulators', () => {
  it('creates the trust store and verify mode, converges, follows a CA change, and turns it off', async () => {
    const a = adapter();
    const lb = mtlsLb({ cas: [caA] });
    const name = trustStoreName(lb);
    expect(name.length).toBeLessThanOrEqual(32);

    const create = await measured(() => reconcile(a, lb));
    expect(create.result.plan.conflicts).toEqual([]);
    expect(create.result.status.programmed).toBe(true);
    expect(create.s3).toEqual({ PutObject: 1 });
    expect(create.mutating.CreateTrustStore).toBe(1);
    const store = emu.service.trustStoreNamed(REGION, name);
    expect(store?.bundle.bucket).toBe(BUCKET);
    expect(store?.bundle.key).toMatch(new RegExp(`^${CA_BUNDLE_KEY_PREFIX}[0-9a-f]{64}\\.pem$`));
    expect(store?.caCertificates).toBe(1);
    expect(s3.store.get(BUCKET, store!.bundle.key)?.toString()).toBe(caA.certPem);
    const listener = await theListener();
    expect(listener.MutualAuthentication).toEqual({
      Mode: 'verify',
      TrustStoreArn: store?.arn,
      IgnoreClientCertificateExpiry: false,
      AdvertiseTrustStoreCaNames: 'off',
    });

    const noop = await measured(() => reconcile(a, lb));
    expect(noop.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(noop.mutating).toEqual({});
    expect(noop.s3).toEqual({});

    // Another CA in the bundle: a new object, the same trust store re-pointed at it; the listener stays.
    const both = mtlsLb({ cas: [caA, caB] });
    const changed = await measured(() => reconcile(a, both));
    expect(changed.mutating).toEqual({ ModifyTrustStore: 1, AddTags: 1 });
    expect(changed.s3).toEqual({ PutObject: 1 });
    expect(emu.service.trustStoreNamed(REGION, name)?.caCertificates).toBe(2);
    expect(emu.service.trustStoreNamed(REGION, name)?.arn).toBe(store?.arn);
    expect((await measured(() => reconcile(a, both))).mutating).toEqual({});

    // Validation removed: the listener's mutual TLS goes off first, then the trust store.
    const off = await measured(() => reconcile(a, mtlsLb()));
    expect(off.mutating).toEqual({ ModifyListener: 1, DeleteTrustStore: 1 });
    expect((await theListener()).MutualAuthentication).toEqual({ Mode: 'off' });
    expect(emu.service.trustStoreNamed(REGION, name)).toBeUndefined();
    expect((await measured(() => reconcile(a, mtlsLb()))).mutating).toEqual({});

    // And back on, then the whole load balancer deleted: the trust store goes with it.
    await reconcile(a, lb);
    expect(emu.service.trustStoreNamed(REGION, name)).toBeDefined();
    await reconcile(a, undefined);
    expect(emu.service.trustStoreNamed(REGION, name)).toBeUndefined();
    expect(emu.service.counts(REGION).loadBalancers).toBe(0);
  });

  it('never touches an unowned trust store with the name render uses', async () => {
    const lb = mtlsLb({ cas: [caA] });
    const name = trustStoreName(lb);
    s3.store.put(BUCKET, 'theirs.pem', Buffer.from(caB.certPem));
    const made = await elb.send(
      new CreateTrustStoreCommand({
        Name: name,
        CaCertificatesBundleS3Bucket: BUCKET,
        CaCertificatesBundleS3Key: 'theirs.pem',
        Tags: [{ Key: 'team', Value: 'someone-else' }],
      }),
    );
    const arn = made.TrustStores?.[0]?.TrustStoreArn ?? '';
    const a = adapter();
    const out = await reconcile(a, lb);
    expect(out.plan.conflicts.map((x) => x.address)).toContain(`aws-elbv2/trust-store/${name}`);
    expect(out.status.programmed).toBe(false);
    const untouched = async () => {
      const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
      expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: 'team', Value: 'someone-else' }]);
      expect(emu.service.trustStoreNamed(REGION, name)?.bundle.key).toBe('theirs.pem');
    };
    await untouched();
    await reconcile(a, mtlsLb());
    await reconcile(a, undefined);
    await untouched();
    const left = await elb.send(new DescribeTrustStoresCommand({ Names: [name] }));
    expect(left.TrustStores?.map((t) => t.TrustStoreArn)).toEqual([arn]);
  });

  it('fails the apply with a configuration error when the bucket does not exist, and creates nothing of mTLS', async () => {
    const lb = mtlsLb({ cas: [caA] });
    const params = lb.providerParameters as Record<string, unknown>;
    const elsewhere = { ...lb, providerParameters: { ...params, trustStoreBucket: 'no-such-bucket' } };
    const err = await reconcile(adapter(), elsewhere).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect(String((err as Error).message)).toMatch(/NoSuchBucket/);
    expect(emu.service.trustStoreNamed(REGION, trustStoreName(lb))).toBeUndefined();
  });

  it('leaves the listener out, with a notice, without a bucket or for AllowInsecureFallback', () => {
    const a = adapter();
    const noBucket = a.render(mtlsLb({ cas: [caA], noBucket: true }));
    expect(noBucket.resources.filter((r) => r.kind === 'listener' || r.kind === 'trust-store')).toEqual([]);
    expect(noBucket.notices).toContainEqual(
      expect.objectContaining({ field: 'awsElbv2.trustStoreBucket', severity: 'error' }),
    );
    const fallback = a.render(mtlsLb({ cas: [caA], mode: 'AllowInsecureFallback' }));
    expect(fallback.resources.filter((r) => r.kind === 'listener')).toEqual([]);
    expect(fallback.notices.map((n) => n.feature)).toContain(
      'listener/client-validation/AllowInsecureFallback',
    );
  });
});
