import { compareStrings } from '#core/ir/sort.js';
import { GATEWAY_GROUP, type Gateway, type ListenerSet } from '#core/model/gateway-api.js';
import { objectKey } from '#core/model/meta.js';
import { condition } from '#core/status/conditions.js';
import type { StatusCondition } from '#core/status/types.js';
import type { TranslateContext } from '../context.js';
import { matchesLabelSelector } from '../label-selector.js';
import type { ListenerState } from './listeners.js';

/** A ListenerSet that names one of Portico's Gateways, once the Gateway has decided on it. */
export interface ListenerSetState {
  listenerSet: ListenerSet;
  /** Its listeners were merged into the Gateway's (some may still be invalid or conflicted). */
  accepted: boolean;
  /** Why not, when not: `ParentNotAccepted`, `NotAllowed` or `ListenersNotValid`. */
  refusal?: { reason: string; message: string };
  listeners: ListenerState[];
}

/**
 * The ListenerSets of every Gateway (by `namespace/name` of the Gateway), each list in the order the
 * API gives their listeners precedence: oldest first, then by `namespace/name`.
 */
export function listenerSetsByGateway(ctx: TranslateContext): Map<string, ListenerSet[]> {
  const out = new Map<string, ListenerSet[]>();
  for (const ls of ctx.bundle.listenerSets) {
    const ref = ls.spec.parentRef;
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
    const key = `${ref.namespace ?? ls.metadata.namespace}/${ref.name}`;
    out.set(key, [...(out.get(key) ?? []), ls]);
  }
  for (const list of out.values()) list.sort(byPrecedence);
  return out;
}

function byPrecedence(a: ListenerSet, b: ListenerSet): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return compareStrings(ta, tb) || compareStrings(objectKey(a), objectKey(b));
}

/** Whether the Gateway's `spec.allowedListeners` admits ListenerSets from this namespace (default: none). */
export function isListenerSetAllowed(ctx: TranslateContext, gateway: Gateway, namespace: string): boolean {
  const from = gateway.spec.allowedListeners?.namespaces?.from ?? 'None';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return namespace === gateway.metadata.namespace;
    case 'Selector': {
      const selector = gateway.spec.allowedListeners?.namespaces?.selector;
      return (
        selector !== undefined &&
        matchesLabelSelector(selector, ctx.namespaces.get(namespace)?.metadata.labels ?? {})
      );
    }
    default:
      return false;
  }
}

/** `Accepted` and `Programmed` of a ListenerSet, with its listeners' status, for translate to push. */
export function pushListenerSetStatus(
  ctx: TranslateContext,
  gatewayKey: string,
  state: ListenerSetState,
): void {
  const ls = state.listenerSet;
  const generation = ls.metadata.generation;
  const conditions: StatusCondition[] = [];
  if (state.refusal) {
    conditions.push(
      condition('Accepted', false, state.refusal.reason, state.refusal.message, generation),
      condition('Programmed', false, state.refusal.reason, state.refusal.message, generation),
    );
  } else {
    const invalid = state.listeners.filter((l) => !l.usable).length;
    conditions.push(
      invalid > 0
        ? condition('Accepted', true, 'ListenersNotValid', `${invalid} listener(s) are not valid`, generation)
        : condition('Accepted', true, 'Accepted', 'The ListenerSet is accepted', generation),
      condition(
        'Programmed',
        false,
        'Pending',
        'Waiting for the provider to program the listeners',
        generation,
      ),
    );
  }
  ctx.statuses.push({
    kind: 'ListenerSet',
    namespace: ls.metadata.namespace!,
    name: ls.metadata.name,
    ...(generation !== undefined ? { generation } : {}),
    loadBalancers: [gatewayKey],
    status: { conditions, listeners: state.listeners.map((l) => l.status) },
  });
}
