// Gateway frontend client-certificate validation (`spec.tls.frontend`, per port): the bind line of a
// terminating listener asks for a client certificate and checks it against the CA bundle, written as
// a file next to the server certificates (a `cert` resource, so observe reads it back like them).
//   AllowValidOnly         `verify required`: no valid certificate, no handshake.
//   AllowInsecureFallback  `verify optional` and every verification error ignored: the certificate is
//                          asked for, and a client without one, or with one the CAs did not sign, is
//                          still admitted (the Gateway API's insecure fallback).

import { X509Certificate } from 'node:crypto';
import type * as ir from '#core/ir/load-balancer.js';
import { haproxyId } from '#core/naming/haproxy-id.js';
import { type CertModel, type ClientValidationTls, certPath, type FrontendTls } from '../model.js';
import { FieldError } from './field-error.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/** The CA bundle file and bind options of a terminating listener that validates clients. */
export function renderClientValidation(
  lbKey: string,
  lb: string,
  listener: ir.Listener,
  tls: FrontendTls,
): { tls: FrontendTls; certs: CertModel[] } {
  const validation = listener.tls?.clientValidation;
  if (!validation || tls.mode !== 'Terminate') return { tls, certs: [] };
  const from = validation.sources.join(', ');
  const fail = (reason: string): never => {
    throw new FieldError(
      'tls.clientValidation.caCertificatesPem',
      'certificate',
      `CA bundle from ${from}: ${reason}`,
    );
  };
  const blocks = validation.caCertificatesPem.match(CERTIFICATE_BLOCK) ?? [];
  // Only certificates: anything else in the file (a key, text HAProxy may choke on) is refused.
  if (blocks.length === 0 || validation.caCertificatesPem.replace(CERTIFICATE_BLOCK, '').trim() !== '')
    fail('not a bundle of PEM certificates');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      fail(`unreadable certificate: ${(err as Error).message}`);
    }
  }
  const name = haproxyId([lbKey, listener.id, 'client-ca'], { prefix: 'ca' });
  const clientValidation: ClientValidationTls = {
    caFile: certPath(name),
    cert: name,
    verify: validation.mode === 'AllowValidOnly' ? 'required' : 'optional',
  };
  return {
    tls: { ...tls, clientValidation },
    certs: [{ lb, name, secret: from, pem: `${blocks.join('\n')}\n` }],
  };
}

/** Bind options after `ssl crt-list ...`. */
export function clientValidationBindOptions(v: ClientValidationTls | undefined): string {
  if (!v) return '';
  const insecure = v.verify === 'optional' ? ' ca-ignore-err all crt-ignore-err all' : '';
  return ` ca-file ${v.caFile} verify ${v.verify}${insecure}`;
}

/** The validation a live bind line holds (its words), for observe. */
export function readClientValidation(words: readonly string[]): ClientValidationTls | undefined {
  const at = (w: string) => (words.includes(w) ? words[words.indexOf(w) + 1] : undefined);
  const caFile = at('ca-file');
  const verify = at('verify');
  const cert = /^certs\/(.+)\.pem$/.exec(caFile ?? '')?.[1];
  if (caFile === undefined || cert === undefined || (verify !== 'required' && verify !== 'optional'))
    return undefined;
  return { caFile, cert, verify };
}
