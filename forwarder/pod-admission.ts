// The pod admission webhook's answer: an AdmissionReview (admission.k8s.io/v1) in, the same
// review with a response out. It never refuses a pod: at worst the pod gets no readiness gate.

import * as z from 'zod/mini';
import { isRecord } from '#core/index/object-ref.js';
import { describeIssue } from '#events/cloud-event.js';

/** The path the MutatingWebhookConfiguration calls (infra/forwarder/62-webhook-configuration.yaml). */
export const MUTATE_PODS_PATH = '/mutate-pods';

/** The API server sends at most its own request limit (3 MiB); anything larger is not a review. */
export const MAX_ADMISSION_BODY_BYTES = 3 * 1024 * 1024;

const API_VERSION = 'admission.k8s.io/v1';
const dnsLabel = z.string().check(z.maxLength(63), z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/));

const admissionReview = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().check(z.minLength(1), z.maxLength(128)),
    kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
    operation: z.string(),
    subResource: z.optional(z.string()),
    namespace: z.optional(z.string()),
    object: z.optional(z.unknown()),
  }),
});

export interface AdmissionReply {
  status: number;
  contentType: string;
  body: string;
}

/** The readiness gate condition types a pod of `namespace` should carry. */
export type GateTypesOf = (namespace: string, pod: Record<string, unknown>) => readonly string[];

/**
 * Answers one AdmissionReview body. A body that is not a v1 AdmissionReview is a 400 with the
 * reason (the API server then applies the failurePolicy, Ignore); a review of anything but a Pod
 * CREATE, or of a pod that needs no new gate, is allowed without a patch; otherwise allowed with a
 * JSONPatch adding the missing `spec.readinessGates` entries after the pod's own.
 */
export function reviewPodAdmission(body: string, gateTypesOf: GateTypesOf): AdmissionReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return badRequest('the body is not JSON');
  }
  const parsed = admissionReview.safeParse(json);
  if (!parsed.success)
    return badRequest(`not an ${API_VERSION} AdmissionReview: ${describeIssue(parsed.error)}`);
  const { request } = parsed.data;
  const allow = (patch?: unknown[]): AdmissionReply => ({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: API_VERSION,
      kind: 'AdmissionReview',
      response: {
        uid: request.uid,
        allowed: true,
        ...(patch
          ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }
          : {}),
      },
    }),
  });

  const { kind } = request;
  if (kind.group !== '' || kind.version !== 'v1' || kind.kind !== 'Pod') return allow();
  if (request.operation !== 'CREATE' || request.subResource) return allow();
  const pod = request.object;
  const namespace = request.namespace;
  if (
    !isRecord(pod) ||
    !isRecord(pod.spec) ||
    namespace === undefined ||
    !dnsLabel.safeParse(namespace).success
  )
    return allow();
  const existing = pod.spec.readinessGates ?? undefined; // null is absent, as the API server reads it
  if (existing !== undefined && !Array.isArray(existing)) return allow(); // the API server will refuse it
  const present = new Set(
    (existing ?? []).map((g) => (isRecord(g) && typeof g.conditionType === 'string' ? g.conditionType : '')),
  );
  const missing = [...new Set(gateTypesOf(namespace, pod))].filter((t) => !present.has(t));
  if (missing.length === 0) return allow();
  const gates = missing.map((conditionType) => ({ conditionType }));
  return allow(
    existing === undefined
      ? [{ op: 'add', path: '/spec/readinessGates', value: gates }]
      : gates.map((value) => ({ op: 'add', path: '/spec/readinessGates/-', value })),
  );
}

function badRequest(reason: string): AdmissionReply {
  return { status: 400, contentType: 'text/plain; charset=utf-8', body: `${reason}\n` };
}
