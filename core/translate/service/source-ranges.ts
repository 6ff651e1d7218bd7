import type { LoadBalancerParameters } from '#core/model/parameters.js';
import type { Service } from '#core/model/service.js';
import { type Cidr, cidrContains, compareCidrs, formatIp, parseCidr } from '../ip-address.js';
import { annotationField, SERVICE_ANNOTATIONS } from './annotations.js';
import type { Problem } from './problem.js';

export type SourceRangesResult = { ok: true; sourceRanges: string[] } | { ok: false; problems: Problem[] };

/**
 * The client CIDRs allowed in. The Service says it in `spec.loadBalancerSourceRanges`, or, when that
 * is empty, in the `service.beta.kubernetes.io/load-balancer-source-ranges` annotation (as the in-tree
 * cloud providers read it). Parameters may restrict further: the result is the intersection, so
 * neither the platform team's nor the Service owner's restriction can be lifted by the other.
 *
 * An empty list means "everyone", so every failure here stops the Service (its load balancer is held
 * as it was): one bad entry dropped, or an empty intersection, would open it to the world.
 */
export function serviceSourceRanges(
  service: Service,
  parameters: LoadBalancerParameters | undefined,
): SourceRangesResult {
  const problems: Problem[] = [];
  const fromField = service.spec.loadBalancerSourceRanges ?? [];
  const annotation = service.metadata.annotations?.[SERVICE_ANNOTATIONS.sourceRanges];
  const fromService =
    fromField.length > 0
      ? parseAll(
          fromField.map((v, i) => ({ value: v.trim(), field: `spec.loadBalancerSourceRanges[${i}]` })),
          problems,
        )
      : parseAll(
          (annotation ?? '')
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '')
            .map((value) => ({ value, field: annotationField(SERVICE_ANNOTATIONS.sourceRanges) })),
          problems,
        );
  const fromParameters = parseAll(
    (parameters?.spec.sourceRanges ?? []).map((v, i) => ({
      value: v.trim(),
      field: `spec.sourceRanges[${i}] of LoadBalancerParameters ${parameters?.metadata.name}`,
    })),
    problems,
  );
  if (problems.length > 0) return { ok: false, problems };
  const allowed = intersect(fromService, fromParameters);
  if (allowed.length === 0 && (fromService.length > 0 || fromParameters.length > 0)) {
    return {
      ok: false,
      problems: [
        {
          severity: 'error',
          code: 'SourceRangesDisjoint',
          field:
            fromField.length > 0
              ? 'spec.loadBalancerSourceRanges'
              : annotationField(SERVICE_ANNOTATIONS.sourceRanges),
          message: `the Service's source ranges and those of LoadBalancerParameters ${parameters?.metadata.name} have no address in common; nothing is changed on the load balancer, since an empty list would admit everyone`,
        },
      ],
    };
  }
  return { ok: true, sourceRanges: dedupe(allowed).map((c) => `${formatIp(c)}/${c.prefix}`) };
}

function parseAll(entries: { value: string; field: string }[], problems: Problem[]): Cidr[] {
  const out: Cidr[] = [];
  for (const { value, field } of entries) {
    const r = parseCidr(value);
    if (r.ok) out.push(r.cidr);
    else
      problems.push({
        severity: 'error',
        code: 'InvalidSourceRange',
        field,
        message: `${field}: ${r.message}; nothing is changed on the load balancer, since dropping the entry could widen access`,
      });
  }
  return out;
}

/** CIDR blocks are either nested or disjoint, so the intersection of two lists is the narrower of each nested pair. */
function intersect(a: Cidr[], b: Cidr[]): Cidr[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: Cidr[] = [];
  for (const x of a) {
    for (const y of b) {
      if (cidrContains(x, y)) out.push(y);
      else if (cidrContains(y, x)) out.push(x);
    }
  }
  return out;
}

/** Sorted, without duplicates or ranges inside another listed range. */
function dedupe(list: Cidr[]): Cidr[] {
  const sorted = [...list].sort(compareCidrs);
  return sorted.filter(
    (c, i) => !sorted.some((o, j) => j !== i && cidrContains(o, c) && (o.prefix < c.prefix || j < i)),
  );
}
