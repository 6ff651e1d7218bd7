import * as z from 'zod/mini';
import type { KindName } from '#core/model/bundle.js';
import { describeIssue } from './cloud-event.js';
import { DNS_LABEL, K8S_NAME, READ_KIND_NAMES, READ_KINDS } from './kinds.js';
import { type Rejection, reject } from './rejection.js';

/**
 * The parts of a Kubernetes object the contract relies on. The kind's full schema is checked
 * later, when the object is recorded, so that a malformed object gets a status condition instead
 * of vanishing at the door.
 */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const resourceObject = z.looseObject({
  apiVersion: text(316),
  kind: text(63),
  metadata: z.looseObject({
    name: text(253).check(z.regex(K8S_NAME, 'must be an RFC 1123 subdomain')),
    namespace: z.optional(text(63).check(z.regex(DNS_LABEL, 'must be an RFC 1123 label'))),
    uid: text(128),
    resourceVersion: text(128),
  }),
});

export type ResourceObject = z.infer<typeof resourceObject> & { kind: KindName };

/** `gateway.networking.k8s.io/v1` → `gateway.networking.k8s.io`; `v1` → `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Checks that `data` is an object of a kind Portico reads, with the identity the queue keys need. */
export function validateResourceObject(
  data: unknown,
  index?: number,
): { object: ResourceObject } | { error: Rejection } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { error: reject('InvalidObject', 'data must be a Kubernetes object', index) };
  }
  const kind = (data as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(READ_KINDS, kind)) {
    return {
      error: reject(
        'UnsupportedKind',
        `data.kind ${JSON.stringify(kind ?? null)} is not a kind Portico reads (${READ_KIND_NAMES.join(', ')})`,
        index,
      ),
    };
  }
  const parsed = resourceObject.safeParse(data);
  if (!parsed.success) {
    return { error: reject('InvalidObject', `data.${describeIssue(parsed.error)}`, index) };
  }
  const spec = READ_KINDS[kind as KindName];
  const group = apiGroupOf(parsed.data.apiVersion);
  if (group !== spec.group) {
    return {
      error: reject(
        'UnsupportedKind',
        `${kind} of API group "${group}" is not read; Portico reads ${kind} from "${spec.group}"`,
        index,
      ),
    };
  }
  const namespace = parsed.data.metadata.namespace;
  if (spec.namespaced && !namespace) {
    return { error: reject('InvalidObject', `${kind} is namespaced: metadata.namespace is required`, index) };
  }
  if (!spec.namespaced && namespace) {
    return {
      error: reject('InvalidObject', `${kind} is cluster-scoped: metadata.namespace must be empty`, index),
    };
  }
  return { object: parsed.data as ResourceObject };
}
