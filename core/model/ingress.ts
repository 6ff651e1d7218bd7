import { z } from 'zod';
import { labelName, objectMeta, objectName } from './meta.js';

// networking.k8s.io/v1 Ingress and IngressClass.

const serviceBackend = z.looseObject({
  name: objectName,
  port: z
    .looseObject({ number: z.number().int().min(1).max(65535).optional(), name: labelName.optional() })
    .optional(),
});
const resourceBackend = z.looseObject({
  apiGroup: z.string().max(253).optional(),
  kind: z.string().min(1).max(63),
  name: objectName,
});

export const ingressBackend = z.looseObject({
  service: serviceBackend.optional(),
  resource: resourceBackend.optional(),
});
export type IngressBackend = z.infer<typeof ingressBackend>;

/** Ingress hosts: a DNS name or `*.` plus a DNS name (the wildcard covers exactly one label). */
export const ingressHost = z
  .string()
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS name, optionally prefixed by "*."',
  );

export const ingressPath = z.looseObject({
  // Bounded here; the translator's own, tighter check names the one path at fault.
  path: z.string().max(8192).optional(),
  pathType: z.enum(['Exact', 'Prefix', 'ImplementationSpecific']),
  backend: ingressBackend,
});
export type IngressPath = z.infer<typeof ingressPath>;

export const ingress = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Ingress'),
  metadata: objectMeta,
  spec: z.looseObject({
    ingressClassName: objectName.optional(),
    defaultBackend: ingressBackend.optional(),
    tls: z
      .array(
        z.looseObject({ hosts: z.array(ingressHost).max(100).optional(), secretName: objectName.optional() }),
      )
      .max(64)
      .optional(),
    rules: z
      .array(
        z.looseObject({
          host: ingressHost.optional(),
          http: z.looseObject({ paths: z.array(ingressPath).min(1).max(1000) }).optional(),
        }),
      )
      .max(1000)
      .optional(),
  }),
  status: z.looseObject({}).optional(),
});
export type Ingress = z.infer<typeof ingress>;

export const ingressClass = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('IngressClass'),
  metadata: objectMeta,
  spec: z.looseObject({
    controller: z.string().max(253).optional(),
    parameters: z
      .looseObject({
        apiGroup: z.string().max(253).optional(),
        kind: z.string().min(1).max(63),
        name: objectName,
        namespace: labelName.optional(),
        scope: z.enum(['Cluster', 'Namespace']).optional(),
      })
      .optional(),
  }),
});
export type IngressClass = z.infer<typeof ingressClass>;
