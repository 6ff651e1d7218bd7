// Target HTTP and HTTPS proxies: a URL map, and (HTTPS) certificates or a Certificate Manager map.
// Changed in place with setUrlMap, setSslCertificates, setCertificateMap and (the ServerTlsPolicy)
// patch: a certificate rotation
// is create the new SslCertificate → setSslCertificates → delete the old one (the plan's order).

import { InvalidConfigError } from '../../types.js';
import { pick, regionOf } from '../internal/api-values.js';
import { type ApplyContext, scopeOf, touched, type UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import type { TargetHttpProxyValue, TargetHttpsProxyValue } from '../model.js';

const CERTIFICATE_MANAGER = '//certificatemanager.googleapis.com/';

export function targetProxyFromApi(api: Json): TargetHttpsProxyValue {
  const v = pick(api, [
    'name',
    'description',
    'urlMap',
    'sslCertificates',
    'certificateMap',
    'serverTlsPolicy',
    'fingerprint',
  ]);
  if (typeof v.certificateMap === 'string' && v.certificateMap.startsWith(CERTIFICATE_MANAGER))
    v.certificateMap = v.certificateMap.slice(CERTIFICATE_MANAGER.length);
  if (typeof v.serverTlsPolicy === 'string')
    v.serverTlsPolicy = v.serverTlsPolicy.replace(/^\/\/networksecurity\.googleapis\.com\//, '');
  if (v.serverTlsPolicy === '') delete v.serverTlsPolicy;
  return { ...(v as unknown as TargetHttpsProxyValue), ...regionOf(api) };
}

export async function updateTargetProxy(
  ac: ApplyContext,
  c: UpdateOf<'target-http-proxy'> | UpdateOf<'target-https-proxy'>,
): Promise<void> {
  const after: TargetHttpsProxyValue | TargetHttpProxyValue = c.after;
  const before: TargetHttpsProxyValue | TargetHttpProxyValue = c.before;
  const scope = scopeOf(after);
  const known = ['urlMap', 'sslCertificates', 'certificateMap', 'serverTlsPolicy'];
  const rest = (c.changedPaths ?? []).filter((p) => !known.some((f) => touched({ changedPaths: [p] }, f)));
  if (rest.length > 0)
    throw new InvalidConfigError(`${c.address}: ${rest.join(', ')} cannot change in place`, c.address);
  const set = (method: string, fields: Json) =>
    mutateResource(ac.calls, c.kind, after.name, scope, method, fields);
  if (touched(c, 'urlMap')) await set('setUrlMap', { urlMapReferenceResource: { urlMap: after.urlMap } });
  // Client validation on or off (patch; an empty reference detaches the policy). A policy is attached
  // after its trust config exists and detached before it is deleted (the plan's order).
  if (touched(c, 'serverTlsPolicy') && c.kind === 'target-https-proxy')
    await set('patch', {
      targetHttpsProxyResource: {
        serverTlsPolicy: c.after.serverTlsPolicy ?? '',
        fingerprint: c.before.fingerprint,
      },
    });
  if (!('sslCertificates' in after || 'certificateMap' in after)) return;
  const certs = after.sslCertificates;
  if (touched(c, 'certificateMap') && after.certificateMap !== undefined)
    await set('setCertificateMap', {
      targetHttpsProxiesSetCertificateMapRequestResource: { certificateMap: after.certificateMap },
    });
  else if (touched(c, 'sslCertificates') && certs !== undefined) {
    if ('certificateMap' in before && before.certificateMap !== undefined)
      throw new InvalidConfigError(
        `${c.address}: moving from a certificate map back to SslCertificates is not done in place; remove the listener and add it again`,
        c.address,
      );
    const body = { sslCertificates: certs };
    await set(
      'setSslCertificates',
      scope.region !== undefined
        ? { regionTargetHttpsProxiesSetSslCertificatesRequestResource: body }
        : { targetHttpsProxiesSetSslCertificatesRequestResource: body },
    );
  }
}
