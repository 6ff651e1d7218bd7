import type { Certificate } from '#core/ir/load-balancer.js';
import type { Ingress } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { readTlsSecret } from '../tls-secret.js';
import { type Claim, keepFirstClaims } from './conflicts.js';
import { ingressSource, namespaceOf } from './ingress-object.js';

interface Entry {
  certificate: Omit<Certificate, 'hostnames'>;
  hosts: string[];
}

interface HostClaim extends Claim {
  entry: Entry;
  host: string | undefined;
}

/**
 * The certificates of a load balancer's Ingresses, oldest Ingress first (the first certificate is the
 * default one). Each TLS host gets one certificate: when two entries name the same host with different
 * Secrets, the first claim wins. An entry without hosts is the default certificate, claimed likewise.
 */
export function ingressCertificates(ctx: TranslateContext, members: readonly Ingress[]): Certificate[] {
  const claims: HostClaim[] = [];
  for (const ingress of members) {
    (ingress.spec.tls ?? []).forEach((tls, k) => {
      const field = `spec.tls[${k}]`;
      const source = ingressSource(ingress);
      if (!tls.secretName) {
        ctx.notice({
          severity: 'warning',
          code: 'InvalidCertificateRef',
          source,
          field: `${field}.secretName`,
          message:
            'no secretName: Portico has no certificate of its own to serve instead; the entry is skipped',
        });
        return;
      }
      const secret = readTlsSecret(ctx, namespaceOf(ingress), tls.secretName);
      if (!secret.ok) {
        ctx.notice({
          severity: 'error',
          code: 'InvalidCertificateRef',
          source,
          field: `${field}.secretName`,
          message: `${secret.message}; the entry is skipped`,
        });
        return;
      }
      const entry: Entry = { certificate: secret.certificate, hosts: [] };
      const hosts = tls.hosts?.length ? tls.hosts : [undefined];
      for (const host of hosts) {
        claims.push({
          ingress,
          key: host ?? '',
          identity: secret.certificate.secret,
          field,
          describe: host ? `TLS host ${host}` : 'the default certificate (a TLS entry without hosts)',
          entry,
          host,
        });
      }
    });
  }
  const kept = keepFirstClaims(ctx, claims, 'Secret');
  for (const c of kept) if (c.host !== undefined) c.entry.hosts.push(c.host);
  // In claim order; an entry that kept none of its hosts is gone.
  return [...new Set(kept.map((c) => c.entry))].map(({ certificate, hosts }) => {
    const { secret, ...pem } = certificate;
    return { secret, hostnames: hosts, ...pem };
  });
}
