// Deterministic Compute names (≤ 63, `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`, core/naming gcpName). The
// hash covers the cluster, the load-balancer key and every field GCP cannot change in place, so a
// replacement gets a new name and is created before the old one is deleted (names are unique per
// project and scope). Ownership lives in `description` (these resources have no labels).

import type * as ir from '#core/ir/load-balancer.js';
import { gcpName, ownershipDescription, stableHash } from '#core/naming/index.js';
import type { GcpKind, LoadBalancingScheme } from './model.js';

/** Where the load balancer lives and how it is reached: part of every name's hash. */
export interface NameScope {
  location: string;
  scheme: LoadBalancingScheme;
}

const lbParts = (lb: ir.LoadBalancer) => [lb.source.namespace ?? '', lb.source.name];
const hidden = (lb: ir.LoadBalancer, s: NameScope, ...more: string[]) => [
  lb.cluster,
  lb.key,
  s.location,
  s.scheme,
  ...more,
];

/** One URL map per listener port: each listener has its own routes. */
export function urlMapName(lb: ir.LoadBalancer, s: NameScope, port: number): string {
  return gcpName([...lbParts(lb), String(port)], { hidden: hidden(lb, s, 'url-map') });
}

/** Requests no route claims go to this backend service, which has no backends (see render.ts). */
export function defaultServiceName(lb: ir.LoadBalancer, s: NameScope): string {
  return gcpName([...lbParts(lb), 'default'], { hidden: hidden(lb, s, 'default-service') });
}

export function targetProxyName(lb: ir.LoadBalancer, s: NameScope, port: number, https: boolean): string {
  return gcpName([...lbParts(lb), String(port)], {
    hidden: hidden(lb, s, https ? 'target-https-proxy' : 'target-http-proxy'),
  });
}

export function forwardingRuleName(
  lb: ir.LoadBalancer,
  s: NameScope,
  port: number,
  https: boolean,
  ip: string | undefined,
  ipv6 = false,
): string {
  // The IPv6 rule of a dual-stack listener differs from its IPv4 one by a hidden part (IPv4 names
  // are as they were before IPv6 rules existed).
  return gcpName([...lbParts(lb), String(port)], {
    hidden: [
      ...hidden(lb, s, 'forwarding-rule', https ? 'https' : 'http', ip ?? ''),
      ...(ipv6 ? ['IPV6'] : []),
    ],
  });
}

/** A passthrough Network LB's forwarding rule: one per protocol and port (TCP and UDP may share a port). */
export function passthroughForwardingRuleName(
  lb: ir.LoadBalancer,
  s: NameScope,
  protocol: 'TCP' | 'UDP',
  port: number,
  ip: string | undefined,
): string {
  return gcpName([...lbParts(lb), protocol.toLowerCase(), String(port)], {
    hidden: hidden(lb, s, 'forwarding-rule', protocol, ip ?? ''),
  });
}

const poolParts = (pool: ir.BackendPool) => [pool.source.name, String(pool.servicePort)];

export function backendServiceName(
  lb: ir.LoadBalancer,
  s: NameScope,
  pool: ir.BackendPool,
  protocol: string,
): string {
  return gcpName(poolParts(pool), { hidden: hidden(lb, s, 'backend-service', pool.id, protocol) });
}

export function healthCheckName(
  lb: ir.LoadBalancer,
  s: NameScope,
  pool: ir.BackendPool,
  type: string,
): string {
  return gcpName(poolParts(pool), { hidden: hidden(lb, s, 'health-check', pool.id, type) });
}

/**
 * One NEG name per pool and endpoint type, the same in every zone (a NEG is zonal: the zone is part
 * of its address). GCE_VM_IP NEGs (passthrough) hash their type too.
 */
export function negName(
  lb: ir.LoadBalancer,
  s: NameScope,
  pool: ir.BackendPool,
  network: string,
  type: 'GCE_VM_IP_PORT' | 'GCE_VM_IP' = 'GCE_VM_IP_PORT',
): string {
  return gcpName(poolParts(pool), {
    hidden: hidden(lb, s, 'neg', pool.id, network, ...(type === 'GCE_VM_IP' ? [type] : [])),
  });
}

/** A pool's service load balancing policy (Network Services; one per backend service that takes one). */
export function serviceLbPolicyName(lb: ir.LoadBalancer, s: NameScope, pool: ir.BackendPool): string {
  return gcpName(poolParts(pool), { hidden: hidden(lb, s, 'service-lb-policy', pool.id) });
}

/**
 * One backend bucket per StorageBucket and load balancer. The hash covers the bucket name: pointing a
 * StorageBucket at another bucket gives a new backend bucket, created before the old one goes.
 */
export function backendBucketName(lb: ir.LoadBalancer, s: NameScope, bucket: ir.BackendBucket): string {
  const [namespace = '', name = ''] = bucket.id.split('/');
  return gcpName([namespace, name], {
    hidden: hidden(lb, s, 'backend-bucket', bucket.id, bucket.bucketName),
  });
}

/** Hashes the certificate and key: a rotated Secret gets a new SslCertificate, created first. */
export function sslCertificateName(lb: ir.LoadBalancer, s: NameScope, cert: ir.Certificate): string {
  const [namespace = '', name = ''] = cert.secret.split('/');
  return gcpName([namespace, name], {
    hidden: hidden(lb, s, 'ssl-certificate', stableHash([cert.certificatePem, cert.privateKeyPem ?? ''], 32)),
  });
}

/** The `description` of every resource of this load balancer: the ownership marker, by role. */
export function ownerDescription(lb: ir.LoadBalancer, role: GcpKind): string {
  return ownershipDescription({ cluster: lb.cluster, lbKey: lb.key, role });
}

/** A path matcher's name inside its URL map: the host, readable, with a hash. */
export function pathMatcherName(host: string): string {
  return gcpName([host === '*' ? 'any' : host], { prefix: 'host' });
}

/**
 * The Certificate Manager trust config of a listener's client validation (`listener`, by port) or of
 * a pool's backend TLS (`pool`, by pool id). Its CAs change in place (patch): the name stays, so
 * what refers to it does not change.
 */
export function trustConfigName(
  lb: ir.LoadBalancer,
  s: NameScope,
  of: { port: number } | { pool: ir.BackendPool },
): string {
  return 'port' in of
    ? gcpName([...lbParts(lb), String(of.port)], { hidden: hidden(lb, s, 'trust-config', String(of.port)) })
    : gcpName(poolParts(of.pool), { hidden: hidden(lb, s, 'trust-config', of.pool.id) });
}

/** The ServerTlsPolicy of the target HTTPS proxy on `port`. */
export function serverTlsPolicyName(lb: ir.LoadBalancer, s: NameScope, port: number): string {
  return gcpName([...lbParts(lb), String(port)], {
    hidden: hidden(lb, s, 'server-tls-policy', String(port)),
  });
}

/** The BackendAuthenticationConfig of one pool's backend service. */
export function backendAuthenticationConfigName(
  lb: ir.LoadBalancer,
  s: NameScope,
  pool: ir.BackendPool,
): string {
  return gcpName(poolParts(pool), { hidden: hidden(lb, s, 'backend-authentication-config', pool.id) });
}
