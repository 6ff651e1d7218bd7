// BackendTLSPolicy (IR `pool.tls`): HTTP backends speak TLS to the endpoints and verify them.
//   server ... ssl verify required ca-file <bundle | @system-ca> sni str(<serverName>) check-sni <serverName>
// HAProxy checks the certificate's names against the SNI it sends, so the backend must present a
// certificate for `serverName`. Checking other subjectAltNames while sending serverName is not
// possible in 2.6 (verifyhost only applies without SNI): pools asking for that are refused
// (capabilities: subjectAltNames false). The Gateway's backend client certificate, when set, is
// presented to every such backend (`crt`).

import { createPrivateKey, X509Certificate } from 'node:crypto';
import type * as ir from '#core/ir/load-balancer.js';
import { haproxyId } from '#core/naming/haproxy-id.js';
import { type CertModel, certPath } from '../model.js';
import { hostname } from './escape.js';
import { atField, FieldError } from './field-error.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

export interface BackendTlsPlan {
  /** Server options replacing `ssl verify none`. */
  options: string[];
  /** Files the options name (CA bundle, client certificate). */
  certs: CertModel[];
}

/** Throws FieldError (the pool is then left out) when a value cannot be written safely. */
export function planBackendTls(
  lbKey: string,
  lb: string,
  pool: ir.BackendPool,
  clientCertificate: ir.Certificate | undefined,
): BackendTlsPlan | undefined {
  const tls = pool.tls;
  if (!tls) return undefined;
  const serverName = atField('tls.serverName', () => {
    const name = hostname(tls.serverName, 'serverName');
    if (name.startsWith('*'))
      throw new FieldError('tls.serverName', 'hostname', 'a wildcard is not a server name');
    return name;
  });
  const certs: CertModel[] = [];
  let caFile = '@system-ca';
  if (tls.trust.type === 'Bundle') {
    const pem = tls.trust.caCertificatesPem;
    const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0 || pem.replace(CERTIFICATE_BLOCK, '').trim() !== '')
      throw new FieldError(
        'tls.trust',
        'certificate',
        `BackendTLSPolicy ${tls.policy}: not a bundle of PEM certificates`,
      );
    for (const b of blocks)
      try {
        new X509Certificate(b);
      } catch (err) {
        throw new FieldError(
          'tls.trust',
          'certificate',
          `BackendTLSPolicy ${tls.policy}: ${(err as Error).message}`,
        );
      }
    const name = haproxyId([lbKey, pool.id, 'backend-ca'], { prefix: 'ca' });
    certs.push({ lb, name, secret: tls.policy, pem: `${blocks.join('\n')}\n` });
    caFile = certPath(name);
  }
  const options = [
    'ssl',
    'verify',
    'required',
    'ca-file',
    caFile,
    'sni',
    `str(${serverName})`,
    'check-sni',
    serverName,
  ];
  if (clientCertificate) {
    const c = clientCertificate;
    const fail = (reason: string): never => {
      throw new FieldError('backendClientCertificate', 'certificate', `Secret ${c.secret}: ${reason}`);
    };
    if (c.privateKeyPem === undefined) fail('no private key');
    try {
      if (!new X509Certificate(c.certificatePem).checkPrivateKey(createPrivateKey(c.privateKeyPem!)))
        fail('the key does not match the certificate');
    } catch (err) {
      if (err instanceof FieldError) throw err;
      fail(`unreadable: ${(err as Error).message}`);
    }
    const name = haproxyId([lbKey, 'backend-client', c.secret], { prefix: 'crt' });
    certs.push({
      lb,
      name,
      secret: c.secret,
      pem: `${c.certificatePem.trim()}\n${c.privateKeyPem!.trim()}\n`,
    });
    options.push('crt', certPath(name));
  }
  return { options, certs };
}
