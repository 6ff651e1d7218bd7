import type { Ingress } from '#core/model/ingress.js';
import { DNS_LABEL } from '#core/model/meta.js';
import { annotationField, INGRESS_ANNOTATIONS } from './annotations.js';

export type GroupAnnotation =
  | { ok: true; group: string | undefined }
  | { ok: false; field: string; message: string };

/**
 * `portico.dev/group`: absent or empty = a load balancer of its own (as core/index/lb-keys.ts reads
 * it); otherwise a DNS label naming the group.
 */
export function readGroup(ingress: Ingress): GroupAnnotation {
  const raw = ingress.metadata.annotations?.[INGRESS_ANNOTATIONS.group];
  const group = raw?.trim();
  if (raw === undefined || !group) return { ok: true, group: undefined };
  if (group.length <= 63 && DNS_LABEL.test(group)) return { ok: true, group };
  return {
    ok: false,
    field: annotationField(INGRESS_ANNOTATIONS.group),
    message: `${INGRESS_ANNOTATIONS.group}: ${JSON.stringify(raw.slice(0, 64))} is not a DNS label (lower-case letters, digits and "-", at most 63); the Ingress is not programmed until it is fixed`,
  };
}
