import type { LbKey } from '#core/ir/load-balancer.js';
import { condition, setCondition } from './conditions.js';
import type { ListenerStatus, ObjectStatus, StatusCondition } from './types.js';

/** What an adapter reports once it has applied a load balancer. */
export interface ProgrammedState {
  key: LbKey;
  programmed: boolean;
  addresses: { type: 'IPAddress' | 'Hostname'; value: string }[];
  /** Why it is not programmed, when it is not. */
  message?: string;
}

/**
 * Statuses after the providers have spoken: Gateways get `Programmed` and `status.addresses` (their
 * listeners `Programmed` too); Ingresses and Services get `status.loadBalancer.ingress`. Objects whose
 * load balancers have not reported stay as translate left them (Programmed=Pending).
 */
export function applyProgrammedStates(
  statuses: readonly ObjectStatus[],
  states: ReadonlyMap<LbKey, ProgrammedState>,
): ObjectStatus[] {
  return statuses.map((s) => {
    const state = s.loadBalancers.length === 1 ? states.get(s.loadBalancers[0]!) : undefined;
    if (!state) return s;
    switch (s.kind) {
      case 'Gateway': {
        const accepted = s.status.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
        if (!accepted) return s;
        const { conditions, listeners } = programmedConditions(
          s.status,
          state,
          s.generation,
          'load balancer',
        );
        return {
          ...s,
          status: { ...s.status, conditions, listeners, addresses: state.addresses.map((a) => ({ ...a })) },
        };
      }
      case 'ListenerSet': {
        const accepted = s.status.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
        if (!accepted) return s;
        return {
          ...s,
          status: { ...s.status, ...programmedConditions(s.status, state, s.generation, 'listeners') },
        };
      }
      case 'Ingress':
      case 'Service': {
        if (!state.programmed) return s;
        const ingress = state.addresses.map((a) =>
          a.type === 'IPAddress' ? { ip: a.value } : { hostname: a.value },
        );
        return { ...s, status: { loadBalancer: ingress.length ? { ingress } : {} } };
      }
      default:
        return s;
    }
  });
}

/** `Programmed` of a Gateway or ListenerSet and of its listeners still waiting for the provider. */
function programmedConditions(
  status: { conditions: readonly StatusCondition[]; listeners: readonly ListenerStatus[] },
  state: ProgrammedState,
  generation: number | undefined,
  what: string,
): { conditions: StatusCondition[]; listeners: ListenerStatus[] } {
  const conditions = [...status.conditions];
  setCondition(
    conditions,
    state.programmed
      ? condition('Programmed', true, 'Programmed', `The ${what} is programmed`, generation)
      : condition(
          'Programmed',
          false,
          'Invalid',
          state.message ?? `The provider could not program the ${what}`,
          generation,
        ),
  );
  const listeners = status.listeners.map((l) => {
    const pending = l.conditions.some((c) => c.type === 'Programmed' && c.reason === 'Pending');
    if (!pending) return l;
    const lc = [...l.conditions];
    setCondition(
      lc,
      state.programmed
        ? condition('Programmed', true, 'Programmed', 'The listener is programmed', generation)
        : condition(
            'Programmed',
            false,
            'Invalid',
            state.message ?? 'The provider could not program the listener',
            generation,
          ),
    );
    return { ...l, conditions: lc };
  });
  return { conditions, listeners };
}
