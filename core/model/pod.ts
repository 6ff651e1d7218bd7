import { z } from 'zod';
import { labelName, objectMeta } from './meta.js';

// core/v1 Pod: only what deriving a health check from readiness probes reads (the serving
// container ports and their readiness probes), and what pod readiness gates read (the gates and the
// conditions that say whether only Portico's gates hold the pod back, core/readiness). Pods are
// numerous: the forwarder trims them to these fields before sending (events/trim-pod.ts), and
// unknown fields are ignored here.

/** A probe's port: a number, or the name of one of the container's ports (an IANA_SVC_NAME). */
const probePort = z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]);

export const readinessProbe = z.looseObject({
  httpGet: z
    .looseObject({
      path: z.string().max(2048).optional(),
      port: probePort,
      host: z.string().max(253).optional(),
      scheme: z.enum(['HTTP', 'HTTPS']).optional(),
      httpHeaders: z
        .array(z.looseObject({ name: z.string().max(256), value: z.string().max(4096) }))
        .max(64)
        .optional(),
    })
    .optional(),
  tcpSocket: z.looseObject({ port: probePort, host: z.string().max(253).optional() }).optional(),
  grpc: z
    .looseObject({
      port: z.number().int().min(1).max(65535),
      service: z.string().max(1024).optional(),
    })
    .optional(),
  exec: z.looseObject({}).optional(),
});
export type ReadinessProbe = z.infer<typeof readinessProbe>;

export const containerPort = z.looseObject({
  name: labelName.optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});
export type ContainerPort = z.infer<typeof containerPort>;

export const container = z.looseObject({
  name: z.string().max(63),
  ports: z.array(containerPort).max(256).optional(),
  readinessProbe: readinessProbe.optional(),
});
export type Container = z.infer<typeof container>;

/** A condition type: a qualified name, at most 316 characters (as the API server allows). */
const conditionType = z.string().min(1).max(316);

/** A Pod condition as the gates read it: type and status only. */
export const podCondition = z.looseObject({
  type: conditionType,
  status: z.enum(['True', 'False', 'Unknown']),
});
export type PodCondition = z.infer<typeof podCondition>;

export const pod = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Pod'),
  metadata: objectMeta,
  spec: z.looseObject({
    containers: z.array(container).min(1).max(128),
    readinessGates: z.array(z.looseObject({ conditionType })).max(64).optional(),
  }),
  status: z.looseObject({ conditions: z.array(podCondition).max(64).optional() }).optional(),
});
export type Pod = z.infer<typeof pod>;
