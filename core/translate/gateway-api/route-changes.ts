// A change of a Gateway's routes alone, applied to the Gateway's last translation (KeptGateway)
// instead of translating its bundle again: what the removed routes placed is taken out, what the
// added ones place is put in where precedence says, and the Gateway's attached-route counts move.
// The cost follows the changed routes, not the Gateway's. Only where the outcome cannot depend on
// the other routes; anywhere else (a route that says notices, uses a BackendTLSPolicy, claims an id
// another route has, could shadow a listener's hostname; ListenerSets; ports other than HTTP and
// HTTPS) the answer is undefined and the caller translates the bundle. IncrementalTranslate checks
// that the bundle's other objects are the same ones (test/property/incremental-translate.property.test.ts
// checks the outcome equals translate()).

import type { BackendBucket, BackendPool, LoadBalancer, Route } from '#core/ir/load-balancer.js';
import type { AnyRoute } from '#core/model/gateway-api.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { TranslateContext } from '../context.js';
import type { Notice } from '../notice.js';
import { insertRanked, type RankedRoute, rankedIndex } from '../precedence.js';
import { addUses, type LbBuilder, type ListenerBuild, listenerId, shadows } from './lb-builder.js';
import type { ListenerState } from './listeners.js';
import {
  equalOrPrevious,
  type KeptGateway,
  type RouteTranslation,
  type RouteTranslationMemo,
} from './route-memo.js';
import { SortedByIdEdits } from './sorted-by-id-edits.js';
import { poolUse, pushGatewayStatus, translateRoute } from './translate-gateway-api.js';

export interface RouteChangesResult {
  lb: LoadBalancer;
  /** Statuses no longer said (the removed routes', the Gateway's when its counts moved)... */
  gone: ObjectStatus[];
  /** ...and those said instead. */
  said: ObjectStatus[];
}

interface Placement {
  build: ListenerBuild;
  ranked: RankedRoute[];
}

/**
 * The translation of the kept Gateway's bundle with the `removed` routes (objects of its last
 * translation) taken out and the `added` ones put in; `kept` is updated to it. Undefined (and
 * `kept` as it was) where the other routes could change the outcome.
 */
export function applyRouteChanges(
  kept: KeptGateway,
  memo: RouteTranslationMemo,
  removed: readonly AnyRoute[],
  added: readonly AnyRoute[],
): RouteChangesResult | undefined {
  const { builder, ctx } = kept;
  const state = builder.state;
  const lb = kept.lb;
  if (!lb || builder.tlsPolicies.length > 0 || state.listenerSets.size > 0) return undefined;
  const counts = new Map<ListenerState, number>();
  const count = (l: ListenerState, by: number) => counts.set(l, (counts.get(l) ?? 0) + by);
  const gone: ObjectStatus[] = [];
  const said: ObjectStatus[] = [];

  // What the removed routes placed (their translations are in the memo, from the last translation).
  const out: Placement[] = [];
  for (const route of removed) {
    const t = memo.get(route);
    if (!t || !quiet(t)) return undefined;
    let placed = 0;
    for (const p of t.parents) {
      if (p.accepted.status !== 'True') continue;
      for (const a of p.attachments) {
        const listener = state.listeners[a.listener]!;
        const rules = t.rules.get(poolUse(route, listener));
        if (!rules || rules.rules.templates.length === 0) continue;
        count(listener, -1);
        const build = builder.listeners.get(listenerId(listener.protocol!, listener.spec.port));
        const ranked = t.placed[placed++];
        if (build && ranked) out.push({ build, ranked });
      }
    }
    if (t.status) gone.push(t.status);
  }

  // What the added routes place, on an empty copy of the builder.
  const notices: Notice[] = [];
  const scratch: TranslateContext = {
    ...ctx,
    notices,
    statuses: [],
    held: [],
    notice: (n) => notices.push(n),
  };
  const fresh = emptyCopy(builder);
  for (const route of added) {
    translateRoute(scratch, route, kept.gateways, kept.setParents, new Map([[state.key, fresh]]), (l) =>
      count(l, 1),
    );
  }
  if (notices.length > 0 || scratch.held.length > 0 || fresh.tlsPolicies.length > 0) return undefined;
  said.push(...scratch.statuses);
  const into: Placement[] = [];
  for (const [id, b] of fresh.listeners)
    if (b.ranked.length > 0) into.push({ build: builder.listeners.get(id)!, ranked: b.ranked });

  // Checks, before anything changes.
  const leaving = new Map<ListenerBuild, RankedRoute[]>();
  for (const { build, ranked } of out)
    for (const r of ranked)
      if (rankedIndex(build.ordered, r) >= 0) getOrAdd(leaving, build, () => []).push(r);
  const changedBuilds = new Set([...out, ...into].map((p) => p.build));
  for (const build of changedBuilds) {
    if (build.protocol !== 'HTTP' && build.protocol !== 'HTTPS') return undefined;
    const ids = new Set((leaving.get(build) ?? []).map((r) => r.route.id));
    for (const p of [...out, ...into]) {
      if (p.build !== build) continue;
      for (const r of p.ranked)
        if (build.claimedHostnames.some((c) => shadows(r, c.hostname))) return undefined;
    }
    for (const p of into)
      if (p.build === build)
        for (const r of p.ranked)
          if (build.routeIds.has(r.route.id) && !ids.has(r.route.id)) return undefined;
  }
  kept.uses ??= countUses(lb);
  const pools = new SortedByIdEdits(lb.pools);
  const buckets = new SortedByIdEdits(lb.buckets ?? []);
  for (const p of into) {
    for (const r of p.ranked) {
      for (const id of usesOf(r.route).pools)
        if (!sameOrNew(pools.get(id), fresh.pools.get(id))) return undefined;
      for (const id of usesOf(r.route).buckets)
        if (!sameOrNew(buckets.get(id), fresh.buckets.get(id))) return undefined;
    }
  }

  // The changes.
  const uses = kept.uses;
  // Pools and buckets no route uses any more, until an added route takes them again (equal: the same).
  const left = new Map<string, BackendPool | BackendBucket>();
  const leave = <T extends BackendPool | BackendBucket>(list: SortedByIdEdits<T>, id: string) => {
    left.set(id, list.get(id)!);
    list.delete(id);
  };
  for (const [build, ranked] of leaving) {
    for (const r of ranked) {
      build.ordered.splice(rankedIndex(build.ordered, r), 1);
      build.routeIds.delete(r.route.id);
      const u = usesOf(r.route);
      for (const id of u.pools) if (release(uses.pools, id)) leave(pools, id);
      for (const id of u.buckets) if (release(uses.buckets, id)) leave(buckets, id);
    }
  }
  const taken = <T extends BackendPool | BackendBucket>(now: T) =>
    equalOrPrevious(now, left.get(now.id) as T);
  for (const { build, ranked } of into) {
    for (const r of ranked) {
      insertRanked(build.ordered, r);
      build.routeIds.add(r.route.id);
      const u = usesOf(r.route);
      for (const id of u.pools) if (take(uses.pools, id)) pools.set(id, taken(fresh.pools.get(id)!));
      for (const id of u.buckets) if (take(uses.buckets, id)) buckets.set(id, taken(fresh.buckets.get(id)!));
    }
  }
  let moved = false;
  for (const [listener, by] of counts) {
    if (by === 0) continue;
    // A new status object: the one said last time stays as it was.
    listener.status = { ...listener.status, attachedRoutes: listener.status.attachedRoutes + by };
    moved = true;
  }
  if (moved) {
    const statuses: ObjectStatus[] = [];
    pushGatewayStatus({ ...ctx, statuses }, state, true);
    gone.push(kept.gatewayStatus);
    said.push(statuses[0]!);
    kept.gatewayStatus = statuses[0]!;
  }
  const next: LoadBalancer = {
    ...lb,
    listeners: lb.listeners.map((l) => {
      const build = builder.listeners.get(l.id);
      return build && changedBuilds.has(build) ? { ...l, routes: build.ordered.map((r) => r.route) } : l;
    }),
    pools: pools.result(),
  };
  const bucketList = buckets.result();
  if (bucketList.length > 0) next.buckets = bucketList;
  else delete next.buckets;
  kept.lb = next;
  return { lb: next, gone, said };
}

