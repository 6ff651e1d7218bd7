import type { LoadBalancer, SourceRef } from './load-balancer.js';

export interface IrError {
  source: SourceRef;
  message: string;
}

/**
 * Checks the invariants every adapter relies on. The translator should never produce an invalid IR;
 * this is the seam check before anything reaches a provider (Envoy Gateway does the same).
 */
export function validateLoadBalancer(lb: LoadBalancer): IrError[] {
  const errors: IrError[] = [];
  const poolIds = new Set<string>();
  for (const pool of lb.pools) {
    if (poolIds.has(pool.id)) errors.push({ source: pool.source, message: `duplicate pool id ${pool.id}` });
    poolIds.add(pool.id);
    for (const e of pool.endpoints) {
      if (!validPort(e.port))
        errors.push({ source: pool.source, message: `endpoint ${e.address} has invalid port ${e.port}` });
    }
  }
  const bucketIds = new Set<string>();
  for (const bucket of lb.buckets ?? []) {
    if (bucketIds.has(bucket.id))
      errors.push({ source: bucket.source, message: `duplicate bucket id ${bucket.id}` });
    bucketIds.add(bucket.id);
  }
  const listenerIds = new Set<string>();
  const ports = new Map<string, string>();
  for (const l of lb.listeners) {
    const src = l.sources[0] ?? lb.source;
    if (listenerIds.has(l.id)) errors.push({ source: src, message: `duplicate listener id ${l.id}` });
    listenerIds.add(l.id);
    if (!validPort(l.port))
      errors.push({ source: src, message: `listener ${l.id} has invalid port ${l.port}` });
    const transport = l.protocol === 'UDP' ? 'udp' : 'tcp';
    const taken = ports.get(`${transport}/${l.port}`);
    if (taken)
      errors.push({
        source: src,
        message: `listeners ${taken} and ${l.id} share ${transport} port ${l.port}`,
      });
    ports.set(`${transport}/${l.port}`, l.id);
    if ((l.protocol === 'HTTPS' || l.protocol === 'TLS') !== (l.tls !== undefined)) {
      errors.push({
        source: src,
        message: `listener ${l.id}: TLS settings must be present exactly for HTTPS and TLS`,
      });
    }
    if (l.protocol === 'HTTPS' && l.tls?.mode !== 'Terminate')
      errors.push({ source: src, message: `listener ${l.id}: HTTPS must terminate TLS` });
    if (l.tls?.mode === 'Terminate' && l.tls.certificates.length === 0) {
      errors.push({ source: src, message: `listener ${l.id}: TLS termination without a certificate` });
    }
    if ((l.protocol === 'TCP' || l.protocol === 'UDP') && l.routes.length > 1) {
      errors.push({
        source: src,
        message: `listener ${l.id}: ${l.protocol} listeners take at most one route`,
      });
    }
    const routeIds = new Set<string>();
    for (const r of l.routes) {
      if (routeIds.has(r.id))
        errors.push({ source: r.source, message: `duplicate route id ${r.id} in listener ${l.id}` });
      routeIds.add(r.id);
      const pools = [
        ...(r.action.type === 'forward' ? r.action.backends.map((b) => b.pool) : []),
        ...r.filters.flatMap((f) => (f.type === 'RequestMirror' ? [f.pool] : [])),
      ];
      for (const p of pools) {
        if (p !== null && !poolIds.has(p))
          errors.push({ source: r.source, message: `route ${r.id} references unknown pool ${p}` });
      }
      for (const b of r.action.type === 'forward' ? r.action.backends : []) {
        if (b.bucket === undefined) continue;
        if (b.pool !== null)
          errors.push({
            source: r.source,
            message: `route ${r.id}: a backend is a pool or a bucket, not both`,
          });
        else if (!bucketIds.has(b.bucket))
          errors.push({ source: r.source, message: `route ${r.id} references unknown bucket ${b.bucket}` });
      }
      if (
        r.action.type === 'forward' &&
        r.action.backends.some((b) => b.weight < 0 || !Number.isInteger(b.weight))
      ) {
        errors.push({ source: r.source, message: `route ${r.id} has a negative or fractional weight` });
      }
    }
  }
  return errors;
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}
