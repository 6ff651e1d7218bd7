// Backend services: scheme and protocol that fit the scope, zonal NEG backends (no duplicates, a
// balancing mode NEGs accept, within the backends-per-service limit), one health check in the same
// scope, CDN only on global external services, at most 16 custom request and response headers.

import { invalid, tooLarge } from '../errors.js';
import { exactlyOne, int, list, obj, oneOf, str } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

const SCHEMES = [
  'EXTERNAL',
  'EXTERNAL_MANAGED',
  'INTERNAL',
  'INTERNAL_MANAGED',
  'INTERNAL_SELF_MANAGED',
] as const;
const PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'TCP', 'SSL', 'UDP', 'GRPC', 'H2C', 'UNSPECIFIED'] as const;
const AFFINITIES = [
  'NONE',
  'CLIENT_IP',
  'CLIENT_IP_PORT_PROTO',
  'CLIENT_IP_PROTO',
  'GENERATED_COOKIE',
  'HEADER_FIELD',
  'HTTP_COOKIE',
  'STRONG_COOKIE_AFFINITY',
] as const;
const MODES = ['UTILIZATION', 'RATE', 'CONNECTION', 'CUSTOM_METRICS'] as const;
const IP_SELECTION = ['IPV4_ONLY', 'PREFER_IPV6', 'IPV6_ONLY'] as const;

export function prepareBackendService(body: Json, ctx: KindContext): Json {
  const bs = structuredClone(body);
  const regional = ctx.scope.kind === 'region';
  const scheme = oneOf('resource.loadBalancingScheme', bs.loadBalancingScheme, SCHEMES) ?? 'EXTERNAL';
  if (!regional && scheme === 'INTERNAL')
    throw invalid('resource.loadBalancingScheme', 'INTERNAL backend services are regional');
  const passthrough = regional && (scheme === 'EXTERNAL' || scheme === 'INTERNAL');
  const protocol = oneOf('resource.protocol', bs.protocol, PROTOCOLS) ?? (passthrough ? 'TCP' : 'HTTP');
  if (passthrough !== ['TCP', 'UDP', 'UNSPECIFIED'].includes(protocol))
    throw invalid('resource.protocol', `'${protocol}' does not fit the ${scheme} load balancing scheme`);
  if (bs.enableCDN === true && (regional || !['EXTERNAL', 'EXTERNAL_MANAGED'].includes(scheme)))
    throw invalid('resource.enableCDN', 'Cloud CDN works with global external backend services only');
  obj('resource.cdnPolicy', bs.cdnPolicy);

  const healthChecks = list('resource.healthChecks', bs.healthChecks);
  if (healthChecks.length > 1) throw invalid('resource.healthChecks', 'at most one health check');
  const healthCheckLinks = healthChecks.map(
    (h, i) => ctx.ref(`resource.healthChecks[${i}]`, h, ['healthChecks']).value.selfLink,
  );
  bs.healthChecks = healthCheckLinks;

  const backends = list('resource.backends', bs.backends);
  if (backends.length > ctx.limits.backendsPerBackendService)
    throw tooLarge(
      'resource.backends',
      `at most ${ctx.limits.backendsPerBackendService} backends per backend service`,
    );
  const groups = new Set<string>();
  const normalized = backends.map((b, i) => {
    const f = `resource.backends[${i}]`;
    const backend = structuredClone(obj(f, b) ?? {});
    const neg = ctx.ref(`${f}.group`, backend.group, ['networkEndpointGroups']);
    const link = neg.value.selfLink as string;
    if (groups.has(link)) throw invalid(`${f}.group`, `duplicate backend group '${link}'`);
    groups.add(link);
    const type = neg.value.networkEndpointType;
    if (passthrough !== (type === 'GCE_VM_IP'))
      throw invalid(
        `${f}.group`,
        `a ${String(type)} network endpoint group cannot back a ${scheme} backend service`,
      );
    const mode = oneOf(`${f}.balancingMode`, backend.balancingMode, MODES) ?? 'UTILIZATION';
    if (passthrough ? mode !== 'CONNECTION' : mode !== 'RATE' && mode !== 'CONNECTION')
      throw invalid(
        `${f}.balancingMode`,
        `balancing mode ${mode} is not supported for network endpoint groups`,
      );
    if (mode === 'RATE' && backend.maxRatePerEndpoint === undefined && backend.maxRate === undefined)
      throw invalid(`${f}`, 'balancing mode RATE needs maxRatePerEndpoint or maxRate');
    const scaler = backend.capacityScaler ?? 1;
    if (typeof scaler !== 'number' || scaler < 0 || scaler > 1)
      throw invalid(`${f}.capacityScaler`, `'${String(scaler)}'. Must be from 0.0 to 1.0`);
    return { ...backend, group: link, balancingMode: mode, capacityScaler: scaler };
  });
  bs.backends = normalized;
  if (normalized.length > 0 && healthCheckLinks.length === 0)
    throw invalid(
      'resource.healthChecks',
      'backend services with network endpoint group backends need a health check',
    );

  for (const key of ['customRequestHeaders', 'customResponseHeaders'])
    if (list(`resource.${key}`, bs[key]).length > ctx.limits.customHeadersPerBackendService)
      throw tooLarge(
        `resource.${key}`,
        `at most ${ctx.limits.customHeadersPerBackendService} custom headers`,
      );
  // Output only in v1: a security policy is attached with setSecurityPolicy, and kept by updates.
  delete bs.securityPolicy;
  const attached = ctx.current?.value.securityPolicy;
  if (attached !== undefined) bs.securityPolicy = attached;
  if (bs.tlsSettings !== undefined) bs.tlsSettings = tlsSettings(bs.tlsSettings, protocol, ctx);
  // Which address of an endpoint the proxies use: proxy-based (managed) schemes only.
  const selection = oneOf('resource.ipAddressSelectionPolicy', bs.ipAddressSelectionPolicy, IP_SELECTION);
  if (selection !== undefined && selection !== 'IPV4_ONLY' && !scheme.endsWith('_MANAGED'))
    throw invalid(
      'resource.ipAddressSelectionPolicy',
      `${selection} needs a proxy-based load balancing scheme, not ${scheme}`,
    );
  // A Network Services policy: global managed (proxy-based) backend services only.
  if (bs.serviceLbPolicy !== undefined && bs.serviceLbPolicy !== null && bs.serviceLbPolicy !== '') {
    if (regional || !['EXTERNAL_MANAGED', 'INTERNAL_MANAGED', 'INTERNAL_SELF_MANAGED'].includes(scheme))
      throw invalid(
        'resource.serviceLbPolicy',
        'a service load balancing policy can only be set on global EXTERNAL_MANAGED, INTERNAL_MANAGED or INTERNAL_SELF_MANAGED backend services',
      );
    bs.serviceLbPolicy = ctx.serviceLbPolicy('resource.serviceLbPolicy', bs.serviceLbPolicy);
  } else delete bs.serviceLbPolicy;
  if (bs.network !== undefined) bs.network = ctx.externalRef('resource.network', bs.network, 'networks');
  return {
    ...bs,
    loadBalancingScheme: scheme,
    protocol,
    timeoutSec: int('resource.timeoutSec', bs.timeoutSec, 1, 2_147_483_647) ?? 30,
    sessionAffinity: oneOf('resource.sessionAffinity', bs.sessionAffinity, AFFINITIES) ?? 'NONE',
    enableCDN: bs.enableCDN === true,
    connectionDraining: bs.connectionDraining ?? { drainingTimeoutSec: 0 },
    ...(passthrough ? {} : { portName: bs.portName ?? 'http' }),
  };
}

