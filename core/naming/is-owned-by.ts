import type { LbKey } from '#core/ir/load-balancer.js';
import { LABEL_KEYS, MANAGED_BY, TAG_KEYS } from './ownership.js';
import { gcpLabelValue } from './ownership-labels.js';
import { awsTagValue } from './ownership-tags.js';

export interface OwnerQuery {
  cluster: string;
  /** Absent: owned by any load balancer of the cluster (resync garbage collection). */
  lbKey?: LbKey;
}

/**
 * Whether a resource's tags (AWS), labels (GCP) or parsed description marker say it belongs to this
 * cluster (and load balancer). Anything else, including another Portico cluster's resources, is
 * not ours: never modified, never deleted.
 */
export function isOwnedBy(tags: Readonly<Record<string, string | undefined>>, owner: OwnerQuery): boolean {
  if (tags[TAG_KEYS.managedBy] === MANAGED_BY) {
    return (
      tags[TAG_KEYS.cluster] === awsTagValue(owner.cluster) &&
      (owner.lbKey === undefined || tags[TAG_KEYS.lbKey] === awsTagValue(owner.lbKey))
    );
  }
  if (tags[LABEL_KEYS.managedBy] === MANAGED_BY) {
    return (
      tags[LABEL_KEYS.cluster] === gcpLabelValue(owner.cluster) &&
      (owner.lbKey === undefined || tags[LABEL_KEYS.lbKey] === gcpLabelValue(owner.lbKey))
    );
  }
  return false;
}
