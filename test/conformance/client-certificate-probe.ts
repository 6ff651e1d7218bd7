// Whether a TLS server asks for a client certificate. Node's TLS client cannot tell (a request without
// a certificate configured is answered with an empty one, silently), so the machine's `openssl s_client`,
// which the suite already uses for its certificates, is asked: it prints the signature algorithms of a
// CertificateRequest only when one was received, in TLS 1.2 and 1.3 alike.

import { execFile } from 'node:child_process';

export function serverRequestsClientCertificate(
  address: string,
  port: number,
  servername: string | undefined,
  timeoutMs = 10_000,
): Promise<boolean> {
  const host = address.includes(':') ? `[${address}]` : address;
  const args = [
    's_client',
    '-connect',
    `${host}:${port}`,
    ...(servername ? ['-servername', servername] : []),
  ];
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { timeout: timeoutMs, encoding: 'utf8' }, (_err, stdout) => {
      // A refused handshake still prints what was received before it ended.
      resolve(/^Requested Signature Algorithms:/m.test(stdout ?? ''));
    });
    child.stdin?.end();
  });
}