/** A kept route translation that says nothing beyond its status (no notices, no policies). */
function quiet(t: RouteTranslation): boolean {
  for (const { rules, notices } of t.rules.values()) {
    if (notices.length > 0 || rules.droppedRules.length > 0 || rules.failedRules.length > 0) return false;
    if (rules.tlsPolicies.length > 0) return false;
  }
  return true;
}

/** The builder with its listeners, but no route, pool or policy yet. */
function emptyCopy(builder: LbBuilder): LbBuilder {
  const listeners = new Map<string, ListenerBuild>();
  for (const [id, b] of builder.listeners)
    listeners.set(id, { ...b, ranked: [], ordered: [], routeIds: new Set() });
  return { ...builder, listeners, pools: new Map(), buckets: new Map(), tlsPolicies: [] };
}

/** Pools and buckets are the same whichever route resolved them: a new one must equal the one kept. */
function sameOrNew<T extends BackendPool | BackendBucket>(kept: T | undefined, now: T | undefined): boolean {
  if (now === undefined) return false;
  return kept === undefined || kept === now || JSON.stringify(kept) === JSON.stringify(now);
}

function usesOf(route: Route): { pools: Set<string>; buckets: Set<string> } {
  const u = { pools: new Set<string>(), buckets: new Set<string>() };
  addUses(route, u.pools, u.buckets);
  return u;
}

function countUses(lb: LoadBalancer): NonNullable<KeptGateway['uses']> {
  const uses = { pools: new Map<string, number>(), buckets: new Map<string, number>() };
  for (const l of lb.listeners) {
    for (const r of l.routes) {
      const u = usesOf(r);
      for (const id of u.pools) take(uses.pools, id);
      for (const id of u.buckets) take(uses.buckets, id);
    }
  }
  return uses;
}

/** Counts one more use; whether it is the first. */
function take(uses: Map<string, number>, id: string): boolean {
  const n = uses.get(id) ?? 0;
  uses.set(id, n + 1);
  return n === 0;
}

/** Counts one use less; whether it was the last. */
function release(uses: Map<string, number>, id: string): boolean {
  const n = (uses.get(id) ?? 1) - 1;
  if (n > 0) uses.set(id, n);
  else uses.delete(id);
  return n <= 0;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