/**
 * Backend TLS: SNI, subjectAltNames (each a DNS name or a URI) and the BackendAuthenticationConfig
 * that must exist; only on backend services that speak TLS.
 */
function tlsSettings(raw: unknown, protocol: string, ctx: KindContext): Json {
  const t = structuredClone(obj('resource.tlsSettings', raw) ?? {});
  if (!['HTTPS', 'HTTP2', 'SSL'].includes(protocol))
    throw invalid('resource.tlsSettings', `a ${protocol} backend service does not speak TLS to its backends`);
  str('resource.tlsSettings.sni', t.sni, { max: 255 });
  if (typeof t.sni === 'string' && !/^[a-zA-Z0-9.-]+$/.test(t.sni))
    throw invalid('resource.tlsSettings.sni', `'${t.sni}' is not a host name`);
  const sans = list('resource.tlsSettings.subjectAltNames', t.subjectAltNames);
  sans.forEach((s, i) => {
    const f = `resource.tlsSettings.subjectAltNames[${i}]`;
    const one = exactlyOne(f, obj(f, s) ?? {}, ['dnsName', 'uniformResourceIdentifier']);
    str(`${f}.${one}`, (s as Json)[one!], { min: 1, max: 2048 });
  });
  if (t.authenticationConfig !== undefined)
    t.authenticationConfig = ctx.locationRef(
      'resource.tlsSettings.authenticationConfig',
      t.authenticationConfig,
      'backendAuthenticationConfigs',
    );
  return t;
}
