// SSL certificates. Self-managed ones are parsed like GCP does: a PEM certificate and its private key,
// which must match, with a key type GCP supports (global: RSA-2048 or ECDSA P-256; regional also
// RSA-3072/4096 and P-384; quotas page, "Compute Engine SSL certificates"). The key is never returned;
// `expireTime` and `subjectAlternativeNames` come from the certificate. Google-managed ones are global
// and list their domains.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { invalid } from '../errors.js';
import { list, obj, oneOf, requiredStr } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

const MAX_MANAGED_DOMAINS = 100;

export function prepareSslCertificate(body: Json, ctx: KindContext): Json {
  const c = structuredClone(body);
  const type = oneOf('resource.type', c.type, ['SELF_MANAGED', 'MANAGED']) ?? 'SELF_MANAGED';
  if (type === 'MANAGED') {
    if (ctx.scope.kind !== 'global') throw invalid('resource.type', 'Google-managed certificates are global');
    const domains = list('resource.managed.domains', obj('resource.managed', c.managed)?.domains);
    if (domains.length < 1 || domains.length > MAX_MANAGED_DOMAINS)
      throw invalid('resource.managed.domains', `1 to ${MAX_MANAGED_DOMAINS} domains`);
    return {
      ...c,
      type,
      managed: {
        domains,
        status: 'PROVISIONING',
        domainStatus: Object.fromEntries(domains.map((d) => [d, 'PROVISIONING'])),
      },
      subjectAlternativeNames: domains,
    };
  }
  const self = obj('resource.selfManaged', c.selfManaged);
  const certPem = requiredStr('resource.certificate', c.certificate ?? self?.certificate, { max: 65536 });
  const keyPem = requiredStr('resource.privateKey', c.privateKey ?? self?.privateKey, { max: 65536 });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw invalid('resource.certificate', 'the SSL certificate could not be parsed');
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw invalid('resource.privateKey', 'the SSL key could not be parsed');
  }
  if (!cert.checkPrivateKey(key))
    throw invalid('resource.privateKey', 'the SSL key does not match the certificate');
  const d = key.asymmetricKeyDetails ?? {};
  const kind =
    key.asymmetricKeyType === 'rsa'
      ? `RSA-${d.modulusLength}`
      : key.asymmetricKeyType === 'ec'
        ? `EC-${d.namedCurve}`
        : String(key.asymmetricKeyType);
  const supported =
    ctx.scope.kind === 'global'
      ? ['RSA-2048', 'EC-prime256v1']
      : ['RSA-2048', 'RSA-3072', 'RSA-4096', 'EC-prime256v1', 'EC-secp384r1'];
  if (!supported.includes(kind))
    throw invalid('resource.privateKey', `key type ${kind} is not supported here`);
  const sans = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const { privateKey: _key, selfManaged: _self, ...rest } = c;
  return {
    ...rest,
    type,
    certificate: certPem,
    expireTime: new Date(cert.validTo).toISOString(),
    subjectAlternativeNames: sans,
  };
}
