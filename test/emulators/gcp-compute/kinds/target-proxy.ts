// Target HTTP and HTTPS proxies: a URL map in the same scope; HTTPS proxies also need certificates:
// up to 15 Compute SslCertificates in the same scope, or (global only) one Certificate Manager map.

import { invalid, tooLarge } from '../errors.js';
import { list, oneOf } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

const CERTIFICATE_MAP =
  /^(?:\/\/certificatemanager\.googleapis\.com\/)?projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/locations\/global\/certificateMaps\/[a-zA-Z0-9_-]{1,63}$/;

export function prepareTargetHttpProxy(body: Json, ctx: KindContext): Json {
  const p = structuredClone(body);
  p.urlMap = ctx.ref('resource.urlMap', p.urlMap, ['urlMaps']).value.selfLink;
  return p;
}

export function prepareTargetHttpsProxy(body: Json, ctx: KindContext): Json {
  const p = prepareTargetHttpProxy(body, ctx);
  const certs = list('resource.sslCertificates', p.sslCertificates);
  const map = p.certificateMap;
  if (certs.length > 0 && map !== undefined)
    throw invalid('resource', 'only one of sslCertificates or certificateMap may be set');
  if (map !== undefined) {
    if (ctx.scope.kind !== 'global')
      throw invalid('resource.certificateMap', 'certificate maps attach to global target proxies only');
    if (typeof map !== 'string' || !CERTIFICATE_MAP.test(map))
      throw invalid(
        'resource.certificateMap',
        `'${String(map)}' is not a Certificate Manager certificate map`,
      );
    p.certificateMap = map.startsWith('//') ? map : `//certificatemanager.googleapis.com/${map}`;
  } else if (certs.length === 0)
    throw invalid('resource.sslCertificates', 'an HTTPS proxy needs certificates or a certificate map');
  if (certs.length > ctx.limits.sslCertificatesPerTargetProxy)
    throw tooLarge(
      'resource.sslCertificates',
      `at most ${ctx.limits.sslCertificatesPerTargetProxy} SSL certificates per target proxy`,
    );
  p.sslCertificates = certs.map(
    (c, i) => ctx.ref(`resource.sslCertificates[${i}]`, c, ['sslCertificates']).value.selfLink,
  );
  if (certs.length === 0) delete p.sslCertificates;
  // Client certificate validation; an empty reference (a patch) detaches the policy.
  if (p.serverTlsPolicy === undefined || p.serverTlsPolicy === null || p.serverTlsPolicy === '')
    delete p.serverTlsPolicy;
  else
    p.serverTlsPolicy = ctx.locationRef('resource.serverTlsPolicy', p.serverTlsPolicy, 'serverTlsPolicies');
  if (p.sslPolicy !== undefined)
    p.sslPolicy = ctx.externalRef('resource.sslPolicy', p.sslPolicy, 'sslPolicies');
  return {
    ...p,
    quicOverride: oneOf('resource.quicOverride', p.quicOverride, ['NONE', 'ENABLE', 'DISABLE']) ?? 'NONE',
  };
}
