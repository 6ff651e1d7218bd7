// Client certificate validation on an ALB HTTPS listener: the IR's CA bundle becomes a trust store
// (made from an S3 object under a content-addressed key) and the listener's MutualAuthentication
// `verify`. The bundle comes from a Kubernetes ConfigMap: it is checked here, before anything is
// uploaded, so a bad one is a notice, not a failed apply.

import { createHash } from 'node:crypto';
import type * as ir from '#core/ir/load-balancer.js';
import type { MutualAuthenticationValue, Tags, TrustStoreValue } from '../model.js';
import { trustStoreName } from '../naming.js';

/** Where bundles go in the configured bucket: `<prefix><sha256>.pem`. */
export const CA_BUNDLE_KEY_PREFIX = 'portico/ca-bundles/';
/** AWS quota: CA certificates per trust store. */
export const MAX_CA_CERTIFICATES = 25;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----\r?\n?/g;

/** Why ALB would refuse this bundle, or undefined: only PEM certificates, 1 to 25 of them. */
export function caBundleProblem(pem: string): string | undefined {
  const count = pem.match(PEM_BLOCK)?.length ?? 0;
  if (count === 0) return 'the CA bundle holds no PEM certificate';
  if (pem.replace(PEM_BLOCK, '').trim() !== '')
    return 'the CA bundle holds something other than PEM certificates';
  if (count > MAX_CA_CERTIFICATES)
    return `the CA bundle holds ${count} certificates; an ALB trust store takes at most ${MAX_CA_CERTIFICATES}`;
  return undefined;
}

export function caBundleSha256(pem: string): string {
  return createHash('sha256').update(pem).digest('hex');
}

export function planTrustStore(
  lb: ir.LoadBalancer,
  port: number,
  validation: ir.ClientValidation,
  bucket: string,
  tags: Tags,
): { trustStore: TrustStoreValue; mutualAuthentication: MutualAuthenticationValue } {
  const sha = caBundleSha256(validation.caCertificatesPem);
  const name = trustStoreName(lb, port);
  return {
    trustStore: {
      name,
      caBundleSha256: sha,
      bundle: { bucket, key: `${CA_BUNDLE_KEY_PREFIX}${sha}.pem`, pem: validation.caCertificatesPem },
      tags,
    },
    mutualAuthentication: { mode: 'verify', trustStore: name, ignoreClientCertificateExpiry: false },
  };
}
