import { z } from 'zod';

/** Kubernetes object names are DNS subdomains (RFC 1123), at most 253 characters. */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Section names, port names, namespaces: DNS labels (RFC 1123), at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const objectName = z.string().max(253).regex(K8S_NAME, 'must be an RFC 1123 subdomain');
export const labelName = z.string().max(63).regex(DNS_LABEL, 'must be an RFC 1123 label');

export const objectMeta = z.looseObject({
  name: objectName,
  namespace: labelName.optional(),
  uid: z.string().max(128).optional(),
  generation: z.number().int().nonnegative().optional(),
  resourceVersion: z.string().max(128).optional(),
  /** RFC 3339; used only to order conflicting objects by age, never compared with a clock. */
  creationTimestamp: z.string().max(64).optional(),
  deletionTimestamp: z.string().max(64).optional(),
  labels: z.record(z.string().max(317), z.string().max(63)).optional(),
  annotations: z.record(z.string().max(317), z.string().max(262_144)).optional(),
});
export type ObjectMeta = z.infer<typeof objectMeta>;

export const condition = z.looseObject({
  type: z.string().max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(1024),
  message: z.string().max(32_768).optional(),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string().optional(),
});
export type Condition = z.infer<typeof condition>;

/** A label selector (matchLabels + matchExpressions), as used by allowedRoutes and Service selectors. */
export const labelSelector = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.looseObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof labelSelector>;

/** What every object the core reads has in common. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(o: { metadata: { namespace?: string | undefined; name: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
