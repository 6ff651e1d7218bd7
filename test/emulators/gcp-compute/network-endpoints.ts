// The endpoints of a zonal NEG. Attach and detach take at most 500 endpoints per call; a NEG holds at
// most 10,000 (limits.ts). GCE_VM_IP_PORT endpoints need a port (or the NEG's defaultPort) and an
// IPv4 `ipAddress`, an `ipv6Address`, or both (a dual-stack pod is one endpoint); GCE_VM_IP endpoints
// have no port. An endpoint that names its instance but no IPv4 address gets the VM's primary IP, as
// GCP documents (the emulator, having no VMs, makes one up from the name), on detach too. Addresses
// are strict: dotted-decimal IPv4 without leading zeros; IPv6 without a zone id, not IPv4-mapped,
// stored in canonical form. Attaching an endpoint twice, or detaching one that is not attached, is an
// error, so a caller that diffs wrongly sees it.

import { formatIp, isIpv4Mapped, parseIp } from '#core/translate/ip-address.js';
import { invalid, tooLarge } from './errors.js';
import { int, list, obj, str } from './fields.js';
import type { ComputeLimits } from './limits.js';
import type { Json } from './store.js';

export interface NetworkEndpoint {
  /** Absent only for an IPv6-only endpoint without an instance. */
  ipAddress?: string;
  ipv6Address?: string;
  port?: number;
  instance?: string;
}

export const endpointKey = (e: NetworkEndpoint): string =>
  `${e.instance ?? ''}/${e.ipAddress ?? ''}/${e.ipv6Address ?? ''}:${e.port ?? ''}`;

/** Checks the request's endpoints against the NEG; returns them normalized. */
export function parseEndpoints(body: Json, neg: Json, limits: ComputeLimits): NetworkEndpoint[] {
  const raw = list('networkEndpoints', body.networkEndpoints);
  if (raw.length === 0) throw invalid('networkEndpoints', 'at least one network endpoint is required');
  if (raw.length > limits.endpointsPerAttachCall)
    throw tooLarge('networkEndpoints', `at most ${limits.endpointsPerAttachCall} network endpoints per call`);
  const withPort = neg.networkEndpointType === 'GCE_VM_IP_PORT';
  const seen = new Set<string>();
  return raw.map((r, i) => {
    const f = `networkEndpoints[${i}]`;
    const e = obj(f, r) ?? {};
    const instance = str(`${f}.instance`, e.instance, { min: 1, max: 63 });
    const ipv6 = ipv6Of(`${f}.ipv6Address`, e.ipv6Address);
    const given = str(`${f}.ipAddress`, e.ipAddress);
    if (given !== undefined && (parseIp(given)?.family !== 'IPv4' || formatIp(parseIp(given)!) !== given))
      throw invalid(`${f}.ipAddress`, `'${given}' is not an IPv4 address`);
    if (given === undefined && instance === undefined && (withPort ? ipv6 === undefined : true))
      throw invalid(
        `${f}.ipAddress`,
        withPort
          ? 'an endpoint needs an ipAddress, an ipv6Address or an instance'
          : 'GCE_VM_IP endpoints need an instance or an ipAddress',
      );
    const ip = given ?? (instance !== undefined ? primaryIpOf(instance) : undefined);
    const port =
      int(`${f}.port`, e.port, 1, 65535) ?? (withPort ? (neg.defaultPort as number | undefined) : undefined);
    if (withPort && port === undefined)
      throw invalid(`${f}.port`, 'GCE_VM_IP_PORT endpoints need a port (or a defaultPort on the NEG)');
    if (!withPort && e.port !== undefined) throw invalid(`${f}.port`, 'GCE_VM_IP endpoints have no port');
    const endpoint: NetworkEndpoint = {
      ...(ip !== undefined ? { ipAddress: ip } : {}),
      ...(ipv6 !== undefined ? { ipv6Address: ipv6 } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(instance !== undefined ? { instance } : {}),
    };
    const key = endpointKey(endpoint);
    if (seen.has(key)) throw invalid(f, `duplicate network endpoint ${key} in the request`);
    seen.add(key);
    return endpoint;
  });
}

/** A strict IPv6 address in canonical form; undefined when absent. */
function ipv6Of(field: string, value: unknown): string | undefined {
  const text = str(field, value);
  if (text === undefined) return undefined;
  const ip = parseIp(text);
  if (ip?.family !== 'IPv6' || isIpv4Mapped(ip)) throw invalid(field, `'${text}' is not an IPv6 address`);
  return formatIp(ip);
}

/** A stand-in for a VM's primary IP (10.128.0.0/16), the same for the same instance name. */
function primaryIpOf(instance: string): string {
  let h = 0;
  for (const ch of instance) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.128.${(h >>> 8) & 255}.${h & 255 || 1}`;
}

/** A NEG's attached endpoints, keyed by endpointKey, in attach order. */
export class EndpointSets {
  private readonly byNeg = new Map<string, Map<string, NetworkEndpoint>>();

  of(negLink: string): Map<string, NetworkEndpoint> {
    let set = this.byNeg.get(negLink);
    if (!set) {
      set = new Map();
      this.byNeg.set(negLink, set);
    }
    return set;
  }

  attach(negLink: string, endpoints: NetworkEndpoint[], limits: ComputeLimits): () => void {
    const set = this.of(negLink);
    for (const [i, e] of endpoints.entries())
      if (set.has(endpointKey(e)))
        throw invalid(`networkEndpoints[${i}]`, `the network endpoint ${endpointKey(e)} is already attached`);
    if (set.size + endpoints.length > limits.endpointsPerNeg)
      throw tooLarge(
        'networkEndpoints',
        `a network endpoint group holds at most ${limits.endpointsPerNeg} endpoints`,
      );
    for (const e of endpoints) set.set(endpointKey(e), e);
    return () => {
      for (const e of endpoints) set.delete(endpointKey(e));
    };
  }

  detach(negLink: string, endpoints: NetworkEndpoint[]): () => void {
    const set = this.of(negLink);
    for (const [i, e] of endpoints.entries())
      if (!set.has(endpointKey(e)))
        throw invalid(`networkEndpoints[${i}]`, `the network endpoint ${endpointKey(e)} is not attached`);
    for (const e of endpoints) set.delete(endpointKey(e));
    return () => {
      for (const e of endpoints) set.set(endpointKey(e), e);
    };
  }

  drop(negLink: string): void {
    this.byNeg.delete(negLink);
  }

  clear(): void {
    this.byNeg.clear();
  }
}
