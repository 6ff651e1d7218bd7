import { lbKey } from '#core/ir/lb-key.js';
import type { Ingress } from '#core/model/ingress.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import type { TranslateContext } from '../context.js';
import { readGroup } from './group.js';
import { createClassSelector } from './ingress-class.js';
import { pushIngressStatus } from './status.js';

/**
 * An Ingress that failed its schema but is recognisably Portico's (by the plain strings its class is
 * chosen from) keeps its own load balancer as it is, so that a bad edit never takes down what already
 * works; a group goes on without it. translate() reports the schema failure itself (InvalidObject).
 * Meant to be called from translate.ts with the rejected objects, as the Gateway API translator is.
 */
export function holdRejectedIngresses(ctx: TranslateContext, rejected: readonly RejectedObject[]): void {
  const selectClass = createClassSelector(ctx);
  for (const r of rejected) {
    if (r.kind !== 'Ingress' || !r.name) continue;
    const ingress = plainIngress(r);
    if (!selectClass(ingress)) continue;
    const group = readGroup(ingress);
    const grouped = !group.ok || group.group !== undefined;
    const key = lbKey(ctx.options.cluster, 'Ingress', ingress.metadata.namespace!, r.name);
    if (!grouped) ctx.held.push({ key, reason: `the Ingress is invalid: ${r.field}: ${r.message}` });
    pushIngressStatus(ctx, ingress, grouped ? [] : [key]);
  }
}

/** Only what class selection and grouping read, and only if it has the expected type. */
function plainIngress(r: RejectedObject): Ingress {
  const raw = (typeof r.raw === 'object' && r.raw !== null ? r.raw : {}) as {
    metadata?: { annotations?: unknown; generation?: unknown };
    spec?: { ingressClassName?: unknown };
  };
  const annotations =
    typeof raw.metadata?.annotations === 'object' && raw.metadata.annotations !== null
      ? Object.fromEntries(
          Object.entries(raw.metadata.annotations).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          ),
        )
      : {};
  const className = raw.spec?.ingressClassName;
  const generation = raw.metadata?.generation;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: r.name!,
      namespace: r.namespace ?? 'default',
      annotations,
      ...(typeof generation === 'number' ? { generation } : {}),
    },
    spec: typeof className === 'string' ? { ingressClassName: className } : {},
  };
}
