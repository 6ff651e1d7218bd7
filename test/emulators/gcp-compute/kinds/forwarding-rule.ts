// Forwarding rules: a target proxy (Application LBs) or, in a region, a backend service (passthrough
// Network LBs), never both; the scheme of the rule matches the scheme of what it sends traffic to; TCP
// to proxies; a port range (`80` is stored as `80-80`) or up to 5 ports; an IP literal, a reserved
// address (resolved to its IP), or an ephemeral IP when none is given; ipVersion IPV6 (global
// EXTERNAL_MANAGED only) for an IPv6 address.

import { isIP } from 'node:net';
import { invalid } from '../errors.js';
import { exactlyOne, list, obj, oneOf, str } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json, StoredResource } from '../store.js';

const SCHEMES = [
  'EXTERNAL',
  'EXTERNAL_MANAGED',
  'INTERNAL',
  'INTERNAL_MANAGED',
  'INTERNAL_SELF_MANAGED',
] as const;
const PROTOCOLS = ['TCP', 'UDP', 'ESP', 'AH', 'SCTP', 'ICMP', 'L3_DEFAULT'] as const;
const MAX_PORTS = 5;

export function prepareForwardingRule(body: Json, ctx: KindContext): Json {
  const fr = structuredClone(body);
  const scheme = oneOf('resource.loadBalancingScheme', fr.loadBalancingScheme, SCHEMES) ?? 'EXTERNAL';
  const protocol = oneOf('resource.IPProtocol', fr.IPProtocol, PROTOCOLS) ?? 'TCP';
  const via = exactlyOne('resource', fr, ['target', 'backendService']);
  let defaultPorts: string | undefined;
  if (via === 'target') {
    const proxy = ctx.ref('resource.target', fr.target, ['targetHttpProxies', 'targetHttpsProxies']);
    fr.target = proxy.value.selfLink;
    if (protocol !== 'TCP')
      throw invalid('resource.IPProtocol', 'forwarding rules to target proxies use TCP');
    const servedScheme = schemeOfUrlMap(ctx, proxy);
    if (servedScheme && servedScheme !== scheme)
      throw invalid(
        'resource.loadBalancingScheme',
        `'${scheme}' does not match the ${servedScheme} backend services behind the target proxy`,
      );
    defaultPorts = proxy.ref.collection === 'targetHttpsProxies' ? '443-443' : '80-80';
  } else {
    if (ctx.scope.kind !== 'region')
      throw invalid('resource.backendService', 'only regional forwarding rules take a backend service');
    const bs = ctx.ref('resource.backendService', fr.backendService, ['backendServices']);
    fr.backendService = bs.value.selfLink;
    if (bs.value.loadBalancingScheme !== scheme)
      throw invalid(
        'resource.loadBalancingScheme',
        `'${scheme}' does not match the backend service's ${String(bs.value.loadBalancingScheme)}`,
      );
  }
  const ports = list('resource.ports', fr.ports);
  if (ports.length > 0 && fr.portRange !== undefined)
    throw invalid('resource', 'only one of portRange or ports may be set');
  if (ports.length > MAX_PORTS) throw invalid('resource.ports', `at most ${MAX_PORTS} ports`);
  const range = str('resource.portRange', fr.portRange);
  if (range !== undefined) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(range);
    const lo = Number(m?.[1]);
    const hi = Number(m?.[2] ?? m?.[1]);
    if (!m || lo < 1 || hi > 65535 || lo > hi)
      throw invalid('resource.portRange', `'${range}' is not a port or port range`);
    fr.portRange = `${lo}-${hi}`;
  } else if (ports.length === 0 && defaultPorts) fr.portRange = defaultPorts;

  const internal = scheme.startsWith('INTERNAL');
  const ipVersion = oneOf('resource.ipVersion', fr.ipVersion, ['IPV4', 'IPV6'] as const);
  // An IPv6 rule without a dual-stack subnet: only the global external Application LB (GFE) has one.
  if (ipVersion === 'IPV6' && (ctx.scope.kind !== 'global' || scheme !== 'EXTERNAL_MANAGED'))
    throw invalid(
      'resource.ipVersion',
      'IPV6 without a subnetwork is for global EXTERNAL_MANAGED forwarding rules only',
    );
  if (fr.IPAddress === undefined || fr.IPAddress === '')
    fr.IPAddress = ipVersion === 'IPV6' ? ctx.allocateIpv6() : ctx.allocateIp(internal);
  else if (typeof fr.IPAddress === 'string' && fr.IPAddress.includes('/'))
    fr.IPAddress = ctx.ref('resource.IPAddress', fr.IPAddress, ['addresses']).value.address;
  else if (typeof fr.IPAddress !== 'string' || isIP(fr.IPAddress) === 0)
    throw invalid(
      'resource.IPAddress',
      `'${String(fr.IPAddress)}' is neither an IP address nor an address resource`,
    );
  const family = isIP(String(fr.IPAddress));
  if (ipVersion !== undefined && family !== (ipVersion === 'IPV6' ? 6 : 4))
    throw invalid('resource.IPAddress', `'${String(fr.IPAddress)}' is not an ${ipVersion} address`);
  if (ipVersion === undefined && family === 6)
    throw invalid('resource.IPAddress', 'an IPv6 address needs ipVersion IPV6');
  if (fr.network !== undefined) fr.network = ctx.externalRef('resource.network', fr.network, 'networks');
  if (fr.subnetwork !== undefined)
    fr.subnetwork = ctx.externalRef('resource.subnetwork', fr.subnetwork, 'subnetworks');
  const labels = obj('resource.labels', fr.labels) ?? {};
  for (const [k, v] of Object.entries(labels))
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k) || typeof v !== 'string' || !/^[a-z0-9_-]{0,63}$/.test(v))
      throw invalid(
        `resource.labels.${k}`,
        'label keys and values are lower-case letters, digits, _ and -, up to 63',
      );
  return {
    ...fr,
    loadBalancingScheme: scheme,
    IPProtocol: protocol,
    ipVersion: ipVersion ?? 'IPV4',
    networkTier: fr.networkTier ?? 'PREMIUM',
    labels,
    labelFingerprint: Buffer.from(JSON.stringify(labels)).toString('base64').slice(0, 12),
  };
}

/** The scheme of the backend services behind a target proxy's URL map, if it names any. */
function schemeOfUrlMap(ctx: KindContext, proxy: StoredResource): string | undefined {
  const urlMap = ctx.ref('target.urlMap', proxy.value.urlMap, ['urlMaps']);
  const link = JSON.stringify(urlMap.value).match(/https:[^"]*\/backendServices\/[a-z0-9-]+/)?.[0];
  return link
    ? String(ctx.ref('urlMap.backendService', link, ['backendServices']).value.loadBalancingScheme)
    : undefined;
}
