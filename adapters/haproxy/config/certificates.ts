// Certificates for TLS termination: one PEM file (chain then key) per certificate, listed in a
// crt-list with its SNI hostnames; the first one is the default. A certificate HAProxy would refuse
// fails `haproxy -c` for everyone, so each is parsed and matched with its key here first.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import type * as ir from '#core/ir/load-balancer.js';
import { type CertModel, certPath, crtListPath, type FrontendTls } from '../model.js';
import { certName, frontendName } from '../naming.js';
import { hostname } from './escape.js';
import { FieldError } from './field-error.js';

const PEM_BLOCKS = /^(-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \2-----\s*)+$/;

/** The crt-list and cert files of a terminating listener; throws FieldError naming the certificate. */
export function renderCertificates(
  lbKey: string,
  lb: string,
  listener: ir.Listener,
): { tls: FrontendTls; certs: CertModel[] } {
  const certs: CertModel[] = [];
  const entries: { cert: string; sni: string[] }[] = [];
  (listener.tls?.certificates ?? []).forEach((c, i) => {
    const field = `tls.certificates[${i}]`;
    const fail = (what: string, reason: string): never => {
      throw new FieldError(`${field}.${what}`, 'certificate', `Secret ${c.secret}: ${reason}`);
    };
    if (c.privateKeyPem === undefined) fail('privateKeyPem', 'no private key');
    const chain = c.certificatePem.trim();
    const keyPem = c.privateKeyPem!.trim();
    if (!PEM_BLOCKS.test(`${chain}\n`)) fail('certificatePem', 'not PEM');
    if (!PEM_BLOCKS.test(`${keyPem}\n`)) fail('privateKeyPem', 'not PEM');
    try {
      const cert = new X509Certificate(chain);
      if (!cert.checkPrivateKey(createPrivateKey(keyPem)))
        fail('privateKeyPem', 'does not match the certificate');
    } catch (err) {
      if (err instanceof FieldError) throw err;
      fail('certificatePem', `unreadable: ${(err as Error).message}`);
    }
    const sni = c.hostnames.map((h, j) => {
      try {
        return hostname(h);
      } catch {
        return fail(`hostnames[${j}]`, `not a DNS hostname: ${JSON.stringify(h)}`);
      }
    });
    const name = certName(lbKey, listener.id, c.secret);
    if (certs.some((x) => x.name === name)) return; // the same Secret twice: first entry wins
    certs.push({ lb, name, secret: c.secret, pem: `${chain}\n${keyPem}\n` });
    entries.push({ cert: name, sni });
  });
  if (entries.length === 0)
    throw new FieldError('tls.certificates', 'certificate', 'TLS termination without a certificate');
  return {
    tls: { mode: 'Terminate', crtList: crtListPath(frontendName(lbKey, listener.id)), certificates: entries },
    certs,
  };
}

/** crt-list lines: `<cert file> [sni filters...]`, first line = default certificate. */
export function renderCrtList(tls: Extract<FrontendTls, { mode: 'Terminate' }>): string {
  return tls.certificates.map((c) => [certPath(c.cert), ...c.sni].join(' ')).join('\n') + '\n';
}
