import { z } from 'zod';
import { objectMeta } from './meta.js';

/** API group of Portico's own resources. */
export const PORTICO_GROUP = 'portico.dev';
export const PROVIDERS = ['haproxy', 'aws-elbv2', 'gcp-compute'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * `LoadBalancerParameters` (portico.dev/v1alpha1): referenced by a GatewayClass `spec.parametersRef`,
 * an IngressClass `spec.parameters`, or a Service annotation `portico.dev/parameters`. It picks the
 * provider and carries provider-specific settings, fenced per adapter: the core passes the section of
 * the chosen provider through untouched and each adapter validates its own section.
 */
export const loadBalancerParameters = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('LoadBalancerParameters'),
  metadata: objectMeta,
  spec: z.looseObject({
    provider: z.enum(PROVIDERS),
    scheme: z.enum(['internet-facing', 'internal']).optional(),
    /** Client CIDRs allowed to reach the load balancer; empty = everyone. */
    sourceRanges: z.array(z.string().max(64)).max(1000).optional(),
    /**
     * The address families Gateways and Ingresses using these parameters listen on: `[IPv4]` (the
     * default), `[IPv6]`, or both (dual-stack; the first is the primary). Services use their own
     * `spec.ipFamilies` instead.
     */
    ipFamilies: z
      .array(z.enum(['IPv4', 'IPv6']))
      .min(1)
      .max(2)
      .refine((f) => new Set(f).size === f.length, 'ipFamilies must not repeat a family')
      .optional(),
    haproxy: z.record(z.string(), z.unknown()).optional(),
    awsElbv2: z.record(z.string(), z.unknown()).optional(),
    gcpCompute: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type LoadBalancerParameters = z.infer<typeof loadBalancerParameters>;
