import { z } from 'zod';
import { labelName, objectMeta, objectName } from './meta.js';

/**
 * `HealthCheckPolicy` (portico.dev/v1alpha1): how load balancers probe the endpoints of a Service.
 * It targets Services in its own namespace, optionally one port by name (`sectionName`). See
 * core/translate/backend/health-check.ts for the precedence between policies, annotations and defaults.
 */
export const healthCheckPolicy = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('HealthCheckPolicy'),
  metadata: objectMeta,
  spec: z.looseObject({
    targetRefs: z
      .array(
        z.looseObject({
          group: z.literal('').optional(),
          kind: z.literal('Service'),
          name: objectName,
          sectionName: labelName.optional(),
        }),
      )
      .min(1)
      .max(16),
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'GRPC']).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    path: z
      .string()
      .max(1024)
      .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/, 'must be an absolute path of URL-safe characters')
      .optional(),
    intervalSeconds: z.number().int().min(1).max(300).optional(),
    timeoutSeconds: z.number().int().min(1).max(120).optional(),
    healthyThreshold: z.number().int().min(1).max(10).optional(),
    unhealthyThreshold: z.number().int().min(1).max(10).optional(),
    /** Status codes counted healthy: `200`, `200-299`, `200,204`. */
    expectedStatuses: z
      .string()
      .regex(/^[1-5][0-9]{2}(-[1-5][0-9]{2})?(,[1-5][0-9]{2}(-[1-5][0-9]{2})?)*$/)
      .optional(),
  }),
});
export type HealthCheckPolicy = z.infer<typeof healthCheckPolicy>;
