import type { LbKey } from '#core/ir/load-balancer.js';

/** Who a provider resource belongs to. Tags and labels are the only state Portico keeps in a cloud. */
export interface Ownership {
  cluster: string;
  lbKey: LbKey;
  /** What the resource is for this load balancer: `load-balancer`, `listener`, `target-group`... */
  role: string;
}

/** Value of the managed-by tag/label: marks a resource as Portico's, whoever the load balancer is. */
export const MANAGED_BY = 'portico';

/** AWS tag keys (and the keys of the GCP description marker). */
export const TAG_KEYS = {
  managedBy: 'portico.dev/managed-by',
  cluster: 'portico.dev/cluster',
  lbKey: 'portico.dev/lb-key',
  role: 'portico.dev/role',
} as const;

/** GCP label keys: `/` and `.` are not allowed there. */
export const LABEL_KEYS = {
  managedBy: 'portico-managed-by',
  cluster: 'portico-cluster',
  lbKey: 'portico-lb-key',
  role: 'portico-role',
} as const;
