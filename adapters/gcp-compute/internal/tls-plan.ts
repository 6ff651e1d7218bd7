// TLS beyond certificates, as Application Load Balancers take it. Client certificate validation on
// an HTTPS listener: a Certificate Manager trust config holding the listener's CA bundle and a
// ServerTlsPolicy (REJECT_INVALID for AllowValidOnly; ALLOW_INVALID_OR_MISSING_CLIENT_CERT for
// AllowInsecureFallback: the client is asked, and admitted without a valid certificate, which is the
// Gateway API's meaning) on the target HTTPS proxy. Backend TLS (BackendTLSPolicy): the backend
// service's tlsSettings (SNI, subjectAltNames) and a BackendAuthenticationConfig with the pool's trust
// config or the public roots. The CA bundles and names come from Kubernetes objects: they are checked
// here, so a bad one is a notice, never a refused API call. Global load balancers only (render.ts).

import type * as ir from '#core/ir/load-balancer.js';
import { ownershipLabels } from '#core/naming/index.js';
import {
  type BackendAuthenticationConfigValue,
  type BackendServiceTlsSettings,
  type GcpKind,
  locationPath,
  type ServerTlsPolicyValue,
  type SubjectAltName,
  type TrustConfigValue,
} from '../model.js';
import {
  backendAuthenticationConfigName,
  type NameScope,
  ownerDescription,
  serverTlsPolicyName,
  trustConfigName,
} from '../naming.js';
import { isSafeHost } from './safe-values.js';

/** Certificate Manager: "each certificate provided in PEM format may occupy up to 5kB". */
export const MAX_PEM_CERTIFICATE_BYTES = 5 * 1024;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g;
/** A DNS name (no wildcard: SNI and DNS SANs as BackendTLSPolicy gives them). */
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A URI SAN: a scheme and printable ASCII without spaces, quotes or angle brackets. */
const URI = /^[a-z][a-z0-9+.-]*:[\x21\x23-\x3b\x3d\x3f-\x7e]+$/i;
const MAX_URI_LENGTH = 2048;

/** The bundle's certificates, or why Certificate Manager would refuse it as trust anchors. */
export function trustAnchors(pem: string): { anchors: string[] } | { problem: string } {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { problem: 'the CA bundle holds no PEM certificate' };
  if (pem.replace(PEM_BLOCK, '').trim() !== '')
    return { problem: 'the CA bundle holds something other than PEM certificates' };
  const big = blocks.findIndex((b) => Buffer.byteLength(b) > MAX_PEM_CERTIFICATE_BYTES);
  if (big >= 0)
    return {
      problem: `certificate ${big + 1} of the CA bundle is larger than Certificate Manager's ${MAX_PEM_CERTIFICATE_BYTES} bytes`,
    };
  return { anchors: blocks.map((b) => `${b.replace(/\r\n/g, '\n')}\n`) };
}

interface PlanContext {
  lb: ir.LoadBalancer;
  scope: NameScope;
  project: string;
}

const labelsOf = (lb: ir.LoadBalancer, role: GcpKind) =>
  ownershipLabels({ cluster: lb.cluster, lbKey: lb.key, role });

function trustConfig(ctx: PlanContext, name: string, anchors: string[]): TrustConfigValue {
  return {
    name,
    description: ownerDescription(ctx.lb, 'trust-config'),
    location: 'global',
    labels: labelsOf(ctx.lb, 'trust-config'),
    trustStores: [{ trustAnchors: anchors.map((pemCertificate) => ({ pemCertificate })) }],
  };
}

/** A listener's client validation: its trust config and ServerTlsPolicy, or why it cannot be. */
export function planClientValidation(
  ctx: PlanContext,
  port: number,
  validation: ir.ClientValidation,
): { trustConfig: TrustConfigValue; policy: ServerTlsPolicyValue } | { problem: string } {
  const checked = trustAnchors(validation.caCertificatesPem);
  if ('problem' in checked) return { problem: `${checked.problem} (${validation.sources.join(', ')})` };
  const tc = trustConfig(ctx, trustConfigName(ctx.lb, ctx.scope, { port }), checked.anchors);
  return {
    trustConfig: tc,
    policy: {
      name: serverTlsPolicyName(ctx.lb, ctx.scope, port),
      description: ownerDescription(ctx.lb, 'server-tls-policy'),
      location: 'global',
      labels: labelsOf(ctx.lb, 'server-tls-policy'),
      mtlsPolicy: {
        clientValidationMode:
          validation.mode === 'AllowValidOnly' ? 'REJECT_INVALID' : 'ALLOW_INVALID_OR_MISSING_CLIENT_CERT',
        clientValidationTrustConfig: locationPath('trust-config', ctx.project, 'global', tc.name),
      },
    },
  };
}

/** A pool's backend TLS: its tlsSettings, BackendAuthenticationConfig and trust config, or why it cannot be. */
export function planBackendTls(
  ctx: PlanContext,
  pool: ir.BackendPool,
  tls: ir.BackendTls,
):
  | {
      tlsSettings: BackendServiceTlsSettings;
      config: BackendAuthenticationConfigValue;
      trustConfig?: TrustConfigValue;
    }
  | { problem: string } {
  if (tls.serverName.length > 253 || !DNS_NAME.test(tls.serverName) || !isSafeHost(tls.serverName))
    return { problem: `${JSON.stringify(tls.serverName)} is not a DNS name to send as SNI` };
  const sans: SubjectAltName[] = [];
  for (const san of tls.subjectAltNames) {
    if (san.type === 'Hostname' && (san.value.length > 253 || !DNS_NAME.test(san.value)))
      return { problem: `subjectAltName ${JSON.stringify(san.value)} is not a DNS name` };
    if (san.type === 'URI' && (san.value.length > MAX_URI_LENGTH || !URI.test(san.value)))
      return { problem: `subjectAltName ${JSON.stringify(san.value)} is not a URI` };
    sans.push(san.type === 'Hostname' ? { dnsName: san.value } : { uniformResourceIdentifier: san.value });
  }
  let tc: TrustConfigValue | undefined;
  if (tls.trust.type === 'Bundle') {
    const checked = trustAnchors(tls.trust.caCertificatesPem);
    if ('problem' in checked) return { problem: `${checked.problem} (BackendTLSPolicy ${tls.policy})` };
    tc = trustConfig(ctx, trustConfigName(ctx.lb, ctx.scope, { pool }), checked.anchors);
  }
  const config: BackendAuthenticationConfigValue = {
    name: backendAuthenticationConfigName(ctx.lb, ctx.scope, pool),
    description: ownerDescription(ctx.lb, 'backend-authentication-config'),
    location: 'global',
    labels: labelsOf(ctx.lb, 'backend-authentication-config'),
    ...(tc ? { trustConfig: locationPath('trust-config', ctx.project, 'global', tc.name) } : {}),
    // A CA bundle is trusted alone (BackendTLSPolicy caCertificateRefs); `System` is the public roots.
    wellKnownRoots: tc ? 'NONE' : 'PUBLIC_ROOTS',
  };
  return {
    tlsSettings: {
      sni: tls.serverName,
      ...(sans.length > 0 ? { subjectAltNames: sans } : {}),
      authenticationConfig: locationPath('backend-authentication-config', ctx.project, 'global', config.name),
    },
    config,
    ...(tc ? { trustConfig: tc } : {}),
  };
}
