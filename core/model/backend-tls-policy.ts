import { z } from 'zod';
import { hostname } from './gateway-api.js';
import { labelName, objectMeta, objectName } from './meta.js';

export const BACKEND_TLS_POLICY_KIND = 'BackendTLSPolicy';

const group = z.string().max(253);
const kind = z.string().min(1).max(63);

/** A Subject Alternative Name the backend's certificate must carry (one of the list). */
const subjectAltName = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('Hostname'), hostname: hostname }),
  z.looseObject({
    type: z.literal('URI'),
    uri: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$/, 'must be an absolute URI (scheme:rest)'),
  }),
]);

/**
 * `BackendTLSPolicy` (gateway.networking.k8s.io/v1, standard since v1.4): how a Gateway speaks TLS
 * to a Service's endpoints. A direct policy: it targets Services of its own namespace (a port by
 * name with `sectionName`), and its CA ConfigMaps are in that namespace too. Reference kinds are
 * strings here, not enums: a wrong kind is reported on the policy's status (`InvalidKind`), never a
 * reason to drop the object.
 */
export const backendTlsPolicy = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal(BACKEND_TLS_POLICY_KIND),
  metadata: objectMeta,
  spec: z.looseObject({
    targetRefs: z
      .array(z.looseObject({ group, kind, name: objectName, sectionName: labelName.optional() }))
      .min(1)
      .max(16),
    validation: z
      .looseObject({
        caCertificateRefs: z
          .array(
            z.looseObject({
              group,
              kind,
              name: objectName,
              /** Not in the API (LocalObjectReference): kept only to refuse it precisely. */
              namespace: labelName.optional(),
            }),
          )
          .max(8)
          .optional(),
        wellKnownCACertificates: z.enum(['System', '']).optional(),
        hostname: hostname.refine(
          (h) => !h.startsWith('*'),
          'must be a precise hostname, without a wildcard',
        ),
        subjectAltNames: z.array(subjectAltName).max(5).optional(),
      })
      .refine(
        (v) => (v.caCertificateRefs?.length ?? 0) > 0 !== Boolean(v.wellKnownCACertificates),
        'exactly one of caCertificateRefs and wellKnownCACertificates must be set',
      ),
    options: z.record(z.string().max(253), z.string().max(4096)).optional(),
  }),
});
export type BackendTLSPolicy = z.infer<typeof backendTlsPolicy>;
