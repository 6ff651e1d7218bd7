// IR certificates (from Secrets) → ACM/IAM ARNs from the parameters. Nothing is uploaded: a hostname
// without an ARN is reported, and the listener keeps serving the hosts that have one.

import type * as ir from '#core/ir/load-balancer.js';
import { ELBV2_LIMITS } from '../capabilities.js';
import type { AwsElbv2Parameters } from '../parameters.js';

export interface CertificateResolution {
  /** Default first; empty = the listener cannot be created. */
  arns: string[];
  problems: { field: string; message: string; code: 'UnsupportedValue' | 'LimitExceeded' }[];
}

export function resolveCertificates(
  listener: ir.Listener,
  params: AwsElbv2Parameters,
): CertificateResolution {
  const { default: fallback, byHostname } = params.certificateArns;
  const problems: CertificateResolution['problems'] = [];
  const arns: string[] = [];
  const lookup = (host: string) => {
    const exact = byHostname[host.toLowerCase()];
    if (exact) return exact;
    // A certificate for `*.a.com` also serves `b.a.com`, as TLS wildcards do (one label).
    const dot = host.indexOf('.');
    return dot > 0 && !host.startsWith('*.') ? byHostname[`*${host.slice(dot)}`.toLowerCase()] : undefined;
  };
  const certs = listener.tls?.certificates ?? [];
  certs.forEach((c, i) => {
    const field = `tls.certificates[${i}]`;
    if (c.hostnames.length === 0) {
      if (fallback) arns.push(fallback);
      else
        problems.push({
          field,
          code: 'UnsupportedValue',
          message: `certificate ${c.secret} names no hostname and certificateArns.default is not set; Secrets are not uploaded`,
        });
      return;
    }
    for (const h of c.hostnames) {
      const arn = lookup(h);
      if (arn) arns.push(arn);
      else
        problems.push({
          field,
          code: 'UnsupportedValue',
          message: `no certificateArns.byHostname entry for ${h} (certificate ${c.secret}); Secrets are not uploaded`,
        });
    }
  });
  if (fallback) arns.unshift(fallback);
  const unique = [...new Set(arns)];
  const max = ELBV2_LIMITS.certificatesPerListener + 1;
  if (unique.length > max)
    problems.push({
      field: 'tls.certificates',
      code: 'LimitExceeded',
      message: `${unique.length} certificates; a listener holds ${max} (default included), the rest are left out`,
    });
  return { arns: unique.slice(0, max), problems };
}
