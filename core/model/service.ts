import { z } from 'zod';
import { labelName, objectMeta } from './meta.js';

// core/v1 Service: what load-balancer translation reads.

export const servicePort = z.looseObject({
  name: labelName.optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().max(316).optional(),
  port: z.number().int().min(1).max(65535),
  targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]).optional(),
  nodePort: z.number().int().min(1).max(65535).optional(),
});
export type ServicePort = z.infer<typeof servicePort>;

export const service = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Service'),
  metadata: objectMeta,
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    ports: z.array(servicePort).max(256).optional(),
    selector: z.record(z.string(), z.string()).optional(),
    clusterIP: z.string().optional(),
    externalName: z.string().max(253).optional(),
    loadBalancerClass: z.string().max(253).optional(),
    loadBalancerIP: z.string().max(64).optional(),
    loadBalancerSourceRanges: z.array(z.string().max(64)).max(1000).optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    healthCheckNodePort: z.number().int().min(1).max(65535).optional(),
    ipFamilies: z
      .array(z.enum(['IPv4', 'IPv6']))
      .max(2)
      .optional(),
    ipFamilyPolicy: z.enum(['SingleStack', 'PreferDualStack', 'RequireDualStack']).optional(),
    /** `PreferClose` (and its newer spelling `PreferSameZone`), `PreferSameNode`; others are reported and ignored. */
    trafficDistribution: z.string().max(63).optional(),
  }),
  status: z.looseObject({}).optional(),
});
export type Service = z.infer<typeof service>;
