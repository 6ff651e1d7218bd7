import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { compareStrings, sortLoadBalancers } from '#core/ir/sort.js';
import type { ReadCache } from '#core/model/read-cache.js';
import { type RejectedObject, readObjects } from '#core/model/read-objects.js';
import type { ObjectStatus } from '#core/status/types.js';
import { createContext, type HeldKey } from './context.js';
import type { RouteTranslationMemo } from './gateway-api/route-memo.js';
import { translateGatewayApi } from './gateway-api/translate-gateway-api.js';
import { holdRejectedIngresses } from './ingress/rejected.js';
import { translateIngresses } from './ingress/translate-ingresses.js';
import type { Notice } from './notice.js';
import { type TranslateOptions, withDefaults } from './options.js';
import { translateServices } from './service/translate-services.js';

export interface TranslateResult {
  loadBalancers: LoadBalancer[];
  /** The status of every input object Portico is responsible for. */
  statuses: ObjectStatus[];
  notices: Notice[];
  /**
   * Load balancers whose root object (Gateway, Ingress, Service) is Portico's but is currently invalid
   * as a whole. Reconcilers must leave them as they are, neither updating nor deleting them, so that a
   * bad edit never takes down what already works.
   */
  held: HeldKey[];
}

/**
 * The heart of Portico: cluster state in, load balancers + statuses + notices out. Pure and total:
 * malformed objects become notices or status conditions, never exceptions, and the output does not
 * depend on the order of the input objects.
 */
export function translate(
  objects: readonly unknown[],
  options: Partial<TranslateOptions> = {},
  /** Schema checks kept across calls by object version (see ReadCache); optional. */
  cache?: ReadCache,
  /** Route translations kept across calls with the same options (see RouteTranslationMemo); optional. */
  routeMemo?: RouteTranslationMemo,
  /**
   * The one load balancer wanted from a key's bundle (IncrementalTranslate): a Service of type
   * LoadBalancer the bundle holds as a backend is then not translated as a load balancer (its own
   * key does that, with its parameters, which this bundle lacks).
   */
  key?: LbKey,
): TranslateResult {
  const { bundle, rejected } = readObjects(objects, cache);
  const ctx = createContext(bundle, withDefaults(options), rejected, routeMemo);
  for (const r of rejected) ctx.notice(invalidObjectNotice(r));
  holdRejectedIngresses(ctx, rejected);
  const loadBalancers = [
    ...translateGatewayApi(ctx, rejected),
    ...translateIngresses(ctx),
    ...translateServices(ctx, key),
  ];
  return {
    loadBalancers: sortLoadBalancers(loadBalancers),
    statuses: sortStatuses(ctx.statuses),
    notices: ctx.notices.sort(compareNotices),
    held: ctx.held.sort((a, b) => compareStrings(a.key, b.key)),
  };
}

/** The notice of an object that failed its schema (translate reports every one). */
export function invalidObjectNotice(r: RejectedObject): Notice {
  return {
    severity: 'error',
    code: 'InvalidObject',
    source: { kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name ?? '(unnamed)' },
    field: r.field,
    message: `${r.message}; the object is ignored`,
  };
}

/** translate()'s order of statuses: by kind, namespace, name. */
export function compareStatuses(a: ObjectStatus, b: ObjectStatus): number {
  return compareStrings(statusId(a), statusId(b));
}

/** The statuses in translate()'s order, each key made once (not once per comparison). */
function sortStatuses(statuses: readonly ObjectStatus[]): ObjectStatus[] {
  return statuses
    .map((s) => ({ key: statusId(s), s }))
    .sort((a, b) => compareStrings(a.key, b.key))
    .map(({ s }) => s);
}

/** The key statuses are ordered by (and IncrementalTranslate finds them by): kind, namespace, name. */
export function statusId(o: { kind: string; namespace?: string | undefined; name: string }): string {
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

/** translate()'s order of notices. */
export function compareNotices(a: Notice, b: Notice): number {
  const ka = `${a.source.kind}/${a.source.namespace ?? ''}/${a.source.name}/${a.field ?? ''}/${a.code}/${a.message}`;
  const kb = `${b.source.kind}/${b.source.namespace ?? ''}/${b.source.name}/${b.field ?? ''}/${b.code}/${b.message}`;
  return compareStrings(ka, kb);
}
