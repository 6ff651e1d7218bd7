import type { LoadBalancer } from '#core/ir/load-balancer.js';
import type { LoadBalancerParameters } from '#core/model/parameters.js';
import type { Service } from '#core/model/service.js';
import { annotationField, SERVICE_ANNOTATIONS } from './annotations.js';
import type { Problem } from './problem.js';

type Scheme = LoadBalancer['scheme'];

export type SchemeResult = { ok: true; scheme: Scheme; notes: Problem[] } | { ok: false; problem: Problem };

/**
 * Internet-facing or internal, first answer wins: the parameters (set by the platform team), then
 * `portico.dev/scheme`, then the annotations other controllers define, then internet-facing. An
 * unreadable scheme annotation stops the Service (its load balancer is held as it was) rather than
 * defaulting to internet-facing: a typo in `internal` must not publish a private service.
 */
export function serviceScheme(
  service: Service,
  parameters: LoadBalancerParameters | undefined,
): SchemeResult {
  const fromAnnotations = schemeFromAnnotations(service);
  if (!fromAnnotations.ok) return fromAnnotations;
  const fromParameters = parameters?.spec.scheme;
  if (fromParameters) {
    const notes: Problem[] = [];
    if (fromAnnotations.scheme && fromAnnotations.scheme.value !== fromParameters) {
      notes.push({
        severity: 'warning',
        code: 'AnnotationOverridden',
        field: annotationField(fromAnnotations.scheme.annotation),
        message: `${fromAnnotations.scheme.annotation} asks for ${fromAnnotations.scheme.value}, but LoadBalancerParameters ${parameters.metadata.name} sets scheme ${fromParameters}, which wins`,
      });
    }
    return { ok: true, scheme: fromParameters, notes };
  }
  return { ok: true, scheme: fromAnnotations.scheme?.value ?? 'internet-facing', notes: [] };
}

type AnnotationScheme =
  | { ok: true; scheme: { value: Scheme; annotation: string } | undefined }
  | { ok: false; problem: Problem };

function schemeFromAnnotations(service: Service): AnnotationScheme {
  const a = service.metadata.annotations ?? {};
  const invalid = (name: string, expected: string): AnnotationScheme => ({
    ok: false,
    problem: {
      severity: 'error',
      code: 'InvalidAnnotation',
      field: annotationField(name),
      message: `${name}: ${JSON.stringify((a[name] ?? '').slice(0, 64))} is not ${expected}; nothing is changed on the load balancer until it is fixed`,
    },
  });
  const own = a[SERVICE_ANNOTATIONS.scheme];
  if (own !== undefined) {
    const v = own.trim();
    if (v !== 'internal' && v !== 'internet-facing')
      return invalid(SERVICE_ANNOTATIONS.scheme, '"internal" or "internet-facing"');
    return { ok: true, scheme: { value: v, annotation: SERVICE_ANNOTATIONS.scheme } };
  }
  // Several foreign annotations may be present; any of them asking for internal wins (never widen).
  const aws = a[SERVICE_ANNOTATIONS.awsScheme]?.trim();
  if (aws !== undefined && aws !== 'internal' && aws !== 'internet-facing') {
    return invalid(SERVICE_ANNOTATIONS.awsScheme, '"internal" or "internet-facing"');
  }
  if (aws === 'internal')
    return { ok: true, scheme: { value: 'internal', annotation: SERVICE_ANNOTATIONS.awsScheme } };
  // The in-tree AWS provider reads any value but "false" as internal (it used to take a CIDR).
  const awsInternal = a[SERVICE_ANNOTATIONS.awsInternal]?.trim();
  if (awsInternal !== undefined && awsInternal !== '' && awsInternal !== 'false') {
    return { ok: true, scheme: { value: 'internal', annotation: SERVICE_ANNOTATIONS.awsInternal } };
  }
  for (const name of [SERVICE_ANNOTATIONS.gkeType, SERVICE_ANNOTATIONS.gkeTypeLegacy]) {
    // GKE accepts "Internal" and, deprecated, "internal"; anything else leaves the default.
    if (a[name]?.trim().toLowerCase() === 'internal')
      return { ok: true, scheme: { value: 'internal', annotation: name } };
  }
  if (aws === 'internet-facing')
    return { ok: true, scheme: { value: 'internet-facing', annotation: SERVICE_ANNOTATIONS.awsScheme } };
  return { ok: true, scheme: undefined };
}
