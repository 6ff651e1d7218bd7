// Every HAProxy identifier and resource address of one load balancer. Ids are hashes with a readable
// part (core/naming/haproxy-id.ts); Kubernetes names never reach the config as identifiers. Backend
// names start with `be_` and route tags with `rt_`: the frontend tells them apart by prefix.

import { haproxyId } from '#core/naming/haproxy-id.js';
import { stableHash } from '#core/naming/hash.js';
import { formatAddress } from '#core/plan/address.js';
import { HAPROXY_ADAPTER, type HaproxyKind } from './model.js';

export const lbId = (key: string) => haproxyId([key], { prefix: 'lb', max: 48 });
export const frontendName = (key: string, listener: string) => haproxyId([key, listener], { prefix: 'fe' });
export const backendName = (key: string, pool: string, mode: 'http' | 'tcp') =>
  haproxyId([key, pool, mode], { prefix: 'be' });
export const mapName = (key: string, listener: string, role: string) =>
  haproxyId([key, listener, role], { prefix: 'map' });
export const certName = (key: string, listener: string, secret: string) =>
  haproxyId([key, listener, secret], { prefix: 'crt' });
/** A route that needs frontend rules (filters, redirects, splits...) is selected by this tag. */
export const routeTag = (listener: string, route: string) => `rt_${stableHash([listener, route], 12)}`;
/**
 * Prefix of a route's named ACLs: from the route's identity, never its position, so inserting or
 * deleting one route leaves every other route's lines as they were (no reload for them).
 */
export const routeAclPrefix = (listener: string, route: string) => `m_${stableHash([listener, route], 10)}`;
/** Virtual host ids prefix map keys (`<vhost><path>`), so they never contain `/`. */
export const vhostId = (host: string | undefined, wildcard: string) =>
  host === undefined ? 'v_any' : `v_${stableHash([host, host.startsWith('*.') ? wildcard : ''], 10)}`;

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
