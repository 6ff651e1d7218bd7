import type { TranslateContext } from '../context.js';

export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Whether a reference may cross namespaces. Same-namespace references are always allowed; others
 * need a ReferenceGrant in the target's namespace that names the source kind and namespace and the
 * target kind (and, when it names one, the target object).
 */
export function isReferenceAllowed(ctx: TranslateContext, from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  for (const grant of ctx.referenceGrants.get(to.namespace) ?? []) {
    const fromOk = grant.spec.from.some(
      (f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace,
    );
    if (!fromOk) continue;
    const toOk = grant.spec.to.some(
      (t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === to.name),
    );
    if (toOk) return true;
  }
  return false;
}
