import * as z from 'zod/mini';
import { sameRef } from '#core/index/object-ref.js';
import { isRouteKind } from '#core/index/references.js';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { PodRef } from '#core/ir/load-balancer.js';
import { isReadinessGateType, readinessGateType } from '#core/readiness/gate-condition.js';
import type { ObjectStatus, StatusRelease } from '#core/status/types.js';
import { describeIssue } from '#events/cloud-event.js';
import { K8S_NAME } from '#events/kinds.js';
import type { StatusRecordWire } from '#events/status-pull.js';

/**
 * The shape of a core/status ObjectStatus, checked before anything from the status stream reaches
 * the cluster: only the kinds Portico writes status for, only the fields it writes.
 */
const text = (max: number) => z.string().check(z.maxLength(max));
const name = z.string().check(z.minLength(1), z.maxLength(253));

const condition = z.object({
  type: text(316).check(z.minLength(1)),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: text(1024).check(z.minLength(1)),
  message: text(32_768),
  observedGeneration: z.optional(z.int().check(z.minimum(0))),
});
const conditions = z.array(condition).check(z.maxLength(8));

const parentRef = z.object({
  group: z.optional(text(253)),
  kind: z.optional(text(63)),
  namespace: z.optional(text(63)),
  name,
  sectionName: z.optional(text(253)),
  port: z.optional(z.int().check(z.minimum(1), z.maximum(65535))),
});

const routeParent = z.object({
  parentRef,
  controllerName: text(253).check(z.minLength(1)),
  conditions,
});

/** A policy's ancestor entry (Gateway API PolicyAncestorStatus): the Gateway it takes effect through. */
const policyAncestor = z.object({
  ancestorRef: parentRef,
  controllerName: text(253).check(z.minLength(1)),
  conditions,
});

const STATUS_OF_KIND = {
  GatewayClass: z.object({ conditions }),
  Gateway: z.object({
    addresses: z.optional(z.array(z.object({ type: text(253), value: text(253) })).check(z.maxLength(16))),
    conditions,
    listeners: z
      .array(
        z.object({
          name,
          supportedKinds: z.array(z.object({ group: text(253), kind: text(63) })).check(z.maxLength(8)),
          attachedRoutes: z.int().check(z.minimum(0)),
          conditions,
        }),
      )
      .check(z.maxLength(64)),
  }),
  route: z.object({ parents: z.array(routeParent).check(z.maxLength(32)) }),
  policy: z.object({ ancestors: z.array(policyAncestor).check(z.maxLength(16)) }),
  loadBalancer: z.object({
    loadBalancer: z.object({
      ingress: z.optional(
        z
          .array(
            z.object({
              ip: z.optional(text(64)),
              hostname: z.optional(text(253)),
              ports: z.optional(
                z.array(
                  z.object({
                    port: z.int().check(z.minimum(1), z.maximum(65535)),
                    protocol: text(16),
                    error: z.optional(text(316)),
                  }),
                ),
              ),
            }),
          )
          .check(z.maxLength(64)),
      ),
    }),
  }),
};

function schemaOf(kind: string): z.ZodMiniType | undefined {
  if (kind === 'GatewayClass') return STATUS_OF_KIND.GatewayClass;
  if (kind === 'Gateway') return STATUS_OF_KIND.Gateway;
  if (isRouteKind(kind)) return STATUS_OF_KIND.route;
  if (kind === 'BackendTLSPolicy') return STATUS_OF_KIND.policy;
  if (kind === 'Ingress' || kind === 'Service') return STATUS_OF_KIND.loadBalancer;
  return undefined;
}

const envelope = z.object({
  kind: text(63),
  namespace: z.optional(text(63)),
  name,
  generation: z.optional(z.int()),
  loadBalancers: z.array(text(1024)).check(z.maxLength(256)),
  status: z.unknown(),
});

/** The record's ObjectStatus, checked against its ref; a string says what is wrong. */
export function validateStatusRecord(record: StatusRecordWire): ObjectStatus | string {
  const parsed = envelope.safeParse(record.status);
  if (!parsed.success) return `status.${describeIssue(parsed.error)}`;
  const s = parsed.data;
  const { ref } = record;
  if (!sameRef(s, ref)) {
    return 'status names another object than the record';
  }
  const schema = schemaOf(s.kind);
  if (!schema) return `Portico writes no status for ${s.kind}`;
  const inner = schema.safeParse(s.status);
  if (!inner.success) return `status.status.${describeIssue(inner.error)}`;
  return { ...s, status: inner.data } as ObjectStatus;
}

/** The record's release, checked against its ref and key; a string says what is wrong. */
export function validateStatusRelease(record: StatusRecordWire): StatusRelease | string {
  const release = record.release;
  if (!release) return 'the record has no release';
  const { ref } = record;
  if (!sameRef(release, ref)) {
    return 'release names another object than the record';
  }
  if (!schemaOf(release.kind)) return `Portico writes no status for ${release.kind}`;
  if (isRouteKind(release.kind) && !release.parent) return 'a route release names no parent Gateway';
  return release as StatusRelease;
}

/** A readiness gate to open on one Pod, as the status stream says it. */
export interface PodGateWrite {
  pod: PodRef;
  conditionType: string;
  message: string;
}

/** Kubernetes namespace names: RFC 1123 labels. */
const K8S_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The record's readiness gate, checked against its ref and key; a string says what is wrong. The
 * Pod must be named as Kubernetes names Pods, and the condition type must be exactly the gate of the
 * record's load balancer (`portico.dev/lb-<hash>` of its key): nothing else of a Pod is Portico's.
 */
export function validatePodGateRecord(record: StatusRecordWire): PodGateWrite | string {
  const gate = record.gate;
  if (!gate) return 'the record has no gate';
  const { ref } = record;
  if (ref.kind !== 'Pod') return `a gate record names a ${ref.kind}, not a Pod`;
  if (ref.namespace === undefined || ref.namespace.length > 63 || !K8S_LABEL.test(ref.namespace))
    return 'the gate record names no valid Pod namespace';
  if (!K8S_NAME.test(ref.name)) return 'the gate record names no valid Pod name';
  if (record.key === undefined || !parseLbKey(record.key)) return 'the gate record names no load balancer';
  if (!isReadinessGateType(gate.conditionType) || gate.conditionType !== readinessGateType(record.key))
    return "the condition type is not the record's load balancer's readiness gate";
  return {
    pod: { namespace: ref.namespace, name: ref.name },
    conditionType: gate.conditionType,
    message: gate.message,
  };
}
