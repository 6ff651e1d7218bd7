import type { LbKey } from './load-balancer.js';

export type LbKind = 'Gateway' | 'Ingress' | 'IngressGroup' | 'Service';

export interface ParsedLbKey {
  cluster: string;
  kind: LbKind;
  /** Absent for Ingress groups, which span namespaces. */
  namespace?: string;
  name: string;
}

const KINDS: readonly string[] = ['Gateway', 'Ingress', 'IngressGroup', 'Service'];

/** `<cluster>/<kind>/<namespace or ->/<name>`: every part is a DNS label or subdomain, so `/` is a safe separator. */
export function lbKey(cluster: string, kind: LbKind, namespace: string | undefined, name: string): LbKey {
  return `${cluster}/${kind}/${namespace ?? '-'}/${name}`;
}

export function parseLbKey(key: LbKey): ParsedLbKey | undefined {
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  const [cluster, kind, namespace, name] = parts as [string, string, string, string];
  if (!cluster || !name || !KINDS.includes(kind)) return undefined;
  return { cluster, kind: kind as LbKind, ...(namespace !== '-' ? { namespace } : {}), name };
}
