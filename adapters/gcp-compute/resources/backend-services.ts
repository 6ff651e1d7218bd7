// Backend services: NEG backends, a health check, CDN. Replaced whole with `update` (PUT) and the
// observed fingerprint. A Cloud Armor policy is output only on the resource in v1: it is attached
// with setSecurityPolicy, after the insert or the update.

import { clean, lastSegment, pick, regionOf, toApi } from '../internal/api-values.js';
import { type ApplyContext, scopeOf, touched, type UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource, type Scope } from '../internal/collections.js';
import { locationReference } from '../internal/location-collections.js';
import {
  type Backend,
  type BackendServiceTlsSettings,
  type BackendServiceValue,
  parseLocationPath,
  type SubjectAltName,
} from '../model.js';

export function backendServiceFromApi(api: Json): BackendServiceValue {
  const v = pick(api, [
    'name',
    'description',
    'loadBalancingScheme',
    'protocol',
    'timeoutSec',
    'healthChecks',
    'enableCDN',
    'fingerprint',
  ]);
  // IPV4_ONLY is GCP's default, which render leaves out.
  const selection = clean(api.ipAddressSelectionPolicy);
  const backends = ((pick(api, ['backends']).backends as Json[] | undefined) ?? []).map(
    (b) => pick(b, ['group', 'balancingMode', 'maxRatePerEndpoint', 'capacityScaler']) as unknown as Backend,
  );
  const cacheMode = (pick(api, ['cdnPolicy']).cdnPolicy as { cacheMode?: string } | undefined)?.cacheMode;
  return {
    ...(v as unknown as BackendServiceValue),
    ...regionOf(api),
    healthChecks: (v.healthChecks as string[] | undefined) ?? [],
    backends,
    enableCDN: v.enableCDN === true,
    // GCP fills a CDN policy in even when CDN is off; only the cache mode of an enabled CDN is Portico's.
    ...(v.enableCDN === true && cacheMode
      ? { cdnPolicy: { cacheMode: cacheMode as NonNullable<BackendServiceValue['cdnPolicy']>['cacheMode'] } }
      : {}),
    ...(selection === 'PREFER_IPV6' || selection === 'IPV6_ONLY'
      ? { ipAddressSelectionPolicy: selection }
      : {}),
    ...policyOf(api.serviceLbPolicy),
    ...(typeof api.securityPolicy === 'string' && api.securityPolicy !== ''
      ? { securityPolicy: lastSegment(api.securityPolicy) }
      : {}),
    ...tlsSettingsFromApi(api.tlsSettings),
  };
}

/** The backend TLS settings Portico sets; the authentication config in its relative form. */
function tlsSettingsFromApi(raw: unknown): { tlsSettings?: BackendServiceTlsSettings } {
  const t = clean(raw) as Json | undefined;
  if (!t) return {};
  const sans = ((t.subjectAltNames as Json[] | undefined) ?? []).map(
    (s) => pick(s, ['dnsName', 'uniformResourceIdentifier']) as unknown as SubjectAltName,
  );
  return {
    tlsSettings: {
      sni: String(t.sni ?? ''),
      ...(sans.length > 0 ? { subjectAltNames: sans } : {}),
      authenticationConfig: String(t.authenticationConfig ?? '').replace(
        /^\/\/networksecurity\.googleapis\.com\//,
        '',
      ),
    },
  };
}

/** The insert body: everything but the security policy (setSecurityPolicy). */
export const backendServiceBody = (v: BackendServiceValue): Json => toApi(v, ['securityPolicy']);

export async function setSecurityPolicy(ac: ApplyContext, v: BackendServiceValue): Promise<void> {
  const scope: Scope = scopeOf(v);
  const where = scope.region !== undefined ? `regions/${scope.region}` : 'global';
  const policy =
    v.securityPolicy !== undefined
      ? `projects/${ac.calls.project}/${where}/securityPolicies/${v.securityPolicy}`
      : '';
  await mutateResource(ac.calls, 'backend-service', v.name, scope, 'setSecurityPolicy', {
    securityPolicyReferenceResource: { securityPolicy: policy },
  });
}

export async function updateBackendService(ac: ApplyContext, c: UpdateOf<'backend-service'>): Promise<void> {
  const others = (c.changedPaths ?? []).some((p) => !touched({ changedPaths: [p] }, 'securityPolicy'));
  if (others)
    await mutateResource(ac.calls, 'backend-service', c.after.name, scopeOf(c.after), 'update', {
      backendServiceResource: { ...backendServiceBody(c.after), fingerprint: c.before.fingerprint },
    });
  if (touched(c, 'securityPolicy')) await setSecurityPolicy(ac, c.after);
}

/** The policy reference in render's form, whatever URL form the API answers with. */
function policyOf(ref: unknown): { serviceLbPolicy?: string } {
  const p = typeof ref === 'string' ? parseLocationPath(ref) : undefined;
  if (p?.kind === 'service-lb-policy')
    return { serviceLbPolicy: locationReference(p.kind, p.project, p.location, p.name) };
  return typeof ref === 'string' && ref !== '' ? { serviceLbPolicy: ref } : {};
}
