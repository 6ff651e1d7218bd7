import type { Certificate } from '#core/ir/load-balancer.js';
import type { TranslateContext } from './context.js';

export type TlsSecretResult =
  | { ok: true; certificate: Omit<Certificate, 'hostnames'> }
  | { ok: false; message: string };

/**
 * Reads a `kubernetes.io/tls` Secret. The certificate must be PEM; the key may be absent (the
 * forwarder ships keys only to providers that need them), but if present must be a PEM private key.
 */
export function readTlsSecret(ctx: TranslateContext, namespace: string, name: string): TlsSecretResult {
  const secret = ctx.secrets.get(`${namespace}/${name}`);
  if (!secret) return { ok: false, message: `Secret ${namespace}/${name} not found` };
  if (secret.type !== undefined && secret.type !== 'kubernetes.io/tls') {
    return {
      ok: false,
      message: `Secret ${namespace}/${name} is of type ${secret.type}, not kubernetes.io/tls`,
    };
  }
  const crt = decodeBase64(secret.data?.['tls.crt']);
  if (!crt || !/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/m.test(crt)) {
    return { ok: false, message: `Secret ${namespace}/${name} has no PEM certificate in tls.crt` };
  }
  const rawKey = secret.data?.['tls.key'];
  const key = decodeBase64(rawKey);
  if (
    rawKey !== undefined &&
    (!key ||
      !/^-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END ([A-Z]+ )?PRIVATE KEY-----/m.test(
        key,
      ))
  ) {
    return { ok: false, message: `Secret ${namespace}/${name} has no PEM private key in tls.key` };
  }
  return {
    ok: true,
    certificate: {
      secret: `${namespace}/${name}`,
      certificatePem: crt,
      ...(key ? { privateKeyPem: key } : {}),
    },
  };
}

function decodeBase64(value: string | undefined): string | undefined {
  if (value === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}
