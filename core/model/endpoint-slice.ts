import { z } from 'zod';
import { labelName, objectMeta } from './meta.js';

// discovery.k8s.io/v1 EndpointSlice.

/** The label that ties a slice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const endpointSlice = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('EndpointSlice'),
  metadata: objectMeta,
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  endpoints: z
    .array(
      z.looseObject({
        addresses: z.array(z.string().max(253)).min(1).max(100),
        conditions: z
          .looseObject({
            ready: z.boolean().optional(),
            serving: z.boolean().optional(),
            terminating: z.boolean().optional(),
          })
          .optional(),
        nodeName: z.string().max(253).optional(),
        zone: z.string().max(253).optional(),
        /** Topology hints: the zones this endpoint should serve (set for trafficDistribution / topology-mode Auto). */
        hints: z
          .looseObject({
            forZones: z
              .array(z.looseObject({ name: z.string().min(1).max(253) }))
              .max(8)
              .nullish(),
          })
          .nullish(),
        targetRef: z
          .looseObject({
            kind: z.string().optional(),
            name: z.string().optional(),
            namespace: z.string().optional(),
          })
          .optional(),
      }),
    )
    .max(1000)
    .nullish(),
  ports: z
    .array(
      z.looseObject({
        name: z.union([labelName, z.literal('')]).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
        appProtocol: z.string().max(316).optional(),
      }),
    )
    .max(100)
    .nullish(),
});
export type EndpointSlice = z.infer<typeof endpointSlice>;
