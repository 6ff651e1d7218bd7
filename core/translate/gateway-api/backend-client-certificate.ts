import type { Certificate } from '#core/ir/load-balancer.js';
import { GATEWAY_GROUP, type Gateway } from '#core/model/gateway-api.js';
import type { TranslateContext } from '../context.js';
import { readTlsSecret } from '../tls-secret.js';
import { isReferenceAllowed } from './reference-grant.js';

export type BackendClientCertificateResult =
  | { ok: true; certificate?: Certificate }
  | { ok: false; reason: 'InvalidClientCertificateRef' | 'RefNotPermitted'; message: string };

/**
 * The certificate a Gateway shows to backends it speaks TLS to (`spec.tls.backend.clientCertificateRef`):
 * a `kubernetes.io/tls` Secret, in another namespace only with a ReferenceGrant. Absent = none.
 */
export function readBackendClientCertificate(
  ctx: TranslateContext,
  gateway: Gateway,
): BackendClientCertificateResult {
  const ref = gateway.spec.tls?.backend?.clientCertificateRef;
  if (!ref) return { ok: true };
  const own = gateway.metadata.namespace!;
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Secret';
  const namespace = ref.namespace ?? own;
  if (group !== '' || kind !== 'Secret')
    return {
      ok: false,
      reason: 'InvalidClientCertificateRef',
      message: `spec.tls.backend.clientCertificateRef: ${group ? `${group}/` : ''}${kind} ${ref.name} is not a Secret`,
    };
  if (
    !isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: 'Gateway', namespace: own },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    )
  )
    return {
      ok: false,
      reason: 'RefNotPermitted',
      message: `spec.tls.backend.clientCertificateRef: Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
    };
  const secret = readTlsSecret(ctx, namespace, ref.name);
  if (!secret.ok)
    return {
      ok: false,
      reason: 'InvalidClientCertificateRef',
      message: `spec.tls.backend.clientCertificateRef: ${secret.message}`,
    };
  return { ok: true, certificate: { ...secret.certificate, hostnames: [] } };
}
