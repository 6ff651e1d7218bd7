// What translating one route gave last time, so that a change of one route of a Gateway with 3,000
// routes translates one route, not 3,000. A route's translation reads the route and the objects of
// its bundle that are not routes (Gateways, ListenerSets, classes, parameters, Services,
// EndpointSlices, ReferenceGrants, Secrets, Namespaces, policies...), never another route. So an
// entry is keyed by the route object (objects are replaced on change, never edited) and every entry
// is dropped as soon as any of those other objects is not the very same one as last time. Owned by
// the caller (IncrementalTranslate keeps one per load-balancer key): no globals.

import type { AnyRoute, ParentReference } from '#core/model/gateway-api.js';
import type { ObjectStatus, StatusCondition } from '#core/status/types.js';
import type { PoolUse } from '../backend/service-pool.js';
import type { Notice } from '../notice.js';
import type { RankedRoute } from '../precedence.js';
import type { RulesResult } from './rules.js';

/** One parentRef of a route as attachRoute resolved it, with its Gateway and listeners by position. */
export interface MemoParent {
  parentRef: ParentReference;
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** Indexes into the Gateway's listeners, with the effective hostnames on each. */
  attachments: { listener: number; hostnames: (string | undefined)[] }[];
  accepted: StatusCondition;
}

export interface MemoRules {
  rules: RulesResult;
  /** What translating the rules said (health-check notices), said again on reuse. */
  notices: Notice[];
}

export interface RouteTranslation {
  parents: MemoParent[];
  /** The rules per way the backends are spoken to. */
  rules: Map<PoolUse, MemoRules>;
  /** The route's status, once said (never edited: a change makes a new one). */
  status?: ObjectStatus;
  /** The IR routes placed on each listener the route attaches to, in order: reused as the same objects. */
  placed: RankedRoute[][];
}

export class RouteTranslationMemo {
  #inputs: readonly unknown[] = [];
  #entries = new WeakMap<AnyRoute, RouteTranslation>();

  /**
   * Starts a translation whose inputs other than routes are `inputs`: entries are kept only when
   * every one of them is the same object, in the same order, as last time.
   */
  begin(inputs: readonly unknown[]): void {
    const same = inputs.length === this.#inputs.length && inputs.every((o, i) => o === this.#inputs[i]);
    if (!same) this.#entries = new WeakMap();
    this.#inputs = inputs;
  }

  get(route: AnyRoute): RouteTranslation | undefined {
    return this.#entries.get(route);
  }

  set(route: AnyRoute, translation: RouteTranslation): void {
    this.#entries.set(route, translation);
  }
}
