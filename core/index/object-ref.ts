import { isKnownKind, KINDS } from '#core/model/bundle.js';

/**
 * Identifies one stored object of one cluster. `namespace` is absent for cluster-scoped kinds.
 *
 * Besides the real kinds of core/model/bundle.ts, edges may point at a few *pseudo-objects* that
 * exist only in the index (their kind starts with `@`, which no Kubernetes kind can): they let a
 * reverse lookup answer questions such as "which Ingresses belong to group g" or "which Ingresses
 * use the default IngressClass" with the same machinery as "who references Service s".
 */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** Ingresses carrying `portico.dev/group: <name>` point at `{ kind: INGRESS_GROUP, name }`. */
export const INGRESS_GROUP = '@IngressGroup';
/** Ingresses that name no class point at `{ kind: DEFAULT_INGRESS_CLASS, name: '-' }`. */
export const DEFAULT_INGRESS_CLASS = '@DefaultIngressClass';
/** Gateways with a listener admitting routes from other namespaces (`All`, `Selector`) point at `{ kind: NAMESPACE_SELECTOR, name: '-' }`. */
export const NAMESPACE_SELECTOR = '@NamespaceSelector';

export const DEFAULT_INGRESS_CLASS_REF: ObjectRef = { kind: DEFAULT_INGRESS_CLASS, name: '-' };
export const NAMESPACE_SELECTOR_REF: ObjectRef = { kind: NAMESPACE_SELECTOR, name: '-' };

/** `kind/namespace/name` (`kind//name` when cluster-scoped): unambiguous, since none of the parts can hold a `/`. */
export function refId(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function ref(kind: string, namespace: string | undefined, name: string): ObjectRef {
  return namespace === undefined ? { kind, name } : { kind, namespace, name };
}

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/**
 * The identity of a raw object, read defensively: `undefined` for anything that is not an object of
 * a kind the core reads or has no usable name. A namespaced object without a namespace lands in
 * `default`, as the API server (and core/model/read-objects.ts) would put it.
 */
export function refOf(obj: unknown): ObjectRef | undefined {
  if (!isRecord(obj)) return undefined;
  const kind = obj.kind;
  if (!isKnownKind(kind)) return undefined;
  const meta = obj.metadata;
  if (!isRecord(meta)) return undefined;
  const name = meta.name;
  if (typeof name !== 'string' || name === '' || name.includes('/')) return undefined;
  if (!KINDS[kind].namespaced) return { kind, name };
  const ns = meta.namespace;
  const namespace = typeof ns === 'string' && ns !== '' && !ns.includes('/') ? ns : 'default';
  return { kind, namespace, name };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  const x = refId(a);
  const y = refId(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
