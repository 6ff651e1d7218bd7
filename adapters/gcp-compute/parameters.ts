// The `gcpCompute` section of LoadBalancerParameters (lb.providerParameters). Validated here, not in the
// core: an invalid section renders nothing and one notice per problem on the load balancer (never a guess).

import { z } from 'zod';
import type * as ir from '#core/ir/load-balancer.js';
import { GCP_NAME_MAX, GCP_NAME_PATTERN } from '#core/naming/index.js';
import type { AdapterNotice } from '../types.js';

/** GCP project ids: 6-30 characters, lower case, digits and hyphens, starting with a letter. */
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+(?:-[a-z]+)*\d+$/;
const ZONE = /^[a-z]+(?:-[a-z]+)*\d+-[a-z]$/;
/** A resource name, or a (full or partial) URL of one: `projects/p/global/networks/vpc`. */
const RESOURCE =
  /^(?:https:\/\/(?:www|compute)\.googleapis\.com\/compute\/v1\/)?(?:projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/(?:global|regions\/[a-z0-9-]+)\/[a-zA-Z]+\/)?[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Certificate Manager map: a name or `projects/p/locations/global/certificateMaps/name`. */
const CERTIFICATE_MAP =
  /^(?:projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/locations\/global\/certificateMaps\/)?[a-zA-Z0-9_-]{1,63}$/;
/** GCP label rules (keys start with a letter; up to 63 of lower-case letters, digits, _ and -). */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
/** GCP allows 64 labels per resource; Portico keeps 4 for its ownership labels. */
export const MAX_EXTRA_LABELS = 60;
/** "Compute Engine SSL certificates per target proxy: 15" (Cloud Load Balancing quotas). */
export const MAX_SSL_CERTIFICATES = 15;

const name = z
  .string()
  .max(GCP_NAME_MAX)
  .regex(GCP_NAME_PATTERN, 'not a GCP resource name ([a-z]([-a-z0-9]*[a-z0-9])?)');
const resource = z.string().max(1024).regex(RESOURCE, 'not a GCP resource name or URL');

const certificates = z.discriminatedUnion('source', [
  /** Self-managed SslCertificates that Portico creates from the listeners' TLS Secrets (the default). */
  z.strictObject({ source: z.literal('secrets') }),
  /** Existing Compute SslCertificates, by name: Portico references them and never changes them. */
  z.strictObject({
    source: z.literal('sslCertificates'),
    names: z.array(name).min(1).max(MAX_SSL_CERTIFICATES),
  }),
  /** An existing Certificate Manager certificate map (global load balancers only). */
  z.strictObject({
    source: z.literal('certificateMap'),
    map: z.string().regex(CERTIFICATE_MAP, 'not a certificate map name'),
  }),
]);

export const gcpComputeParameters = z
  .strictObject({
    project: z.string().regex(PROJECT_ID, 'not a GCP project id'),
    /** `global` (global external or cross-region internal Application LB) or a region. */
    location: z.union([z.literal('global'), z.string().regex(REGION, 'not a region name')]).default('global'),
    /** Only the managed (Envoy-based) schemes: the classic one has no route rules. Default from spec.scheme. */
    loadBalancingScheme: z.enum(['EXTERNAL_MANAGED', 'INTERNAL_MANAGED']).optional(),
    /** VPC network and subnetwork (for the internal scheme's forwarding rule; the NEGs' network). */
    network: resource.optional(),
    subnetwork: resource.optional(),
    /** Zones where the NEGs of each Service port are created (the zones of the cluster's nodes). */
    negZones: z.array(z.string().regex(ZONE, 'not a zone name')).min(1).max(20),
    certificates: certificates.default({ source: 'secrets' }),
    /** Cloud Armor security policy attached to every backend service. */
    securityPolicy: name.optional(),
    /** Cloud CDN on every backend service (global external load balancers only). */
    cdn: z
      .strictObject({
        enabled: z.boolean().default(true),
        cacheMode: z
          .enum(['CACHE_ALL_STATIC', 'USE_ORIGIN_HEADERS', 'FORCE_CACHE_ALL'])
          .default('CACHE_ALL_STATIC'),
      })
      .optional(),
    /** Extra labels on the forwarding rules and addresses (the only load-balancing resources with labels). */
    labels: z
      .record(z.string(), z.string())
      .default({})
      .superRefine((labels, ctx) => {
        const keys = Object.keys(labels);
        if (keys.length > MAX_EXTRA_LABELS)
          ctx.addIssue({ code: 'custom', message: `at most ${MAX_EXTRA_LABELS} extra labels` });
        for (const k of keys) {
          if (!LABEL_KEY.test(k))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: 'label keys are 1-63 of [a-z0-9_-], starting with a letter',
            });
          else if (k.startsWith('portico'))
            ctx.addIssue({ code: 'custom', path: [k], message: 'portico keys are Portico ownership labels' });
          if (!LABEL_VALUE.test(labels[k]!))
            ctx.addIssue({ code: 'custom', path: [k], message: 'label values are 0-63 of [a-z0-9_-]' });
        }
      }),
  })
  .superRefine((p, ctx) => {
    const regional = p.location !== 'global';
    for (const [i, zone] of p.negZones.entries()) {
      if (p.negZones.indexOf(zone) !== i)
        ctx.addIssue({ code: 'custom', path: ['negZones', i], message: 'duplicate' });
      if (regional && !zone.startsWith(`${p.location}-`))
        ctx.addIssue({
          code: 'custom',
          path: ['negZones', i],
          message: `not a zone of region ${p.location}`,
        });
    }
    if (p.loadBalancingScheme === 'INTERNAL_MANAGED') {
      for (const field of ['network', 'subnetwork'] as const)
        if (!p[field])
          ctx.addIssue({ code: 'custom', path: [field], message: 'required by the INTERNAL_MANAGED scheme' });
      if (p.cdn?.enabled)
        ctx.addIssue({ code: 'custom', path: ['cdn'], message: 'Cloud CDN needs an external load balancer' });
    } else if (p.subnetwork)
      ctx.addIssue({
        code: 'custom',
        path: ['subnetwork'],
        message: 'only the INTERNAL_MANAGED scheme takes a subnetwork',
      });
    if (regional && p.cdn?.enabled)
      ctx.addIssue({ code: 'custom', path: ['cdn'], message: 'Cloud CDN needs a global load balancer' });
    if (regional && p.certificates.source === 'certificateMap')
      ctx.addIssue({
        code: 'custom',
        path: ['certificates', 'map'],
        message: 'certificate maps attach to global load balancers only',
      });
  });

