// Trust stores (ALB mutual TLS): created from a PEM bundle of CA certificates read from S3 (the S3
// emulator's ObjectStore), described, re-pointed at another bundle, deleted unless a listener uses
// them. service.ts holds them per region and checks a listener's MutualAuthentication against them.

import { randomBytes, X509Certificate } from 'node:crypto';
import { ElbError, type QueryObject, str, strList, validation } from './protocol.js';

/** Where CreateTrustStore and ModifyTrustStore read CA bundles from (test/emulators/s3 ObjectStore). */
export interface ObjectSource {
  hasBucket(bucket: string): boolean;
  get(bucket: string, key: string): Buffer | undefined;
}

export interface TrustStore {
  arn: string;
  name: string;
  caCertificates: number;
  bundle: { bucket: string; key: string };
  tags: Map<string, string>;
}

export interface MutualAuthentication {
  Mode: 'off' | 'passthrough' | 'verify';
  TrustStoreArn?: string;
  IgnoreClientCertificateExpiry?: boolean;
  AdvertiseTrustStoreCaNames?: 'on' | 'off';
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

/** The number of CA certificates in a PEM bundle; InvalidCaCertificatesBundle unless it is only certificates. */
export function countCaCertificates(pem: string, max: number): number {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const rest = pem.replace(PEM_BLOCK, '').trim();
  const invalid = (why: string) =>
    new ElbError('InvalidCaCertificatesBundle', `The CA certificates bundle is not valid: ${why}`);
  if (blocks.length === 0) throw invalid('no PEM certificate found');
  if (rest !== '') throw invalid('it holds something other than PEM certificates');
  for (const b of blocks) {
    try {
      const cert = new X509Certificate(`-----BEGIN CERTIFICATE-----\n${b[1]}-----END CERTIFICATE-----\n`);
      if (!cert.ca) throw invalid(`'${cert.subject.replace(/\n/g, ', ')}' is not a CA certificate`);
    } catch (err) {
      if (err instanceof ElbError) throw err;
      throw invalid('a certificate does not parse');
    }
  }
  if (blocks.length > max)
    throw new ElbError(
      'TooManyTrustStoreCaCertificates',
      `A trust store holds at most ${max} CA certificates`,
    );
  return blocks.length;
}

/** The CA bundle named by `CaCertificatesBundleS3Bucket`/`Key`, validated. */
export function readBundle(
  objects: ObjectSource | undefined,
  p: QueryObject,
  max: number,
): { bucket: string; key: string; count: number } {
  const bucket = str(p.CaCertificatesBundleS3Bucket);
  const key = str(p.CaCertificatesBundleS3Key);
  if (!bucket || !key)
    throw validation('CaCertificatesBundleS3Bucket and CaCertificatesBundleS3Key are required');
  const body = objects?.hasBucket(bucket) ? objects.get(bucket, key) : undefined;
  if (!body)
    throw new ElbError(
      'CaCertificatesBundleNotFound',
      `The specified CA certificates bundle does not exist: s3://${bucket}/${key}`,
    );
  return { bucket, key, count: countCaCertificates(body.toString('utf8'), max) };
}

export function trustStoreOut(t: TrustStore): unknown {
  return {
    Name: t.name,
    TrustStoreArn: t.arn,
    Status: 'ACTIVE',
    NumberOfCaCertificates: t.caCertificates,
    TotalRevokedEntries: 0,
  };
}

/** A listener's `MutualAuthentication` parameter, validated against its load balancer and protocol. */
export function mutualAuthenticationFrom(
  raw: QueryObject,
  lbType: 'application' | 'network',
  protocol: string,
  trustStore: (arn: string) => TrustStore,
): MutualAuthentication {
  const mode = str(raw.Mode) ?? 'off';
  if (mode !== 'off' && mode !== 'passthrough' && mode !== 'verify')
    throw validation(`Mutual authentication mode '${mode}' is not valid: off, passthrough or verify`);
  if (mode !== 'off' && (lbType !== 'application' || protocol !== 'HTTPS'))
    throw validation(
      'Mutual authentication is supported only on HTTPS listeners of Application Load Balancers',
    );
  const arn = str(raw.TrustStoreArn);
  if (mode === 'verify' && !arn) throw validation('A trust store ARN is required in verify mode');
  if (mode !== 'verify' && arn) throw validation(`A trust store cannot be specified in ${mode} mode`);
  const ignore = str(raw.IgnoreClientCertificateExpiry);
  const advertise = str(raw.AdvertiseTrustStoreCaNames);
  if (advertise !== undefined && advertise !== 'on' && advertise !== 'off')
    throw validation(`AdvertiseTrustStoreCaNames must be on or off, not '${advertise}'`);
  if (mode !== 'verify') return { Mode: mode };
  const store = trustStore(arn!);
  return {
    Mode: 'verify',
    TrustStoreArn: store.arn,
    IgnoreClientCertificateExpiry: ignore === 'true',
    AdvertiseTrustStoreCaNames: (advertise as 'on' | 'off' | undefined) ?? 'off',
  };
}

/** The trust stores a DescribeTrustStores call names (all of them when it names none). */
export function selectTrustStores(all: Map<string, TrustStore>, p: QueryObject): TrustStore[] {
  const arns = strList(p.TrustStoreArns);
  const names = strList(p.Names);
  if (arns?.length && names?.length)
    throw validation('Trust store ARNs and names cannot be specified at the same time');
  const notFound = () => new ElbError('TrustStoreNotFound', 'One or more trust stores not found');
  if (arns?.length)
    return arns.map((a) => {
      const t = all.get(a);
      if (!t) throw notFound();
      return t;
    });
  if (names?.length)
    return names.map((n) => {
      const t = [...all.values()].find((x) => x.name === n);
      if (!t) throw notFound();
      return t;
    });
  return [...all.values()];
}

export const trustStoreId = (): string => randomBytes(8).toString('hex');
