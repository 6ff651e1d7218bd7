import type { LbKey } from '#core/ir/load-balancer.js';
import { condition, setCondition } from './conditions.js';
import type { ObjectStatus } from './types.js';

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
        const conditions = [...s.status.conditions];
        const accepted = conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
        if (!accepted) return s;
        setCondition(
          conditions,
          state.programmed
            ? condition('Programmed', true, 'Programmed', 'The load balancer is programmed', s.generation)
            : condition(
                'Programmed',
                false,
                'Invalid',
                state.message ?? 'The provider could not program the load balancer',
                s.generation,
              ),
        );
        const listeners = s.status.listeners.map((l) => {
          const pending = l.conditions.some((c) => c.type === 'Programmed' && c.reason === 'Pending');
          if (!pending) return l;
          const lc = [...l.conditions];
          setCondition(
            lc,
            state.programmed
              ? condition('Programmed', true, 'Programmed', 'The listener is programmed', s.generation)
              : condition(
                  'Programmed',
                  false,
                  'Invalid',
                  state.message ?? 'The provider could not program the listener',
                  s.generation,
                ),
          );
          return { ...l, conditions: lc };
        });
        return {
          ...s,
          status: { ...s.status, conditions, listeners, addresses: state.addresses.map((a) => ({ ...a })) },
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
