import type { TranslateContext } from './context.js';
import { isReferenceAllowed, type ReferenceFrom } from './gateway-api/reference-grant.js';

export type CaBundleResult =
  | { ok: true; pem: string; source: string }
  | { ok: false; reason: 'InvalidKind' | 'RefNotPermitted' | 'InvalidCACertificateRef'; message: string };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/**
 * Reads a CA bundle: a core ConfigMap with PEM certificates under `ca.crt` (the only kind the Gateway
 * API gives core support). Only the certificate blocks are kept, so nothing else in the value reaches
 * a provider. Another namespace needs a ReferenceGrant from `from`.
 */
export function readCaBundle(
  ctx: TranslateContext,
  from: ReferenceFrom,
  ref: {
    group?: string | undefined;
    kind?: string | undefined;
    name: string;
    namespace?: string | undefined;
  },
): CaBundleResult {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'ConfigMap';
  const namespace = ref.namespace ?? from.namespace;
  if (group !== '' || kind !== 'ConfigMap')
    return {
      ok: false,
      reason: 'InvalidKind',
      message: `CA certificate reference ${group ? `${group}/` : ''}${kind} ${ref.name} is not a ConfigMap`,
    };
  if (!isReferenceAllowed(ctx, from, { group: '', kind: 'ConfigMap', namespace, name: ref.name }))
    return {
      ok: false,
      reason: 'RefNotPermitted',
      message: `ConfigMap ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`,
    };
  const configMap = ctx.configMaps.get(`${namespace}/${ref.name}`);
  if (!configMap)
    return {
      ok: false,
      reason: 'InvalidCACertificateRef',
      message: `ConfigMap ${namespace}/${ref.name} not found`,
    };
  const blocks = configMap.data?.['ca.crt']?.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    return {
      ok: false,
      reason: 'InvalidCACertificateRef',
      message: `ConfigMap ${namespace}/${ref.name} has no PEM certificate under ca.crt`,
    };
  return { ok: true, pem: `${blocks.join('\n')}\n`, source: `${namespace}/${ref.name}` };
}
