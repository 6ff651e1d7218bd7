// Every HAProxy identifier and resource address of one load balancer. Ids are hashes with a readable
// part (core/naming/haproxy-id.ts); Kubernetes names never reach the config as identifiers. Backend
// names start with `be_` and route tags with `rt_`: the frontend tells them apart by prefix.

import { haproxyId } from '#core/naming/haproxy-id.js';
import { stableHash } from '#core/naming/hash.js';
import { formatAddress } from '#core/plan/address.js';
import { HAPROXY_ADAPTER, type HaproxyKind } from './model.js';

/**
 * Names are hashes (SHA-256), and one render of 5,000 routes asks for about 20,000 of them, mostly
 * the same as last time: remember them. Bounded: the cache starts over when it grows past the limit.
 */
function remembered<A extends string[]>(
  name: (...args: A) => string,
  limit = 200_000,
): (...args: A) => string {
  let cache = new Map<string, string>();
  return (...args: A) => {
    const key = args.join('\u0000');
    let value = cache.get(key);
    if (value === undefined) {
      value = name(...args);
      if (cache.size >= limit) cache = new Map();
      cache.set(key, value);
    }
    return value;
  };
}

export const lbId = remembered((key: string) => haproxyId([key], { prefix: 'lb', max: 48 }));
export const frontendName = remembered((key: string, listener: string) =>
  haproxyId([key, listener], { prefix: 'fe' }),
);
export const backendName = remembered((key: string, pool: string, mode: 'http' | 'tcp') =>
  haproxyId([key, pool, mode], { prefix: 'be' }),
);
export const mapName = remembered((key: string, listener: string, role: string) =>
  haproxyId([key, listener, role], { prefix: 'map' }),
);
/** The internal terminating frontend (and the backend reaching it) of a TLS listener mixing modes. */
export const tlsTerminatorName = remembered((frontend: string) =>
  haproxyId([frontend], { prefix: 'tlsterm' }),
);
export const certName = remembered((key: string, listener: string, secret: string) =>
  haproxyId([key, listener, secret], { prefix: 'crt' }),
);
/** A route that needs frontend rules (filters, redirects, splits...) is selected by this tag. */
export const routeTag = remembered(
  (listener: string, route: string) => `rt_${stableHash([listener, route], 12)}`,
);
/**
 * Prefix of a route's named ACLs: from the route's identity, never its position, so inserting or
 * deleting one route leaves every other route's lines as they were (no reload for them).
 */
export const routeAclPrefix = remembered(
  (listener: string, route: string) => `m_${stableHash([listener, route], 10)}`,
);
const hostId = remembered((host: string, wildcard: string) => `v_${stableHash([host, wildcard], 10)}`);
/** Virtual host ids prefix map keys (`<vhost><path>`), so they never contain `/`. */
export const vhostId = (host: string | undefined, wildcard: string) =>
  host === undefined ? 'v_any' : hostId(host, host.startsWith('*.') ? wildcard : '');

/** Built-in backends every config has (materialize writes them; they are not resources). */
export const HELPER_BACKENDS = {
  notFound: 'portico_404',
  error: 'portico_500',
  /** TCP frontends: no server, the connection is closed. */
  tcpReject: 'portico_tcp_reject',
} as const;

export function haproxyAddress(kind: HaproxyKind, name: string, sub?: string): string {
  return formatAddress({ adapter: HAPROXY_ADAPTER, kind, name, ...(sub !== undefined ? { sub } : {}) });
}
