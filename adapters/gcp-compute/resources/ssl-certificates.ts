// Self-managed SSL certificates. Immutable: the name hashes the certificate and key, so a rotated
// Secret is a new certificate (created, switched to by the proxy, then the old one deleted).

import { pick, regionOf } from '../internal/api-values.js';
import type { Json } from '../internal/calls.js';
import type { SslCertificateValue } from '../model.js';

/**
 * The private key is never returned (nor the Secret's name): both are left empty and never compared.
 * A PEM that differs from the desired one only in whitespace is taken as the desired one.
 */
export function sslCertificateFromApi(api: Json, desired?: SslCertificateValue): SslCertificateValue {
  const v = pick(api, ['name', 'description', 'type', 'certificate']);
  const squash = (pem: unknown) => (typeof pem === 'string' ? pem.replace(/\s+/g, '') : pem);
  if (desired && squash(desired.certificate) === squash(v.certificate)) v.certificate = desired.certificate;
  return {
    ...(v as unknown as SslCertificateValue),
    ...regionOf(api),
    privateKey: '',
    secret: desired?.secret ?? '',
  };
}
