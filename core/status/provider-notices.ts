import { parseLbKey } from '#core/ir/lb-key.js';
import type { LoadBalancer, SourceRef } from '#core/ir/load-balancer.js';
import { condition, setCondition } from './conditions.js';
import type { ObjectStatus } from './types.js';

/** What an adapter could not express, as far as status is concerned. */
export interface ProviderNotice {
  /** Only errors change statuses: a warning names a hardening left out, the listener still serves. */
  severity?: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  source: SourceRef;
  /** IR listener id, when the notice is about a whole listener. */
  listener?: string;
  /** IR route id, when it is about a route. */
  route?: string;
}

/**
 * Statuses after an adapter has declined parts of a load balancer: a route it left out is no longer
 * accepted by that Gateway (`Accepted=False, reason UnsupportedValue`), and a listener it cannot
 * program is `Accepted=False, reason UnsupportedProtocol`. Ingress and Service have no conditions:
 * their notices are the report.
 */
export function applyProviderNotices(
  statuses: readonly ObjectStatus[],
  lb: LoadBalancer,
  provider: string,
  notices: readonly ProviderNotice[],
): ObjectStatus[] {
  const gateway = parseLbKey(lb.key);
  const errors = notices.filter((n) => (n.severity ?? 'error') === 'error');
  if (gateway?.kind !== 'Gateway' || errors.length === 0) return [...statuses];
  const routeNotices = errors.filter((n) => n.route !== undefined);
  const leftOut = routesLeftOut(notices);
  const listenerNames = new Map<string, string>();
  for (const n of errors.filter((x) => x.listener !== undefined && x.route === undefined)) {
    const listener = lb.listeners.find((l) => l.id === n.listener);
    for (const s of listener?.sources ?? [])
      if (s.section) listenerNames.set(`${s.kind}/${s.namespace}/${s.name}/${s.section}`, n.message);
  }
  // ListenerSets' listeners are merged into their Gateway's load balancer: their statuses take notices too.
  const listenerOwner = (s: ObjectStatus) =>
    (s.kind === 'Gateway' && s.namespace === gateway.namespace && s.name === gateway.name) ||
    (s.kind === 'ListenerSet' && s.loadBalancers.includes(lb.key));
  return statuses.map((s) => {
    if ((s.kind === 'Gateway' || s.kind === 'ListenerSet') && listenerOwner(s) && listenerNames.size > 0) {
      const listeners = s.status.listeners.map((l) => {
        const message = listenerNames.get(`${s.kind}/${s.namespace}/${s.name}/${l.name}`);
        if (message === undefined) return l;
        const conditions = [...l.conditions];
        setCondition(
          conditions,
          condition('Accepted', false, 'UnsupportedProtocol', `${provider}: ${message}`, s.generation),
        );
        setCondition(
          conditions,
          condition(
            'Programmed',
            false,
            'Invalid',
            'The provider cannot program this listener',
            s.generation,
          ),
        );
        return { ...l, conditions };
      });
      return { ...s, status: { ...s.status, listeners } };
    }
    if ('parents' in s.status) {
      if (!leftOut.has(routeStatusId(s))) return s;
      const mine = routeNotices.filter(
        (n) => n.source.kind === s.kind && n.source.namespace === s.namespace && n.source.name === s.name,
      );
      if (mine.length === 0) return s;
      const message = `${provider} cannot program this route: ${[...new Set(mine.map((n) => n.message))].join('; ')}`;
      const parents = s.status.parents.map((p) => {
        const ns = p.parentRef.namespace ?? s.namespace;
        if (ns !== gateway.namespace || p.parentRef.name !== gateway.name) return p;
        const conditions = [...p.conditions];
        setCondition(conditions, condition('Accepted', false, 'UnsupportedValue', message, s.generation));
        return { ...p, conditions };
      });
      return { ...s, status: { parents } } as ObjectStatus;
    }
    return s;
  });
}

/**
 * The routes (routeStatusId) whose statuses applyProviderNotices changes for these notices: those
 * an error notice leaves out. Every other route's status stays the very same object.
 */
export function routesLeftOut(notices: readonly ProviderNotice[]): Set<string> {
  const ids = new Set<string>();
  for (const n of notices)
    if ((n.severity ?? 'error') === 'error' && n.route !== undefined) ids.add(routeStatusId(n.source));
  return ids;
}

/** A route status's or notice source's `kind/namespace/name`. */
export function routeStatusId(s: { kind: string; namespace?: string | undefined; name: string }): string {
  return `${s.kind}/${s.namespace ?? ''}/${s.name}`;
}