export type GcpComputeParameters = z.infer<typeof gcpComputeParameters> & {
  loadBalancingScheme: 'EXTERNAL_MANAGED' | 'INTERNAL_MANAGED';
};

const SCHEME_OF: Record<ir.LoadBalancer['scheme'], GcpComputeParameters['loadBalancingScheme']> = {
  'internet-facing': 'EXTERNAL_MANAGED',
  internal: 'INTERNAL_MANAGED',
};

/**
 * The parsed section, or the notices that explain why nothing is rendered. The scheme defaults from
 * the load balancer's `scheme` (internet-facing → EXTERNAL_MANAGED, internal → INTERNAL_MANAGED) and
 * must agree with it when both are given.
 */
export function parseParameters(
  lb: ir.LoadBalancer,
): { ok: true; params: GcpComputeParameters } | { ok: false; notices: AdapterNotice[] } {
  const fromScheme = SCHEME_OF[lb.scheme];
  const given = lb.providerParameters.loadBalancingScheme;
  const r = gcpComputeParameters.safeParse({ loadBalancingScheme: fromScheme, ...lb.providerParameters });
  const notice = (path: readonly PropertyKey[], message: string): AdapterNotice => {
    const field = ['gcpCompute', ...path.map(String)].join('.');
    return {
      severity: 'error',
      code: 'UnsupportedValue',
      feature: 'parameters/gcpCompute',
      source: lb.source,
      field,
      message: `invalid LoadBalancerParameters ${field}: ${message}; nothing is programmed`,
    };
  };
  const notices = r.success ? [] : r.error.issues.map((issue) => notice(issue.path, issue.message));
  if (given !== undefined && given !== fromScheme && r.success)
    notices.push(
      notice(
        ['loadBalancingScheme'],
        `${String(given)} contradicts spec.scheme ${lb.scheme} (${fromScheme})`,
      ),
    );
  if (!r.success || notices.length > 0) return { ok: false, notices };
  const p = r.data;
  return {
    ok: true,
    params: {
      ...p,
      loadBalancingScheme: p.loadBalancingScheme ?? fromScheme,
      // The API takes networks and subnetworks as URLs: a bare name is one of this project's.
      ...(p.network !== undefined
        ? { network: qualified(p.network, `projects/${p.project}/global/networks`) }
        : {}),
      ...(p.subnetwork !== undefined && p.location !== 'global'
        ? { subnetwork: qualified(p.subnetwork, `projects/${p.project}/regions/${p.location}/subnetworks`) }
        : {}),
    },
  };
}

function qualified(nameOrUrl: string, collection: string): string {
  return nameOrUrl.includes('/') ? nameOrUrl : `${collection}/${nameOrUrl}`;
}
