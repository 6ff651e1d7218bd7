// The `awsElbv2` section of LoadBalancerParameters (lb.providerParameters). Validated here, not in the
// core: an invalid section renders nothing and one notice on the load balancer (never a guess).

import { z } from 'zod';
import type * as ir from '#core/ir/load-balancer.js';
import { AWS_TAG_KEY_MAX, AWS_TAG_PATTERN, AWS_TAG_VALUE_MAX } from '#core/naming/index.js';
import type { AdapterNotice } from '../types.js';

export const CERTIFICATE_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:(?:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+|iam::\d{12}:server-certificate\/[A-Za-z0-9/_+=,.@-]+)$/;
const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOSTNAME_KEY = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`));
const arn = z.string().regex(CERTIFICATE_ARN_PATTERN, 'not an ACM or IAM certificate ARN');

/** Extra tags leave room for the 4 ownership tags within AWS's 50 tags per resource. */
export const MAX_EXTRA_TAGS = 40;
/** The attributes owned by dedicated fields: setting them twice is ambiguous, so it is rejected. */
const DEDICATED_ATTRIBUTES = ['idle_timeout.timeout_seconds', 'deletion_protection.enabled'];

const tagValue = z.string().max(AWS_TAG_VALUE_MAX).regex(AWS_TAG_PATTERN, 'characters AWS does not accept');
/** AWS tag rules, plus Portico's own ownership keys, which users may not set. */
function tagKeyProblem(k: string): string | undefined {
  if (k.length < 1 || k.length > AWS_TAG_KEY_MAX) return `tag keys hold 1-${AWS_TAG_KEY_MAX} characters`;
  if (!AWS_TAG_PATTERN.test(k)) return 'characters AWS does not accept in tag keys';
  if (/^aws:/i.test(k)) return 'the aws: prefix is reserved';
  if (k.startsWith('portico.dev/')) return 'portico.dev/ keys are Portico ownership tags';
  return undefined;
}

export const awsElbv2Parameters = z
  .strictObject({
    /** VPC of the target groups (CreateTargetGroup needs it for ip targets). */
    vpcId: id('vpc'),
    subnets: z.array(id('subnet')).min(1).max(100),
    securityGroups: z.array(id('sg')).max(5).default([]),
    /** dualstack-without-public-ipv4: internet-facing ALBs only (render warns and uses dualstack elsewhere). */
    ipAddressType: z.enum(['ipv4', 'dualstack', 'dualstack-without-public-ipv4']).default('ipv4'),
    /** Certificates are referenced, never uploaded: a default plus one ARN per TLS hostname. */
    certificateArns: z
      .strictObject({
        default: arn.optional(),
        byHostname: z
          .record(z.string().max(253).regex(HOSTNAME_KEY, 'not a lower-case hostname or *.wildcard'), arn)
          .default({}),
      })
      .default({ byHostname: {} }),
    sslPolicy: z
      .string()
      .regex(/^ELBSecurityPolicy-[A-Za-z0-9-]{1,100}$/)
      .default('ELBSecurityPolicy-TLS13-1-2-2021-06'),
    loadBalancerAttributes: z
      .record(z.string().regex(/^[a-z0-9_.]{1,256}$/), z.string().max(1024))
      .default({})
      .refine((a) => !DEDICATED_ATTRIBUTES.some((k) => k in a), {
        message: `use idleTimeoutSeconds / deletionProtection instead of ${DEDICATED_ATTRIBUTES.join(', ')}`,
      }),
    /** Only `ip` for now: pod IPs from EndpointSlices (instance targets need node lookups). */
    targetType: z.literal('ip').default('ip'),
    /** ALB idle timeout (idle_timeout.timeout_seconds). */
    idleTimeoutSeconds: z.number().int().min(1).max(4000).optional(),
    deletionProtection: z.boolean().default(false),
    /**
     * S3 bucket for the CA bundles of listeners with client certificate validation (Gateway
     * `spec.tls.frontend`): apply uploads each bundle there, content-addressed, and the trust store is
     * made from it. Required for client validation only.
     */
    trustStoreBucket: z
      .string()
      .regex(S3_BUCKET_NAME, 'not an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)')
      .refine((b) => !/\.\.|^\d+\.\d+\.\d+\.\d+$|^xn--|-s3alias$|--ol-s3$/.test(b), 'not an S3 bucket name')
      .optional(),
    tags: z
      .record(z.string(), tagValue)
      .default({})
      .superRefine((t, ctx) => {
        const keys = Object.keys(t);
        if (keys.length > MAX_EXTRA_TAGS)
          ctx.addIssue({ code: 'custom', message: `at most ${MAX_EXTRA_TAGS} extra tags` });
        for (const k of keys) {
          const problem = tagKeyProblem(k);
          if (problem) ctx.addIssue({ code: 'custom', path: [k], message: problem });
        }
      }),
  })
  .superRefine((p, ctx) => {
    for (const [i, s] of p.subnets.entries())
      if (p.subnets.indexOf(s) !== i)
        ctx.addIssue({ code: 'custom', path: ['subnets', i], message: 'duplicate' });
  });

export type AwsElbv2Parameters = z.infer<typeof awsElbv2Parameters>;

/** The parsed section, or the notices that explain why nothing is rendered. */
export function parseParameters(
  lb: ir.LoadBalancer,
): { ok: true; params: AwsElbv2Parameters } | { ok: false; notices: AdapterNotice[] } {
  const r = awsElbv2Parameters.safeParse(lb.providerParameters);
  if (r.success) return { ok: true, params: r.data };
  return {
    ok: false,
    notices: r.error.issues.map((issue) => {
      const field = ['awsElbv2', ...issue.path.map(String)].join('.');
      return {
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'parameters/awsElbv2',
        source: lb.source,
        field,
        message: `invalid LoadBalancerParameters ${field}: ${issue.message}; nothing is programmed`,
      };
    }),
  };
}

/** Load balancer attributes, sorted: the free-form ones plus those with dedicated fields. */
export function loadBalancerAttributes(
  p: AwsElbv2Parameters,
  type: 'application' | 'network',
): Record<string, string> {
  const all: Record<string, string> = {
    ...p.loadBalancerAttributes,
    'deletion_protection.enabled': String(p.deletionProtection),
  };
  if (p.idleTimeoutSeconds !== undefined && type === 'application')
    all['idle_timeout.timeout_seconds'] = String(p.idleTimeoutSeconds);
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
